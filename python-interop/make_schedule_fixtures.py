"""Generates the Keras 3 learning-rate values kerasj's schedules and LR callbacks are compared against.

Writes testdata/schedules/schedules.json (or --out): for each case, the values Keras computes
  - schedules: float(schedule(step)) for steps 0..40 of each of Keras' six schedules (CosineDecay with and without
    warmup, CosineDecayRestarts with t_mul 2, 1.5 and 1, PolynomialDecay with cycle, the staircase variants): eager
    ("values") and traced in a tf.function as fit() runs it ("graph_values"), with the keyword arguments given
    ("args") and keras.saving.serialize_keras_object(schedule) ("config");
  - reduce_lr_on_plateau: the learning rate after each on_epoch_end of keras.callbacks.ReduceLROnPlateau, fed a
    fixed sequence of monitored values on a compiled model (mode min, its Keras logic run as is);
  - learning_rate_scheduler: the learning rate set at each on_epoch_begin by keras.callbacks.LearningRateScheduler
    with schedule lr * 0.9 every epoch after epoch 1.
Nothing random is drawn. The Java twin is src/test/java/dev/kerasj/optimizers/schedules/KerasScheduleParityTest.java.

Usage: python-interop/.venv/bin/python python-interop/make_schedule_fixtures.py [--out FILE]
"""

import os

os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import pathlib

import keras
import tensorflow as tf

REPO = pathlib.Path(__file__).resolve().parent.parent
COMMAND = "python-interop/.venv/bin/python python-interop/make_schedule_fixtures.py"
S = keras.optimizers.schedules
STEPS = list(range(0, 41))


def schedule_cases():
    cases = {
        "exponential": (S.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.5),
                        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5, "staircase": False}),
        "exponential_staircase": (S.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.5, staircase=True),
                                  {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5,
                                   "staircase": True}),
        "cosine": (S.CosineDecay(0.05, decay_steps=30),
                   {"initial_learning_rate": 0.05, "decay_steps": 30, "alpha": 0.0}),
        "cosine_alpha": (S.CosineDecay(0.05, decay_steps=30, alpha=0.2),
                         {"initial_learning_rate": 0.05, "decay_steps": 30, "alpha": 0.2}),
        "piecewise": (S.PiecewiseConstantDecay([5, 12, 20], [0.1, 0.05, 0.01, 0.001]),
                      {"boundaries": [5, 12, 20], "values": [0.1, 0.05, 0.01, 0.001]}),
    }
    # Issue 17: the other schedules and CosineDecay's warmup; args are the keyword arguments given to Keras.
    for name, cls, args in NEW_CASES:
        cases[name] = (getattr(S, cls)(**args), args)
    out = {}
    for name, (schedule, args) in cases.items():
        values = [float(keras.ops.convert_to_numpy(schedule(tf.constant(s, dtype=tf.int64)))) for s in STEPS]
        # What fit() uses: the schedule traced into a graph (grappler can round differently from eager mode; e.g.
        # CosineDecayRestarts(0.1, 5) at step 13: eager 0.009549156, graph 0.009549141).
        traced = tf.function(lambda step, s=schedule: s(step))
        graph_values = [float(traced(tf.constant(s, dtype=tf.int64))) for s in STEPS]
        out[name] = {"args": args, "steps": STEPS, "values": values, "graph_values": graph_values,
                     "config": keras.saving.serialize_keras_object(schedule)}
    return out


NEW_CASES = [
    ("cosine_warmup", "CosineDecay", dict(initial_learning_rate=0.0, decay_steps=20, alpha=0.1, warmup_target=0.1,
                                          warmup_steps=8)),
    ("cosine_warmup_from_nonzero", "CosineDecay", dict(initial_learning_rate=0.01, decay_steps=25,
                                                       warmup_target=0.05, warmup_steps=5, name="warm")),
    ("cosine_restarts", "CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5)),
    ("cosine_restarts_t_mul_1_5", "CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=4,
                                                              t_mul=1.5, m_mul=0.8, alpha=0.1)),
    ("cosine_restarts_t_mul_1", "CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=6, t_mul=1.0,
                                                            m_mul=0.5)),
    ("inverse_time", "InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=6, decay_rate=0.5)),
    ("inverse_time_staircase", "InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=6, decay_rate=0.5,
                                                        staircase=True)),
    ("polynomial", "PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=25)),
    ("polynomial_power", "PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=25, end_learning_rate=0.01,
                                                 power=2.0)),
    ("polynomial_cycle", "PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=12, end_learning_rate=0.01,
                                                 power=0.5, cycle=True)),
]


def model(lr):
    keras.backend.clear_session()
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return m


def reduce_lr_case():
    monitored = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.5, 0.49999, 0.6, 0.7, 0.8, 0.9, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3]
    args = {"monitor": "val_loss", "factor": 0.5, "patience": 2, "min_delta": 1e-4, "cooldown": 1,
            "min_lr": 0.03, "initial_learning_rate": 0.2}
    m = model(args["initial_learning_rate"])
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=1e-4, cooldown=1,
                                           min_lr=0.03)
    cb.set_model(m)
    cb.on_train_begin()
    lrs = []
    for epoch, v in enumerate(monitored):
        cb.on_epoch_end(epoch, {"val_loss": v})
        lrs.append(float(keras.ops.convert_to_numpy(m.optimizer.learning_rate)))
    return {"args": args, "monitored": monitored, "learning_rates": lrs}


def scheduler_case():
    m = model(0.1)
    cb = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.9)
    cb.set_model(m)
    lrs = []
    for epoch in range(8):
        cb.on_epoch_begin(epoch)
        lrs.append(float(keras.ops.convert_to_numpy(m.optimizer.learning_rate)))
    return {"args": {"initial_learning_rate": 0.1, "rule": "lr if epoch < 2 else lr * 0.9"}, "learning_rates": lrs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "testdata/schedules/schedules.json"))
    out = pathlib.Path(ap.parse_args().out)
    doc = {
        "meta": {"keras_version": keras.__version__, "tf_version": tf.__version__, "command": COMMAND},
        "schedules": schedule_cases(),
        "reduce_lr_on_plateau": reduce_lr_case(),
        "learning_rate_scheduler": scheduler_case(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
