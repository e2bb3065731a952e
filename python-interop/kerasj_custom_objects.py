"""The custom Keras objects of kerasj's custom-object fixtures, registered the way a Keras user registers theirs.

make_custom_fixtures.py trains and saves a model with them; tests/test_java_custom_files.py imports this module so
that keras.models.load_model can open the .keras files Java wrote. The Java twins are
src/test/java/dev/kerasj/testing/ScaledDense.java, ScaledMeanSquaredError.java and
ScaledMeanAbsoluteError.java.
"""

import keras
from keras import ops

PACKAGE = "kerasj_test"


@keras.saving.register_keras_serializable(package=PACKAGE, name="ScaledDense")
class ScaledDense(keras.layers.Layer):
    """factor * scale * (x @ kernel + bias), with a learned scalar scale (initially 1) and a fixed factor."""

    def __init__(self, units, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.factor = factor

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return (ops.matmul(inputs, self.kernel) + self.bias) * self.scale * self.factor

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "factor": self.factor}


@keras.saving.register_keras_serializable(package=PACKAGE, name="ScaledMeanSquaredError")
class ScaledMeanSquaredError(keras.losses.Loss):
    """weight * mean(square(y_true - y_pred), axis=-1) per sample, reduced with sum_over_batch_size."""

    def __init__(self, weight=1.0, name="scaled_mean_squared_error", reduction="sum_over_batch_size"):
        super().__init__(name=name, reduction=reduction)
        self.weight = weight

    def call(self, y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1) * self.weight

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@keras.saving.register_keras_serializable(package=PACKAGE, name="ScaledMeanAbsoluteError")
class ScaledMeanAbsoluteError(keras.metrics.Mean):
    """An averaging metric: the mean over every sample seen of scale * mean(abs(y_true - y_pred), axis=-1)."""

    def __init__(self, scale=1.0, name="scaled_mae", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.scale = scale

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = ops.mean(ops.abs(y_true - y_pred), axis=-1) * self.scale
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
