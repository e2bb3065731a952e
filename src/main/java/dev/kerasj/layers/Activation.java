package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Keras {@code Activation}: applies an activation function, such as {@code new Activation("softmax")}. */
public final class Activation extends Layer {
  private final Activations activation;

  public Activation(String identifier) {
    this(identifier, null);
  }

  public Activation(String identifier, String name) {
    super(name, null);
    this.activation = Activations.get(identifier);
  }

  public Activations activation() {
    return activation;
  }

  /** Keras' {@code supports_masking = True}: a mask on the input passes to the output. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public String className() {
    return "Activation";
  }

  @Override
  public String defaultNamePrefix() {
    return "activation";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    return inputShape;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return activation.apply(ctx.tf(), (Operand<TFloat32>) inputs);
  }
}
