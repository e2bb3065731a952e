package dev.kerasj.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.metrics.AUC} ({@code multi_label=False}): the area under the ROC or precision-recall curve,
 * from true/false positives/negatives counted at {@code numThresholds} thresholds over every batch since the last
 * reset, so exact over an epoch.
 *
 * <pre>{@code
 * model.compile(CompileOptions.builder().optimizer(...).loss("binary_crossentropy")
 *     .metrics("auc", AUC.builder().curve(AUC.Curve.PR).name("pr_auc").build()).build());
 * }</pre>
 */
public final class AUC implements Metric {
  /** Keras' default {@code num_thresholds}. */
  public static final int DEFAULT_NUM_THRESHOLDS = 200;
  /** Keras' default name. */
  public static final String DEFAULT_NAME = "auc";

  /** Keras' {@code AUCCurve}. */
  public enum Curve {
    ROC,
    PR,
    PRGAIN;

    /** Keras' {@code AUCCurve.from_str}. */
    public static Curve of(String key) {
      return switch (key) {
        case "roc", "ROC" -> ROC;
        case "pr", "PR" -> PR;
        case "prgain", "PRGAIN" -> PRGAIN;
        default -> throw new IllegalArgumentException("Invalid AUC curve value: \"" + key + "\". Expected values "
            + "are [\"PR\", \"ROC\", \"PRGAIN\"]");
      };
    }
  }

  /** Keras' {@code AUCSummationMethod}. */
  public enum SummationMethod {
    INTERPOLATION,
    MAJORING,
    MINORING;

    /** Keras' {@code AUCSummationMethod.from_str}. */
    public static SummationMethod of(String key) {
      return switch (key) {
        case "interpolation", "Interpolation" -> INTERPOLATION;
        case "majoring", "Majoring" -> MAJORING;
        case "minoring", "Minoring" -> MINORING;
        default -> throw new IllegalArgumentException("Invalid AUC summation method value: \"" + key + "\". "
            + "Expected values are [\"interpolation\", \"majoring\", \"minoring\"]");
      };
    }

    /** The lower-case name Keras writes in a config. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String name;
  private final int numThresholds;
  private final Curve curve;
  private final SummationMethod summationMethod;
  private final double[] initThresholds;
  private final double[] thresholds;
  private final boolean evenly;
  private final boolean fromLogits;

  private AUC(Builder b) {
    this.name = Objects.requireNonNull(b.name, "name");
    this.curve = b.curve;
    this.summationMethod = b.summationMethod;
    this.fromLogits = b.fromLogits;
    double[] inner;
    if (b.thresholds != null) {
      inner = Thresholds.checked(b.thresholds);
      Arrays.sort(inner);
      this.numThresholds = inner.length + 2;
      double[] withEnds = new double[inner.length + 2];
      System.arraycopy(inner, 0, withEnds, 1, inner.length);
      withEnds[withEnds.length - 1] = 1.0;
      this.evenly = Thresholds.evenlyDistributed(withEnds);
      this.initThresholds = inner.clone();
    } else {
      if (b.numThresholds <= 1) {
        throw new IllegalArgumentException("Argument `num_thresholds` must be an integer > 1. Received: "
            + "num_thresholds=" + b.numThresholds);
      }
      this.numThresholds = b.numThresholds;
      inner = new double[numThresholds - 2];
      for (int i = 0; i < inner.length; i++) {
        inner[i] = (i + 1) * 1.0 / (numThresholds - 1);
      }
      this.evenly = true;
      this.initThresholds = null;
    }
    this.thresholds = new double[numThresholds];
    thresholds[0] = 0.0 - Thresholds.EPSILON;
    System.arraycopy(inner, 0, thresholds, 1, inner.length);
    thresholds[numThresholds - 1] = 1.0 + Thresholds.EPSILON;
  }

  /** An AUC with Keras' defaults: 200 thresholds, ROC, interpolation, named {@code "auc"}. */
  public static AUC create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  public int numThresholds() {
    return numThresholds;
  }

  public Curve curve() {
    return curve;
  }

  public SummationMethod summationMethod() {
    return summationMethod;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  /** The thresholds given to the builder (sorted), or null when they came from {@code numThresholds}. */
  public double[] initThresholds() {
    return initThresholds == null ? null : initThresholds.clone();
  }

  /** Every threshold, Keras' {@code thresholds} property: {@code -epsilon}, the inner ones, {@code 1 + epsilon}. */
  public double[] thresholds() {
    return thresholds.clone();
  }

  /** {tp, fp, tn, fn} per threshold, Keras' four variables' increments. */
  @Override
  @SuppressWarnings("unchecked")
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Thresholds.checkSameShape("AUC", yTrue, yPred);
    Operand<TFloat32> pred = fromLogits ? tf.math.sigmoid(yPred) : yPred;
    return Thresholds.confusion(tf, tf.dtypes.cast(yTrue, TFloat32.class), pred, thresholds, evenly);
  }

