package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.saving.CorruptCheckpointException;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a Keras 3 {@code .keras} archive or {@code .weights.h5} file holds, for tools ({@code kerasj inspect} and
 * {@code verify}): metadata, the layers of the config, every HDF5 dataset with its dtype and shape, and the optimizer.
 * Reads only; builds no model and no TensorFlow graph, so it also lists files kerasj could not rebuild.
 *
 * <pre>{@code
 * KerasFileContents c = KerasFileContents.read(Path.of("model.keras"));
 * c.datasets().forEach(d -> System.out.println(d.path() + " " + d.dtype() + " " + Arrays.toString(d.shape())));
 * KerasFileContents.verify(Path.of("model.keras"), name -> {});   // every crc32, every dataset read in full
 * }</pre>
 *
 * @param file the file read
 * @param archive true for a {@code .keras} archive, false for a {@code .weights.h5} file
 * @param metadata the archive's {@code metadata.json}, or null for a weights file
 * @param config the archive's {@code config.json}, or null for a weights file
 * @param layers the config's layers in order (the InputLayer included); for a weights file, the groups under
 *     {@code layers/} (no classes: a weights file holds none)
 * @param datasets every HDF5 dataset, by path (sorted, as h5py lists them)
 * @param optimizerName the {@code name} attribute of {@code optimizer/vars}, or null when absent
 * @param checksummed whether the HDF5 file carries kerasj's SHA-256 of its datasets (kerasj wrote it; Keras' files
 *     have none), which {@link #verify} checks
 */
public record KerasFileContents(Path file, boolean archive, JsonNode metadata, JsonNode config, List<Layer> layers,
    List<DatasetInfo> datasets, String optimizerName, boolean checksummed) {

  /**
   * A layer of the file.
   *
   * @param name the layer's name (for a weights file, its group's {@code name} attribute, else the group's name)
   * @param className the Keras class ({@code Dense} ...), or null for a weights file
   * @param group where its weights are, {@code layers/dense_1}: Keras addresses a layer by class and position, not
   *     by name ({@link dev.kerasj.saving.KerasPaths}); null for a layer that has no group (a Sequential's
   *     InputLayer)
   * @param args the config's arguments worth showing: scalars and lists, without name, dtype, trainable,
   *     initializers, regularizers and constraints (empty for a weights file)
   */
  public record Layer(String name, String className, String group, Map<String, JsonNode> args) {
    public Layer {
      args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }
  }

  /**
   * One HDF5 dataset.
   *
   * @param path its path without the leading slash ({@code layers/dense/vars/0})
   * @param dtype numpy's name for its type ({@code float32}, {@code int64} ...)
   * @param shape its dimensions ({@code []} for a scalar)
   */
  public record DatasetInfo(String path, String dtype, long[] shape) {}

  public KerasFileContents {
    layers = List.copyOf(layers);
    datasets = List.copyOf(datasets);
  }

  /** {@code metadata.json}'s {@code keras_version}, or null. */
  public String kerasVersion() {
    return metadata == null || !metadata.hasNonNull("keras_version") ? null : metadata.get("keras_version").asText();
  }

  /** {@code metadata.json}'s {@code date_saved}, or null. */
  public String dateSaved() {
    return metadata == null || !metadata.hasNonNull("date_saved") ? null : metadata.get("date_saved").asText();
  }

  /** The config's {@code compile_config}, or null (uncompiled model, or a weights file). */
  public JsonNode compileConfig() {
    return config == null || !config.hasNonNull("compile_config") ? null : config.get("compile_config");
  }

  /** The optimizer's Keras class from the compile config, or null. */
  public String optimizerClass() {
    JsonNode c = compileConfig();
    JsonNode opt = c == null ? null : c.get("optimizer");
    if (opt == null || opt.isNull()) {
      return null;
    }
    return opt.isTextual() ? opt.asText() : opt.path("class_name").asText(null);
  }

  /** The datasets of {@code layer}: those under its {@link Layer#group()}. */
  public List<DatasetInfo> layerDatasets(Layer layer) {
    if (layer.group() == null) {
      return List.of();
    }
    String prefix = layer.group() + "/";
    return datasets.stream().filter(d -> d.path().startsWith(prefix)).toList();
  }

  /** The datasets under {@code optimizer/}. */
  public List<DatasetInfo> optimizerDatasets() {
    return datasets.stream().filter(d -> d.path().startsWith("optimizer/")).toList();
  }

  /** The datasets under neither {@code layers/} nor {@code optimizer/} (a layout kerasj does not know). */
  public List<DatasetInfo> otherDatasets() {
    return datasets.stream().filter(d -> !d.path().startsWith(WeightsLayout.LAYERS + "/")
        && !d.path().startsWith("optimizer/")).toList();
  }

  /**
   * Reads a {@code .keras} archive (members checked as {@link KerasArchive#read} does, {@link KerasArchive.Limits
   * default limits}) or a {@code .weights.h5} file (any other name is read as HDF5). Dataset values are not read.
   *
   * @throws CorruptCheckpointException a damaged member, JSON or HDF5 that does not parse
   * @throws dev.kerasj.saving.IncompatibleModelException not a zip, unexpected, missing or oversized members
   */
  public static KerasFileContents read(Path file) throws IOException {
    return open(file, (h5, c, from) -> { });
  }

  /**
   * Reads everything a file holds and checks what can be checked: for an archive, every member against its crc32
   * and the archive limits, then its JSON; then every HDF5 dataset is read in full. HDF5 stores no checksum for
   * plain datasets (Keras writes no filters), so a flipped byte inside a weight's data cannot be detected here;
   * damage to the file's structure (headers, the B-trees and heaps, a truncated file) is. Before a dataset is read,
   * its dtype must be float32 or int64 (what the loaders take) and its declared bytes must fit in the file and the
   * {@link dev.kerasj.saving.MemoryBudget}.
   *
   * @param onDataset called with each dataset's path after it was read
   * @return the contents
   * @throws CorruptCheckpointException naming the first damaged member or dataset
   * @throws dev.kerasj.saving.IncompatibleCheckpointException a dataset of another dtype than float32 or int64
   */
  public static KerasFileContents verify(Path file, Consumer<String> onDataset) throws IOException {
    return open(file, (h5, c, from) -> {
      boolean checksummed = c.checksummed();
      java.util.SortedMap<String, dev.kerasj.internal.HostArray> read = new TreeMap<>();
      for (DatasetInfo d : c.datasets()) {
        Dataset dataset = (Dataset) KerasWeights.find(h5, d.path());
        H5Datasets.checkReadable(dataset, d.path(), file, from.where(), from.bytes());
        Object flat;
        try {
          flat = dataset.getDataFlat();
        } catch (RuntimeException e) {
          throw new CorruptCheckpointException(file, file + (c.archive() ? ": " + KerasArchive.WEIGHTS : "")
              + ": dataset '" + d.path() + "' cannot be read: " + e.getMessage(), e);
        }
        if (checksummed) {
          read.put(d.path(), hostArray(flat, d, file, from.where()));
        }
        onDataset.accept(d.path());
      }
      if (checksummed) {
        WeightsChecksum.check(h5, read, file, from.where());
      }
    });
  }

  /** A dataset's values as the checksum sees them (float32, or int64 within int range as kerasj writes them). */
  private static dev.kerasj.internal.HostArray hostArray(Object flat, DatasetInfo d, Path file, String where) {
    if (flat instanceof float[] f) {
      return dev.kerasj.internal.HostArray.ofFloats(d.shape(), f);
    }
    if (flat instanceof long[] l) {
      int[] ints = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
          throw new CorruptCheckpointException(file, where + ": dataset '" + d.path() + "' holds " + l[i]
              + ", out of the range kerasj writes");
        }
        ints[i] = (int) l[i];
      }
      return dev.kerasj.internal.HostArray.ofInts(d.shape(), ints);
    }
    throw new CorruptCheckpointException(file, where + ": dataset '" + d.path() + "' is " + d.dtype()
        + ", not one kerasj writes (float32, int64)");
  }

  private interface Check {
    void run(HdfFile h5, KerasFileContents contents, KerasWeights.Source from);
  }

  private static KerasFileContents open(Path file, Check check) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString());
    }
    boolean archive = file.getFileName().toString().endsWith(KerasArchive.SUFFIX);
    JsonNode metadata = null;
    JsonNode config = null;
    HdfFile h5;
    String where = file.toString();
    long h5Bytes;
    try {
      if (archive) {
        Map<String, byte[]> members = KerasArchive.readMembers(file, KerasArchive.Limits.DEFAULT);
        metadata = KerasArchive.parseJson(file, KerasArchive.METADATA, members.get(KerasArchive.METADATA));
        config = KerasArchive.parseJson(file, KerasArchive.CONFIG, members.get(KerasArchive.CONFIG));
        where = file + ": " + KerasArchive.WEIGHTS;
        h5Bytes = members.get(KerasArchive.WEIGHTS).length;
        h5 = HdfFile.fromBytes(members.get(KerasArchive.WEIGHTS));
      } else {
        h5Bytes = Files.size(file);
        h5 = new HdfFile(file);
      }
    } catch (RuntimeException e) {
      if (e instanceof dev.kerasj.saving.KerasjException k) {
        throw k;
      }
      throw new CorruptCheckpointException(file, where + " is not a readable HDF5 file: " + e.getMessage(), e);
    }
    try (h5) {
      Map<String, DatasetInfo> datasets = new TreeMap<>();
      String optimizerName;
      boolean checksummed;
      try {
        collect(h5, datasets);
        optimizerName = nameAttribute(KerasWeights.find(h5, WeightsLayout.OPTIMIZER_VARS));
        checksummed = WeightsChecksum.recorded(h5) != null;
      } catch (RuntimeException e) {
        throw new CorruptCheckpointException(file, where + " has a damaged HDF5 structure: " + e.getMessage(), e);
      }
      List<Layer> layers = config != null ? configLayers(config) : groupLayers(h5);
      KerasFileContents c = new KerasFileContents(file, archive, metadata, config, layers,
          new ArrayList<>(datasets.values()), optimizerName, checksummed);
      check.run(h5, c, new KerasWeights.Source(file, where, h5Bytes));
      return c;
    }
  }

  private static void collect(Node node, Map<String, DatasetInfo> out) {
    if (node instanceof Group g) {
      for (Node child : g.getChildren().values()) {
        collect(child, out);
      }
    } else if (node instanceof Dataset d) {
      String path = node.getPath().startsWith("/") ? node.getPath().substring(1) : node.getPath();
      out.put(path, new DatasetInfo(path, H5Datasets.dtype(d.getDataType()), d.getDimensionsAsLong()));
    }
  }

  private static String nameAttribute(Node node) {
    if (node == null) {
      return null;
    }
    io.jhdf.api.Attribute a = node.getAttribute("name");
    return a == null ? null : String.valueOf(a.getData());
  }

  private static List<Layer> groupLayers(HdfFile h5) {
    Node layers = KerasWeights.find(h5, WeightsLayout.LAYERS);
    List<Layer> out = new ArrayList<>();
    if (layers instanceof Group g) {
      for (String child : new TreeMap<>(g.getChildren()).keySet()) {
        String group = WeightsLayout.LAYERS + "/" + child;
        String name = nameAttribute(KerasWeights.find(h5, group + "/vars"));
        out.add(new Layer(name == null ? child : name, null, group, Map.of()));
      }
    }
    return out;
  }

  /**
   * The config's layers with their weight groups: Keras numbers a container's layers per class; a Sequential's
   * container leaves out its InputLayer, a Functional model's has them.
   */
  private static List<Layer> configLayers(JsonNode config) {
    boolean sequential = "Sequential".equals(config.path("class_name").asText());
    List<JsonNode> all = new ArrayList<>();
    config.path("config").path("layers").forEach(all::add);
    List<String> classes = new ArrayList<>();
    for (JsonNode l : all) {
      if (!(sequential && "InputLayer".equals(l.path("class_name").asText()))) {
        classes.add(l.path("class_name").asText());
      }
    }
    List<String> paths = KerasPaths.containerNames(classes);
    List<Layer> out = new ArrayList<>();
    int grouped = 0;
    for (JsonNode layer : all) {
      boolean hasGroup = !(sequential && "InputLayer".equals(layer.path("class_name").asText()));
      String group = hasGroup ? WeightsLayout.LAYERS + "/" + paths.get(grouped++) : null;
      JsonNode args = layer.path("config");
      Map<String, JsonNode> shown = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        boolean plumbing = k.equals("name") || k.equals("dtype") || k.equals("trainable")
            || k.endsWith("_initializer") || k.endsWith("_regularizer") || k.endsWith("_constraint");
        if (!plumbing && !e.getValue().isNull() && !e.getValue().isObject()) {
          shown.put(k, e.getValue());
        }
      }
      out.add(new Layer(args.path("name").asText(), layer.path("class_name").asText(), group, shown));
    }
    return out;
  }
}
