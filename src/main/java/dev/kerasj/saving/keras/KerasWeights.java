package dev.kerasj.saving.keras;

import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.KerasPaths;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.types.TInt64;

/**
 * Keras 3's {@code .weights.h5} files ({@code model.save_weights} / {@code model.load_weights}), both ways, in the
 * layout of {@link WeightsLayout}: layer weights and, when compiled, the optimizer state. Layers are addressed as
 * Keras addresses them, by class and position ({@code layers/dense_1/vars/0} for the second Dense, whatever its name;
 * {@link dev.kerasj.saving.KerasPaths}), so a model built in another process, with other or shifted names, reads the
 * file as Keras would.
 *
 * <pre>{@code
 * KerasWeights.write(model, Path.of("model.weights.h5"));   // Python: model.load_weights("model.weights.h5")
 * KerasWeights.restore(model, Path.of("keras.weights.h5")); // Python: model.save_weights("keras.weights.h5")
 * }</pre>
 *
 * <p>Writing is durable: the file is written under a staging name in the destination directory, fsynced, and
 * renamed over the target ({@link DurableFiles}); a crash leaves the previous file. Reading checks every dataset
 * against the model (layer groups, counts, shapes, dtypes) before assigning anything, so a file of another model
 * fails with an {@link IncompatibleCheckpointException} listing what is missing, unexpected and mismatched, and the
 * model is unchanged. Optimizer state is restored when the model is compiled with an optimizer whose variables match
 * the file's; an uncompiled model ignores it, as Keras does. A file of a compiled Keras model that never trained holds
 * only the iteration count (0) and learning rate: the slots then start from their initial values.
 */
public final class KerasWeights {
  private static final Logger LOG = LoggerFactory.getLogger(KerasWeights.class);
  /** File name suffix Keras 3 requires of weights files. */
  public static final String SUFFIX = dev.kerasj.saving.FileFormat.WEIGHTS_H5_SUFFIX;

  private KerasWeights() {}

  /**
   * Writes the weights (and optimizer state, once compiled) of {@code model} to {@code target}, replacing it
   * atomically.
   */
  public static void write(KerasModel model, Path target) throws IOException {
    Path file = target.toAbsolutePath().normalize();
    Path staging = DurableFiles.createStagingDirectory(file.getParent(), "weights-h5");
    try {
      Path staged = staging.resolve(file.getFileName());
      writeTo(model, staged);
      DurableFiles.fsyncFile(staged);
      DurableFiles.commit(staged, file);
    } finally {
      DurableFiles.deleteRecursively(staging);
    }
  }

  /** Writes the HDF5 content to {@code file} (a fresh path; no durability by itself). */
  static void writeTo(KerasModel model, Path file) throws IOException {
    WeightsLayout layout = WeightsLayout.of(model);
    List<WeightsLayout.Entry> entries = layout.all();
    List<HostArray> values = model.graphForInternalUse().read(entries.stream().map(WeightsLayout.Entry::slot).toList());
    List<H5Writer.Item> items = new ArrayList<>();
    java.util.SortedMap<String, HostArray> byPath = new java.util.TreeMap<>();
    for (int i = 0; i < entries.size(); i++) {
      WeightsLayout.Entry e = entries.get(i);
      items.add(new H5Writer.Item(e.path(), values.get(i), e.slot().dtype() == TInt64.class));
      byPath.put(e.path(), values.get(i));
    }
    H5Writer.write(file, items, layout.groupNames(), Map.of(WeightsLayout.LAYOUT_ATTRIBUTE, WeightsLayout.LAYOUT_VALUE,
        WeightsChecksum.ATTRIBUTE, WeightsChecksum.of(byPath)));
  }

