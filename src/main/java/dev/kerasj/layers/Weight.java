package dev.kerasj.layers;

import dev.kerasj.initializers.Initializer;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One variable of a layer, named the Keras way: {@code name} is the variable name ({@code kernel}, {@code bias},
 * {@code moving_mean} ...) and {@link #path()} is {@code <layer name>/<name>}, the key every on-disk format uses.
 *
 * <p>A weight is created by {@link LayerContext#addWeight} while the model graph is built; {@link #value()} is the
 * graph operand layers compute with.
 */
public final class Weight {
  private final String layerName;
  private final String name;
  private final long[] shape;
  private final boolean trainable;
  private final Initializer initializer;
  private final Operand<TFloat32> value;
  private final Layer owner;

  /** Created by the model graph; layers obtain weights through {@link LayerContext#addWeight}. */
  public Weight(
      String layerName, String name, long[] shape, boolean trainable, Initializer initializer,
      Operand<TFloat32> value) {
    this(layerName, name, shape, trainable, initializer, value, null);
  }

  /**
   * @param layerName the owning layer's path in the model: its name, or {@code outer/inner} inside a nested model
   * @param owner the layer whose {@link Layer#trainable()} flag freezes this weight, or null
   */
  public Weight(
      String layerName, String name, long[] shape, boolean trainable, Initializer initializer,
      Operand<TFloat32> value, Layer owner) {
    this.owner = owner;
    this.layerName = layerName;
    this.name = name;
    this.shape = shape.clone();
    this.trainable = trainable;
    this.initializer = initializer;
    this.value = value;
  }

  /** The variable name inside its layer, such as {@code kernel}. */
  public String name() {
    return name;
  }

  /** The owning layer's name, such as {@code dense_1} ({@code encoder/dense} inside a nested model). */
  public String layerName() {
    return layerName;
  }

  /** {@code <layer name>/<variable name>}, such as {@code dense_1/kernel}. */
  public String path() {
    return layerName + "/" + name;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Number of scalar values in this weight. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Whether the optimizer updates this weight: false for BatchNormalization's moving statistics, and for every
   * weight of a frozen layer ({@link Layer#setTrainable}).
   */
  public boolean trainable() {
    return trainable && (owner == null || owner.trainable());
  }

  /** Whether the layer made this weight trainable, whatever the layer's own {@link Layer#trainable()} flag. */
  public boolean declaredTrainable() {
    return trainable;
  }

  public Initializer initializer() {
    return initializer;
  }

  /** The regularizer its layer puts on this weight ({@link Layer#weightRegularizer}), or null. */
  public dev.kerasj.regularizers.Regularizer regularizer() {
    return owner == null ? null : owner.weightRegularizer(name);
  }

  /** The constraint its layer puts on this weight ({@link Layer#weightConstraint}), or null. */
  public dev.kerasj.constraints.Constraint constraint() {
    return owner == null ? null : owner.weightConstraint(name);
  }

  /** The graph operand holding this weight's current value. */
  public Operand<TFloat32> value() {
    return value;
  }

  @Override
  public String toString() {
    return path() + Arrays.toString(shape);
  }
}
