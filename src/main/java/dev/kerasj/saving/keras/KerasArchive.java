package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import io.jhdf.HdfFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Keras 3's {@code .keras} archive ({@code model.save("m.keras")} / {@code keras.models.load_model}), both ways: a
 * zip of {@code metadata.json}, {@code config.json} (the model and compile config, {@link SequentialConfig}) and
 * {@code model.weights.h5} (weights and optimizer state, {@link KerasWeights}), every member stored uncompressed as
 * Keras writes them.
 *
 * <pre>{@code
 * KerasArchive.write(model, Path.of("model.keras"));         // Python: keras.models.load_model("model.keras")
 * try (Sequential m = KerasArchive.read(Path.of("keras_model.keras"))) { m.fit(...); }
 * }</pre>
 *
 * <p>Writing is durable: the archive is assembled under a staging name in the destination directory, fsynced and
 * renamed over the target. Reading checks the whole archive before building anything: only the three members (no
 * other entry, no duplicate, no path), each within its {@link Limits size limit} while decompressing (a zip bomb
 * stops at the limit) and matching the crc32 the archive records for it, JSON that parses, a config kerasj can rebuild (an unsupported layer or option is named with
 * its class and what is supported), then weights that match the config; any failure throws and no model escapes.
 */
public final class KerasArchive {
  /** File name suffix of Keras 3 model archives. */
  public static final String SUFFIX = dev.kerasj.saving.FileFormat.KERAS_SUFFIX;
  static final String CONFIG = "config.json";
  static final String METADATA = "metadata.json";
  static final String WEIGHTS = "model.weights.h5";
  private static final Set<String> MEMBERS = Set.of(CONFIG, METADATA, WEIGHTS);
  /** Keras version written to {@code metadata.json}: the Keras whose format this is (and the one tested against). */
  public static final String KERAS_VERSION = "3.15.1";

  /**
   * Size limits applied while reading an archive, in uncompressed bytes.
   *
   * @param maxJsonBytes per JSON member (config and metadata)
   * @param maxWeightsBytes for {@code model.weights.h5}, which is read into memory
   */
  public record Limits(long maxJsonBytes, long maxWeightsBytes) {
    /** 16 MiB of JSON, 2 GiB - 1 of weights (the largest array the reader holds). */
    public static final Limits DEFAULT = new Limits(16L << 20, Integer.MAX_VALUE - 8);

    public Limits {
      if (maxJsonBytes <= 0 || maxWeightsBytes <= 0 || maxWeightsBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("Expected positive limits, maxWeightsBytes <= " + (Integer.MAX_VALUE - 8)
            + ". Received: maxJsonBytes=" + maxJsonBytes + ", maxWeightsBytes=" + maxWeightsBytes);
      }
    }
  }

  private KerasArchive() {}