  /**
   * Restores weights (and optimizer state, see class javadoc) from a Keras 3 {@code .weights.h5} file. The model
   * is built first if needed; on any failure it is unchanged.
   *
   * @throws IncompatibleCheckpointException the file holds another model's weights
   * @throws CorruptCheckpointException the file is not a readable HDF5 file
   */
  public static void restore(KerasModel model, Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no .weights.h5 file here");
    }
    HdfFile h5;
    try {
      h5 = new HdfFile(file);
    } catch (RuntimeException e) {
      throw new CorruptCheckpointException(file, file + " is not a readable HDF5 file: " + e.getMessage(), e);
    }
    try (h5) {
      restore(model, h5, new Source(file, file.toString(), Files.size(file)));
    }
  }

  /**
   * Where datasets are read from, for messages and size checks.
   *
   * @param file the file named in exceptions
   * @param where the file, or {@code file: model.weights.h5} for an archive's member
   * @param bytes the HDF5 file's real size: no dataset may declare more
   */
  record Source(Path file, String where, long bytes) {}

  /** Checks every dataset of {@code h5} against the model, then assigns all of them in one step. */
  static void restore(KerasModel model, HdfFile h5, Source from) {
    Path source = from.file();
    WeightsLayout.Addressing addressing;
    try {
      addressing = addressing(h5);
    } catch (io.jhdf.exceptions.HdfException e) {
      throw new CorruptCheckpointException(source, source + " cannot be read as HDF5: " + e.getMessage(), e);
    }
    WeightsLayout layout = WeightsLayout.of(model, addressing);
    Map<ModelGraph.VariableSlot, HostArray> values = new LinkedHashMap<>();
    List<String> matched = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    try {
      Map<String, Dataset> fileLayers = datasets(h5, WeightsLayout.LAYERS);
      checkTopLevel(h5, source);
      for (WeightsLayout.Entry e : layout.layerEntries()) {
        take(e, fileLayers.remove(e.path()), from, values, matched, missing, mismatched);
      }
      unexpected.addAll(fileLayers.keySet());
      Map<String, Dataset> fileOptimizer = datasets(h5, WeightsLayout.OPTIMIZER_VARS);
      List<WeightsLayout.Entry> opt = layout.optimizerEntries();
      // Iterations, then the learning rate unless a schedule replaces it (OptimizerVariables).
      int fixed = model.optimizer() != null && model.optimizer().learningRateSchedule() != null ? 1 : 2;
      if (!opt.isEmpty() && isUnbuiltOptimizer(fileOptimizer, opt, fixed, from)) {
        // Keras saves a compiled optimizer that never stepped with only iterations (0) and learning rate: its
        // slots do not exist yet. kerasj's exist from compile; they start from their initial values, as Keras' will.
        for (WeightsLayout.Entry e : opt.subList(0, fixed)) {
          take(e, fileOptimizer.get(e.path()), from, values, matched, missing, mismatched);
        }
        for (WeightsLayout.Entry e : opt.subList(fixed, opt.size())) {
          values.put(e.slot(), e.slot().initialValue().get());
        }
      } else if (!opt.isEmpty() && !fileOptimizer.isEmpty()) {
        if (fileOptimizer.size() != opt.size()) {
          throw new IncompatibleCheckpointException(source, source + " holds " + fileOptimizer.size()
              + " optimizer variables (optimizer '" + groupName(h5, WeightsLayout.OPTIMIZER_VARS) + "'), but the "
              + "model's optimizer '" + model.optimizer().name() + "' (" + model.optimizer().className() + ") has "
              + opt.size() + ". Compile the model with the optimizer the file was saved with, or load the weights "
              + "into an uncompiled model");
        }
        for (WeightsLayout.Entry e : opt) {
          take(e, fileOptimizer.get(e.path()), from, values, matched, missing, mismatched);
        }
      }
    } catch (dev.kerasj.saving.KerasjException e) {
      throw e;
    } catch (RuntimeException e) {
      // jhdf reports a damaged file as HdfException, and as buffer or index exceptions when an offset points outside
      // the file.
      throw new CorruptCheckpointException(source, from.where() + " cannot be read as HDF5: " + e, e);
    }
    if (!missing.isEmpty() || !mismatched.isEmpty() || !unexpected.isEmpty()) {
      throw new IncompatibleCheckpointException(source, source + " does not hold the weights of model '"
          + model.name() + "'. Missing: " + missing + "; mismatched: " + mismatched + "; in the file but not in the "
          + "model: " + unexpected + ". " + addressingExplained(layout, h5) + ". A Keras weights file loads only "
          + "into the same architecture (layer classes in the same order, same shapes)",
          matched, missing, unexpected, mismatched);
    }
    java.util.SortedMap<String, HostArray> read = new java.util.TreeMap<>();
    layout.all().forEach(e -> read.put(e.path(), values.get(e.slot())));
    try {
      WeightsChecksum.check(h5, read, source, from.where());
    } catch (io.jhdf.exceptions.HdfException e) {
      throw new CorruptCheckpointException(source, from.where() + " cannot be read as HDF5: " + e.getMessage(), e);
    }
    if (addressing == WeightsLayout.Addressing.LAYER_NAMES && !layout.layerEntries().isEmpty()) {
      LOG.warn("{} was written by a kerasj release before 2026-12, which addressed layers by name; read it that "
          + "way. Python Keras addresses layers by class and misreads such a file unless every layer's name is its "
          + "class path; save it again to write Keras' layout", source);
    }
    model.graphForInternalUse().assign(values);
  }

  /**
   * {@link WeightsLayout.Addressing#LAYER_NAMES} for a file kerasj wrote before 2026-12 (jhdf's {@code _jHDF} root
   * attribute, without kerasj's {@link WeightsLayout#LAYOUT_ATTRIBUTE}); Keras' class paths for everything else.
   */
  static WeightsLayout.Addressing addressing(HdfFile h5) {
    io.jhdf.api.Attribute layout = h5.getAttribute(WeightsLayout.LAYOUT_ATTRIBUTE);
    if (layout != null && WeightsLayout.LAYOUT_VALUE.equals(String.valueOf(layout.getData()))) {
      return WeightsLayout.Addressing.KERAS_CLASS_PATHS;
    }
    return h5.getAttribute("_jHDF") != null ? WeightsLayout.Addressing.LAYER_NAMES
        : WeightsLayout.Addressing.KERAS_CLASS_PATHS;
  }

  /** Both sides' layer groups and the rule that produced the model's, for an error message. */
  private static String addressingExplained(WeightsLayout layout, HdfFile h5) {
    String rule = layout.addressing() == WeightsLayout.Addressing.KERAS_CLASS_PATHS ? KerasPaths.RULE
        : "This file was written by kerasj before 2026-12, which addressed a layer by its name (layers/<name>)";
    List<String> fileGroups = new ArrayList<>();
    Node layers = find(h5, WeightsLayout.LAYERS);
    if (layers instanceof Group g) {
      for (String child : new java.util.TreeSet<>(g.getChildren().keySet())) {
        String name = groupName(h5, WeightsLayout.LAYERS + "/" + child + "/vars");
        fileGroups.add(WeightsLayout.LAYERS + "/" + child + ("?".equals(name) ? "" : " (name '" + name + "')"));
      }
    }
    return rule + ". The model's layers -> their groups: "
        + layout.layerGroups().stream().map(WeightsLayout.LayerGroup::describe).toList()
        + "; the file's layer groups: " + fileGroups;
  }

  /**
   * Only the first {@code fixed} of more variables: {@code optimizer/vars/0} (iterations, equal to 0) and, without a
   * schedule, {@code /1} (learning rate).
   */
  private static boolean isUnbuiltOptimizer(Map<String, Dataset> file, List<WeightsLayout.Entry> opt, int fixed,
      Source from) {
    if (file.size() != fixed || opt.size() <= fixed
        || !opt.subList(0, fixed).stream().allMatch(e -> file.containsKey(e.path()))) {
      return false;
    }
    Dataset counter = file.get(opt.get(0).path());
    if (!H5Datasets.isInt64(counter.getDataType()) || counter.getDimensionsAsLong().length != 0) {
      return false; // not a scalar counter: take() reports it as mismatched
    }
    H5Datasets.checkSize(counter, opt.get(0).path(), from.file(), from.where(), from.bytes());
    Object iterations = counter.getDataFlat();
    return iterations instanceof long[] l && l.length == 1 && l[0] == 0;
  }

  /**
   * Reads dataset {@code d} into {@code values} when its dtype and shape are the variable's; dtype and shape come
   * from the dataset's header, its bytes are checked against the file's size before they are read.
   */
  private static void take(WeightsLayout.Entry e, Dataset d, Source from,
      Map<ModelGraph.VariableSlot, HostArray> values, List<String> matched, List<String> missing,
      List<String> mismatched) {
    String label = e.path() + " (" + e.label() + ")";
    if (d == null) {
      missing.add(label);
      return;
    }
    boolean int64 = e.slot().dtype() == TInt64.class;
    long[] dims = d.getDimensionsAsLong();
    io.jhdf.object.datatype.DataType type = d.getDataType();
    boolean typeOk = int64 ? H5Datasets.isInt64(type) : H5Datasets.isFloat32(type);
    if (!typeOk || !Arrays.equals(dims, e.slot().shape())) {
      mismatched.add(label + ": expected " + (int64 ? "int64" : "float32") + " " + Arrays.toString(e.slot().shape())
          + ", found " + H5Datasets.dtype(type) + " " + Arrays.toString(dims));
      return;
    }
    H5Datasets.checkSize(d, e.path(), from.file(), from.where(), from.bytes());
    Object flat = d.getDataFlat();
    if (int64) {
      long v = ((long[]) flat)[0];
      if (v < 0 || v > Integer.MAX_VALUE) {
        mismatched.add(label + ": iteration count " + v + " is out of range");
        return;
      }
      values.put(e.slot(), HostArray.ofInts(new long[0], new int[] {(int) v}));
    } else {
      values.put(e.slot(), HostArray.ofFloats(e.slot().shape(), (float[]) flat));
    }
    matched.add(label);
  }

  /** Datasets anywhere under {@code root} by path without the leading slash; empty when there is no such group. */
  private static Map<String, Dataset> datasets(HdfFile h5, String root) {
    Map<String, Dataset> out = new java.util.TreeMap<>();
    Node node = find(h5, root);
    if (node != null) {
      collect(node, out);
    }
    return out;
  }

  /**
   * The node at {@code path}, or null. Walks children by name: jhdf's {@code getByPath} cannot report a missing path
   * in an in-memory file (it fails building its message).
   */
  static Node find(HdfFile h5, String path) {
    Node node = h5;
    for (String part : path.split("/")) {
      if (!(node instanceof Group g)) {
        return null;
      }
      node = g.getChildren().get(part);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static void collect(Node node, Map<String, Dataset> out) {
    if (node instanceof Group g) {
      for (Node child : g.getChildren().values()) {
        collect(child, out);
      }
    } else if (node instanceof Dataset d) {
      out.put(strip(node.getPath()), d);
    }
  }

  private static String strip(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** Datasets outside {@code layers/} and {@code optimizer/} mean a layout kerasj does not know (legacy Keras 2). */
  private static void checkTopLevel(HdfFile h5, Path source) {
    TreeSet<String> other = new TreeSet<>();
    for (Node child : h5.getChildren().values()) {
      String name = child.getName();
      if (name.equals("layers") || name.equals("optimizer")) {
        continue;
      }
      Map<String, Dataset> inside = new LinkedHashMap<>();
      collect(child, inside);
      if (!inside.isEmpty()) {
        other.addAll(inside.keySet());
      }
    }
    if (!other.isEmpty()) {
      throw new IncompatibleCheckpointException(source, source + " is not a Keras 3 weights file kerasj can read: "
          + "it holds datasets outside layers/ and optimizer/ " + other + " (a Keras 2 .h5 file, or a model with "
          + "weights of its own). Expected layers/<class path>/vars/<i> and optimizer/vars/<k>");
    }
  }

  private static String groupName(HdfFile h5, String path) {
    try {
      Node node = find(h5, path);
      io.jhdf.api.Attribute a = node == null ? null : node.getAttribute("name");
      return a == null ? "?" : String.valueOf(a.getData());
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
