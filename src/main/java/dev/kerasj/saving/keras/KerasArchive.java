package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.IncompatibleModelException;
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
  public static final String SUFFIX = ".keras";
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
  public static void write(Sequential model, Path target) throws IOException {
    model.build();
    Path file = target.toAbsolutePath().normalize();
    byte[] config = KerasJson.toBytes(SequentialConfig.toJson(model, learningRate(model)));
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

  private static double learningRate(Sequential model) {
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

  /** Reads an archive with the {@link Limits#DEFAULT default limits}, placed on TensorFlow's default device. */
  public static Sequential read(Path file) throws IOException {
    return read(file, Limits.DEFAULT, null);
  }

  /**
   * Rebuilds the model of a {@code .keras} archive: layers, compile settings (when the archive has them), weights
   * and optimizer state. The model gets a fresh random seed (Keras records none), used by Dropout and shuffling.
   *
   * @param device a TensorFlow device such as {@code "/GPU:0"}, or null
   * @throws IncompatibleModelException not a zip, unexpected or missing members, an oversized member, or a config
   *     kerasj cannot rebuild (naming the layer, its class and the option)
   * @throws dev.kerasj.saving.IncompatibleCheckpointException the weights do not match the config
   * @throws CorruptCheckpointException a member that does not decompress, or JSON/HDF5 that does not parse
   */
  public static Sequential read(Path file, Limits limits, String device) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no .keras archive here");
    }
    Map<String, byte[]> members = readMembers(file, limits);
    JsonNode metadata = parseJson(file, METADATA, members.get(METADATA));
    if (!metadata.isObject()) {
      throw new IncompatibleModelException(file, file + ": " + METADATA + " must be a JSON object. Found: "
          + metadata.getNodeType());
    }
    SequentialConfig.Spec spec = SequentialConfig.parse(parseJson(file, CONFIG, members.get(CONFIG)), file);
    HdfFile h5;
    try {
      h5 = HdfFile.fromBytes(members.get(WEIGHTS));
    } catch (RuntimeException e) {
      throw new CorruptCheckpointException(file, file + ": " + WEIGHTS + " is not a readable HDF5 file: "
          + e.getMessage(), e);
    }
    try (h5) {
      Sequential model;
      try {
        model = spec.newModel(ThreadLocalRandom.current().nextLong(), device);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IncompatibleModelException(file, "Cannot rebuild the model of " + file + ": " + e.getMessage(), e);
      }
      try {
        KerasWeights.restore(model, h5, file);
        return model;
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }
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
      Map<String, byte[]> out = new HashMap<>();
      for (ZipEntry e : entries.values()) {
        long limit = e.getName().equals(WEIGHTS) ? limits.maxWeightsBytes() : limits.maxJsonBytes();
        if (e.getSize() > limit) {
          throw oversized(file, e.getName(), e.getSize(), limit);
        }
      }
      for (ZipEntry e : entries.values()) {
        long limit = e.getName().equals(WEIGHTS) ? limits.maxWeightsBytes() : limits.maxJsonBytes();
        out.put(e.getName(), readBounded(zip, e, limit, file));
      }
      return out;
    }
  }

  /** Decompresses at most {@code limit} bytes: a member whose declared size lies cannot make us read more. */
  private static byte[] readBounded(ZipFile zip, ZipEntry e, long limit, Path file) throws IOException {
    try (InputStream in = zip.getInputStream(e)) {
      byte[] bytes = in.readNBytes((int) limit);
      if (in.read() != -1) {
        throw oversized(file, e.getName(), -1, limit);
      }
      CRC32 crc = new CRC32();
      crc.update(bytes);
      if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
        throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: its crc32 is "
            + String.format("%08x", crc.getValue()) + ", the archive records " + String.format("%08x", e.getCrc()));
      }
      return bytes;
    } catch (ZipException ex) {
      throw new CorruptCheckpointException(file, file + ": member '" + e.getName() + "' is damaged: "
          + ex.getMessage(), ex);
    }
  }

  private static IncompatibleModelException oversized(Path file, String member, long size, long limit) {
    return new IncompatibleModelException(file, file + ": member '" + member + "' is larger than the "
        + limit + "-byte limit" + (size >= 0 ? " (declared " + size + " bytes)" : " (found while decompressing)")
        + "; refusing a possible zip bomb. Raise KerasArchive.Limits if the file is trusted");
  }
}
