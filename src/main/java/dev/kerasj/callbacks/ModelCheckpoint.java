package dev.kerasj.callbacks;

import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.WorkerRole;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.FileFormat;
import dev.kerasj.saving.keras.KerasArchive;
import dev.kerasj.saving.keras.KerasWeights;
import dev.kerasj.saving.savedmodel.SavedModelWriter;
import dev.kerasj.saving.savedmodel.TrainingState;
import dev.kerasj.saving.tfcheckpoint.CheckpointSnapshot;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code ModelCheckpoint}: saves the model during {@code fit}, every epoch or every N batches, optionally only
 * when the monitored value improves.
 *
 * <pre>{@code
 * ModelCheckpoint.builder("ckpt/epoch_{epoch:02d}-val_loss_{val_loss:.2f}")
 *     .monitor("val_loss").saveBestOnly(true).saveWeightsOnly(true).maxToKeep(3).build();
 * }</pre>
 *
 * <p>What it writes: with {@code saveWeightsOnly}, a TF object-based checkpoint ({@code path.index} +
 * {@code path.data-00000-of-00001}, weights and optimizer state, readable by Python's {@code tf.train.Checkpoint})
 * plus a {@code checkpoint} state file; otherwise a TF SavedModel directory at {@code path}. A path ending in
 * {@code .weights.h5} (with {@code saveWeightsOnly}) or {@code .keras} (without) writes Keras 3's own formats instead,
 * as Keras 3's {@code ModelCheckpoint} does ({@link KerasWeights}, {@link KerasArchive}). Every write is staged,
 * fsynced and renamed into place, so a crash leaves the previous checkpoint intact (Keras 3 writes these files in
 * place).
 *
 * <p>Where it does better than Keras (each is a documented Keras failure):
 * <ul>
 *   <li>the template and the mode are validated at {@link Builder#build()}, and every field name against the model's
 *       log keys at train begin, not at the first epoch end;</li>
 *   <li>a <em>resumed</em> run keeps comparing with the best value of the run it continues, so it never overwrites
 *       a better model with a worse one (keras-team/keras#17012). A {@code fit} resumes a run when
 *       {@link BackupAndRestore} restores it (the best comes from the backup) or when it starts at
 *       {@code initialEpoch > 0} (the best comes from a small state file next to the checkpoints,
 *       {@code .kerasj-modelcheckpoint-<hash>.properties}); {@link Builder#resumeBest(boolean)} forces either way.
 *       A <em>new</em> run ({@code initialEpoch} 0, nothing restored) starts its own best, as Keras does, even when
 *       an earlier run left checkpoints in the same directory (carrying that best over would keep the new run from
 *       ever saving its best model); it overwrites them like Keras, and its first save over an earlier run's best
 *       says so. Retention ({@link Builder#maxToKeep}) keeps managing checkpoints earlier runs left there;</li>
 *   <li>a monitored value that can never appear ({@code val_*} without validation data, an unknown metric) fails at
 *       train begin with {@code saveBestOnly}, instead of Keras 3's "save anyway" or tf.keras' silent skip;</li>
 *   <li>NaN is never an improvement (Keras 3 takes a first NaN as best and then never saves again);</li>
 *   <li>{@code saveBestOnly} with a batch-level {@code saveFreq} and a {@code val_*} monitor (validation results
 *       exist only at epoch end) is rejected at train begin with an explanation, instead of never saving
 *       (tensorflow/tensorflow#33163);</li>
 *   <li>retention: {@link Builder#maxToKeep} and {@link Builder#keepEveryNHours} like
 *       {@code tf.train.CheckpointManager}; the newest checkpoint is never deleted, and deletion happens only after the
 *       new checkpoint and the state file are durable.</li>
 * </ul>
 * A failed save throws out of {@code fit}; it is never only logged.
 *
 * <p><b>Asynchronous saving</b> ({@link Builder#asyncSave(boolean) asyncSave(true)}, weights-only): at each save the
 * training thread only copies every variable to host memory in one {@code Session.run}; the checkpoint is written
 * from that copy on a background thread while {@code fit} goes on, so the files hold the weights of the moment of
 * the save, not of the moment the write ends. At most one write is in flight: the next save first waits for the
 * previous one, as does {@code onTrainEnd} for the last. Retention, the best value on disk and the "finished saving"
 * message follow once a write is complete. A failed background write is rethrown on the training thread, out of
 * {@code fit}, at the next save or at train end, naming the path; the previous checkpoint stays intact. Costs one
 * host copy of the variables (with Adam, three times the model's weights) for as long as the write takes.
 */
public final class ModelCheckpoint implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCheckpoint.class);
  /** Keras' default monitor. */
  public static final String DEFAULT_MONITOR = "val_loss";
  /** Keras' default mode. */
  public static final String DEFAULT_MODE = "auto";
  /** Keras' default {@code save_freq}: once per epoch. */
  public static final int SAVE_FREQ_EPOCH = 0;

  /** Writes one checkpoint; the default writes a TF checkpoint or a SavedModel with the training progress. */
  @FunctionalInterface
  interface Writer {
    /**
     * @param epochsCompleted epochs finished before this save (the {@code initialEpoch} to resume with)
     * @param batchesCompleted batches finished in the following epoch (0 for an epoch-end save)
     * @param state this callback's state to store with a full model (monitor, best value, best path)
     */
    void write(KerasModel model, Path path, boolean weightsOnly, int epochsCompleted, int batchesCompleted,
        Map<String, Object> state) throws IOException;
  }

  /** Deletes one checkpoint written by {@link Writer}. */
  @FunctionalInterface
  interface Deleter {
    void delete(Path path, boolean weightsOnly) throws IOException;
  }

  private final FilepathTemplate template;
  private final String monitor;
  private final int verbose;
  private final boolean saveBestOnly;
  private final boolean saveWeightsOnly;
  private final String mode;
  private final int saveFreq;
  private final Double initialValueThreshold;
  private final Integer maxToKeep;
  private final Double keepEveryNHours;
  /** null: carry the best over only when the fit resumes a run (see the class javadoc). */
  private final Boolean resumeBest;
  private final boolean asyncSave;
  private final Writer writer;
  private final Deleter deleter;
  private final Path stateFile;

  private KerasModel model;
  private boolean doValidation;
  private int initialEpoch;
  /** The best an earlier run recorded here, which this new run does not compare with (null when none or resumed). */
  private EarlierBest earlierBest;
  private boolean minimize;
  private double best;
  private String bestPath;
  private int currentEpoch;
  private int batchesSinceSave;
  private final List<Saved> saved = new ArrayList<>();
  private double lastPreservedHours;
  /** The background write in flight (asyncSave), or null. */
  private Pending pending;

  /** A checkpoint being written in the background; {@code epoch} is 1-based, for messages. */
  private record Pending(Path path, int epoch, FutureTask<Void> task) {}

  /** One checkpoint this callback wrote and still keeps. */
  private record Saved(String path, long timeMillis) {}

  private ModelCheckpoint(Builder b) {
    this.template = b.template;
    this.monitor = b.monitor;
    this.verbose = b.verbose;
    this.saveBestOnly = b.saveBestOnly;
    this.saveWeightsOnly = b.saveWeightsOnly;
    this.mode = b.mode;
    this.saveFreq = b.saveFreq;
    this.initialValueThreshold = b.initialValueThreshold;
    this.maxToKeep = b.maxToKeep;
    this.keepEveryNHours = b.keepEveryNHours;
    this.resumeBest = b.resumeBest;
    this.asyncSave = b.asyncSave;
    this.writer = b.writer;
    this.deleter = b.deleter;
    this.stateFile = stateFileFor(b.template, b.monitor, b.saveWeightsOnly);
  }

  /**
   * Starts a builder for a file path template such as {@code "ckpt/epoch_{epoch:02d}"}. The template is formatted
   * once with sample values here, so one that no save could use (a spec that does not fit its field, a width that
   * makes a name longer than 255 characters, a path over 4096) throws now rather than after the first epoch.
   *
   * @throws IllegalArgumentException naming the template and the problem
   */
  public static Builder builder(String filepath) {
    return new Builder(filepath);
  }

  /**
   * {@link #builder(String)} for a {@link Path}, as the other callbacks take their files; its last element may be a
   * template ({@code dir.resolve("epoch_{epoch:02d}.keras")}).
   */
  public static Builder builder(Path filepath) {
    if (filepath == null) {
      throw new IllegalArgumentException("Expected a file path template. Received: null");
    }
    return new Builder(filepath.toString());
  }

  /** The best monitored value so far (NaN before any), as restored or observed. */
  public double best() {
    return best;
  }

  /** Path of the best checkpoint so far, or null. */
  public String bestPath() {
    return bestPath;
  }

  /** Paths of the checkpoints this callback keeps, oldest first. */
  public List<String> keptPaths() {
    return saved.stream().map(Saved::path).toList();
  }

  /**
   * The best checkpoint that a {@code saveBestOnly} ModelCheckpoint monitoring {@code monitor} recorded in
   * {@code directory} (from its state file), if it still exists; empty when there is none.
   *
   * @throws IllegalArgumentException when several callbacks recorded a best for that monitor there (names them)
   */
  public static java.util.Optional<Path> bestCheckpoint(Path directory, String monitor) throws IOException {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(directory)) {
      try (var files = Files.newDirectoryStream(directory, ".kerasj-modelcheckpoint-*.properties")) {
        for (Path f : files) {
          Properties p = new Properties();
          p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
          String path = p.getProperty("best_path");
          if (monitor.equals(p.getProperty("monitor")) && path != null
              && (Files.exists(Path.of(path)) || Files.exists(Path.of(path + ".index")))) {
            found.add(Path.of(path));
          }
        }
      }
    }
    if (found.size() > 1) {
      throw new IllegalArgumentException("Several ModelCheckpoints recorded a best " + monitor + " in " + directory
          + ": " + found);
    }
    return found.stream().findFirst();
  }

  @Override
  public void setModel(KerasModel model) {
    this.model = model;
  }

  @Override
  public void setParams(Map<String, Object> params) {
    this.doValidation = Boolean.TRUE.equals(params.get("do_validation"));
    this.initialEpoch = params.get("initial_epoch") instanceof Number n ? n.intValue() : 0;
  }

  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    awaitPending(); // a write an earlier, aborted fit left in flight
    List<String> keys = availableKeys();
    for (String field : template.fields()) {
      if (field.equals("epoch") || field.equals("batch")) {
        template.checkIntField(field);
        if (field.equals("batch") && saveFreq == SAVE_FREQ_EPOCH) {
          throw new IllegalArgumentException("ModelCheckpoint filepath \"" + template.template()
              + "\" uses {batch} but saves once per epoch; use saveFreq(N) for batch-level saving");
        }
      } else if (!keys.contains(field)) {
        throw new IllegalArgumentException("ModelCheckpoint filepath \"" + template.template() + "\" uses {" + field
            + "}, which this fit never logs. Available: epoch" + (saveFreq > 0 ? ", batch, " : ", ")
            + String.join(", ", keys));
      } else {
        template.checkFloatField(field);
        if (field.startsWith("val_") && saveFreq > 0) {
          throw new IllegalArgumentException("ModelCheckpoint filepath \"" + template.template() + "\" uses {" + field
              + "} but saves every " + saveFreq + " batches; validation results exist only at epoch end");
        }
      }
    }
    minimize = resolveMinimize();
    if (saveBestOnly) {
      if (!keys.contains(monitor)) {
        throw new IllegalArgumentException("ModelCheckpoint(saveBestOnly) monitors '" + monitor
            + "', which this fit never logs" + (monitor.startsWith("val_") && !doValidation
                ? " (fit has no validation data: pass validationData or validationSplit, or monitor '"
                    + monitor.substring(4) + "')" : "") + ". Available: " + String.join(", ", keys));
      }
      if (monitor.startsWith("val_") && saveFreq > 0) {
        throw new IllegalArgumentException("ModelCheckpoint(saveBestOnly, saveFreq=" + saveFreq + ") cannot monitor '"
            + monitor + "': validation results exist only at epoch end, so a batch-level save would compare stale "
            + "values (tf.keras silently never saves here). Use saveFreq epoch, or monitor '" + monitor.substring(4)
            + "'");
      }
    }
    if (model.workerRole().isChief()) { // the directory is the chief's; other workers write to temporary ones
      cleanStagingLeftovers();
    }
    best = initialValueThreshold != null ? initialValueThreshold : Double.NaN;
    bestPath = null;
    batchesSinceSave = 0;
    saved.clear();
    lastPreservedHours = System.currentTimeMillis() / 3.6e6;
    earlierBest = null;
    readState(resumeBest != null ? resumeBest : initialEpoch > 0);
    if (maxToKeep != null && model.workerRole().isChief()) {
      adoptUnlisted();
    }
  }

  /** Removes what an interrupted earlier run left half-written next to the checkpoints (never a checkpoint). */
  private void cleanStagingLeftovers() {
    Path dir = stateFile().getParent();
    try {
      DurableFiles.deleteStagingLeftovers(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not clean staging leftovers in " + dir, e);
    }
  }

  private List<String> availableKeys() {
    List<String> keys = new ArrayList<>();
    keys.add("loss");
    model.metrics().forEach(m -> keys.add(m.name()));
    if (doValidation) {
      List<String> val = keys.stream().map(k -> "val_" + k).toList();
      keys.addAll(val);
    }
    return keys;
  }

  private boolean resolveMinimize() {
    switch (mode) {
      case "min":
        return true;
      case "max":
        return false;
      default:
        Metric.Direction direction = model.logDirection(monitor);
        if (direction != null) {
          return direction == Metric.Direction.MIN;
        }
        if (!saveBestOnly) {
          return true; // The monitor is unused without saveBestOnly.
        }
        throw new IllegalArgumentException("ModelCheckpoint(mode=auto) cannot tell whether '" + monitor
            + "' should be minimized or maximized: it is neither a loss nor a compiled metric. Pass mode min or max");
    }
  }

  /** Waits for the last background write: {@code fit} returns only once every checkpoint is durable. */
  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    awaitPending();
  }

  @Override
  public void onEpochBegin(int epoch, Map<String, Double> logs) {
    currentEpoch = epoch;
  }

  /**
   * Best value, best path, kept checkpoints and the batch counter, for {@link BackupAndRestore}; waits for a
   * background write first, so the backup never lists a checkpoint that is not durable.
   */
  @Override
  public Map<String, Object> backupState() {
    awaitPending();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("best", best);
    s.put("best_path", bestPath);
    s.put("batches_since_save", batchesSinceSave);
    s.put("last_preserved_hours", lastPreservedHours);
    List<Object> kept = new ArrayList<>();
    for (Saved k : saved) {
      kept.add(List.of(k.path(), k.timeMillis()));
    }
    s.put("saved", kept);
    return s;
  }

  /** Takes the backup's state over what {@code onTrainBegin} read from this callback's own state file. */
  @Override
  @SuppressWarnings("unchecked")
  public void restoreBackupState(Map<String, Object> s) {
    earlierBest = null; // a resumed run: the backup holds the best it compares with
    best = BackupValues.toDouble(s.get("best"));
    bestPath = (String) s.get("best_path");
    batchesSinceSave = ((Number) s.get("batches_since_save")).intValue();
    lastPreservedHours = BackupValues.toDouble(s.get("last_preserved_hours"));
    saved.clear();
    for (Object o : (List<Object>) s.get("saved")) {
      List<Object> k = (List<Object>) o;
      saved.add(new Saved((String) k.get(0), ((Number) k.get(1)).longValue()));
    }
  }

  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    if (saveFreq > 0 && ++batchesSinceSave >= saveFreq) {
      batchesSinceSave = 0;
      save(currentEpoch, batch, logs);
    }
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    if (saveFreq == SAVE_FREQ_EPOCH) {
      save(epoch, null, logs);
    }
  }

  private void save(int epoch, Integer batch, Map<String, Double> logs) {
    awaitPending();
    Map<String, Long> ints = new LinkedHashMap<>();
    ints.put("epoch", (long) epoch + 1);
    if (batch != null) {
      ints.put("batch", (long) batch + 1);
    }
    Path path = Path.of(template.format(ints, logs));
    if (saveBestOnly) {
      Double current = logs.get(monitor);
      if (current == null) {
        throw new IllegalStateException("ModelCheckpoint(saveBestOnly) monitors '" + monitor
            + "' but the logs of epoch " + (epoch + 1) + " do not have it. Available: " + logs.keySet());
      }
      String bestText = Double.isNaN(best) ? "None" : String.format(Locale.ROOT, "%.5f", best);
      if (!isImprovement(current)) {
        log(String.format(Locale.ROOT, "Epoch %d: %s did not improve from %s%s", epoch + 1, monitor, bestText,
            Double.isNaN(current) ? " (NaN is never an improvement)" : ""));
        return;
      }
      log(String.format(Locale.ROOT, "Epoch %d: %s improved from %s to %.5f, saving model to %s", epoch + 1,
          monitor, bestText, current, path));
      noteReplacingEarlierBest(path);
      write(path, epoch, batch);
      best = current;
      bestPath = path.toString();
    } else {
      log(String.format(Locale.ROOT, "Epoch %d: saving model to %s", epoch + 1, path));
      write(path, epoch, batch);
    }
    if (pending == null) {
      finished(path, epoch + 1);
    }
  }

  private void log(String message) {
    LOG.atLevel(CallbackLogging.level(verbose)).log(message);
  }

  /** Bookkeeping once the checkpoint at {@code path} is durable: state file, retention, message. */
  private void finished(Path path, int epoch) {
    if (!model.workerRole().isChief()) {
      return; // wrote to its temporary directory and deleted it: nothing to keep, retain or log
    }
    record(path);
    log(String.format(Locale.ROOT, "Epoch %d: finished saving model to %s", epoch, path));
  }

  /**
   * Starts writing in the background from a snapshot taken now, on the training thread. The writer is a daemon
   * thread: a JVM exiting mid-write leaves the previous checkpoint, since the write is staged (see TfCheckpoint).
   */
  private void writeInBackground(Path path, int epoch) {
    CheckpointSnapshot snapshot = TfCheckpoint.snapshot(model);
    FutureTask<Void> task = new FutureTask<>(() -> {
      snapshot.write(path);
      return null;
    });
    Thread thread = new Thread(task, "kerasj-ModelCheckpoint-writer");
    thread.setDaemon(true);
    pending = new Pending(path, epoch, task);
    thread.start();
  }

  /** Waits for the background write, if any, then does its bookkeeping; rethrows its failure, naming the path. */
  private void awaitPending() {
    Pending p = pending;
    if (p == null) {
      return;
    }
    pending = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          p.task().get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // fit must not go on (or return) before the write ends; the interrupt is kept
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error error) {
        throw error;
      }
      String message = "ModelCheckpoint could not save to " + p.path() + " (asyncSave: written in the background "
          + "after epoch " + p.epoch() + "): " + describe(cause) + ". The previous checkpoint is unchanged.";
      throw cause instanceof IOException io ? new UncheckedIOException(message, io)
          : new IllegalStateException(message, cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    finished(p.path(), p.epoch());
  }

  private boolean isImprovement(double current) {
    if (Double.isNaN(current)) {
      return false;
    }
    if (Double.isNaN(best)) {
      return true;
    }
    return minimize ? current < best : current > best;
  }

  private void write(Path path, int epoch, Integer batch) {
    WorkerRole role = model.workerRole();
    if (!role.isChief()) {
      writeAsWorker(role, path, epoch, batch);
      return;
    }
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (asyncSave) {
        writeInBackground(path, epoch + 1);
        return;
      }
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("monitor", monitor);
      state.put("best", Double.isNaN(best) ? null : best);
      state.put("best_path", bestPath);
      writer.write(model, path, saveWeightsOnly, batch == null ? epoch + 1 : epoch, batch == null ? 0 : batch + 1,
          Map.of("ModelCheckpoint", state));
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not save to " + path + ": " + describe(e)
          + ". The previous checkpoint is unchanged.", e);
    }
  }

  /**
   * A non-chief worker of a data-parallel group: the same save into {@code workertemp_<i>} next to the real file,
   * then that directory deleted, as tf.keras' {@code write_filepath} and {@code remove_temp_dir_with_filepath}.
   */
  private void writeAsWorker(WorkerRole role, Path path, int epoch, Integer batch) {
    Path parent = path.toAbsolutePath().getParent();
    Path temp = role.writeDirectory(parent).resolve(path.getFileName());
    try {
      writer.write(model, temp, saveWeightsOnly, batch == null ? epoch + 1 : epoch, batch == null ? 0 : batch + 1,
          Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint (worker " + role.taskIndex() + ") could not save to its "
          + "temporary path " + temp + ": " + describe(e), e);
    } finally {
      role.removeTemporary(parent);
    }
  }

  /**
   * What went wrong, with its kind: a {@code FileSystemException}'s message is often only a path, so the exception
   * class ({@code AccessDeniedException}, {@code FileSystemException: No space left on device} ...) is kept.
   */
  private static String describe(Throwable e) {
    if (e instanceof java.nio.file.FileSystemException fse) {
      String reason = fse.getReason() == null ? "" : ": " + fse.getReason();
      return e.getClass().getSimpleName() + " on " + fse.getFile() + reason;
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Records the new checkpoint in the state file, then applies retention. */
  private void record(Path path) {
    long now = System.currentTimeMillis();
    saved.removeIf(s -> s.path().equals(path.toString()));
    saved.add(new Saved(path.toString(), now));
    List<Saved> drop = retentionVictims(now);
    saved.removeAll(drop);
    writeState();
    for (Saved s : drop) {
      try {
        deleter.delete(Path.of(s.path()), saveWeightsOnly);
      } catch (IOException e) {
        throw new UncheckedIOException("ModelCheckpoint could not delete the old checkpoint " + s.path(), e);
      }
    }
  }

  private List<Saved> retentionVictims(long now) {
    List<Saved> victims = new ArrayList<>();
    if (maxToKeep == null) {
      return victims;
    }
    int excess = saved.size() - maxToKeep;
    for (int i = 0; i < saved.size() - 1 && victims.size() < excess; i++) {
      Saved s = saved.get(i);
      if (s.path().equals(bestPath) && saveBestOnly) {
        continue;
      }
      double hours = s.timeMillis() / 3.6e6;
      if (keepEveryNHours != null && hours - lastPreservedHours >= keepEveryNHours) {
        lastPreservedHours = hours;
        continue;
      }
      victims.add(s);
    }
    return victims;
  }

  /** The state file next to the checkpoints: best value and kept paths, for resumed runs and retention. */
  Path stateFile() {
    return stateFile;
  }

  private static Path stateFileFor(FilepathTemplate template, String monitor, boolean saveWeightsOnly) {
    String t = template.template();
    Path dir = Path.of(t).toAbsolutePath().getParent();
    while (dir != null && dir.toString().contains("{")) {
      dir = dir.getParent();
    }
    String key = t + "|" + monitor + "|" + saveWeightsOnly;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(".kerasj-modelcheckpoint-" + HexFormat.of().formatHex(digest, 0, 6) + ".properties");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void writeState() {
    Properties p = new Properties();
    p.setProperty("filepath", template.template());
    p.setProperty("monitor", monitor);
    p.setProperty("minimize", Boolean.toString(minimize));
    if (!Double.isNaN(best)) {
      p.setProperty("best", Double.toString(best));
    }
    if (bestPath != null) {
      p.setProperty("best_path", bestPath);
    }
    for (int i = 0; i < saved.size(); i++) {
      p.setProperty("kept." + i + ".path", saved.get(i).path());
      p.setProperty("kept." + i + ".time", Long.toString(saved.get(i).timeMillis()));
    }
    p.setProperty("last_preserved_hours", Double.toString(lastPreservedHours));
    StringWriter w = new StringWriter();
    try {
      p.store(w, "kerasj ModelCheckpoint state: best value and kept checkpoints (written atomically)");
      DurableFiles.writeAtomically(stateFile(), w.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not write its state file " + stateFile(), e);
    }
  }

  /**
   * Says, once, that this new run's first best-only save replaces the best model an earlier run recorded here (the
   * new run does not compare with that run's best; see the class javadoc).
   */
  private void noteReplacingEarlierBest(Path path) {
    EarlierBest earlier = earlierBest;
    earlierBest = null;
    if (earlier == null) {
      return;
    }
    boolean samePath = Path.of(earlier.path()).toAbsolutePath().normalize()
        .equals(path.toAbsolutePath().normalize());
    LOG.info(String.format(Locale.ROOT, "This is a new run; %s the best model of an earlier run (%s=%.5f, %s). "
        + "To keep comparing with that run's best, resume it (BackupAndRestore, initialEpoch > 0 or "
        + "resumeBest(true)).", samePath ? "replacing" : "no longer comparing with", monitor, earlier.value(),
        earlier.path()));
  }

  /** The best value and path an earlier run recorded in the state file. */
  private record EarlierBest(double value, String path) {}

  /**
   * Reads the state file: the kept checkpoints (retention manages them in any run) and, when {@code takeBest}, the
   * best value and path of the run this fit resumes; otherwise that best is only remembered for a message.
   */
  private void readState(boolean takeBest) {
    Path file = stateFile();
    if (!Files.exists(file)) {
      return;
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not read its state file " + file, e);
    }
    for (int i = 0; p.containsKey("kept." + i + ".path"); i++) {
      String path = p.getProperty("kept." + i + ".path");
      if (exists(Path.of(path))) {
        saved.add(new Saved(path, Long.parseLong(p.getProperty("kept." + i + ".time", "0"))));
      }
    }
    lastPreservedHours = Double.parseDouble(p.getProperty("last_preserved_hours", Double.toString(lastPreservedHours)));
    String storedBest = p.getProperty("best");
    String storedPath = p.getProperty("best_path");
    boolean sameDirection = Boolean.toString(minimize).equals(p.getProperty("minimize"));
    if (storedBest != null && storedPath != null && sameDirection && exists(Path.of(storedPath))) {
      double restored = Double.parseDouble(storedBest);
      if (!takeBest) {
        earlierBest = saveBestOnly ? new EarlierBest(restored, storedPath) : null;
      } else if (Double.isNaN(best) || (minimize ? restored < best : restored > best)) {
        best = restored;
        bestPath = storedPath;
        log(String.format(Locale.ROOT, "ModelCheckpoint: resuming with best %s=%.5f (%s)", monitor, best,
            storedPath));
      }
    }
  }

  /**
   * Takes over complete checkpoints in this callback's directory that match its template but are missing from its
   * state file: a crash between a checkpoint's write and the state file's update leaves such a checkpoint, and like
   * {@code tf.train.CheckpointManager} retention must still manage it. Only templates whose fields are all in the
   * last path component are handled.
   */
  private void adoptUnlisted() {
    Path stateDir = stateFile().getParent();
    Path templatePath = Path.of(template.template()).toAbsolutePath().normalize();
    if (!stateDir.equals(templatePath.getParent())) {
      return;
    }
    java.util.regex.Pattern name = java.util.regex.Pattern.compile(fileNameRegex(templatePath.getFileName().toString()));
    java.util.Set<String> known = new java.util.HashSet<>();
    saved.forEach(s -> known.add(Path.of(s.path()).toAbsolutePath().normalize().toString()));
    List<Path> candidates = new ArrayList<>();
    try {
      if (isKerasFile(templatePath)) {
        try (var entries = Files.list(stateDir)) {
          entries.filter(p -> Files.isRegularFile(p) && isKerasFile(p)).forEach(candidates::add);
        }
      } else if (saveWeightsOnly) {
        candidates.addAll(TfCheckpoint.list(stateDir));
      } else if (Files.isDirectory(stateDir)) {
        try (var entries = Files.list(stateDir)) {
          entries.filter(p -> Files.exists(p.resolve("saved_model.pb"))).forEach(candidates::add);
        }
      }
      for (Path c : candidates) {
        Path abs = c.toAbsolutePath().normalize();
        String fileName = abs.getFileName().toString();
        if (!fileName.startsWith(".") && name.matcher(fileName).matches() && known.add(abs.toString())) {
          Path stamp = saveWeightsOnly && !isKerasFile(abs) ? TfCheckpoint.indexFile(abs) : abs;
          saved.add(new Saved(abs.toString(), Files.getLastModifiedTime(stamp).toMillis()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not list existing checkpoints in " + stateDir, e);
    }
    saved.sort(java.util.Comparator.comparingLong(Saved::timeMillis));
  }

  /** A regex matching every file name the template's last component can produce (each field becomes {@code .*}). */
  static String fileNameRegex(String component) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < component.length() && component.charAt(i + 1) == c) {
        literal.append(c);
        i++;
      } else if (c == '{') {
        regex.append(java.util.regex.Pattern.quote(literal.toString())).append(".*");
        literal.setLength(0);
        i = component.indexOf('}', i);
      } else {
        literal.append(c);
      }
    }
    return regex.append(java.util.regex.Pattern.quote(literal.toString())).toString();
  }

  private boolean exists(Path path) {
    return saveWeightsOnly && !isKerasFile(path) ? Files.exists(Path.of(path + ".index")) : Files.exists(path);
  }

  /** Builder of {@link ModelCheckpoint}; {@link #build()} validates every option. */
  public static final class Builder {
    private final FilepathTemplate template;
    private String monitor = DEFAULT_MONITOR;
    private int verbose;
    private boolean saveBestOnly;
    private boolean saveWeightsOnly;
    private String mode = DEFAULT_MODE;
    private int saveFreq = SAVE_FREQ_EPOCH;
    private Double initialValueThreshold;
    private Integer maxToKeep;
    private Double keepEveryNHours;
    private Boolean resumeBest;
    private boolean asyncSave;
    private Writer writer = ModelCheckpoint::defaultWrite;
    private Deleter deleter = ModelCheckpoint::defaultDelete;

    private Builder(String filepath) {
      if (filepath == null || filepath.isBlank()) {
        throw new IllegalArgumentException("ModelCheckpoint needs a filepath. Received: " + filepath);
      }
      this.template = new FilepathTemplate(filepath);
      template.validateWithSamples(); // a template no save can use fails here, not after the first epoch
    }

    /** The log key to compare with {@code saveBestOnly} (Keras default {@code val_loss}). */
    public Builder monitor(String monitor) {
      this.monitor = monitor;
      return this;
    }

    /**
     * Keras' messages ("Epoch 3: val_loss improved from ...", "saving model to ...") are logged to SLF4J (logger
     * {@code dev.kerasj.callbacks.ModelCheckpoint}) at INFO for {@code verbose > 0}, at DEBUG for 0 (the default,
     * silent under a usual INFO configuration, as Keras' {@code verbose=0} is).
     */
    public Builder verbose(int verbose) {
      this.verbose = verbose;
      return this;
    }

    public Builder saveBestOnly(boolean saveBestOnly) {
      this.saveBestOnly = saveBestOnly;
      return this;
    }

    /** True: TF checkpoint of weights and optimizer state; false (default): a SavedModel directory. */
    public Builder saveWeightsOnly(boolean saveWeightsOnly) {
      this.saveWeightsOnly = saveWeightsOnly;
      return this;
    }

    /** {@link Mode#AUTO} (default: losses minimize, metrics by their declared direction), MIN or MAX. */
    public Builder mode(Mode mode) {
      return mode(mode == null ? null : mode.kerasName());
    }

    /** {@code "auto"} (default: losses minimize, metrics by their declared direction), {@code "min"}, {@code "max"}. */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    /** Saves every {@code batches} training batches instead of at each epoch end (Keras' integer save_freq). */
    public Builder saveFreq(int batches) {
      this.saveFreq = batches;
      return this;
    }

    /** Saves once per epoch (the default, Keras' {@code save_freq="epoch"}). */
    public Builder saveFreqEpoch() {
      this.saveFreq = SAVE_FREQ_EPOCH;
      return this;
    }

    /** With {@code saveBestOnly}, only values better than this are saved (Keras' initial_value_threshold). */
    public Builder initialValueThreshold(double threshold) {
      this.initialValueThreshold = threshold;
      return this;
    }

    /** Keeps at most this many checkpoints written by this callback, deleting the oldest (never the newest). */
    public Builder maxToKeep(int n) {
      this.maxToKeep = n;
      return this;
    }

    /** With {@link #maxToKeep}, additionally keeps one checkpoint every this many hours. */
    public Builder keepEveryNHours(double hours) {
      this.keepEveryNHours = hours;
      return this;
    }

    /**
     * Whether a {@code fit} starts from the best value an earlier run recorded next to the checkpoints: true always,
     * false never. Unset (the default), only a fit that resumes a run does: one started at {@code initialEpoch > 0}
     * (or restored by {@link BackupAndRestore}, whose backup holds the exact best). Keras has no such option and
     * forgets the best on every restart (keras-team/keras#17012).
     */
    public Builder resumeBest(boolean resumeBest) {
      this.resumeBest = resumeBest;
      return this;
    }

    /**
     * Whether {@code fit} goes on while a checkpoint is written (default false): the training thread waits only for
     * a host copy of the variables, and a background thread writes it (see "Asynchronous saving" in
     * {@link ModelCheckpoint}). Needs {@link #saveWeightsOnly(boolean) saveWeightsOnly(true)}: a full-model save
     * writes a SavedModel built from the live model (its graph, config and training state), which is not
     * snapshotted, so {@link #build()} rejects it.
     */
    public Builder asyncSave(boolean asyncSave) {
      this.asyncSave = asyncSave;
      return this;
    }

    /** Replaces the writer (tests). */
    Builder writer(Writer writer, Deleter deleter) {
      this.writer = writer;
      this.deleter = deleter;
      return this;
    }

    public ModelCheckpoint build() {
      if (!"auto".equals(mode) && !"min".equals(mode) && !"max".equals(mode)) {
        throw new IllegalArgumentException(
            "ModelCheckpoint mode must be one of auto, min, max. Received: mode=" + mode);
      }
      if (monitor == null || monitor.isBlank()) {
        throw new IllegalArgumentException("ModelCheckpoint needs a monitor. Received: monitor=" + monitor);
      }
      if (saveFreq < 0) {
        throw new IllegalArgumentException(
            "Unrecognized saveFreq: " + saveFreq + ". Expected a positive number of batches, or saveFreqEpoch()");
      }
      if (verbose < 0) {
        throw new IllegalArgumentException("Expected verbose >= 0. Received: verbose=" + verbose);
      }
      if (maxToKeep != null && maxToKeep < 1) {
        throw new IllegalArgumentException("Expected maxToKeep >= 1. Received: maxToKeep=" + maxToKeep);
      }
      if (keepEveryNHours != null && (!(keepEveryNHours > 0) || maxToKeep == null)) {
        throw new IllegalArgumentException("keepEveryNHours needs maxToKeep and a positive value. Received: "
            + "keepEveryNHours=" + keepEveryNHours + ", maxToKeep=" + maxToKeep);
      }
      if (initialValueThreshold != null && Double.isNaN(initialValueThreshold)) {
        throw new IllegalArgumentException("initialValueThreshold must not be NaN");
      }
      if (asyncSave && !saveWeightsOnly) {
        throw new IllegalArgumentException("ModelCheckpoint asyncSave works only with saveWeightsOnly(true): a "
            + "full-model save writes a SavedModel from the live model, which cannot be snapshotted while training "
            + "goes on. Received: asyncSave=true, saveWeightsOnly=false. Pass saveWeightsOnly(true), or drop "
            + "asyncSave");
      }
      checkKerasFormat(template.template(), saveWeightsOnly, asyncSave);
      return new ModelCheckpoint(this);
    }
  }

  /**
   * Keras 3's rules for its own formats: {@code .weights.h5} needs {@code saveWeightsOnly}, {@code .keras} needs a
   * full-model save, and Keras 2's legacy {@code .h5} is not written. Other paths are TF checkpoints / SavedModels.
   */
  static void checkKerasFormat(String t, boolean saveWeightsOnly, boolean asyncSave) {
    if (t.endsWith(".h5") && !t.endsWith(KerasWeights.SUFFIX)) {
      throw new IllegalArgumentException("ModelCheckpoint does not write Keras 2's legacy .h5 format. Use a path "
          + "ending in .weights.h5 with saveWeightsOnly(true), or in .keras. Received: filepath=" + t);
    }
    if (saveWeightsOnly && t.endsWith(KerasArchive.SUFFIX)) {
      throw new IllegalArgumentException("With saveWeightsOnly(true), a Keras file path must end in .weights.h5 (a "
          + ".keras file is a full model). Received: filepath=" + t);
    }
    if (!saveWeightsOnly && t.endsWith(KerasWeights.SUFFIX)) {
      throw new IllegalArgumentException("A .weights.h5 path needs saveWeightsOnly(true); a full model is saved to a "
          + ".keras path. Received: filepath=" + t);
    }
    if (asyncSave && isKerasFile(t)) {
      throw new IllegalArgumentException("asyncSave writes TF checkpoints only; .keras/.weights.h5 files are written "
          + "on the training thread. Received: filepath=" + t);
    }
  }

  /** Whether {@code path} names a Keras 3 native file ({@code .keras}, {@code .weights.h5}). */
  static boolean isKerasFile(Object path) {
    String p = path.toString();
    return p.endsWith(KerasArchive.SUFFIX) || p.endsWith(KerasWeights.SUFFIX);
  }

  private static void defaultWrite(KerasModel model, Path path, boolean weightsOnly, int epochsCompleted,
      int batchesCompleted, Map<String, Object> state) throws IOException {
    switch (weightsOnly ? FileFormat.forWeights(path) : FileFormat.forModel(path)) {
      case WEIGHTS_H5 -> KerasWeights.write(model, path);
      case KERAS -> KerasArchive.write(model, path);
      case TF_CHECKPOINT -> TfCheckpoint.write(model, path);
      default -> SavedModelWriter.write(model, path, new TrainingState(epochsCompleted, batchesCompleted, 0, state));
    }
  }

  private static void defaultDelete(Path path, boolean weightsOnly) throws IOException {
    if (weightsOnly && !isKerasFile(path)) {
      TfCheckpoint.delete(path);
    } else {
      DurableFiles.deleteRecursively(path);
    }
  }
}