  /** Writes {@code model} (built; compiled or not) as a {@code .keras} archive, replacing {@code target} atomically. */
  public static void write(KerasModel model, Path target) throws IOException {
    model.build();
    Path file = target.toAbsolutePath().normalize();
    byte[] config = KerasJson.toBytes(ModelConfigs.toJson(model, learningRate(model)));
    ObjectNode meta = KerasJson.NODES.objectNode();
    meta.put("keras_version", KERAS_VERSION);
    meta.put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
    byte[] metadata = KerasJson.toBytes(meta);
    Path staging = DurableFiles.createStagingDirectory(file.getParent(), "keras");
    try {
      Path weights = staging.resolve(WEIGHTS);
      KerasWeights.writeTo(model, weights);
      Path zip = staging.resolve(file.getFileName());
      try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip)))) {
        putStored(out, METADATA, metadata);
        putStored(out, CONFIG, config);
        putStored(out, weights);
      }
      DurableFiles.fsyncFile(zip);
      DurableFiles.commit(zip, file);
    } finally {
      DurableFiles.deleteRecursively(staging);
    }
  }

  private static double learningRate(KerasModel model) {
    if (!model.isCompiled()) {
      return 0;
    }
    ModelGraph graph = model.graphForInternalUse();
    List<HostArray> v = graph.read(List.of(graph.variable(model.optimizer().name() + "/learning_rate")));
    return v.get(0).floats()[0];
  }

  private static ZipEntry storedEntry(String name, long size, long crc) {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(size);
    e.setCompressedSize(size);
    e.setCrc(crc);
    e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0)); // Keras' date for its JSON members: the zip epoch
    return e;
  }

  private static void putStored(ZipOutputStream out, String name, byte[] content) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(content);
    out.putNextEntry(storedEntry(name, content.length, crc.getValue()));
    out.write(content);
    out.closeEntry();
  }

  private static void putStored(ZipOutputStream out, Path file) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    out.putNextEntry(storedEntry(WEIGHTS, Files.size(file), crc.getValue()));
    Files.copy(file, out);
    out.closeEntry();
  }

  /**
   * Rebuilds the model of a {@code .keras} archive with the {@link Limits#DEFAULT default limits}, on TensorFlow's
   * default device. Users call {@code Model.load} or {@code Sequential.load}, which pass their factory.
   */
  public static KerasModel readModel(Path file, ModelFactory factory) throws IOException {
    return readModel(file, Limits.DEFAULT, null, factory);
  }

  /**
   * Rebuilds the model of a {@code .keras} archive: layers (a Functional model's nested models too), compile settings
   * (when the archive has them), weights and optimizer state. The model gets a fresh random seed (Keras records
   * none), used by Dropout and shuffling.
   *
   * @param device a TensorFlow device such as {@code "/GPU:0"}, or null
   * @param factory makes the Sequential or Functional model the config describes
   * @throws IncompatibleModelException not a zip, unexpected or missing members, an oversized member, or a config
   *     kerasj cannot rebuild (naming the layer, its class and the option)
   * @throws dev.kerasj.saving.IncompatibleCheckpointException the weights do not match the config
   * @throws CorruptCheckpointException a member that does not decompress, or JSON/HDF5 that does not parse
   */
  public static KerasModel readModel(Path file, Limits limits, String device, ModelFactory factory)
      throws IOException {
    return readArchive(file, limits, device, factory);
  }

  /** Reads the archive once: metadata, config, size checks, the model, then its weights and optimizer state. */
  private static KerasModel readArchive(Path file, Limits limits, String device, ModelFactory factory)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no .keras archive here");
    }
    Map<String, byte[]> members = readMembers(file, limits);
    JsonNode metadata = parseJson(file, METADATA, members.get(METADATA));
    if (!metadata.isObject()) {
      throw new IncompatibleModelException(file, file + ": " + METADATA + " must be a JSON object. Found: "
          + metadata.getNodeType());
    }
    JsonNode configJson = parseJson(file, CONFIG, members.get(CONFIG));
    boolean functional = FunctionalConfig.isFunctional(configJson);
    long weightsBytes = members.get(WEIGHTS).length;
    SequentialConfig.Spec spec = null;
    if (!functional) {
      spec = SequentialConfig.parse(configJson, file);
      checkWeightsFit(file, spec.checkBudget(), weightsBytes);
    }
    HdfFile h5;
    try {
      h5 = HdfFile.fromBytes(members.get(WEIGHTS));
    } catch (RuntimeException e) {
      throw new CorruptCheckpointException(file, file + ": " + WEIGHTS + " is not a readable HDF5 file: "
          + e.getMessage(), e);
    }
    try (h5) {
      long seed = ThreadLocalRandom.current().nextLong();
      KerasModel model;
      if (functional) {
        model = FunctionalConfig.newModel(configJson, file, seed, device, factory,
            size -> checkWeightsFit(file, size, weightsBytes));
      } else {
        try {
          model = spec.newModel(seed, device, factory);
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new IncompatibleModelException(file, "Cannot rebuild the model of " + file + ": " + e.getMessage(), e);
        }
      }
      try {
        KerasWeights.restore(model, h5, new KerasWeights.Source(file, file + ": " + WEIGHTS, weightsBytes));
        return model;
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }
  }

  /**
   * Refuses a config whose weights cannot be in the archive: the weights member holds each weight's float32 values,
   * so it has at least 4 bytes per parameter.
   */
  private static void checkWeightsFit(Path file, ModelFootprint size, long weightsBytes) {
    long needed = ModelFootprint.bytes(size.params());
    if (needed <= weightsBytes) {
      return;
    }
    ModelFootprint.LayerSize big = size.largest();
    throw new IncompatibleModelException(file, file + ": the config declares " + ModelFootprint.count(size.params())
        + " parameters (" + MemoryBudget.format(needed) + " of float32; layer '" + big.name() + "' (" + big.className()
        + ") alone has " + ModelFootprint.count(big.params()) + "), but " + WEIGHTS + " holds only " + weightsBytes
        + " bytes: the archive cannot hold its model's weights");
  }

  static JsonNode parseJson(Path file, String member, byte[] bytes) {
    try {
      return KerasJson.parse(bytes);
    } catch (IOException e) {
      throw new CorruptCheckpointException(file, file + ": " + member + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Every member, checked for names, duplicates and sizes before anything is decompressed past its limit, and each
   * against the crc32 the zip's central directory records for it (the JDK's {@code ZipFile} does not check it for
   * stored members, which is how Keras writes all three).
   */
  static Map<String, byte[]> readMembers(Path file, Limits limits) throws IOException {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new IncompatibleModelException(file, file + " is not a .keras archive (not a zip file: "
          + e.getMessage() + ")");
    } catch (java.io.EOFException e) {
      // The JDK's ZipFile reads past the end when the end-of-directory record's sizes point there (found by
      // FileFuzzTest: one flipped bit in the comment length).
      throw new CorruptCheckpointException(file, file + ": the zip's end-of-directory record is damaged (it "
          + "points past the end of the " + Files.size(file) + "-byte file)", e);
    }
    try (zip) {
      Map<String, ZipEntry> entries = new HashMap<>();
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        String name = e.getName();
        if (!MEMBERS.contains(name)) {
          boolean path = name.contains("/") || name.contains("\\") || name.contains("..");
          throw new IncompatibleModelException(file, file + " holds an unexpected entry '" + name + "'"
              + (path ? " (a path; a .keras archive has no directories kerasj reads)" : "") + ". Expected only "
              + List.of(METADATA, CONFIG, WEIGHTS) + (name.startsWith("assets/") ? "; kerasj layers have no assets"
              : "") + (name.equals("model.weights.npz") ? "; npz weights are not supported" : ""));
        }
        if (entries.put(name, e) != null) {
          throw new IncompatibleModelException(file, file + " holds '" + name + "' twice; refusing an ambiguous "
              + "archive");
        }
      }
      for (String required : List.of(CONFIG, METADATA, WEIGHTS)) {
        if (!entries.containsKey(required)) {
          throw new IncompatibleModelException(file, file + " is not a complete .keras archive: '" + required
              + "' is missing. Found: " + entries.keySet());
        }
      }
      long fileSize = Files.size(file);
      long compressed = 0;
      Map<String, Long> limitOf = new HashMap<>();
      for (ZipEntry e : entries.values()) {
        checkStoredBytes(file, e, fileSize);
        compressed += e.getCompressedSize();
        long limit = limit(e.getName(), limits);
        limitOf.put(e.getName(), limit);
        if (e.getSize() > limit) {
          throw oversized(file, e.getName(), e.getSize(), limit, limits);
        }
      }
      if (compressed > fileSize) {
        throw new CorruptCheckpointException(file, file + ": its members declare " + compressed + " bytes of "
            + "(compressed) data in all, but the file has " + fileSize + " bytes: the zip directory is damaged");
      }
      Map<String, byte[]> out = new HashMap<>();
      for (ZipEntry e : entries.values()) {
        out.put(e.getName(), readBounded(zip, e, limitOf.get(e.getName()), file, limits));
      }
      return out;
    }
  }

  /**
   * The most bytes {@code member} may have: the stated {@link Limits}, and for the weights member also what the
   * {@link MemoryBudget} allows: the member stays in memory while the values read from it are assigned.
   */
  private static long limit(String member, Limits limits) {
    if (!member.equals(WEIGHTS)) {
      return limits.maxJsonBytes();
    }
    return Math.min(limits.maxWeightsBytes(), MemoryBudget.bytes() / MemoryBudget.LOAD_FACTOR);
  }

  /** A member's declared sizes against the bytes the file really has, before anything is allocated for it. */
  private static void checkStoredBytes(Path file, ZipEntry e, long fileSize) {
    long size = e.getSize();
    long compressed = e.getCompressedSize();
    String problem = null;
    if (size < 0 || compressed < 0) {
      problem = "no size recorded";
    } else if (compressed > fileSize) {
      problem = "its " + compressed + " bytes of data do not fit in the " + fileSize + "-byte file";
    } else if (e.getMethod() == ZipEntry.STORED && size != compressed) {
      problem = "it is stored uncompressed, yet declares " + size + " bytes and " + compressed + " bytes of data";
    }
    if (problem != null) {
      throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: " + problem);
    }
  }

  /**
   * Reads a member into an array of its real size, never more than {@code limit} bytes. A stored member's size is
   * its data in the file (checked against the file's size); a compressed one is first inflated into nothing to count
   * its bytes, stopping past the limit, so a zip bomb or a lying declared size costs no memory.
   */
  private static byte[] readBounded(ZipFile zip, ZipEntry e, long limit, Path file, Limits limits)
      throws IOException {
    try {
      long size = e.getMethod() == ZipEntry.STORED ? e.getSize() : inflatedSize(zip, e, limit, file, limits);
      if (size != e.getSize()) {
        throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: it declares "
            + e.getSize() + " bytes but holds " + size);
      }
      byte[] bytes = new byte[(int) size];
      try (InputStream in = zip.getInputStream(e)) {
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read < bytes.length || in.read() != -1) {
          throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: it "
              + "declares " + size + " bytes but " + (read < bytes.length ? "holds only " + read : "holds more"));
        }
      }
      CRC32 crc = new CRC32();
      crc.update(bytes);
      if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
        throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: its crc32 is "
            + String.format("%08x", crc.getValue()) + ", the archive records " + String.format("%08x", e.getCrc()));
      }
      return bytes;
    } catch (ZipException | java.io.EOFException ex) {
      throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: "
          + ex.getMessage(), ex);
    }
  }

  private static long inflatedSize(ZipFile zip, ZipEntry e, long limit, Path file, Limits limits)
      throws IOException {
    byte[] buffer = new byte[64 << 10];
    long total = 0;
    try (InputStream in = zip.getInputStream(e)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > limit) {
          throw oversized(file, e.getName(), -1, limit, limits);
        }
      }
    }
    return total;
  }

  private static IncompatibleModelException oversized(Path file, String member, long size, long limit,
      Limits limits) {
    boolean budget = member.equals(WEIGHTS) && limit < limits.maxWeightsBytes();
    String why = budget ? "; it is held in memory while the values read from it (as many bytes again) are "
        + "assigned, so it may take at most 1/" + MemoryBudget.LOAD_FACTOR + " of the memory budget "
        + MemoryBudget.describe()
        : "; refusing a possible zip bomb. Raise KerasArchive.Limits if the file is trusted";
    return new IncompatibleModelException(file, file + ": member '" + member + "' is larger than the "
        + limit + "-byte limit" + (size >= 0 ? " (declared " + size + " bytes)" : " (found while decompressing)")
        + why);
  }
}
