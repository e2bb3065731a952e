package dev.kerasj.reliability;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.models.KerasModel;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training process for {@link KillDuringTrainingTest} to kill: trains the digits MLP with two
 * {@link ModelCheckpoint}s and resumes from what they left on disk.
 *
 * <p>Usage: {@code TrainerChild <dir> <digits.csv>}. It writes
 * <ul>
 *   <li>weights-only TF checkpoints every {@value #SAVE_FREQ} batches to {@code <dir>/weights/ckpt-EEE-BBBB}
 *       ({@code EEE} the 1-based epoch, {@code BBBB} the batches done in it), keeping {@value #MAX_TO_KEEP}; with
 *       {@value #STEPS} batches per epoch the last save of an epoch ({@code BBBB == STEPS}) holds exactly the
 *       state at that epoch's end;</li>
 *   <li>a full SavedModel every epoch to the fixed path {@code <dir>/model}, so every save after the first
 *       replaces the previous model (the {@code .kerasj-previous-*} protocol).</li>
 * </ul>
 *
 * <p><b>What it resumes from.</b> Only epoch boundaries, because {@code fit} can start at an epoch but not at a batch
 * inside one, so a mid-epoch checkpoint cannot continue the run exactly. On start it takes the later of
 * <ol>
 *   <li>the SavedModel at {@code <dir>/model} (read through {@link SavedModelLoader}, which also finds the previous
 *       copy an interrupted replace left), resuming at its {@code TrainingState.epoch()}; and</li>
 *   <li>the listed ({@link TfCheckpoint#list}, i.e. complete) weights checkpoint {@code ckpt-EEE-<STEPS>} with the
 *       highest {@code EEE}, restored with {@link Sequential#loadWeights} into a freshly built and compiled model,
 *       resuming at epoch {@code EEE};</li>
 * </ol>
 * preferring the SavedModel on a tie, and trains from scratch only when neither exists. An unreadable checkpoint
 * throws (the process exits non-zero): it never silently starts over.
 *
 * <p>Because the shuffle order depends only on (seed, epoch), the model has no Dropout and every variable (weights,
 * Adam's slots, iterations, learning rate) is restored, a resumed run ends bit for bit where an uninterrupted one
 * does.
 *
 * <p>Protocol on stdout, one line per event, flushed:
 * <pre>
 * RESUME scratch|model|weights:&lt;name&gt; &lt;epochs done&gt;
 * SAVING weights &lt;name&gt; &lt;hash&gt;    (before the weights checkpoint is written; hash of every variable)
 * SAVED weights &lt;name&gt;             (after ModelCheckpoint returned: written, recorded, retention applied)
 * EPOCH &lt;epochs done&gt; &lt;hash&gt;
 * SAVING model &lt;epochs done&gt; &lt;hash&gt;
 * SAVED model &lt;epochs done&gt;
 * DONE &lt;hash&gt;
 * </pre>
 */
public final class TrainerChild {
  static final long SEED = 20240611L;
  static final int SAMPLES = 1024;
  static final int BATCH = 32;
  static final int STEPS = SAMPLES / BATCH;
  static final int SAVE_FREQ = 16;
  static final int EPOCHS = 10;
  static final int MAX_TO_KEEP = 3;
  static final Pattern CKPT_NAME = Pattern.compile("ckpt-(\\d{3})-(\\d{4})");

  private TrainerChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Digits data = Digits.load(Path.of(args[1])).slice(0, SAMPLES);
    Resumed start = resume(dir);
    try (Sequential model = start.model()) {
      emit("RESUME " + start.source() + " " + start.epoch());
      model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(EPOCHS).initialEpoch(start.epoch())
          .batchSize(BATCH).seed(SEED).verbose(0).callbacks(callbacks(dir)).build());
      emit("DONE " + hash(model));
    }
  }

  /** A fresh model of the architecture this child trains, compiled as it compiles it. */
  static Sequential newModel() {
    Sequential model = new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
    model.setSeed(SEED);
    model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return model;
  }

  static Path weightsDir(Path dir) {
    return dir.resolve("weights");
  }

  static Path modelDir(Path dir) {
    return dir.resolve("model");
  }

  /** Where training continues, see the class comment. */
  record Resumed(Sequential model, String source, int epoch) {}

  static Resumed resume(Path dir) throws IOException {
    Integer modelEpoch = null;
    try {
      modelEpoch = SavedModelLoader.readTrainingState(modelDir(dir)).epoch();
    } catch (NoSuchFileException e) {
      // No model saved yet.
    }
    Optional<Path> weights = TfCheckpoint.list(weightsDir(dir)).stream()
        .filter(p -> batchOf(p) == STEPS).max(Comparator.comparingInt(TrainerChild::epochOf));
    if (weights.isPresent() && (modelEpoch == null || epochOf(weights.get()) > modelEpoch)) {
      Sequential model = newModel();
      model.loadWeights(weights.get());
      return new Resumed(model, "weights:" + weights.get().getFileName(), epochOf(weights.get()));
    }
    if (modelEpoch != null) {
      return new Resumed(Sequential.load(modelDir(dir)), "model", modelEpoch);
    }
    return new Resumed(newModel(), "scratch", 0);
  }

  static int epochOf(Path prefix) {
    return Integer.parseInt(nameMatcher(prefix).group(1));
  }

  static int batchOf(Path prefix) {
    return Integer.parseInt(nameMatcher(prefix).group(2));
  }

  private static Matcher nameMatcher(Path prefix) {
    Matcher m = CKPT_NAME.matcher(prefix.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalStateException("Unexpected checkpoint name " + prefix);
    }
    return m;
  }

  private static List<Callback> callbacks(Path dir) {
    List<Callback> list = new ArrayList<>();
    list.add(new Announcer("SAVING", true));
    list.add(ModelCheckpoint.builder(weightsDir(dir).resolve("ckpt-{epoch:03d}-{batch:04d}").toString())
        .saveWeightsOnly(true).saveFreq(SAVE_FREQ).maxToKeep(MAX_TO_KEEP).build());
    list.add(ModelCheckpoint.builder(modelDir(dir).toString()).build());
    list.add(new Announcer("SAVED", false));
    return list;
  }

  /**
   * Prints a line for each save the {@link ModelCheckpoint}s make, counting batches as they do (from train begin).
   * Placed before them it announces a save about to start (with the hash of what will be saved); after them, a save
   * that returned.
   */
  private static final class Announcer implements Callback {
    private final String verb;
    private final boolean before;
    private KerasModel model;
    private int batchesSinceSave;
    private int epoch;

    Announcer(String verb, boolean before) {
      this.verb = verb;
      this.before = before;
    }

    @Override
    public void setModel(KerasModel model) {
      this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
      batchesSinceSave = 0;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
      this.epoch = epoch;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      if (++batchesSinceSave >= SAVE_FREQ) {
        batchesSinceSave = 0;
        String name = String.format("ckpt-%03d-%04d", epoch + 1, batch + 1);
        emit(verb + " weights " + name + (before ? " " + hash(model) : ""));
      }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
      if (before) {
        String h = hash(model);
        emit("EPOCH " + (epoch + 1) + " " + h);
        emit(verb + " model " + (epoch + 1) + " " + h);
      } else {
        emit(verb + " model " + (epoch + 1));
      }
    }
  }

  static void emit(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** SHA-256 (first 16 hex digits) over every variable of the model graph, by name: weights and optimizer state. */
  static String hash(KerasModel model) {
    ModelGraph graph = model.graphForInternalUse();
    List<ModelGraph.VariableSlot> slots = new ArrayList<>(graph.variables());
    slots.sort(Comparator.comparing(ModelGraph.VariableSlot::name));
    List<HostArray> values = graph.read(slots);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < slots.size(); i++) {
        md.update(slots.get(i).name().getBytes(StandardCharsets.UTF_8));
        HostArray a = values.get(i);
        ByteBuffer buf;
        if (a.isFloat()) {
          float[] f = a.floats();
          buf = ByteBuffer.allocate(4 * f.length);
          for (float v : f) {
            buf.putInt(Float.floatToRawIntBits(v));
          }
        } else {
          int[] v = a.ints();
          buf = ByteBuffer.allocate(4 * v.length);
          for (int x : v) {
            buf.putInt(x);
          }
        }
        md.update(buf.array());
      }
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
