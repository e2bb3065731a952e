package dev.kerasj.callbacks;

import dev.kerasj.models.KerasModel;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code TerminateOnNaN}: stops training when a batch's {@code loss} is NaN or infinite.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(50).callbacks(new TerminateOnNaN()).build());
 * }</pre>
 *
 * <p>By default it stops gracefully with {@code model.setStopTraining(true)}, logging
 * {@code "Batch 3: Invalid loss, terminating training"} at WARN (SLF4J logger
 * {@code dev.kerasj.callbacks.TerminateOnNaN}; Keras prints it unconditionally); the current epoch still ends (its
 * logs reach {@link History}) and every callback's {@code onTrainEnd} runs. With {@code raiseError} it throws instead, so
 * {@code onTrainEnd} does not run (Keras' {@code raise_error=True}).
 */
public final class TerminateOnNaN implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(TerminateOnNaN.class);
  /** Keras' default {@code raise_error=False}: stop gracefully rather than throw. */
  public static final boolean DEFAULT_RAISE_ERROR = false;

  private final boolean raiseError;
  private KerasModel model;

  /** Stops training gracefully on an invalid loss (Keras' default). */
  public TerminateOnNaN() {
    this(DEFAULT_RAISE_ERROR);
  }

  /**
   * Stops training on an invalid loss.
   *
   * @param raiseError true to throw an {@link ArithmeticException} from {@code fit} at once instead of asking the
   *     loop to stop
   */
  public TerminateOnNaN(boolean raiseError) {
    this.raiseError = raiseError;
  }

  /** Whether an invalid loss throws rather than stopping gracefully. */
  public boolean raiseError() {
    return raiseError;
  }

  /** Called by {@code fit}: the model to stop. */
  @Override
  public void setModel(KerasModel model) {
    this.model = model;
  }

  /**
   * Checks the batch's {@code loss}.
   *
   * @throws ArithmeticException when the loss is NaN or infinite and {@code raiseError} is set
   * @throws IllegalStateException when the loss is invalid but no model was set
   */
  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    Double loss = logs == null ? null : logs.get("loss");
    if (loss == null || Double.isFinite(loss)) {
      return;
    }
    if (raiseError) {
      throw new ArithmeticException("NaN or Inf loss encountered at batch " + batch + ". Loss value: "
          + pythonLike(loss) + ". Terminating training immediately.");
    }
    if (model == null) {
      throw new IllegalStateException(
          "TerminateOnNaN has no model to stop: pass it to fit's callbacks, or call setModel first");
    }
    LOG.warn("Batch {}: Invalid loss, terminating training", batch);
    model.setStopTraining(true); // fit reports STOPPED_ON_NAN: the logged loss is not finite
  }

  private static String pythonLike(double v) {
    return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  }
}
