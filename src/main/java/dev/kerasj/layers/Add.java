package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Add}: the sum of its inputs. Weightless; call it on a list: {@code new Add().apply(a, b)}. */
public final class Add extends Merge {
  public Add() {
    this(null);
  }

  public Add(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Add";
  }

  @Override
  public String defaultNamePrefix() {
    return "add";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.add(left, right);
  }
}
