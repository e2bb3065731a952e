package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** What an optimizer may use while its update graph is built; implemented by the model graph. */
public interface OptimizerContext {
  /** Ops whose names are placed under the optimizer's name scope. */
  Ops tf();

  /**
   * Creates a slot variable shaped like {@code variable}, filled with {@code initialValue}, named the Keras way
   * ({@code <layer>_<weight>_<slot>}, for example {@code dense_kernel_momentum}).
   */
  Operand<TFloat32> addSlot(Weight variable, String slotName, float initialValue);

  /**
   * Creates a float32 scalar variable of the optimizer itself (not a slot), named {@code <optimizer>/<name>}, such as
   * Nadam's {@code u_product}.
   */
  Operand<TFloat32> addScalar(String name, float initialValue);

  /** Keras' {@code optimizer.iterations}: int64 count of applied steps, incremented after every update. */
  Operand<TInt64> iterations();

  /** Keras' {@code optimizer.learning_rate}: a float32 variable, so schedules and checkpoints can change it. */
  Operand<TFloat32> learningRate();
}
