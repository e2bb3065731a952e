package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid layer arguments and input shapes fail with {@link IllegalArgumentException}s that say what was received,
 * before any TensorFlow graph is built.
 */
class LayerValidationTest {
  static Arguments shapeCase(String what, String layerName, Supplier<Layer[]> layers) {
    return Arguments.of(Named.of(what, layers), layerName);
  }

  static Stream<Arguments> invalidShapes() {
    return Stream.of(
        shapeCase("Conv2D on a rank-2 input", "conv2d", () -> new Layer[] {Input.of(10), new Conv2D(4, 3)}),
        shapeCase("Conv2D kernel larger than input, valid padding", "conv2d",
            () -> new Layer[] {Input.of(2, 2, 1), new Conv2D(4, 3)}),
        shapeCase("Conv2D strided kernel larger than a 1-pixel-wide input", "big_kernel",
            () -> new Layer[] {Input.of(5, 1, 1), Conv2D.builder(4, 2, 2).strides(2, 2).name("big_kernel").build()}),
        shapeCase("MaxPooling2D on a rank-2 input", "max_pooling2d",
            () -> new Layer[] {Input.of(10), new MaxPooling2D()}),
        shapeCase("MaxPooling2D pool larger than input", "max_pooling2d",
            () -> new Layer[] {Input.of(2, 2, 1), new MaxPooling2D(3)}),
        shapeCase("AveragePooling2D on a rank-3 input", "average_pooling2d",
            () -> new Layer[] {Input.of(4, 4), new AveragePooling2D()}),
        shapeCase("GlobalAveragePooling2D on a rank-2 input", "global_average_pooling2d",
            () -> new Layer[] {Input.of(10), new GlobalAveragePooling2D()}),
        shapeCase("Reshape to an incompatible size", "reshape",
            () -> new Layer[] {Input.of(10), new Reshape(3, 4)}),
        shapeCase("Reshape with -1 that does not divide", "reshape",
            () -> new Layer[] {Input.of(10), new Reshape(-1, 3)}),
        shapeCase("second Conv2D after a shrinking one", "conv2d_1",
            () -> new Layer[] {Input.of(4, 4, 1), new Conv2D(2, 3), new Conv2D(2, 3)}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidShapes")
  void invalidInputShape_throwsNamingLayerAndReceivedShape(Supplier<Layer[]> layers, String layerName) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      try (Sequential model = new Sequential(layers.get())) {
        model.build();
      }
    });

    assertTrue(e.getMessage().contains("Received"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + layerName + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("(None, "), "input shape printed Keras-style: " + e.getMessage());
  }

  static Arguments argCase(String what, Executable construct, String received) {
    return Arguments.of(Named.of(what, construct), received);
  }

  static Stream<Arguments> invalidArguments() {
    return Stream.of(
        argCase("Dense(0)", () -> new Dense(0), "units=0"),
        argCase("Dense(-3)", () -> Dense.builder(-3).build(), "units=-3"),
        argCase("Dropout(1.0)", () -> new Dropout(1.0), "rate=1.0"),
        argCase("Dropout(-0.1)", () -> new Dropout(-0.1), "rate=-0.1"),
        argCase("Dropout(NaN)", () -> new Dropout(Double.NaN), "rate=NaN"),
        argCase("MaxPooling2D(-1)", () -> new MaxPooling2D(-1), "poolSize=[-1, -1]"),
        argCase("AveragePooling2D(0)", () -> new AveragePooling2D(0), "poolSize=[0, 0]"),
        argCase("MaxPooling2D strides 0", () -> new MaxPooling2D(new int[] {2, 2}, new int[] {0, 1}, "valid", null),
            "strides=[0, 1]"),
        argCase("MaxPooling2D padding 'full'",
            () -> new MaxPooling2D(new int[] {2, 2}, null, "full", null), "padding=full"),
        argCase("Conv2D(0, 3)", () -> new Conv2D(0, 3), "filters=0"),
        argCase("Conv2D kernel 0", () -> new Conv2D(4, 0), "kernelSize=[0, 0]"),
        argCase("Conv2D strides -1", () -> Conv2D.builder(4, 3, 3).strides(-1, 1).build(), "strides=[-1, 1]"),
        argCase("Conv2D padding 'causal'", () -> Conv2D.builder(4, 3, 3).padding("causal").build(),
            "padding=causal"),
        argCase("Embedding(0, 3)", () -> new Embedding(0, 3), "inputDim=0"),
        argCase("Embedding(3, -1)", () -> new Embedding(3, -1), "outputDim=-1"),
        argCase("Reshape(0)", () -> new Reshape(0), "targetShape=[0]"),
        argCase("Reshape(-1, -1)", () -> new Reshape(-1, -1), "targetShape=[-1, -1]"),
        argCase("Reshape(-2)", () -> new Reshape(-2), "targetShape=[-2]"),
        argCase("BatchNormalization momentum 1.5", () -> new BatchNormalization(1.5, 1e-3, null), "momentum=1.5"),
        argCase("BatchNormalization epsilon 0", () -> new BatchNormalization(0.99, 0, null), "epsilon=0.0"),
        argCase("Input.of() without dimensions", () -> Input.of(), "shape=()"),
        argCase("Input.of(0)", () -> Input.of(0), "inputShape=[0]"),
        argCase("layer name with a space", () -> new Dropout(0.5, "my dropout"), "name='my dropout'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidArguments")
  void invalidConstructorArgument_throwsNamingTheValueReceived(Executable construct, String received) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);

    assertTrue(e.getMessage().contains(received), "expected '" + received + "' in: " + e.getMessage());
  }
}