  /** The same confusion counts, each sample counting its weight (Keras' {@code update_state(..., sample_weight)}). */
  @Override
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    Thresholds.checkSameShape("AUC", yTrue, yPred);
    Operand<TFloat32> pred = fromLogits ? tf.math.sigmoid(yPred) : yPred;
    return Thresholds.confusion(tf, tf.dtypes.cast(yTrue, TFloat32.class), pred,
        Thresholds.perSampleWeights(tf, "AUC", sampleWeight, pred), thresholds, evenly);
  }

  @Override
  public double[] result(List<double[]> state) {
    double[] tp = state.get(0);
    double[] fp = state.get(1);
    double[] tn = state.get(2);
    double[] fn = state.get(3);
    int n = numThresholds;
    if (curve == Curve.PR && summationMethod == SummationMethod.INTERPOLATION) {
      return new double[] {interpolatePrAuc(tp, fp, fn)};
    }
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double recall = Thresholds.divideNoNan(tp[i], tp[i] + fn[i]);
      switch (curve) {
        case ROC -> {
          x[i] = Thresholds.divideNoNan(fp[i], fp[i] + tn[i]);
          y[i] = recall;
        }
        case PR -> {
          x[i] = recall;
          y[i] = Thresholds.divideNoNan(tp[i], tp[i] + fp[i]);
        }
        case PRGAIN -> {
          double scaling = Thresholds.divideNoNan(tp[i] + fn[i], tn[i] + fp[i]);
          double recallGain = tp[i] == 0 ? 0.0 : 1.0 - scaling * Thresholds.divideNoNan(fn[i], tp[i]);
          double precisionGain = tp[i] == 0 ? 1.0 : 1.0 - scaling * Thresholds.divideNoNan(fp[i], tp[i]);
          x[i] = Math.max(recallGain, 0.0);
          y[i] = precisionGain;
        }
        default -> throw new IllegalStateException(curve.toString());
      }
    }
    double sum = 0;
    for (int i = 0; i < n - 1; i++) {
      double height = switch (summationMethod) {
        case INTERPOLATION -> (y[i] + y[i + 1]) / 2.0;
        case MINORING -> Math.min(y[i], y[i + 1]);
        case MAJORING -> Math.max(y[i], y[i + 1]);
      };
      sum += (x[i] - x[i + 1]) * height;
    }
    return new double[] {sum};
  }

  /** Keras' {@code interpolate_pr_auc} (Davis and Goadrich 2006). */
  private double interpolatePrAuc(double[] tp, double[] fp, double[] fn) {
    double sum = 0;
    for (int i = 0; i < numThresholds - 1; i++) {
      double dtp = tp[i] - tp[i + 1];
      double pA = tp[i] + fp[i];
      double pB = tp[i + 1] + fp[i + 1];
      double dp = pA - pB;
      double slope = Thresholds.divideNoNan(dtp, Math.max(dp, 0));
      double intercept = tp[i + 1] - slope * pB;
      double ratio = pA > 0 && pB > 0 ? Thresholds.divideNoNan(pA, Math.max(pB, 0)) : 1.0;
      sum += Thresholds.divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1] + fn[i + 1], 0));
    }
    return sum;
  }

  @Override
  public String toString() {
    return "AUC(name=" + name + ", num_thresholds=" + numThresholds + ", curve=" + curve + ", summation_method="
        + summationMethod.key() + ")";
  }

  /** Options of {@link AUC}; every default is Keras'. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private int numThresholds = DEFAULT_NUM_THRESHOLDS;
    private Curve curve = Curve.ROC;
    private SummationMethod summationMethod = SummationMethod.INTERPOLATION;
    private double[] thresholds;
    private boolean fromLogits;

    private Builder() {}

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Keras' {@code num_thresholds} (default 200, at least 2); ignored when {@link #thresholds} are given. */
    public Builder numThresholds(int numThresholds) {
      this.numThresholds = numThresholds;
      return this;
    }

    public Builder curve(Curve curve) {
      this.curve = Objects.requireNonNull(curve, "curve");
      return this;
    }

    public Builder summationMethod(SummationMethod summationMethod) {
      this.summationMethod = Objects.requireNonNull(summationMethod, "summationMethod");
      return this;
    }

    /** Keras' {@code thresholds}: explicit thresholds in [0, 1], used instead of {@code num_thresholds}. */
    public Builder thresholds(double... thresholds) {
      this.thresholds = thresholds == null ? null : thresholds.clone();
      return this;
    }

    /** Keras' {@code from_logits}: apply a sigmoid to the predictions first. */
    public Builder fromLogits(boolean fromLogits) {
      this.fromLogits = fromLogits;
      return this;
    }

    /** @throws IllegalArgumentException for {@code numThresholds < 2} or a threshold outside [0, 1], as Keras */
    public AUC build() {
      return new AUC(this);
    }
  }
}
