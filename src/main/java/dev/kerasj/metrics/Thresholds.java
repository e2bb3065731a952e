package dev.kerasj.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.OneHot;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras' {@code metrics_utils.update_confusion_matrix_variables} (multi_label=False, with or without sample weights): the batch's
 * true/false positives/negatives at each threshold, with Keras' bucket algorithm when the thresholds are evenly
 * spaced (the same bucket arithmetic in float32, so counts agree exactly).
 */
final class Thresholds {
  /** Keras' {@code metrics_utils.NEG_INF}, the threshold under {@code top_k}. */
  static final float NEG_INF = -1e10f;
  /** Keras' {@code backend.epsilon()}. */
  static final double EPSILON = 1e-7;

  private Thresholds() {}

  /** Keras' {@code assert_thresholds_range}. */
  static double[] checked(double[] thresholds) {
    List<Double> invalid = new ArrayList<>();
    for (double t : thresholds) {
      if (!(t >= 0 && t <= 1)) {
        invalid.add(t);
      }
    }
    if (!invalid.isEmpty()) {
      throw new IllegalArgumentException("Threshold values must be in [0, 1]. Received: " + invalid);
    }
    return thresholds.clone();
  }

  /** Keras' {@code is_evenly_distributed_thresholds}: {@code np.allclose(t, arange(n)/(n-1), atol=1e-7)}. */
  static boolean evenlyDistributed(double[] t) {
    int n = t.length;
    if (n < 3) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      double even = (float) i / (float) (n - 1);
      if (Math.abs(t[i] - even) > EPSILON + 1e-5 * Math.abs(even)) {
        return false;
      }
    }
    return true;
  }

  /** Keras' {@code _filter_top_k}: values outside the top {@code k} of the last axis become {@link #NEG_INF}. */
  static Operand<TFloat32> filterTopK(Ops tf, Operand<TFloat32> x, int k, long classes) {
    Operand<TInt32> idx = tf.nn.topK(x, tf.constant(k), TInt32.class).indices();
    Operand<TFloat32> mask = tf.sum(tf.oneHot(idx, tf.constant((int) classes), tf.constant(1f), tf.constant(0f),
        OneHot.axis(-1L)), tf.constant(-2));
    return tf.math.add(tf.math.mul(x, mask),
        tf.math.mul(tf.constant(NEG_INF), tf.math.sub(tf.constant(1f), mask)));
  }

  /** {@code y[..., classId, None]}. */
  static Operand<TFloat32> classColumn(Ops tf, Operand<TFloat32> y, int classId) {
    return tf.gather(y, tf.constant(new int[] {classId}), tf.constant(-1));
  }

  /**
   * {tp, fp, tn, fn}, each {@code [thresholds.length]}, of one batch. {@code yTrue} is cast to bool (non-zero is
   * positive), both are flattened, a prediction is positive when strictly above a threshold.
   */
  static List<Operand<TFloat32>> confusion(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred,
      double[] thresholds, boolean evenly) {
    return confusion(tf, yTrue, yPred, null, thresholds, evenly);
  }

  /**
   * {@link #confusion(Ops, Operand, Operand, double[], boolean)} with Keras' sample weights: {@code weights}
   * (null: none) broadcast to {@code yPred}'s shape and flattened, each sample counting its weight instead of 1.
   */
  static List<Operand<TFloat32>> confusion(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> weights, double[] thresholds, boolean evenly) {
    Operand<TInt32> flat = tf.constant(new int[] {-1});
    Operand<TFloat32> labels = tf.dtypes.cast(tf.math.notEqual(tf.reshape(yTrue, flat), tf.constant(0f)),
        TFloat32.class);
    Operand<TFloat32> pred = tf.reshape(yPred, flat);
    Operand<TFloat32> falseLabels = tf.math.sub(tf.constant(1f), labels);
    if (weights != null) {
      return weightedConfusion(tf, labels, falseLabels, pred,
          tf.reshape(tf.broadcastTo(weights, tf.shape(yPred)), flat), thresholds, evenly);
    }
    int n = thresholds.length;
    if (evenly) {
      return evenlyConfusion(tf, labels, falseLabels, pred, thresholds);
    }
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) thresholds[i];
    }
    Operand<TBool> predPos = tf.math.greater(tf.expandDims(pred, tf.constant(0)),
        tf.reshape(tf.constant(t), tf.constant(new int[] {n, 1})));
    Operand<TBool> predNeg = tf.math.logicalNot(predPos);
    Operand<TBool> isPos = tf.expandDims(tf.math.notEqual(labels, tf.constant(0f)), tf.constant(0));
    Operand<TBool> isNeg = tf.math.logicalNot(isPos);
    return List.of(count(tf, tf.math.logicalAnd(isPos, predPos)), count(tf, tf.math.logicalAnd(isNeg, predPos)),
        count(tf, tf.math.logicalAnd(isNeg, predNeg)), count(tf, tf.math.logicalAnd(isPos, predNeg)));
  }

  /** Keras' weighted counts: true labels times weights, false labels times weights (either algorithm). */
  private static List<Operand<TFloat32>> weightedConfusion(Ops tf, Operand<TFloat32> labels,
      Operand<TFloat32> falseLabels, Operand<TFloat32> pred, Operand<TFloat32> w, double[] thresholds,
      boolean evenly) {
    Operand<TFloat32> trueW = tf.math.mul(labels, w);
    Operand<TFloat32> falseW = tf.math.mul(falseLabels, w);
    int n = thresholds.length;
    if (evenly) {
      return evenlyConfusion(tf, trueW, falseW, pred, thresholds);
    }
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) thresholds[i];
    }
    Operand<TFloat32> predPos = tf.dtypes.cast(tf.math.greater(tf.expandDims(pred, tf.constant(0)),
        tf.reshape(tf.constant(t), tf.constant(new int[] {n, 1}))), TFloat32.class);
    Operand<TFloat32> predNeg = tf.math.sub(tf.constant(1f), predPos);
    Operand<TFloat32> tw = tf.expandDims(trueW, tf.constant(0));
    Operand<TFloat32> fw = tf.expandDims(falseW, tf.constant(0));
    Operand<org.tensorflow.types.TInt32> one = tf.constant(1);
    return List.of(tf.sum(tf.math.mul(predPos, tw), one), tf.sum(tf.math.mul(predPos, fw), one),
        tf.sum(tf.math.mul(predNeg, fw), one), tf.sum(tf.math.mul(predNeg, tw), one));
  }

  /**
   * Keras' counts for evenly distributed thresholds, one bucket per threshold: {@code pos} and {@code neg} are the
   * per-prediction amounts of true and false labels (0/1, or the sample weights times them).
   */
  private static List<Operand<TFloat32>> evenlyConfusion(Ops tf, Operand<TFloat32> pos, Operand<TFloat32> neg,
      Operand<TFloat32> pred, double[] thresholds) {
    int n = thresholds.length;
    // ceil(pred * (n - 1)) - 1 is the last threshold below the prediction; thresholds outside [0, 1] (AUC's
    // -epsilon and 1 + epsilon) put predictions of 0 into the first bucket instead of dropping them.
    boolean withEpsilon = thresholds[0] < 0 || thresholds[n - 1] > 1;
    Operand<TFloat32> bucket = tf.math.sub(tf.math.ceil(tf.math.mul(pred,
        tf.math.sub(tf.dtypes.cast(tf.constant(n), TFloat32.class), tf.constant(1f)))), tf.constant(1f));
    if (withEpsilon) {
      bucket = tf.nn.relu(bucket);
    }
    Operand<TInt32> ids = tf.dtypes.cast(bucket, TInt32.class);
    Operand<TFloat32> tpBuckets = tf.math.unsortedSegmentSum(pos, ids, tf.constant(n));
    Operand<TFloat32> fpBuckets = tf.math.unsortedSegmentSum(neg, ids, tf.constant(n));
    Operand<TFloat32> tp = tf.math.cumsum(tpBuckets, tf.constant(0), Cumsum.reverse(true));
    Operand<TFloat32> fp = tf.math.cumsum(fpBuckets, tf.constant(0), Cumsum.reverse(true));
    Operand<TFloat32> tn = tf.math.sub(tf.sum(neg, tf.constant(0)), fp);
    Operand<TFloat32> fn = tf.math.sub(tf.sum(pos, tf.constant(0)), tp);
    return List.of(tp, fp, tn, fn);
  }

  private static Operand<TFloat32> count(Ops tf, Operand<TBool> b) {
    return tf.sum(tf.dtypes.cast(b, TFloat32.class), tf.constant(1));
  }

  /**
   * Checks that labels and predictions have one shape up to a trailing 1 (Keras' {@code squeeze_or_expand_to_same_rank}),
   * so that a confusion count never pairs a class id with a probability: class-id labels (a sparse loss) with
   * {@code [batch, classes]} predictions are refused, naming both shapes.
   */
  static void checkSameShape(String metric, Operand<?> yTrue, Operand<TFloat32> yPred) {
    long[] t = yTrue.shape().asArray();
    long[] p = yPred.shape().asArray();
    if (t == null || p == null) {
      return;
    }
    long[] a = t.length > p.length && t[t.length - 1] == 1 ? java.util.Arrays.copyOf(t, t.length - 1) : t;
    long[] b = p.length > t.length && p[p.length - 1] == 1 ? java.util.Arrays.copyOf(p, p.length - 1) : p;
    boolean same = a.length == b.length;
    for (int i = 1; same && i < a.length; i++) {
      same = a[i] < 0 || b[i] < 0 || a[i] == b[i];
    }
    if (!same) {
      throw new IllegalArgumentException(metric + " expects y_true and y_pred of the same shape (one-hot or 0/1 "
          + "labels, not class ids). Received: y_true.shape=" + yTrue.shape() + ", y_pred.shape=" + yPred.shape());
    }
  }

  /**
   * Keras' sample weights of a confusion metric ({@code update_confusion_matrix_variables}): {@code expand_dims(
   * sample_weight, -1)}, squeezed back when that makes it longer than the predictions, then broadcast to them by
   * {@link #confusion}. One weight per sample ({@code [batch]}) weighs a prediction row; one per step
   * ({@code [batch, steps]}, the weights of a per-step output, a sequence weight already repeated over the steps)
   * weighs each step's {@code [batch, steps, classes]} predictions. Other shapes, which Keras would broadcast
   * against the wrong axes or fail on, are refused naming both shapes; null stays null.
   */
  static Operand<TFloat32> perSampleWeights(Ops tf, String metric, Operand<TFloat32> sampleWeight,
      Operand<TFloat32> yPred) {
    if (sampleWeight == null) {
      return null;
    }
    long[] w = sampleWeight.shape().asArray();
    long[] p = yPred.shape().asArray();
    boolean fits = w != null && p != null && w.length >= 1 && (w.length == p.length || w.length + 1 == p.length);
    for (int i = 1; fits && i < w.length; i++) {
      fits = w[i] < 0 || p[i] < 0 || w[i] == 1 || w[i] == p[i];
    }
    if (!fits) {
      throw new IllegalArgumentException(metric + " takes one sample weight per sample (shape (batch,)) or per "
          + "step of the predictions without their last axis. Received sample weights of shape "
          + sampleWeight.shape() + " for predictions of shape " + yPred.shape());
    }
    return w.length == p.length ? sampleWeight : tf.expandDims(sampleWeight, tf.constant(-1));
  }

  /** Keras' {@code divide_no_nan}. */
  static double divideNoNan(double a, double b) {
    return b == 0 ? 0.0 : a / b;
  }

  static String format(double[] thresholds) {
    return Arrays.toString(thresholds);
  }
}
