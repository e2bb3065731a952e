"""What Keras 3 (TensorFlow backend) does with BatchNormalization's moving statistics under
tf.distribute.MultiWorkerMirroredStrategy: the semantics kerasj's strategy copies (MultiWorkerTrainingTest's
BatchNormalization test).

Two worker processes on 127.0.0.1 (this file run as a script, one per worker, with its TF_CONFIG) build
Dense(4) -> BatchNormalization(momentum=0.9, synchronized=False) -> Dense(3, softmax) in the strategy's scope and run
one Keras train_step through strategy.run, worker i on rows [4i, 4i + 4) of an 8-row batch whose halves differ.
Asserted: the moving mean is a MirroredVariable with aggregation NONE and synchronization ON_WRITE; after the step
each worker's moving mean is 0.1 * the mean of *its own* rows' Dense output (not the global batch's, not an average
over workers), so the workers' moving means differ; the trainable kernel is the same on both (gradients all-reduced).
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np


def _worker(index, ports):
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                                          "task": {"type": "worker", "index": index}})
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 5)).astype("float32") + np.arange(8, dtype="float32")[:, None]
    y = rng.integers(0, 3, size=(8,)).astype("int32")
    with strategy.scope():
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4),
                                  keras.layers.BatchNormalization(momentum=0.9),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    bn = model.layers[1]
    kernel, bias = [w.numpy() for w in model.layers[0].weights]
    rows = slice(index * 4, index * 4 + 4)

    @tf.function
    def step(a, b):
        return strategy.run(lambda a, b: model.train_step((a, b)), args=(a, b))

    step(tf.constant(x[rows]), tf.constant(y[rows]))
    print("RESULT " + json.dumps({
        "aggregation": str(bn.moving_mean.value.aggregation),
        "synchronization": str(bn.moving_mean.value.synchronization),
        "type": type(bn.moving_mean.value).__name__,
        "moving_mean": bn.moving_mean.numpy().tolist(),
        "local": (0.1 * (x[rows] @ kernel + bias).mean(0)).tolist(),
        "global": (0.1 * (x @ kernel + bias).mean(0)).tolist(),
        "kernel": model.layers[0].weights[0].numpy().ravel().tolist()}), flush=True)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def test_moving_statistics_follow_each_workers_own_slice():
    ports = _free_ports(2)
    procs = [subprocess.Popen([sys.executable, __file__, str(i), ",".join(map(str, ports))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=240)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(next(l for l in out.splitlines() if l.startswith("RESULT "))[7:]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for r in results:
        assert r["type"] == "MirroredVariable"
        assert r["aggregation"].endswith(".NONE") and r["synchronization"].endswith(".ON_WRITE"), r
        np.testing.assert_allclose(r["moving_mean"], r["local"], rtol=1e-5, atol=1e-6)
        assert np.max(np.abs(np.subtract(r["moving_mean"], r["global"]))) > 1e-2
    assert np.max(np.abs(np.subtract(results[0]["moving_mean"], results[1]["moving_mean"]))) > 1e-2
    np.testing.assert_array_equal(results[0]["kernel"], results[1]["kernel"])


if __name__ == "__main__":
    _worker(int(sys.argv[1]), [int(p) for p in sys.argv[2].split(",")])
