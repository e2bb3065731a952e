package dev.kerasj.serving;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.savedmodel.SavedModelContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A SavedModel directory written by Python (or by kerasj), opened once and called by name from any number of
 * threads.
 *
 * <pre>{@code
 * try (ServedModel model = ServedModel.open(Path.of("exported"))) {       // tag "serve"
 *   System.out.println(model.signature("serving_default").describe());
 *   // serving_default(features: float32[?, 4]) -> (output_0: float32[?, 3])
 *   Map<String, NdArray<?>> out = model.call("serving_default", Map.of("features", new float[][] {{1, 2, 3, 4}}));
 *   FloatNdArray probabilities = (FloatNdArray) out.get("output_0");
 * }
 * }</pre>
 *
 * <p><b>What opens.</b> Keras 3 {@code model.export(dir)}; {@code tf.saved_model.save(module, dir, signatures=...)}
 * of a {@code tf.Module}; and {@code tf.saved_model.save(keras3_model, dir)}, whose signatures read variables that
 * TensorFlow's loader never restores (tensorflow/tensorflow#80191): kerasj restores those from {@code variables/}
 * through the SavedModel's object graph when it opens the model (see {@link #restoredVariables()}). A SavedModel whose
 * variables still cannot be found is refused at {@link #open} with an {@link IncompatibleModelException}, never at the
 * first call.
 *
 * <p><b>Threads.</b> One TensorFlow {@code Session} holds the model once; {@link #call} may run on many threads at
 * the same time (TensorFlow's {@code Session.run} is thread-safe) and never copies the model. Every tensor a call
 * creates is closed before it returns, so memory stays flat over any number of calls. {@link #close} waits for calls
 * in flight; a call after close throws {@link IllegalStateException}.
 *
 * <p><b>Dtypes.</b> Inputs and outputs of dtype float32, float64, int32, int64, bool and string (UTF-8). Inputs are
 * Java arrays of any rank ({@code float[][]}, {@code long[]}, {@code String[]} ...), boxed scalars or
 * {@code NdArray}s of the exact dtype: kerasj does not convert an {@code int[]} to int64, so a dtype slip is an error,
 * not a silent copy. Outputs come back as {@code FloatNdArray}, {@code DoubleNdArray}, {@code IntNdArray},
 * {@code LongNdArray}, {@code BooleanNdArray} or {@code NdArray<String>}, copied to the Java heap.
 */
public final class ServedModel implements AutoCloseable {
  /** The MetaGraph tag that {@code model.export()} and {@code tf.saved_model.save} give their serving graph. */
  public static final String SERVE_TAG = "serve";

  private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

  private final Path dir;
  private final SavedModelBundle bundle;
  private final Session session;
  private final Map<String, Bound> signatures;
  private final int restoredVariables;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  /** A signature with its graph endpoints and error-message prefix resolved once, at open. */
  private record Bound(SignatureSpec spec, Map<String, Output<?>> feeds, Map<String, Output<?>> fetches,
      String where) {}

  private ServedModel(Path dir, SavedModelBundle bundle, Map<String, Bound> signatures, int restoredVariables) {
    this.dir = dir;
    this.bundle = bundle;
    this.session = bundle.session();
    this.signatures = signatures;
    this.restoredVariables = restoredVariables;
  }

  /** Opens the MetaGraph tagged {@value #SERVE_TAG} of the SavedModel in {@code dir}. See {@link #open(Path, String)}. */
  public static ServedModel open(Path dir) throws IOException {
    return open(dir, SERVE_TAG);
  }

  /**
   * Opens the MetaGraph tagged {@code tag} of the SavedModel in {@code dir} and restores its variables.
   *
   * @throws java.nio.file.NoSuchFileException when {@code dir} does not exist
   * @throws IncompatibleModelException naming the directory, when it is not a SavedModel (no
   *     {@code saved_model.pb}), has no MetaGraph with {@code tag} (the message lists the tag sets it has), or reads
   *     variables that neither TensorFlow nor kerasj can restore
   * @throws CorruptCheckpointException when {@code saved_model.pb} does not parse, when
   *     {@code variables/variables.index} is damaged or describes tensors TensorFlow cannot read (checked in Java
   *     first: TensorFlow's own reader would abort the process on some), or when a file TensorFlow reads is not a
   *     regular file (a FIFO would block the loader forever)
   */
  public static ServedModel open(Path dir, String tag) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    MetaGraphDef metaGraph = readMetaGraph(root, tag);
    Map<String, SignatureSpec> specs = signatures(metaGraph);
    checkFilesTensorFlowReads(root);
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(root.toString()).withTags(tag).load();
    } catch (RuntimeException e) {
      if (!fromTensorFlow(e)) {
        throw e;
      }
      throw new IncompatibleModelException(root, "TensorFlow could not load the SavedModel " + root + " (tag '" + tag
          + "'): " + e.getMessage(), e);
    }
    try {
      int restored = SavedModelVariables.restoreMissing(bundle, metaGraph, root);
      Map<String, Bound> bound = new LinkedHashMap<>();
      for (SignatureSpec s : specs.values()) {
        bound.put(s.name(), new Bound(s, endpoints(root, bundle.graph(), s.inputs()),
            endpoints(root, bundle.graph(), s.outputs()),
            "Signature '" + s.name() + "' of " + root));
      }
      return new ServedModel(root, bundle, Collections.unmodifiableMap(bound), restored);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** The SavedModel directory this model was opened from (absolute). */
  public Path directory() {
    return dir;
  }

  /** Every callable signature by name, sorted by name. */
  public Map<String, SignatureSpec> signatures() {
    Map<String, SignatureSpec> out = new LinkedHashMap<>();
    signatures.forEach((k, v) -> out.put(k, v.spec()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * The signature called {@code name}.
   *
   * @throws IllegalArgumentException listing the valid names, when there is none
   */
  public SignatureSpec signature(String name) {
    return bound(name).spec();
  }

  /**
   * How many variables kerasj restored itself at open because TensorFlow's loader left them empty
   * (tensorflow/tensorflow#80191, {@code tf.saved_model.save} of a Keras 3 model); 0 for {@code model.export()}.
   */
  public int restoredVariables() {
    return restoredVariables;
  }

  /**
   * Runs {@code signature} on {@code inputs} (every input of the signature, by name) and returns every output by name,
   * in the signature's order. Safe to call from many threads at once.
   *
   * <p>All names, dtypes and shapes are checked in Java before TensorFlow runs anything.
   *
   * @throws IllegalArgumentException naming the signature and input, what it expects and what was received, and the
   *     valid signature or input names: an unknown signature, a missing or unknown input, a wrong dtype, rank or size
   * @throws ServingException when TensorFlow fails on inputs that passed these checks
   * @throws IllegalStateException after {@link #close}
   */
  public Map<String, NdArray<?>> call(String signature, Map<String, ?> inputs) {
    if (inputs == null) throw new IllegalArgumentException("Expected inputs for '" + signature + "'. Received: null");
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("ServedModel " + dir + " is closed");
      }
      Bound b = bound(signature);
      String where = b.where();
      checkNames(b.spec(), inputs, where);
      List<Tensor> fed = new ArrayList<>(inputs.size());
      try {
        Session.Runner runner = session.runner();
        for (Map.Entry<String, TensorSpec> in : b.spec().inputs().entrySet()) {
          Tensor t = HostTensors.toTensor(inputs.get(in.getKey()), in.getValue(), where);
          fed.add(t);
          runner.feed(b.feeds().get(in.getKey()), t);
        }
        b.fetches().values().forEach(runner::fetch);
        Map<String, NdArray<?>> out = new LinkedHashMap<>();
        try (Result r = runner.run()) {
          int i = 0;
          for (String name : b.fetches().keySet()) {
            out.put(name, HostTensors.toHost(r.get(i++)));
          }
        }
        return Collections.unmodifiableMap(out);
      } catch (RuntimeException e) {
        if (!fromTensorFlow(e)) {
          throw e;
        }
        throw new ServingException(where + " failed in TensorFlow: " + e.getMessage(), e);
      } finally {
        fed.forEach(Tensor::close);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Releases the session and graph once calls in flight have returned. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * TF Java reports native failures as {@code org.tensorflow.exceptions.*}, some of which extend
   * {@link IllegalArgumentException} rather than {@link TensorFlowException}; tell them from kerasj's own checks.
   */
  static boolean fromTensorFlow(RuntimeException e) {
    return e instanceof TensorFlowException || e.getClass().getPackageName().equals("org.tensorflow.exceptions");
  }

  private Bound bound(String name) {
    Bound b = signatures.get(name);
    if (b == null) {
      throw new IllegalArgumentException("SavedModel " + dir + " has no signature '" + name + "'. Valid signatures: "
          + signatures.keySet());
    }
    return b;
  }

  private static void checkNames(SignatureSpec spec, Map<String, ?> inputs, String where) {
    List<String> missing = new ArrayList<>();
    for (String name : spec.inputs().keySet()) {
      if (!inputs.containsKey(name)) {
        missing.add(name);
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String name : inputs.keySet()) {
      if (!spec.inputs().containsKey(name)) {
        unknown.add(name);
      }
    }
    if (!missing.isEmpty() || !unknown.isEmpty()) {
      throw new IllegalArgumentException(where + " takes inputs " + spec.inputs().values().stream()
          .map(TensorSpec::describe).toList() + ". Received: " + inputs.keySet()
          + (unknown.isEmpty() ? "" : "; unknown: " + unknown) + (missing.isEmpty() ? "" : "; missing: " + missing)
          + ".");
    }
    for (TensorSpec s : spec.outputs().values()) {
      if (!HostTensors.SUPPORTED.contains(s.dtype())) {
        throw new IllegalArgumentException(where + " has output " + s.describe() + ", a dtype the serving API "
            + "cannot return (supported: " + HostTensors.SUPPORTED + ")");
      }
    }
  }

  private static MetaGraphDef readMetaGraph(Path root, String tag) throws IOException {
    if (!Files.exists(root)) {
      throw new java.nio.file.NoSuchFileException(root.toString(), null, "no SavedModel directory here");
    }
    if (!Files.isDirectory(root)) {
      throw new IncompatibleModelException(root, root + " is not a SavedModel: expected a directory holding "
          + "saved_model.pb and variables/, received a file");
    }
    Path pb = root.resolve("saved_model.pb");
    RegularFiles.require(pb);
    if (!Files.isRegularFile(pb)) {
      throw new IncompatibleModelException(root, root + " is not a SavedModel: expected saved_model.pb in it"
          + (Files.isRegularFile(root.resolve("saved_model.pbtxt")) ? " (saved_model.pbtxt, the text form, is not "
          + "supported)" : "") + ". Write one with model.export(dir) or tf.saved_model.save(obj, dir) in Python.");
    }
    SavedModel sm;
    try (InputStream in = Files.newInputStream(pb)) {
      sm = SavedModel.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(pb, pb + " is damaged: it does not parse as a SavedModel protocol buffer ("
          + e.getMessage() + ")");
    }
    List<List<String>> tagSets = new ArrayList<>();
    for (MetaGraphDef mg : sm.getMetaGraphsList()) {
      List<String> tags = mg.getMetaInfoDef().getTagsList();
      if (tags.contains(tag)) {
        return mg;
      }
      tagSets.add(tags);
    }
    throw new IncompatibleModelException(root, "SavedModel " + root + " has no MetaGraph tagged '" + tag
        + "'. Valid tag sets: " + tagSets);
  }

  /**
   * Checks, before {@code SavedModelBundle.load} opens them natively, the files TensorFlow's loader reads besides
   * {@code saved_model.pb}: the variables bundle (its index in Java, entry by entry, and its data files' sizes),
   * {@code fingerprint.pb}, and the assets, which must all be regular files.
   */
  private static void checkFilesTensorFlowReads(Path root) throws IOException {
    RegularFiles.require(root.resolve("fingerprint.pb"));
    Path prefix = SavedModelContents.variablesPrefix(root);
    if (Files.exists(CheckpointContents.indexFile(prefix))) {
      CheckpointContents.readIndex(prefix);
    }
    Path assets = root.resolve("assets");
    if (Files.isDirectory(assets)) {
      try (Stream<Path> all = Files.walk(assets)) {
        all.filter(p -> !Files.isDirectory(p)).forEach(RegularFiles::require);
      }
    }
  }

  private static Map<String, SignatureSpec> signatures(MetaGraphDef mg) {
    Map<String, SignatureSpec> out = new TreeMap<>();
    for (Map.Entry<String, SignatureDef> e : mg.getSignatureDefMap().entrySet()) {
      if (e.getKey().equals(INIT_OP_SIGNATURE)) {
        continue;
      }
      out.put(e.getKey(), new SignatureSpec(e.getKey(), specs(e.getValue().getInputsMap()),
          specs(e.getValue().getOutputsMap())));
    }
    return out;
  }

  private static Map<String, TensorSpec> specs(Map<String, TensorInfo> infos) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    new TreeMap<>(infos).forEach((name, info) -> out.put(name, new TensorSpec(name, dtypeName(info.getDtype()),
        shape(info.getTensorShape()), info.getName())));
    return out;
  }

  private static long[] shape(TensorShapeProto p) {
    if (p.getUnknownRank()) {
      return null;
    }
    return p.getDimList().stream().mapToLong(d -> d.getSize() < 0 ? -1 : d.getSize()).toArray();
  }

  static String dtypeName(DataType t) {
    return switch (t) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_BOOL -> "bool";
      case DT_STRING -> "string";
      default -> t.name().substring(3).toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static Map<String, Output<?>> endpoints(Path root, Graph g, Map<String, TensorSpec> specs) {
    Map<String, Output<?>> out = new LinkedHashMap<>();
    for (TensorSpec s : specs.values()) {
      String name = s.tensorName();
      int colon = name.lastIndexOf(':');
      String op = colon < 0 ? name : name.substring(0, colon);
      int index = colon < 0 ? 0 : Integer.parseInt(name.substring(colon + 1));
      Operation operation = g.operation(op);
      if (operation == null) {
        throw new IncompatibleModelException(root, "SavedModel " + root + " is inconsistent: its signature tensor "
            + name + " (" + s.name() + ") is not in its graph");
      }
      out.put(s.name(), operation.output(index));
    }
    return out;
  }
}
