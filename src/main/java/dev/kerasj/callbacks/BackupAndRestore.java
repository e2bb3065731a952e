package dev.kerasj.callbacks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.WorkerRole;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.Sha256Manifest;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code BackupAndRestore}: backs training up to {@code backupDir} and, when the same {@code fit} is run
 * again after an interruption, continues exactly where the last backup was taken, then deletes the backup once
 * training has finished.
 *
 * <pre>{@code
 * BackupAndRestore backup = BackupAndRestore.builder(Path.of("run/backup")).saveFreq(50).handleSigterm(true).build();
 * History h = model.fit(x, y, FitOptions.builder().epochs(20).callbacks(backup, checkpoint, csvLogger).build());
 * if (h.outcome() == TrainingOutcome.INTERRUPTED) { ... exit; rerun the same fit later to continue }
 * }</pre>
 *
 * <p><b>What a backup holds</b> (one directory per backup, so one consistent snapshot): the weights and the
 * optimizer state (slots, {@code iterations}, learning rate) as a TF checkpoint, the position inside the epoch
 * with the epoch's running metric sums, and the state of every callback that exports one
 * ({@link Callback#backupState()}: {@link ModelCheckpoint}'s best value and kept files, {@link EarlyStopping}'s wait
 * counter and best weights, {@link ReduceLROnPlateau}'s cooldown, {@link CSVLogger}'s rows, {@link History}).
 * The shuffle order is a function of (seed, epoch) and Dropout masks of (seed, step), so nothing random needs
 * saving: a run interrupted at any batch and resumed ends with the weights of an uninterrupted run, bit for bit on
 * CPU. Keras restores only the weights, optimizer and epoch.
 *
 * <p><b>When.</b> A backup is written after every epoch (Keras' {@code save_freq="epoch"}) or every
 * {@link Builder#saveFreq N} batches, and at once when interrupted. {@code fit} runs it after every other callback
 * of the same batch or epoch, wherever it sits in the callback list. A batch where {@link TerminateOnNaN} stopped
 * training is never backed up.
 *
 * <p><b>Interruption.</b> {@link #requestInterrupt()} (from any thread) or, with {@link Builder#handleSigterm},
 * SIGTERM makes {@code fit} finish the current step, write a backup and return a {@link History} whose
 * {@link History#outcome()} is {@link TrainingOutcome#INTERRUPTED}; a second signal is not needed. The previous
 * SIGTERM handler is put back when {@code fit} returns.
 *
 * <p><b>On disk.</b> {@code backupDir/backup-NNNNNNNNN/} ({@code weights.index}, {@code weights.data-*},
 * {@code checkpoint}, {@code state.json}), staged under a {@code .kerasj-staging-*} name, fsynced and renamed into
 * place (DESIGN.md section 5); the two newest are kept. On resume the newest is used; if it cannot be read (a
 * damaged file: TensorFlow's crc32c, unparsable state), the previous one is used and a warning says so (SLF4J
 * logger {@code dev.kerasj.callbacks.BackupAndRestore}, also listed by {@link #fallbacks()}). If backups
 * exist and none can be read, {@code fit} throws {@link CorruptCheckpointException}: it never starts from scratch
 * silently. The backup directory is deleted only when training {@link TrainingOutcome#COMPLETED completed} or was
 * {@link TrainingOutcome#STOPPED_EARLY stopped early}; never after NaN, an exception or an interruption (Keras
 * deleted the last good backup there, keras-team/keras#21771).
 *
 * <p>A resumed {@code fit} must be the same call: same model (architecture, optimizer, seed), data, batch size and
 * callbacks in the same order; the seed, batch size and sample count are checked.
 */
public final class BackupAndRestore implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(BackupAndRestore.class);
  /** Keras' default {@code save_freq="epoch"}. */
  public static final int SAVE_FREQ_EPOCH = 0;
  /** Backups kept: the newest, and the previous one to fall back on. */
  public static final int BACKUPS_KEPT = 2;

  static final String STATE_FILE = "state.json";
  /** SHA-256 of {@link #STATE_FILE} ({@link Sha256Manifest}): a changed epoch or batch is a damaged backup. */
  static final String CHECKSUMS = Sha256Manifest.FILE_NAME;
  static final String WEIGHTS = "weights";
  private static final Pattern NAME = Pattern.compile("backup-(\\d{9})");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT_VERSION = 1;

  /** Points of a save, in order; tests make {@link #hook} fail at one to simulate an I/O error there. */
  enum Stage {
    STAGING_CREATED, WEIGHTS_WRITTEN, STATE_WRITTEN, SYNCED, COMMITTED, OLD_DELETED
  }

  /** Called after each stage of a save; throwing aborts the save as an I/O error would. */
  interface Hook {
    void reached(Stage stage) throws IOException;
  }

  static volatile Hook hook = stage -> { };

  private final Path dir;
  private final int saveFreq;
  private final boolean handleSigterm;
  private final boolean deleteOnFinish;
  private final int verbose;
  private volatile boolean interruptRequested;

  private KerasModel model;
  private FitShape shape;
  private int batchesSinceSave;
  private Path restoredFrom;
  private final List<String> fallbackMessages = new ArrayList<>();
  private SigtermHandler sigterm;
  private Map<String, Object> pendingCallbackState;

  /** The fit being backed up, as far as a resume must match it. Not user API. */
  public record FitShape(long shuffleSeed, int batchSize, int samples, int epochs) {}

  /**
   * Where a resumed fit continues: {@code batch} batches of {@code epoch} are done (0 at an epoch's start); {@code
   * means} holds that epoch's running sums, or null at an epoch's start. Not user API.
   */
  public record Position(int epoch, int batch, Map<String, Object> means) {}

  private BackupAndRestore(Builder b) {
    this.dir = b.dir.toAbsolutePath().normalize();
    this.saveFreq = b.saveFreq;
    this.handleSigterm = b.handleSigterm;
    this.deleteOnFinish = b.deleteOnFinish;
    this.verbose = b.verbose;
  }

  /** Backs up every epoch to {@code backupDir}, like Keras' {@code BackupAndRestore(backup_dir)}. */
  public BackupAndRestore(Path backupDir) {
    this(builder(backupDir));
  }

  /** Starts a builder for {@code backupDir}. */
  public static Builder builder(Path backupDir) {
    return new Builder(backupDir);
  }

  /** The backup directory. */
  public Path dir() {
    return dir;
  }

  /**
   * Asks the running {@code fit} to stop after its current step, write a backup and return
   * {@link TrainingOutcome#INTERRUPTED}. Safe to call from any thread (a signal handler, a shutdown controller);
   * a request made before {@code fit} starts interrupts it after its first step. Cleared when {@code fit} returns.
   */
  public void requestInterrupt() {
    interruptRequested = true;
  }

  /** The backup the last {@code fit} resumed from, if it resumed. */
  public Optional<Path> restoredFrom() {
    return Optional.ofNullable(restoredFrom);
  }

  /** Messages about unreadable backups the last resume skipped (empty when the newest was used). */
  public List<String> fallbacks() {
    return List.copyOf(fallbackMessages);
  }

  /** Complete backups in {@code backupDir}, oldest first (staging leftovers are not listed). */
  public static List<Path> list(Path backupDir) throws IOException {
    if (!Files.isDirectory(backupDir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> entries = Files.list(backupDir)) {
      entries.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
          .sorted().forEach(out::add);
    }
    return out;
  }

  // ---- driven by the fit loop (dev.kerasj.FitLoop); not user API ----

  /** Called by {@code fit} before {@code onTrainBegin}: removes staging leftovers and installs the handler. */
  public void begin(KerasModel model, FitShape shape) {
    this.model = model;
    this.shape = shape;
    this.batchesSinceSave = 0;
    this.restoredFrom = null;
    this.pendingCallbackState = null;
    this.fallbackMessages.clear();
    try {
      if (model.workerRole().isChief()) { // the directory is the chief's; the others only read it
        DurableFiles.deleteStagingLeftovers(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("BackupAndRestore could not clean staging leftovers in " + dir, e);
    }
    if (handleSigterm) {
      sigterm = SigtermHandler.install(this::requestInterrupt);
    }
  }

  /**
   * Called by {@code fit} before {@code onTrainBegin} (so nothing a callback opens, such as a CSV file, is touched
   * when this fails): restores the newest readable backup into the model and returns where to continue, or null
   * when there is no backup. The callbacks' state follows in {@link #restoreCallbacks}.
   *
   * @throws CorruptCheckpointException when backups exist but none can be read
   * @throws IllegalStateException when the backup was written by a different fit
   */
  public Position restore() {
    List<Path> backups;
    try {
      backups = list(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("BackupAndRestore could not list " + dir, e);
    }
    List<String> failures = new ArrayList<>();
    for (int i = backups.size() - 1; i >= 0; i--) {
      Path backup = backups.get(i);
      Map<String, Object> state;
      try {
        state = readState(backup);
        checkShape(backup, state);
        TfCheckpoint.restore(model, backup.resolve(WEIGHTS));
      } catch (CorruptCheckpointException | IOException e) {
        String message = "BackupAndRestore: backup " + backup + " is unreadable (" + e.getMessage() + ")"
            + (i > 0 ? "; falling back to the previous backup " + backups.get(i - 1) : "");
        LOG.warn(message);
        fallbackMessages.add(message);
        failures.add(backup.getFileName() + ": " + e.getMessage());
        continue;
      }
      pendingCallbackState = state;
      restoredFrom = backup;
      Position p = new Position(((Number) state.get("epoch")).intValue(), ((Number) state.get("batch")).intValue(),
          castMap(state.get("means")));
      LOG.atLevel(CallbackLogging.level(verbose)).log("BackupAndRestore: resuming from {} at epoch {}, batch {}",
          backup, p.epoch() + 1, p.batch());
      return p;
    }
    if (!failures.isEmpty()) {
      throw new CorruptCheckpointException(dir, "BackupAndRestore found backups in " + dir
          + " but none is readable, so training cannot resume: " + failures + ". Refusing to start from scratch "
          + "silently: delete the directory to start over");
    }
    return null;
  }

  /** Whether an interrupt was requested ({@link #requestInterrupt()} or SIGTERM). */
  public boolean interruptRequested() {
    return interruptRequested;
  }

  /** Counts a batch; true when a batch-frequency backup is due now. */
  public boolean dueAfterBatch() {
    return saveFreq > 0 && ++batchesSinceSave >= saveFreq;
  }

  /** True when backups are taken at epoch ends. */
  public boolean dueAfterEpoch() {
    return saveFreq == SAVE_FREQ_EPOCH;
  }

  /**
   * Writes a backup at {@code (epoch, batch)}; {@code why} is {@code batch}, {@code epoch} or {@code interrupted}.
   *
   * @throws UncheckedIOException naming the backup when it cannot be written; the previous backups are unchanged
   */
  public void save(int epoch, int batch, Map<String, Object> means, List<Callback> callbacks, String why) {
    batchesSinceSave = 0;
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("format", "kerasj-backup");
    state.put("version", FORMAT_VERSION);
    state.put("epoch", epoch);
    state.put("batch", batch);
    state.put("reason", why);
    state.put("iterations", model.iterations());
    Map<String, Object> fit = new LinkedHashMap<>();
    fit.put("shuffle_seed", shape.shuffleSeed());
    fit.put("batch_size", shape.batchSize());
    fit.put("samples", shape.samples());
    state.put("fit", fit);
    state.put("means", means);
    state.put("callbacks", callbackStates(callbacks));
    Path target = null;
    Path staging = null;
    // The chief writes into the backup directory; another worker into a workertemp_<i> directory it deletes.
    WorkerRole role = model.workerRole();
    Path writeDir = dir;
    try {
      writeDir = role.writeDirectory(dir);
      List<Path> existing = list(writeDir);
      long next = existing.isEmpty() ? 1 : number(existing.get(existing.size() - 1)) + 1;
      target = writeDir.resolve(String.format("backup-%09d", next));
      LOG.atLevel(CallbackLogging.level(verbose)).log("BackupAndRestore: writing {} (epoch {}, batch {}, {})",
          target.getFileName(), epoch + 1, batch, why);
      staging = DurableFiles.createStagingDirectory(writeDir, "backup");
      hook.reached(Stage.STAGING_CREATED);
      TfCheckpoint.write(model, staging.resolve(WEIGHTS));
      hook.reached(Stage.WEIGHTS_WRITTEN);
      Files.write(staging.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
      Sha256Manifest.write(staging, staging.resolve(CHECKSUMS), List.of(Path.of(STATE_FILE)));
      hook.reached(Stage.STATE_WRITTEN);
      DurableFiles.syncTree(staging);
      hook.reached(Stage.SYNCED);
      DurableFiles.commit(staging, target);
      staging = null;
      hook.reached(Stage.COMMITTED);
      List<Path> all = list(writeDir);
      for (int i = 0; i < all.size() - BACKUPS_KEPT; i++) {
        deleteBackup(all.get(i));
      }
      hook.reached(Stage.OLD_DELETED);
      role.removeTemporary(dir);
      LOG.atLevel(CallbackLogging.level(verbose)).log("BackupAndRestore: wrote {}", target.getFileName());
    } catch (IOException e) {
      if (staging != null) {
        try {
          DurableFiles.deleteRecursively(staging);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new UncheckedIOException("BackupAndRestore could not write backup " + target + " (epoch " + (epoch + 1)
          + ", batch " + batch + "): " + e + ". The previous backups in " + writeDir + " are unchanged", e);
    }
  }

  /**
   * Called by {@code fit} when it ends: puts the previous SIGTERM handler back, clears the interrupt request and,
   * after {@link TrainingOutcome#COMPLETED} or {@link TrainingOutcome#STOPPED_EARLY}, deletes the backups.
   */
  public void end(TrainingOutcome outcome) {
    interruptRequested = false;
    if (sigterm != null) {
      sigterm.restore();
      sigterm = null;
    }
    boolean chief = model == null || model.workerRole().isChief();
    if (chief && deleteOnFinish
        && (outcome == TrainingOutcome.COMPLETED || outcome == TrainingOutcome.STOPPED_EARLY)) {
      try {
        for (Path p : list(dir)) {
          deleteBackup(p);
        }
        try (Stream<Path> rest = Files.list(dir)) {
          if (rest.findAny().isEmpty()) {
            Files.delete(dir);
          }
        }
      } catch (NoSuchFileException e) {
        // nothing was backed up
      } catch (IOException e) {
        throw new UncheckedIOException("BackupAndRestore could not delete the finished run's backups in " + dir, e);
      }
    }
  }

  // ---- helpers ----

  /** Renames a backup to a staging name first, so a crash mid-delete never leaves a half-deleted backup listed. */
  private void deleteBackup(Path backup) throws IOException {
    Path aside = dir.resolve(DurableFiles.STAGING_PREFIX + "deleting-" + backup.getFileName());
    DurableFiles.commit(backup, aside);
    DurableFiles.deleteRecursively(aside);
  }

  private static long number(Path backup) {
    Matcher m = NAME.matcher(backup.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("Not a backup directory: " + backup);
    }
    return Long.parseLong(m.group(1));
  }

  private static Map<String, Object> readState(Path backup) throws IOException {
    Path file = backup.resolve(STATE_FILE);
    // The weights carry TensorFlow's crc32c; the state JSON only this (absent in backups of kerasj before 2026-12).
    Sha256Manifest.requireFiles(backup, backup.resolve(CHECKSUMS), List.of(Path.of(STATE_FILE)));
    Map<String, Object> state;
    try {
      state = JSON.readValue(Files.readAllBytes(file), new TypeReference<LinkedHashMap<String, Object>>() { });
    } catch (NoSuchFileException e) {
      throw new CorruptCheckpointException(file, "missing " + STATE_FILE);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new CorruptCheckpointException(file, STATE_FILE + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (state == null || !"kerasj-backup".equals(state.get("format")) || !(state.get("epoch") instanceof Number)
        || !(state.get("batch") instanceof Number) || !(state.get("fit") instanceof Map)) {
      throw new CorruptCheckpointException(file, STATE_FILE + " is not a kerasj backup state (format, epoch, batch, "
          + "fit missing)");
    }
    return state;
  }

  private void checkShape(Path backup, Map<String, Object> state) {
    Map<String, Object> fit = castMap(state.get("fit"));
    long seed = ((Number) fit.get("shuffle_seed")).longValue();
    int batchSize = ((Number) fit.get("batch_size")).intValue();
    int samples = ((Number) fit.get("samples")).intValue();
    if (seed != shape.shuffleSeed() || batchSize != shape.batchSize() || samples != shape.samples()) {
      throw new IllegalStateException("BackupAndRestore: backup " + backup + " was written by a different fit "
          + "(shuffle seed " + seed + ", batchSize " + batchSize + ", " + samples + " training samples). Received: "
          + "shuffle seed " + shape.shuffleSeed() + ", batchSize " + shape.batchSize() + ", " + shape.samples()
          + " samples. Run the same fit to resume, or delete " + dir + " to start over");
    }
  }

  private static Map<String, Object> callbackStates(List<Callback> callbacks) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Callback c : callbacks) {
      String key = key(c, counts);
      Map<String, Object> s = c.backupState();
      if (s != null) {
        out.put(key, s);
      }
    }
    return out;
  }

  /**
   * Called by {@code fit} after {@code onTrainBegin}: gives every callback the state the restored backup holds for
   * it (a no-op when nothing was restored).
   */
  public void restoreCallbacks(List<Callback> callbacks) {
    Map<String, Object> state = pendingCallbackState;
    pendingCallbackState = null;
    if (state == null) {
      return;
    }
    Path backup = restoredFrom;
    Map<String, Object> stored = castMap(state.get("callbacks"));
    Map<String, Object> left = new LinkedHashMap<>(stored == null ? Map.of() : stored);
    Map<String, Integer> counts = new HashMap<>();
    for (Callback c : callbacks) {
      String key = key(c, counts);
      Object s = left.remove(key);
      if (s != null) {
        c.restoreBackupState(castMap(s));
      }
    }
    if (!left.isEmpty()) {
      LOG.warn("BackupAndRestore: backup {} holds state of callbacks this fit does not have: {} (ignored)", backup,
          left.keySet());
    }
  }

  /** {@code ClassName#i}: the i-th callback of that class in the list (so the same list restores the same state). */
  private static String key(Callback c, Map<String, Integer> counts) {
    String name = c.getClass().getSimpleName();
    int i = counts.merge(name, 1, Integer::sum) - 1;
    return name + "#" + i;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return o == null ? null : Collections.unmodifiableMap((Map<String, Object>) o);
  }

  /** A double stored in a backup (a JSON number, or the string Jackson writes for NaN/infinities). Not user API. */
  public static double number(Object v) {
    return BackupValues.toDouble(v);
  }

  /** Options of {@link BackupAndRestore}; {@code backupDir} is required. */
  public static final class Builder {
    private final Path dir;
    private int saveFreq = SAVE_FREQ_EPOCH;
    private boolean handleSigterm;
    private boolean deleteOnFinish = true;
    private int verbose;

    private Builder(Path dir) {
      if (dir == null) {
        throw new IllegalArgumentException("BackupAndRestore needs a backup directory. Received: null");
      }
      this.dir = dir;
    }

    /** Back up every {@code batches} batches (Keras' integer {@code save_freq}), besides interruptions. */
    public Builder saveFreq(int batches) {
      if (batches <= 0) {
        throw new IllegalArgumentException("saveFreq must be a positive number of batches (or saveFreqEpoch()). "
            + "Received: saveFreq=" + batches);
      }
      this.saveFreq = batches;
      return this;
    }

    /** Back up at every epoch end (the default, Keras' {@code save_freq="epoch"}). */
    public Builder saveFreqEpoch() {
      this.saveFreq = SAVE_FREQ_EPOCH;
      return this;
    }

    /**
     * Whether SIGTERM interrupts {@code fit} gracefully (step finishes, backup written, outcome
     * {@link TrainingOutcome#INTERRUPTED}) instead of ending the JVM. Off by default; the previous handler is
     * restored when {@code fit} returns. Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}).
     */
    public Builder handleSigterm(boolean handle) {
      this.handleSigterm = handle;
      return this;
    }

    /** Whether a completed (or early-stopped) run deletes its backups (Keras' {@code delete_checkpoint}, true). */
    public Builder deleteOnFinish(boolean delete) {
      this.deleteOnFinish = delete;
      return this;
    }

    /**
     * Above 0, logs a line per backup written and on resume at INFO; 0 (default) logs them at DEBUG. Falling back
     * from an unreadable backup is logged at WARN whatever the verbosity.
     */
    public Builder verbose(int verbose) {
      if (verbose < 0) {
        throw new IllegalArgumentException("verbose must be >= 0. Received: verbose=" + verbose);
      }
      this.verbose = verbose;
      return this;
    }

    public BackupAndRestore build() {
      return new BackupAndRestore(this);
    }
  }
}
