"""Every count of fixtures that README.md and testdata/README.md state equals what testdata/ holds.

Counts in prose drift when a fixture is added (the READMEs once said 10 golden checkpoints where there were 11). Each
sentence that keeps a count is listed here with the files it counts; a count that is no longer true fails, naming
the sentence and what is on disk.
"""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "testdata"


def fixture_bundles():
    return len(list((TESTDATA / "fixtures").glob("*.index")))


def functional_bundles():
    return len(list((TESTDATA / "functional").glob("*.index")))


def sequence_bundles():
    return len(list((TESTDATA / "sequence").glob("*.index")))


def attention_bundles():
    return len(list((TESTDATA / "attention").glob("*.index")))


def rnn_bundles():
    return len(list((TESTDATA / "rnn").glob("*.index")))


def rnn_state_bundles():
    return len(list((TESTDATA / "rnn_state").glob("*.index")))


def attention_layers_bundles():
    return len(list((TESTDATA / "attention_layers").glob("*.index")))


def attention_mask_bundles():
    return len(list((TESTDATA / "attention_mask").glob("*.index")))


def keras_models():
    return len(list((TESTDATA / "keras").glob("*.keras")))


def clipping_bundles():
    return len(list((TESTDATA / "clipping" / "train").glob("*.index")))


def savedmodel_configs():
    return len([p for p in (TESTDATA / "savedmodel" / "configs").glob("*.json") if not p.name.startswith("_")])


# (file, pattern with one number group, what it counts)
STATED = [
    ("README.md", r"make_fixtures\.py` trains (\d+) models", fixture_bundles),
    ("README.md", r"measured over all (\d+) cases", fixture_bundles),
    ("README.md", r"make_keras_files_fixtures\.py` writes (\d+) models", keras_models),
    ("README.md", r"make_functional_fixtures\.py` trains (\d+) Functional models", functional_bundles),
    ("README.md", r"make_sequence_fixtures\.py` trains (\d+) models", sequence_bundles),
    ("README.md", r"make_attention_fixtures\.py` trains (\d+) models", attention_bundles),
    ("README.md", r"make_rnn_fixtures\.py` trains (\d+) models", rnn_bundles),
    ("README.md", r"make_rnn_state_fixtures\.py` trains (\d+) Functional models", rnn_state_bundles),
    ("README.md", r"make_attention_layers_fixtures\.py` trains (\d+) models", attention_layers_bundles),
    ("README.md", r"make_attention_mask_fixtures\.py` trains (\d+) two-input models", attention_mask_bundles),
    ("README.md", r"`testdata/clipping/`: (\d+) cases", clipping_bundles),
    ("testdata/README.md", r"`testdata/clipping/`: (\d+) cases", clipping_bundles),
    ("testdata/README.md", r"One TF tensor bundle per Keras training case \((\d+) cases below\)", fixture_bundles),
    ("testdata/README.md", r"some tensor in \d+ of the (\d+) cases", fixture_bundles),
    ("testdata/README.md", r"`\.weights\.h5` files \((\d+) models:", keras_models),
    ("testdata/README.md", r"indent=2\)` for (\d+) compiled", savedmodel_configs),
]


@pytest.mark.parametrize("file,pattern,count", STATED, ids=[f"{f}:{p[:40]}" for f, p, _ in STATED])
def test_statedCount_equalsFilesOnDisk(file, pattern, count):
    text = (ROOT / file).read_text()
    found = re.findall(pattern, text)
    assert found, f"{file} no longer has a sentence matching {pattern!r}: update this test with the README"
    on_disk = count()
    for stated in found:
        assert int(stated) == on_disk, f"{file} says {stated} for {pattern!r}, but testdata/ holds {on_disk}"


def test_noFolderCountOfCheckpointOrResumeCasesInProse():
    # These folders grow most often; their READMEs name the cases in tables instead of counting them.
    for file in ("README.md", "testdata/README.md"):
        text = (ROOT / file).read_text()
        assert not re.search(r"\d+ golden files in `testdata/checkpoints/`", text), file
        assert not re.search(r"tf\.train\.Checkpoint` \(\d+ cases\)", text), file
        assert not re.search(r"CheckpointManager` runs \(\d+ cases", text), file
