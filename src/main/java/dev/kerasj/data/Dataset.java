package dev.kerasj.data;

import dev.kerasj.internal.HostArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * An input pipeline run by TensorFlow's tf.data runtime (native threads, prefetching), Keras' {@code tf.data.Dataset}
 * role: {@code fit}, {@code evaluate} and {@code predict} take one in place of arrays. Immutable: every
 * transformation returns a new {@code Dataset}; nothing is read until a model runs it.
 *
 * <pre>{@code
 * Dataset train = Dataset.fromTFRecord(List.of(Path.of("train.tfrecord")), Dataset.Compression.GZIP,
 *         Feature.floats("pixels", 64), Feature.int64s("label"))
 *     .inputs("pixels").targets("label")
 *     .shuffle(1024, 7).batch(32).prefetch(Dataset.AUTOTUNE)
 *     .map("pixels", Transforms.rescale(1 / 16.0));
 * model.fit(train, FitOptions.builder().epochs(5).validationData(val).build());
 * }</pre>
 *
 * <p><b>Elements.</b> An element is a set of named features: the arrays' names for {@link #fromArrays(Map)}
 * ({@code "x"} and {@code "y"} for {@link #fromArrays(Object, Object)}), the {@link Feature} keys for TFRecords.
 * {@link #inputs} names the features fed to the model's inputs (in input order), {@link #targets} those its
 * losses compare with (in output order) and {@link #sampleWeights(String...)} those that weigh its samples (Keras'
 * {@code (x, y, sample_weight)}). Numeric features are cast to what the model expects (int64 class ids to
 * int32 for sparse losses, to float32 elsewhere).
 *
 * <p><b>Order of operations.</b> {@code shuffle}, {@code batch}, {@code repeat}, {@code take}, {@code skip},
 * {@code cache} and {@code prefetch} are tf.data ops applied in the order called (so {@code take} after
 * {@code batch} counts batches). Exactly one {@code batch} is required, as Keras expects batched datasets.
 * Records are parsed after batching ({@code ParseExampleV2} on the batch of serialized records, tf.data's
 * vectorized parsing), and {@link #map} runs after parsing, on whole batches, in the order called.
 *
 * <p><b>Determinism.</b> Each pass over the data (an epoch without {@code stepsPerEpoch}) re-creates the iterator;
 * every {@code shuffle} then draws its order from its seed (or the fit's seed) and the pass number only, so a run
 * repeats exactly and a resumed run ({@code BackupAndRestore}) sees the same elements. Within one pass, a
 * {@code shuffle} followed by {@code repeat} reshuffles each repetition ({@code reshuffle_each_iteration=True}).
 *
 * <p><b>Limits.</b> {@code cache()} keeps elements for one iterator: across the repetitions of a {@code repeat}, or
 * the epochs of a fit with {@code stepsPerEpoch}; a new pass (a new epoch without {@code stepsPerEpoch}) reads the
 * source again. Files must be regular files (a FIFO or device would block TensorFlow's reader).
 */
public final class Dataset {
  /** tf.data's {@code AUTOTUNE} for {@link #prefetch}. */
  public static final long AUTOTUNE = -1;

  /** TFRecord compression, as {@code tf.data.TFRecordDataset(compression_type=...)}. */
  public enum Compression {
    NONE(""), GZIP("GZIP"), ZLIB("ZLIB");

    final String tfName;

    Compression(String tfName) {
      this.tfName = tfName;
    }
  }

  enum Kind { SHUFFLE, BATCH, REPEAT, TAKE, SKIP, CACHE, PREFETCH }

  /** One transformation; {@code seed} is null for an unseeded shuffle (the fit's seed is used). */
  record Step(Kind kind, long n, Long seed, boolean dropRemainder) {}

  /** A map of one feature ({@code sources} = [feature]) or a new feature stacked from {@code sources}. */
  record Mapping(String feature, FeatureFn fn, List<String> sources) {}

  /**
   * Arrays by feature name (converted and checked once), or files with their features: TFRecords, or CSV files
   * ({@code csvHeader} non-null) whose features are the columns in order.
   */
  record Source(Map<String, HostArray> arrays, List<Path> files, Compression compression, List<Feature> features,
      Boolean csvHeader, java.util.function.Supplier<? extends java.util.Iterator<? extends Map<String, ?>>> generator,
      List<String> generatorFeatures) {}

  private final Source source;
  private final List<Step> steps;
  private final List<Mapping> maps;
  private final List<String> inputs;
  private final List<String> targets;
  private final List<String> weights;

  private Dataset(Source source, List<Step> steps, List<Mapping> maps, List<String> inputs, List<String> targets,
      List<String> weights) {
    this.source = source;
    this.steps = List.copyOf(steps);
    this.maps = List.copyOf(maps);
    this.inputs = List.copyOf(inputs);
    this.targets = List.copyOf(targets);
    this.weights = List.copyOf(weights);
  }

  /**
   * Slices of {@code x} and {@code y} along their first dimension ({@code tf.data.Dataset.from_tensor_slices((x,
   * y))}), as features {@code "x"} (the model's input) and {@code "y"} (its target). Java arrays or {@code NdArray}s,
   * copied once.
   */
  public static Dataset fromArrays(Object x, Object y) {
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("x", x);
    features.put("y", y);
    return fromArrays(features).inputs("x").targets("y");
  }

  /**
   * Slices of {@code x}, {@code y} and per-sample weights {@code sampleWeight}
   * ({@code tf.data.Dataset.from_tensor_slices((x, y, sample_weight))}), as features {@code "x"}, {@code "y"} and
   * {@code "sample_weight"}: Keras' {@code (x, y, sample_weight)} elements.
   */
  public static Dataset fromArrays(Object x, Object y, Object sampleWeight) {
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("x", x);
    features.put("y", y);
    features.put("sample_weight", sampleWeight);
    return fromArrays(features).inputs("x").targets("y").sampleWeights("sample_weight");
  }

  /**
   * Slices of named arrays, all of one sample count; choose the model's features with {@link #inputs} and
   * {@link #targets}.
   */
  public static Dataset fromArrays(Map<String, ?> features) {
    if (features == null || features.isEmpty()) {
      throw new IllegalArgumentException("Expected at least one named array. Received: " + features);
    }
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    int samples = -1;
    String first = null;
    for (Map.Entry<String, ?> e : features.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException("Dataset feature '" + e.getKey() + "' is null");
      }
      HostArray a = HostArray.from(e.getValue(), "dataset feature '" + e.getKey() + "'");
      if (a.rank() == 0) {
        throw new IllegalArgumentException("Expected dataset feature '" + e.getKey() + "' to have a sample "
            + "dimension. Received: a scalar");
      }
      if (samples >= 0 && a.samples() != samples) {
        throw new IllegalArgumentException("Expected all dataset features to have the same number of samples. "
            + "Received: " + first + ".shape[0]=" + samples + ", " + e.getKey() + ".shape[0]=" + a.samples());
      }
      samples = a.samples();
      first = first == null ? e.getKey() : first;
      arrays.put(e.getKey(), a);
    }
    return new Dataset(new Source(arrays, null, null, null, null, null, null), List.of(), List.of(), List.of(),
        List.of(), List.of());
  }

  /** Records of one uncompressed TFRecord file, parsed with {@code features}. */
  public static Dataset fromTFRecord(Path file, Feature... features) {
    return fromTFRecord(List.of(file), Compression.NONE, features);
  }

  /**
   * Records of TFRecord files, read in order ({@code tf.data.TFRecordDataset(files, compression_type)}), each a
   * serialized {@code tf.train.Example} parsed with {@code features} ({@code tf.io.parse_example}).
   *
   * @throws IllegalArgumentException when a file is missing or not a regular file, or two features share a key
   */
  public static Dataset fromTFRecord(List<Path> files, Compression compression, Feature... features) {
    if (files == null || files.isEmpty()) {
      throw new IllegalArgumentException("Expected at least one TFRecord file. Received: " + files);
    }
    if (features.length == 0) {
      throw new IllegalArgumentException("Expected at least one Feature to parse the records with. Received: none");
    }
    List<Path> checked = regularFiles(files, "TFRecord");
    Map<String, Feature> byName = new LinkedHashMap<>();
    for (Feature f : features) {
      if (byName.put(f.name(), f) != null) {
        throw new IllegalArgumentException("Feature '" + f.name() + "' is given twice");
      }
    }
    return new Dataset(new Source(null, checked, compression, List.of(features), null, null, null), List.of(), List.of(),
        List.of(), List.of(), List.of());
  }

  /**
   * Rows of CSV files ({@code tf.data.experimental.CsvDataset}, run by TensorFlow's {@code CSVDataset} op): one
   * {@link Feature} per column, in column order, each a single value ({@code Feature.floats("p0")},
   * {@code Feature.int64s("label")}, {@code Feature.bytes("name")}). Every field must be present. {@link #stack}
   * joins columns into one model input.
   *
   * @param header whether the first line of each file is a header (skipped)
   * @throws IllegalArgumentException when a file is missing or not a regular file, or a column is not scalar
   */
  public static Dataset fromCsv(List<Path> files, boolean header, Feature... columns) {
    if (files == null || files.isEmpty()) {
      throw new IllegalArgumentException("Expected at least one CSV file. Received: " + files);
    }
    if (columns.length == 0) {
      throw new IllegalArgumentException("Expected one Feature per CSV column. Received: none");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Feature c : columns) {
      if (c.varLen() || c.shape().length != 0) {
        throw new IllegalArgumentException("A CSV column holds one value. Received: " + c + "; declare it as, for "
            + "example, Feature.floats(\"" + c.name() + "\")");
      }
      if (!seen.add(c.name())) {
        throw new IllegalArgumentException("Column '" + c.name() + "' is given twice");
      }
    }
    return new Dataset(new Source(null, regularFiles(files, "CSV"), Compression.NONE, List.of(columns), header, null,
        null), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  /**
   * Batches made by Java code, Keras' generator role ({@code fit(generator)}): {@code batches} gives a new iterator
   * for every pass, each element one batch as named arrays ({@code Map.of("x", float[32][64], "y", int[32])}).
   * Runs without tf.data, so it takes no transformation; each batch is converted and checked like {@code fit}'s
   * arrays. An exception from the iterator fails {@code fit} with a {@link DatasetException} naming the batch; a
   * run resumed by {@code BackupAndRestore} is exact when the supplier yields the same batches on every call.
   *
   * @param features the names of the arrays each batch holds
   */
  public static Dataset fromGenerator(java.util.function.Supplier<? extends java.util.Iterator<? extends Map<String,
      ?>>> batches, String... features) {
    if (batches == null) {
      throw new IllegalArgumentException("fromGenerator needs a supplier of batch iterators. Received: null");
    }
    if (features.length == 0) {
      throw new IllegalArgumentException("fromGenerator needs the names of the arrays in a batch. Received: none");
    }
    return new Dataset(new Source(null, null, null, null, null, batches, List.of(features)), List.of(), List.of(),
        List.of(), List.of(), List.of());
  }

  private static List<Path> regularFiles(List<Path> files, String kind) {
    List<Path> checked = new ArrayList<>();
    for (Path f : files) {
      if (!Files.exists(f)) {
        throw new IllegalArgumentException("TFRecord file " + f + " does not exist");
      }
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("Expected a regular TFRecord file. Received: " + f + ", which is a "
            + "directory, FIFO or device (TensorFlow's reader would wait on it)");
      }
      checked.add(f.toAbsolutePath());
    }
    return checked;
  }

  /** The features fed to the model's inputs, in input order. */
  public Dataset inputs(String... names) {
    return new Dataset(source, steps, maps, names(names, "inputs"), targets, weights);
  }

  /** The features the model's losses compare with, in output order. */
  public Dataset targets(String... names) {
    return new Dataset(source, steps, maps, inputs, names(names, "targets"), weights);
  }

  /**
   * The features holding per-sample weights, Keras' {@code sample_weight} of {@code (x, y, sample_weight)}
   * elements: one (used for every output, as Keras replicates one array) or one per output with a loss, in output
   * order. A weight feature holds one number per example ({@code Feature.floats("w")}, or a shape of 1), or per
   * timestep for a sequence output; it is cast to float32. Negative, NaN or infinite weights fail the step naming
   * the feature (Keras multiplies them in silently).
   */
  public Dataset sampleWeights(String... names) {
    return new Dataset(source, steps, maps, inputs, targets, names(names, "sampleWeights"));
  }

  /** Features holding per-sample weights (empty: every sample weighs 1). */
  public List<String> sampleWeights() {
    return weights;
  }

  private List<String> names(String[] names, String what) {
    if (names.length == 0) {
      throw new IllegalArgumentException("Expected at least one feature name for " + what + ". Received: none");
    }
    List<String> known = featureNames();
    for (String n : names) {
      if (!known.contains(n)) {
        throw new IllegalArgumentException("Unknown feature '" + n + "' in " + what + ". Expected one of " + known);
      }
    }
    return List.of(names);
  }

  /** The names of this dataset's features (its source's, then those {@link #stack} added). */
  public List<String> featureNames() {
    List<String> out = new ArrayList<>(source.arrays() != null ? source.arrays().keySet()
        : source.generator() != null ? source.generatorFeatures()
        : source.features().stream().map(Feature::name).toList());
    for (Mapping m : maps) {
      if (!out.contains(m.feature())) {
        out.add(m.feature());
      }
    }
    return out;
  }

  /** Features fed to the model's inputs. */
  public List<String> inputs() {
    return inputs;
  }

  /** Features the losses compare with. */
  public List<String> targets() {
    return targets;
  }

  /**
   * Shuffles with a buffer of {@code bufferSize} elements, seeded by the fit's seed (or the model's) and the pass
   * number; as {@code shuffle(buffer_size, reshuffle_each_iteration=True)}.
   */
  public Dataset shuffle(long bufferSize) {
    return add(new Step(Kind.SHUFFLE, positive(bufferSize, "bufferSize"), null, false));
  }

  /** Shuffles with a buffer of {@code bufferSize} elements, seeded by {@code seed} and the pass number. */
  public Dataset shuffle(long bufferSize, long seed) {
    return add(new Step(Kind.SHUFFLE, positive(bufferSize, "bufferSize"), seed, false));
  }

  /** Groups {@code batchSize} consecutive elements; the last batch may be smaller. */
  public Dataset batch(long batchSize) {
    return batch(batchSize, false);
  }

  /** Groups {@code batchSize} consecutive elements; with {@code dropRemainder} a smaller last batch is dropped. */
  public Dataset batch(long batchSize, boolean dropRemainder) {
    if (steps.stream().anyMatch(s -> s.kind() == Kind.BATCH)) {
      throw new IllegalArgumentException("This Dataset is already batched; kerasj takes one batch() per pipeline");
    }
    return add(new Step(Kind.BATCH, positive(batchSize, "batchSize"), null, dropRemainder));
  }

  /** Repeats forever; {@code fit} then needs {@code stepsPerEpoch}. */
  public Dataset repeat() {
    return add(new Step(Kind.REPEAT, -1, null, false));
  }

  /** Repeats {@code count} times. */
  public Dataset repeat(long count) {
    return add(new Step(Kind.REPEAT, positive(count, "count"), null, false));
  }

  /** The first {@code count} elements. */
  public Dataset take(long count) {
    return add(new Step(Kind.TAKE, nonNegative(count, "count"), null, false));
  }

  /** All but the first {@code count} elements. */
  public Dataset skip(long count) {
    return add(new Step(Kind.SKIP, nonNegative(count, "count"), null, false));
  }

  /** Keeps elements in memory after their first read, for the life of one iterator (see the class comment). */
  public Dataset cache() {
    return add(new Step(Kind.CACHE, 0, null, false));
  }

  /** Prepares {@code bufferSize} elements ahead on tf.data's threads; {@link #AUTOTUNE} lets tf.data choose. */
  public Dataset prefetch(long bufferSize) {
    if (bufferSize != AUTOTUNE && bufferSize <= 0) {
      throw new IllegalArgumentException("Expected bufferSize > 0 or Dataset.AUTOTUNE. Received: bufferSize="
          + bufferSize);
    }
    return add(new Step(Kind.PREFETCH, bufferSize, null, false));
  }

  /** Replaces feature {@code feature} by {@code fn} of it, on every batch (after parsing and earlier maps). */
  public Dataset map(String feature, FeatureFn fn) {
    if (!featureNames().contains(feature)) {
      throw new IllegalArgumentException("Unknown feature '" + feature + "' in map. Expected one of "
          + featureNames());
    }
    if (fn == null) {
      throw new IllegalArgumentException("map needs a FeatureFn. Received: null");
    }
    if (source.generator() != null) {
      throw new IllegalArgumentException("A generator Dataset runs without TF ops: map its batches in the generator");
    }
    List<Mapping> more = new ArrayList<>(maps);
    more.add(new Mapping(feature, fn, List.of(feature)));
    return new Dataset(source, steps, more, inputs, targets, weights);
  }

  /**
   * Adds feature {@code name}: the features {@code sources} side by side ({@code tf.stack(..., axis=1)}, cast to
   * float32 unless all have one type), for example 64 pixel columns of a CSV file as one input of 64 values.
   */
  public Dataset stack(String name, String... sources) {
    if (featureNames().contains(name)) {
      throw new IllegalArgumentException("Feature '" + name + "' already exists; stack into a new name");
    }
    if (sources.length == 0) {
      throw new IllegalArgumentException("stack needs at least one feature. Received: none");
    }
    for (String f : sources) {
      if (!featureNames().contains(f)) {
        throw new IllegalArgumentException("Unknown feature '" + f + "' in stack. Expected one of " + featureNames());
      }
    }
    List<Mapping> more = new ArrayList<>(maps);
    more.add(new Mapping(name, null, List.of(sources)));
    return new Dataset(source, steps, more, inputs, targets, weights);
  }

  private Dataset add(Step step) {
    if (source.generator() != null) {
      throw new IllegalArgumentException("A generator Dataset yields finished batches and takes no tf.data "
          + "transformation. Received: " + step.kind().name().toLowerCase(java.util.Locale.ROOT) + "()");
    }
    List<Step> more = new ArrayList<>(steps);
    more.add(step);
    return new Dataset(source, more, maps, inputs, targets, weights);
  }

  private static long positive(long v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException("Expected " + name + " > 0. Received: " + name + "=" + v);
    }
    return v;
  }

  private static long nonNegative(long v, String name) {
    if (v < 0) {
      throw new IllegalArgumentException("Expected " + name + " >= 0. Received: " + name + "=" + v);
    }
    return v;
  }

  Source source() {
    return source;
  }

  List<Step> steps() {
    return steps;
  }

  List<Mapping> maps() {
    return maps;
  }

  /** Files for messages, or "arrays". */
  String describe() {
    if (source.generator() != null) {
      return "generator " + source.generator();
    }
    return source.files() == null ? "arrays " + source.arrays().keySet()
        : (source.csvHeader() != null ? "CSV files " : "TFRecord files ") + source.files();
  }

  /**
   * Places this pipeline in a model's graph and returns its iterator. Called by {@code fit}, {@code evaluate} and
   * {@code predict}; not user API.
   *
   * @param inputs what the model's inputs take, in order
   * @param targets what its losses take, in order (empty for predict)
   * @param seed the fit's seed, for unseeded shuffles
   */
  public BatchIterator open(Ops tf, Session session, List<BatchIterator.Slot> inputs, List<BatchIterator.Slot> targets,
      long seed) {
    return open(tf, session, inputs, targets, List.of(), null, seed);
  }

  /**
   * {@link #open(Ops, Session, List, List, long)} with the slots of the sample-weight inputs ({@code weights}, one
   * per output; empty when the model's outputs take none) and Keras' {@code class_weight} ({@code classWeight}, or
   * null): with class weights every batch's weights are gathered from the class of each target, in the pull run.
   * Not user API.
   */
  public BatchIterator open(Ops tf, Session session, List<BatchIterator.Slot> inputs, List<BatchIterator.Slot> targets,
      List<BatchIterator.Slot> weights, Map<Integer, Double> classWeight, long seed) {
    return open(tf, session, inputs, targets, weights, classWeight, null, seed);
  }

  /**
   * {@link #open(Ops, Session, List, List, List, Map, long)} for one worker of a data-parallel group
   * ({@code shard}, or null for the whole data): it keeps its slice of every global batch. Not user API.
   */
  public BatchIterator open(Ops tf, Session session, List<BatchIterator.Slot> inputs, List<BatchIterator.Slot> targets,
      List<BatchIterator.Slot> weights, Map<Integer, Double> classWeight, BatchIterator.Shard shard, long seed) {
    return new BatchIterator(this, tf, session, inputs, targets, weights, classWeight, shard, seed);
  }

  @Override
  public String toString() {
    return "Dataset(" + describe() + ", steps=" + steps + ", inputs=" + inputs + ", targets=" + targets
        + (weights.isEmpty() ? "" : ", sampleWeights=" + weights) + ")";
  }
}
