"""TensorBoard event files written by kerasj's TensorBoard callback read like Keras' own, through TensorBoard's reader.

The Java test TensorBoardTest (run by `mvn test`) trains Input(4) -> Dense(8, relu) -> Dense(3, softmax) with Adam
for 3 epochs (20 samples, validation_split 0.2, batch 8, no shuffle) with
`TensorBoard.builder(logs).histogramFreq(1).updateFreq(1)` and leaves:
  <interop>/tensorboard/kerasj/{train,validation}/events.out.tfevents.*   the event files
  <interop>/tensorboard/kerasj.json                                       Java's history and final weights
where <interop> is $KERASJ_INTEROP_DIR, default target/interop.

Here the same model is trained in Keras 3 with `keras.callbacks.TensorBoard(histogram_freq=1, update_freq=1)`, and
both runs are loaded with TensorBoard's own `plugin_event_accumulator.EventAccumulator` (what `tensorboard --logdir`
serves). Checked: the same runs, tags, steps, plugin names, data classes, dtypes and shapes; kerasj's scalar values
equal Java's history; kerasj's weight histograms equal TensorBoard's own bucketing of Java's final weights; kerasj's
`keras` config summary is a Sequential config Keras rebuilds; and kerasj's op graph parses as a GraphDef.
Missing Java output fails; nothing is skipped.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import json

import numpy as np
import pytest
import tensorflow as tf
import keras
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.plugins.histogram import summary_v2 as histogram_summary

from interop import INTEROP  # noqa: E402
ROOT = INTEROP / "tensorboard"
RUNS = ["train", "validation"]


def java_run():
    logs, expected = ROOT / "kerasj", ROOT / "kerasj.json"
    if not all((logs / r).is_dir() for r in RUNS) or not expected.is_file():
        pytest.fail(
            f"Java's TensorBoard output is missing ({logs}, {expected}). Run `mvn test` first (TensorBoardTest writes "
            "it), or point KERASJ_INTEROP_DIR at the directory Maven used (its kerasj.interopDir)."
        )
    return logs, json.loads(expected.read_text())


@pytest.fixture(scope="module")
def keras_run(tmp_path_factory):
    """The same model and data trained by Keras 3 with its own TensorBoard callback."""
    x = np.sin(0.7 * np.arange(20)[:, None] + 1.3 * np.arange(4)[None, :]).astype("float32")
    y = (np.arange(20) % 3).astype("int32")
    keras.backend.clear_session()  # names (sequential, dense, dense_1) must not depend on earlier tests' models
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="dense"),
         keras.layers.Dense(3, activation="softmax", name="dense_1")], name="sequential")
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = tmp_path_factory.mktemp("keras_tb")
    model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, shuffle=False, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(logs), histogram_freq=1, update_freq=1)])
    return logs


def load(run_dir):
    acc = plugin_event_accumulator.EventAccumulator(str(run_dir), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def describe(acc):
    """tag -> (steps, plugin, data class, dtype, shape) as TensorBoard's backend sees them."""
    out = {}
    for tag in acc.Tags()["tensors"]:
        events = acc.Tensors(tag)
        meta = acc.SummaryMetadata(tag)
        first = tf.make_ndarray(events[0].tensor_proto)
        out[tag] = ([e.step for e in events], meta.plugin_data.plugin_name, meta.data_class, str(first.dtype),
                    first.shape)
    return out


@pytest.mark.parametrize("run", RUNS)
def test_same_tags_steps_and_plugins_as_keras(run, keras_run):
    logs, _ = java_run()
    ours, theirs = describe(load(logs / run)), describe(load(keras_run / run))
    if run == "train":  # kerasj's op graph, which Keras 3.15 does not write (test_kerasj_writes_its_op_graph)
        assert ours.pop("__run_graph__")[1] == "graphs"
    assert sorted(ours) == sorted(theirs)
    for tag in theirs:
        assert ours[tag] == theirs[tag], f"{run}/{tag}: kerasj {ours[tag]} != Keras {theirs[tag]}"


