"""The committed testdata/datasets/ is what make_dataset_fixtures.py produces today, on any x86-64 CPU.

Regenerates the folder into a temporary directory (in a child process, so the generator sets TensorFlow up as when
run by hand) and compares it with fixture_compare: the TFRecord files byte for byte (records are serialized with
sorted feature keys), the tensor bundle's names, dtypes, shapes, strings and integers exactly, floats within
fixture_compare.ATOL + RTOL*|committed|. Also reads the committed records back with tf.data, as a user would.
Regenerate with:
  python-interop/.venv/bin/python python-interop/make_dataset_fixtures.py
"""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
GENERATOR = HERE.parent / "make_dataset_fixtures.py"
COMMITTED = HERE.parent.parent / "testdata" / "datasets"
DIGITS = HERE.parent.parent / "testdata" / "digits" / "digits.csv"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("datasets")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True)
    return out


def test_committed_holdsRecordsAndTheTrainingBundle():
    assert fixture_compare.files(COMMITTED) == ["digits_train.tfrecord", "digits_val.tfrecord.gz",
                                                "digits_weighted.tfrecord", "train.data-00000-of-00001",
                                                "train.index", "weighted.data-00000-of-00001", "weighted.index"]


def test_weightedRecords_holdTheTrainRowsWithTheirSampleWeights():
    data = np.loadtxt(DIGITS, delimiter=",", skiprows=1, dtype=np.int64)
    spec = {"pixels": tf.io.FixedLenFeature([64], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64),
            "w": tf.io.FixedLenFeature([], tf.float32)}
    weights = (0.0, 0.3, 0.6, 1.0, 1.2, 1.5, 1.8)
    row = 0
    for serialized in tf.data.TFRecordDataset([str(COMMITTED / "digits_weighted.tfrecord")]):
        f = tf.io.parse_single_example(serialized, spec)
        assert f["pixels"].numpy().tolist() == data[row, :64].astype(np.float32).tolist()
        assert int(f["label"]) == data[row, 64]
        assert float(f["w"]) == np.float32(weights[row % 7])
        row += 1
    assert row == 150


def test_committedRecords_holdTheDigitsRowsWithEveryFeature():
    data = np.loadtxt(DIGITS, delimiter=",", skiprows=1, dtype=np.int64)
    spec = {"pixels": tf.io.FixedLenFeature([64], tf.float32), "pixels_u8": tf.io.FixedLenFeature([], tf.string),
            "label": tf.io.FixedLenFeature([], tf.int64), "nonzero": tf.io.VarLenFeature(tf.int64),
            "id": tf.io.FixedLenFeature([], tf.string)}
    row = 0
    for path, compression in ((COMMITTED / "digits_train.tfrecord", ""), (COMMITTED / "digits_val.tfrecord.gz", "GZIP")):
        for serialized in tf.data.TFRecordDataset([str(path)], compression_type=compression):
            f = tf.io.parse_single_example(serialized, spec)
            pixels, label = data[row, :64], data[row, 64]
            assert f["pixels"].numpy().tolist() == pixels.astype(np.float32).tolist()
            assert np.frombuffer(f["pixels_u8"].numpy(), np.uint8).tolist() == pixels.tolist()
            assert int(f["label"]) == label
            assert tf.sparse.to_dense(f["nonzero"]).numpy().tolist() == np.flatnonzero(pixels).tolist()
            assert f["id"].numpy() == f"digit-{row}".encode()
            row += 1
    assert row == 150 + 48


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
