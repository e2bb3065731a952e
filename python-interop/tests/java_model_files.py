"""The checks shared by the tests that open, in Python Keras and TensorFlow, the model files a Java test wrote for
each case of a fixture directory (test_java_sequence_files.py, test_java_attention_files.py, test_java_rnn_files.py).

A Java test (PythonInterop<Kind>FilesTest) writes under $KERASJ_INTEROP_DIR/<folder> (see interop.py), per case:
<case>.json (x and Java's predictions), <case>.keras, <case>.weights.h5; after one more epoch in Java <case>_tf.json
(Java's predictions then), <case>_savedmodel/ and <case>_ckpt/ckpt-1. Each check compares with Java's predictions
within RTOL relative + ATOL absolute, the project's parity tolerance. Missing Java outputs fail (they never skip).
"""

import json

import h5py
import keras
import numpy as np
import tensorflow as tf

from interop import INTEROP, REPO
from keras_paths import variables_by_path

RTOL = 1e-5
ATOL = 1e-6


def weights_datasets(h5):
    names = []
    h5.visit(names.append)
    return [n for n in names if isinstance(h5[n], h5py.Dataset)]


class JavaModelFiles:
    """The files Java's `writer` test left in INTEROP/<folder> for the cases of testdata/<folder>/.

    x_dtype(case) gives the dtype of a case's input rows (float32 unless the case takes token ids)."""

    def __init__(self, folder, writer, x_dtype=lambda case: "float32"):
        self.folder = INTEROP / folder
        self.fixtures = REPO / "testdata" / folder
        self.writer = writer
        self.x_dtype = x_dtype

    def _read(self, name):
        path = self.folder / name
        assert path.is_file(), f"{path} is missing: run `mvn test` first ({self.writer} writes it)"
        return json.loads(path.read_text())

    def outputs(self, case):
        """(x, Java's predictions) of <case>.json."""
        out = self._read(f"{case}.json")
        return (np.array(out["x"], dtype=self.x_dtype(case)).reshape(out["x_shape"]),
                np.array(out["predict"], dtype="float32"))

    def tf_outputs(self, case):
        """(x, Java's predictions after its one more epoch) of <case>.json and <case>_tf.json."""
        x, _ = self.outputs(case)
        return x, np.array(self._read(f"{case}_tf.json")["predict"], dtype="float32")

    def check_archive(self, case):
        """keras.models.load_model opens Java's <case>.keras and predicts Java's values."""
        x, predicted = self.outputs(case)
        model = keras.models.load_model(self.folder / f"{case}.keras")
        np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case} (Java .keras)")

    def check_weights_file(self, case):
        """Java's <case>.weights.h5 holds exactly the datasets Keras' own saving walk gives Keras' model of the case
        (testdata/<folder>/<case>.keras), and loaded into that model, weights zeroed first, predicts Java's values."""
        x, predicted = self.outputs(case)
        model = keras.models.load_model(self.fixtures / f"{case}.keras")
        with h5py.File(self.folder / f"{case}.weights.h5", "r") as h5:
            assert sorted(weights_datasets(h5)) == sorted(variables_by_path(model))
        for v in model.weights:
            v.assign(np.zeros(v.shape, dtype=v.dtype))
        model.load_weights(self.folder / f"{case}.weights.h5")
        np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case} (Java .weights.h5 into Keras' model)")

    def check_saved_model(self, case):
        """tf.saved_model.load(<case>_savedmodel).signatures["serving_default"], one input, returns only output_0,
        equal to Java's predictions after its one more epoch."""
        x, predicted = self.tf_outputs(case)
        signature = tf.saved_model.load(str(self.folder / f"{case}_savedmodel")).signatures["serving_default"]
        _, inputs = signature.structured_input_signature
        assert len(inputs) == 1, f"{case}: signature inputs {sorted(inputs)}"
        served = signature(**{next(iter(inputs)): tf.constant(x)})
        assert sorted(served) == ["output_0"]
        np.testing.assert_allclose(served["output_0"].numpy().reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case} serving_default")

    def check_checkpoint(self, case):
        """keras.models.model_from_json(<case>_savedmodel/assets/config.json), with the optimizer built, restores
        <case>_ckpt/ckpt-1 with assert_consumed() and predicts Java's values after its one more epoch."""
        x, predicted = self.tf_outputs(case)
        keras.backend.clear_session()
        model = keras.models.model_from_json(
            (self.folder / f"{case}_savedmodel" / "assets" / "config.json").read_text())
        model.optimizer.build(model.trainable_variables)
        tf.train.Checkpoint(model=model, optimizer=model.optimizer).restore(
            str(self.folder / f"{case}_ckpt" / "ckpt-1")).assert_consumed()
        np.testing.assert_allclose(model.predict(x, verbose=0).reshape(-1), predicted, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case} (Java TF checkpoint into Keras)")
