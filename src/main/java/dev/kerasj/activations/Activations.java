package dev.kerasj.activations;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Keras built-in activations, each built from the same TensorFlow ops the Keras 3 TensorFlow backend uses, so
 * outputs and gradients match Keras.
 *
 * <p>{@link #SOFTMAX} and {@link #SIGMOID} produce a single {@code Softmax}/{@code Sigmoid} op; like Keras, the
 * crossentropy losses look through that op and compute the loss from its logits, which is more accurate.
 */
public enum Activations {
  LINEAR("linear"),
  RELU("relu"),
  SIGMOID("sigmoid"),
  TANH("tanh"),
  SOFTMAX("softmax"),
  ELU("elu"),
  SELU("selu"),
  SOFTPLUS("softplus"),
  SWISH("swish"),
  GELU("gelu");

  private static final float SQRT_2 = (float) 1.4142135623730951;
  private final String kerasName;

  Activations(String kerasName) {
    this.kerasName = kerasName;
  }

  /** The Keras identifier, such as {@code "relu"}. */
  public String kerasName() {
    return kerasName;
  }

  /** Looks up an activation by its Keras identifier; {@code null} and {@code "linear"} mean no activation. */
  public static Activations get(String identifier) {
    if (identifier == null) {
      return LINEAR;
    }
    if (identifier.equals("silu")) {
      return SWISH;
    }
    for (Activations a : values()) {
      if (a.kerasName.equals(identifier)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "Unknown activation: '" + identifier + "'. Expected one of: "
            + Arrays.stream(values()).map(Activations::kerasName).collect(Collectors.joining(", ")) + ", silu");
  }

  /** Applies this activation to {@code x} (softmax over the last axis). */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case TANH -> tf.math.tanh(x);
      case SOFTMAX -> tf.nn.softmax(x);
      case ELU -> tf.nn.elu(x);
      case SELU -> tf.nn.selu(x);
      case SOFTPLUS -> tf.math.softplus(x);
      case SWISH -> tf.math.mul(x, tf.math.sigmoid(x));
      case GELU -> tf.math.mul(
          tf.math.mul(tf.constant(0.5f), x),
          tf.math.add(tf.constant(1f), tf.math.erf(tf.math.div(x, tf.constant(SQRT_2)))));
    };
  }
}
