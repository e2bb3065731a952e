"""The committed testdata/schedules/ is what make_schedule_fixtures.py and make_schedule_train_fixtures.py produce.

Regenerates the folder into a temporary directory (in child processes, so the generators set TensorFlow up as when
run by hand) and compares it with fixture_compare: the same files; schedules.json's strings, booleans and integers
(arguments, serialized configs, steps) exactly and its floats within fixture_compare's tolerance; in the training
bundles the same tensor names, dtypes and shapes, strings (the serialized schedule) exactly, floats within the same
tolerance; in the .keras archives member names, config.json (its compile_config holds the schedule as Keras stores
it) and metadata.json but date_saved exactly, weights within the tolerance. Regenerate with:
  python-interop/.venv/bin/python python-interop/make_schedule_fixtures.py
  python-interop/.venv/bin/python python-interop/make_schedule_train_fixtures.py
"""

import pathlib
import subprocess
import sys

import pytest

import fixture_compare

HERE = pathlib.Path(__file__).resolve().parent
COMMITTED = HERE.parent.parent / "testdata" / "schedules"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("schedules")
    subprocess.run([sys.executable, str(HERE.parent / "make_schedule_fixtures.py"), "--out",
                    str(out / "schedules.json")], check=True)
    subprocess.run([sys.executable, str(HERE.parent / "make_schedule_train_fixtures.py"), "--out", str(out)],
                   check=True)
    return out


def test_committed_holdsValuesTrainingBundlesAndKerasFiles():
    names = fixture_compare.files(COMMITTED)
    assert "schedules.json" in names
    assert len([n for n in names if n.startswith("train/") and n.endswith(".index")]) == 7
    assert len([n for n in names if n.endswith(".keras")]) == 7


def test_regeneration_matchesCommitted_floatsWithinTolerance(regenerated):
    result = fixture_compare.compare_trees(COMMITTED, regenerated)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    assert not result.failures, result.report()
