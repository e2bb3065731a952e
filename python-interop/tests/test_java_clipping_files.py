"""Python Keras continues the training runs Java saved with gradient clipping (clipnorm, clipvalue, global_clipnorm)
or the weights' moving average (use_ema, ema_momentum, ema_overwrite_frequency), or gradient accumulation, the
*_maxnorm cases with MaxNorm(0.3) on both kernels.

Reads what OptimizerFixturesTest (src/test/java/dev/kerasj/saving/tfcheckpoint/, its clipping cases) leaves under
$KERASJ_INTEROP_DIR/clipping (default: target/interop), per case of testdata/clipping/train: Java's state after 3
epochs from Keras' initial weights as <case>.keras and as a TF checkpoint <case>/ckpt-1, and <case>.json with
Java's fourth epoch. Keras must open the .keras with the same optimizer config (the clipping and EMA arguments
included), the checkpoint (EMA averages included) with assert_consumed(), and one more epoch in Keras (configured
alike) must reach Java's numbers within 1e-5 relative + 1e-6 absolute. Missing Java outputs fail the test: run the Java test first.
"""

import pathlib

import pytest

from interop import INTEROP
from test_java_optimizer_files import check_java_checkpoint, check_java_keras_file, fixture

FOLDER = INTEROP / "clipping"
TRAIN = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "clipping" / "train"
CASES = sorted(p.name[: -len(".index")] for p in TRAIN.glob("*.index"))


def test_everyCase_isHere():
    assert CASES == ["adam_accumulation", "adam_accumulation_embedding", "adam_clipnorm", "adam_clipnorm_embedding", "adam_clipvalue", "adam_ema",
                     "adam_ema_clipnorm_accumulation", "adam_ema_maxnorm", "adam_ema_maxnorm_accumulation", "adam_ema_overwrite",
                     "adam_ema_overwrite_maxnorm", "adam_global_clipnorm", "sgd_accumulation", "sgd_clipnorm",
                     "sgd_clipvalue", "sgd_global_clipnorm", "sgd_global_clipnorm_embedding"]


@pytest.mark.parametrize("case", CASES)
def test_fixtureConfig_setsTheOptionsItsNameSays(case):
    _, config = fixture(case, TRAIN)
    kinds = [k for k in ("clipnorm", "clipvalue", "global_clipnorm") if config[k] is not None]
    assert (config["gradient_accumulation_steps"] == 3) == ("_accumulation" in case)
    if case == "adam_ema_clipnorm_accumulation":
        assert kinds == ["clipnorm"] and config["use_ema"] is True and config["ema_overwrite_frequency"] == 2
    elif case == "adam_ema_maxnorm_accumulation":
        assert kinds == [] and config["use_ema"] is True and config["ema_overwrite_frequency"] is None
    elif "_accumulation" in case:
        assert kinds == [] and config["use_ema"] is False
    elif "_ema" in case:
        assert kinds == [] and config["use_ema"] is True
        assert (config["ema_overwrite_frequency"] is not None) == case.removesuffix("_maxnorm").endswith("_overwrite")
    else:
        assert kinds == [case.split("_", 1)[1].removesuffix("_embedding")] and config["use_ema"] is False


@pytest.mark.parametrize("case", CASES)
def test_javaKerasFile_loadsWithItsClipping_andTrainsOnLikeJava(case):
    check_java_keras_file(case, FOLDER, TRAIN)


@pytest.mark.parametrize("case", CASES)
def test_javaCheckpoint_restoresConsumedIntoKeras_andTrainsOnLikeJava(case):
    check_java_checkpoint(case, FOLDER, TRAIN)