def test_one_event_file_per_run_with_tf2_suffix(keras_run):
    logs, _ = java_run()
    for run in RUNS:
        ours = [p.name for p in (logs / run).iterdir()]
        theirs = [p.name for p in (keras_run / run).iterdir()]
        assert len(ours) == 1 and ours[0].startswith("events.out.tfevents.") and ours[0].endswith(".v2"), ours
        assert len(theirs) == 1 and theirs[0].endswith(".v2")


def test_scalar_values_are_javas_history():
    logs, expected = java_run()
    history = expected["history"]
    train, val = load(logs / "train"), load(logs / "validation")
    for key in ["loss", "accuracy"]:
        ours = [float(tf.make_ndarray(e.tensor_proto)) for e in train.Tensors(f"epoch_{key}")]
        np.testing.assert_array_equal(np.float32(ours), np.float32(history[key]), err_msg=key)
        ours = [float(tf.make_ndarray(e.tensor_proto)) for e in val.Tensors(f"epoch_{key}")]
        np.testing.assert_array_equal(np.float32(ours), np.float32(history[f"val_{key}"]), err_msg=f"val_{key}")
        # the last validation of each epoch is what evaluation_*_vs_iterations records
        ours = [float(tf.make_ndarray(e.tensor_proto)) for e in val.Tensors(f"evaluation_{key}_vs_iterations")]
        np.testing.assert_array_equal(np.float32(ours), np.float32(history[f"val_{key}"]))
    lr = [float(tf.make_ndarray(e.tensor_proto)) for e in train.Tensors("epoch_learning_rate")]
    np.testing.assert_array_equal(np.float32(lr), np.float32([1e-2] * 3))
    # batch_loss at the last batch of an epoch is the epoch's running mean, i.e. the epoch loss
    batch = {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in train.Tensors("batch_loss")}
    np.testing.assert_array_equal(np.float32([batch[2], batch[4], batch[6]]), np.float32(history["loss"]))


def test_histograms_are_tensorboards_bucketing_of_the_final_weights():
    logs, expected = java_run()
    train = load(logs / "train")
    for path, values in expected["final_weights"].items():
        tag = f"sequential/{path}/histogram"
        last = train.Tensors(tag)[-1]
        assert last.step == 2
        ours = tf.make_ndarray(last.tensor_proto)
        theirs = histogram_summary._buckets(tf.constant(values, tf.float32), bucket_count=30).numpy()
        np.testing.assert_array_equal(ours[:, 2], theirs[:, 2], err_msg=f"{tag} counts")
        np.testing.assert_allclose(ours[:, :2], theirs[:, :2], rtol=0, atol=1e-12, err_msg=f"{tag} edges")


def test_keras_config_summary_rebuilds_in_keras(keras_run):
    logs, _ = java_run()
    ours = tf.make_ndarray(load(logs / "train").Tensors("keras")[0].tensor_proto)
    theirs = tf.make_ndarray(load(keras_run / "train").Tensors("keras")[0].tensor_proto)
    ours_cfg, theirs_cfg = json.loads(ours[0]), json.loads(theirs[0])
    layers = lambda cfg: [(l["class_name"], l["config"].get("units")) for l in cfg["config"]["layers"]]
    assert ours_cfg["class_name"] == theirs_cfg["class_name"] == "Sequential"
    assert layers(ours_cfg) == layers(theirs_cfg)
    rebuilt = keras.models.model_from_json(ours[0].decode())
    assert [w.shape for w in rebuilt.weights] == [(4, 8), (8,), (8, 3), (3,)]


def test_kerasj_writes_its_op_graph(keras_run):
    """Keras 3.15 writes no op graph (its train_function has no function_spec); kerasj writes its training graph."""
    logs, _ = java_run()
    acc = event_accumulator.EventAccumulator(str(logs / "train"))
    acc.Reload()
    assert acc.Tags()["graph"] is True
    graph = acc.Graph()
    assert any(node.op == "MatMul" for node in graph.node)
    keras_acc = event_accumulator.EventAccumulator(str(keras_run / "train"))
    keras_acc.Reload()
    assert keras_acc.Tags()["graph"] is False
