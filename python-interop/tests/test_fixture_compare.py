"""fixture_compare, the regeneration tests' comparator, catches what matters and lets CPU rounding through.

Each test copies a few committed fixtures into a "committed" and a "fresh" tree, edits the fresh copy the way a
generator change or a hand edit would (one float moved by 1e-4 relative, a renamed tensor, a new dtype or shape, a
changed integer, string, object graph, attribute, config value or file) and requires a report naming the file, the
tensor/dataset/key, the max abs diff and the tolerance; or moves values by a few ulps, or changes only clock and
random fields, and requires silence. A 1e-4 relative edit is caught for any value above about 0.011 in magnitude
(below that the absolute tolerance ATOL dominates); the edited values here are the largest of their tensor.
"""

import io
import json
import pathlib
import shutil
import zipfile

import h5py
import numpy as np
import pytest
import tensorflow as tf

import fixture_compare as fc

TESTDATA = pathlib.Path(__file__).resolve().parent.parent.parent / "testdata"
BUNDLE = "fixtures/mlp_adam_sparse"
CHECKPOINT = "checkpoints/layout_mlp_sgd/ckpt-1"
H5 = "keras/mlp_adam.weights.h5"
ARCHIVE = "keras/mlp_adam.keras"
EXPECTED_JSON = "serving/expected.json"
STATE = "resume/mlp_adam/checkpoint"
FINGERPRINT = "serving/module_multi_io/fingerprint.pb"


def trees(tmp_path, *relative):
    """Copies committed files (a bundle prefix brings its .index and data shard) into committed/ and fresh/."""
    roots = tmp_path / "committed", tmp_path / "fresh"
    for r in relative:
        sources = sorted(TESTDATA.glob(r + ".*")) if not (TESTDATA / r).is_file() else [TESTDATA / r]
        assert sources, r
        for root in roots:
            for s in sources:
                target = root / s.relative_to(TESTDATA)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(s, target)
    return roots


def compare(roots):
    return fc.compare_trees(*roots)


def assert_reported(result, *words):
    assert result.failures, "the change was not reported"
    text = "\n".join(result.failures)
    for w in words:
        assert w in text, f"{w!r} not in the report:\n{text}"


def float_report_words(file, name):
    return [file, name, "max abs diff", f"atol {fc.ATOL:g}", f"rtol {fc.RTOL:g}"]


# --- TF tensor bundles ---------------------------------------------------------------------------------------------

def read_all(prefix):
    reader = tf.train.load_checkpoint(str(prefix))
    return {n: reader.get_tensor(n) for n in reader.get_variable_to_shape_map()}


def rewrite_bundle(prefix, edit):
    """Reads every tensor of the bundle, lets `edit` change the dict, writes the bundle again with SaveV2."""
    tensors = read_all(prefix)
    edit(tensors)
    for f in prefix.parent.glob(prefix.name + ".*"):
        f.unlink()
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(tensors[n]) for n in names])


def ulps(a, n):
    for _ in range(n):
        a = np.nextafter(a, np.array(np.inf, a.dtype))
    return a


def largest_times(a, factor):
    a = np.array(a)
    i = np.unravel_index(np.argmax(np.abs(a)), a.shape)
    a[i] = a[i] * a.dtype.type(factor)
    return a


def test_committedTrees_equalThemselves():
    for family in ("fixtures", "checkpoints", "resume", "serving", "keras", "schedules", "digits"):
        result = fc.compare_trees(TESTDATA / family, TESTDATA / family)
        assert not result.failures, result.report()
        assert all(w["abs"] == 0 for w in result.worst.values()), family


def test_bundle_rewrittenUnchanged_isAccepted(tmp_path):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: None)
    result = compare(roots)
    assert not result.failures, result.report()


def test_bundle_fourUlpsInEveryFloat_isAccepted(tmp_path):
    # 4 float32 ulps: the size of the largest cross-CPU differences measured (9.5e-7 on a value near 2)
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update(
        {k: ulps(np.asarray(v), 4) for k, v in t.items() if np.asarray(v).dtype.kind == "f"}))
    result = compare(roots)
    assert not result.failures, result.report()
    assert result.worst[BUNDLE + ".index"]["abs"] > 0, "nothing was moved"


@pytest.mark.parametrize("name", ["history/loss", "final/dense/kernel", "predict", "evaluate/loss"])
def test_bundle_oneFloatMovedBy1e4Relative_isReported(tmp_path, name):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update({name: largest_times(t[name], 1 + 1e-4)}))
    result = compare(roots)
    assert len(result.failures) == 1, result.report()
    assert_reported(result, *float_report_words(BUNDLE + ".index", f"'{name}'"), "1 of")


def test_bundle_renamedTensor_isReported(tmp_path):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update({"predictions": t.pop("predict")}))
    assert_reported(compare(roots), BUNDLE + ".index", "tensor names differ", "'predict'", "'predictions'")


def test_bundle_changedDtype_isReported(tmp_path):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update({"predict": t["predict"].astype(np.float64)}))
    assert_reported(compare(roots), BUNDLE + ".index", "'predict'", "float64", "float32")


def test_bundle_changedShape_isReported(tmp_path):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update({"history/loss": t["history/loss"].reshape(-1, 1)}))
    assert_reported(compare(roots), BUNDLE + ".index", "'history/loss'", "(3, 1)", "(3,)")


def test_bundle_changedIntegers_areReported(tmp_path):
    roots = trees(tmp_path, BUNDLE)

    def edit(t):
        t["meta/epochs"] = np.int32(4)
        y = np.array(t["y_val"])
        y[5] = (y[5] + 1) % 10
        t["y_val"] = y

    rewrite_bundle(roots[1] / BUNDLE, edit)
    result = compare(roots)
    assert_reported(result, "'meta/epochs'", "'y_val'", "max abs diff 1", "tolerance: exact")
    assert len(result.failures) == 2


def test_bundle_changedString_isReported(tmp_path):
    roots = trees(tmp_path, BUNDLE)
    rewrite_bundle(roots[1] / BUNDLE, lambda t: t.update({"meta/description": t["meta/description"] + b" "}))
    assert_reported(compare(roots), BUNDLE + ".index", "'meta/description'", "tolerance: exact")


def test_checkpoint_changedObjectGraph_isReported(tmp_path):
    from tensorflow.core.protobuf import trackable_object_graph_pb2

    roots = trees(tmp_path, CHECKPOINT)

    def edit(t):
        graph = trackable_object_graph_pb2.TrackableObjectGraph.FromString(t[fc.OBJECT_GRAPH_KEY])
        graph.nodes[0].children[0].local_name += "_renamed"
        t[fc.OBJECT_GRAPH_KEY] = graph.SerializeToString()

    rewrite_bundle(roots[1] / CHECKPOINT, edit)
    assert_reported(compare(roots), CHECKPOINT + ".index", fc.OBJECT_GRAPH_KEY, "TrackableObjectGraph differs")


def test_bundleWithPermutedKeys_matchesUnordered_butNotAValueChange(tmp_path):
    prefix = "serving/keras_export/variables/variables"
    roots = trees(tmp_path, prefix)
    keys = sorted(k for k in read_all(roots[1] / prefix) if k.startswith("_all_variables/"))

    def permute(t):
        values = [t[k] for k in keys]
        t.update(dict(zip(keys, values[1:] + values[:1])))

    rewrite_bundle(roots[1] / prefix, permute)
    result = fc.Comparison()
    fc.compare_bundle_values_unordered(roots[0] / prefix, roots[1] / prefix, "variables", result)
    assert not result.failures, result.report()
    kernel = max(keys, key=lambda k: np.abs(read_all(roots[1] / prefix)[k]).max())  # the biases are still zero
    rewrite_bundle(roots[1] / prefix, lambda t: t.update({kernel: largest_times(t[kernel], 1 + 1e-4)}))
    result = fc.Comparison()
    fc.compare_bundle_values_unordered(roots[0] / prefix, roots[1] / prefix, "variables", result)
    assert_reported(result, "variables", "max abs diff", "matched to regenerated")


# --- HDF5, .keras --------------------------------------------------------------------------------------------------

def test_h5_oneUlpInEveryFloat_isAccepted_oneValueMovedBy1e4Relative_isReported(tmp_path):
    roots = trees(tmp_path, H5)
    with h5py.File(roots[1] / H5, "r+") as f:
        f.visititems(lambda n, o: o.__setitem__((), ulps(o[()], 1))
                     if isinstance(o, h5py.Dataset) and o.dtype.kind == "f" else None)
    result = compare(roots)
    assert not result.failures, result.report()
    with h5py.File(roots[1] / H5, "r+") as f:
        f["layers/dense/vars/0"][()] = largest_times(f["layers/dense/vars/0"][()], 1 + 1e-4)
    assert_reported(compare(roots), *float_report_words(H5, "dataset 'layers/dense/vars/0'"))


def test_h5_changedAttributeDtypeOrName_areReported(tmp_path):
    roots = trees(tmp_path, H5)
    with h5py.File(roots[1] / H5, "r+") as f:
        f["optimizer/vars"].attrs["name"] = "adamw"
        f["layers/dense/vars/1"].attrs["note"] = 1
        bias = f["layers/dense_1/vars/1"][()]
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars/1"] = bias.astype(np.float64)
        f.move("layers/dense/vars/0", "layers/dense/vars/kernel")
    assert_reported(compare(roots), "group 'optimizer/vars' attribute 'name'", "'adamw'", "attribute names",
                    "dataset 'layers/dense_1/vars/1'", "float64", "missing ['layers/dense/vars/0']")


def rewrite_archive(path, edit):
    with zipfile.ZipFile(path) as z:
        members = {m: z.read(m) for m in z.namelist()}
    edit(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for m, data in members.items():
            z.writestr(m, data)


def edit_json(members, member, edit):
    tree = json.loads(members[member])
    edit(tree)
    members[member] = json.dumps(tree).encode()


def shared_ids(tree):
    """Every shared_object_id in a config, in document order."""
    if isinstance(tree, dict):
        return [v if k == fc.SHARED_OBJECT_ID else None for k, v in tree.items() if k == fc.SHARED_OBJECT_ID] + [
            i for k, v in tree.items() if k != fc.SHARED_OBJECT_ID for i in shared_ids(v)]
    return [i for v in tree for i in shared_ids(v)] if isinstance(tree, list) else []


def renumber(tree, mapping):
    if isinstance(tree, dict):
        return {k: mapping[v] if k == fc.SHARED_OBJECT_ID else renumber(v, mapping) for k, v in tree.items()}
    return [renumber(v, mapping) for v in tree] if isinstance(tree, list) else tree


def test_keras_clockFieldsAndRenumberedSharedObjectIds_areAccepted(tmp_path):
    roots = trees(tmp_path, ARCHIVE)

    def edit(members):
        edit_json(members, "metadata.json", lambda m: m.update(date_saved="2031-01-01@00:00:00"))
        config = json.loads(members["config.json"])
        ids = shared_ids(config)
        assert len(ids) > 1 and len(set(ids)) == 1, "mlp_adam's layers share one dtype policy"
        members["config.json"] = json.dumps(renumber(config, {i: i + 1 for i in ids})).encode()

    rewrite_archive(roots[1] / ARCHIVE, edit)
    result = compare(roots)
    assert not result.failures, result.report()


def test_keras_changedWeightConfigOrSharing_areReported(tmp_path):
    roots = trees(tmp_path, ARCHIVE)

    def edit(members):
        with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as f:
            kernel = f["layers/dense_1/vars/0"][()]
        weights = io.BytesIO(members["model.weights.h5"])
        with h5py.File(weights, "r+") as f:
            f["layers/dense_1/vars/0"][()] = largest_times(kernel, 1 + 1e-4)
        members["model.weights.h5"] = weights.getvalue()

        def config(c):
            c["compile_config"]["optimizer"]["config"]["learning_rate"] *= 1.0001
            c["config"]["layers"][-1]["config"]["dtype"]["config"]["shared_object_id"] = 1  # no longer shared
        edit_json(members, "config.json", config)

    rewrite_archive(roots[1] / ARCHIVE, edit)
    assert_reported(compare(roots), *float_report_words(ARCHIVE + "!model.weights.h5", "'layers/dense_1/vars/0'"),
                    ARCHIVE + "!config.json", "learning_rate", "shared_object_id")


# --- JSON, state files, fingerprints, file sets --------------------------------------------------------------------

def test_json_float32UlpsAccepted_floatIntAndKeyChangesReported(tmp_path):
    roots = trees(tmp_path, EXPECTED_JSON)
    path = roots[1] / EXPECTED_JSON
    tree = json.loads(path.read_text())
    value = tree["keras_predict"]["batch5"]["value"]
    tree["keras_predict"]["batch5"]["value"] = [[float(ulps(np.float32(v), 1)) for v in row] for row in value]
    path.write_text(json.dumps(tree))
    result = compare(roots)
    assert not result.failures, result.report()

    value = tree["keras_predict"]["batch5"]["value"]
    j = max(range(len(value[0])), key=lambda k: abs(value[0][k]))  # a softmax output, at least 1/3
    value[0][j] *= 1 + 1e-4
    tree["meta"]["seed"] += 1
    tree["meta"]["tf_version_"] = tree["meta"].pop("tf_version")
    path.write_text(json.dumps(tree))
    result = compare(roots)
    assert_reported(result, *float_report_words(EXPECTED_JSON, "keras_predict.batch5.value[0]"),
                    "meta.seed", "tolerance: exact", "keys")


def test_stateFile_timestampsIgnored_pathsCompared(tmp_path):
    roots = trees(tmp_path, STATE)
    path = roots[1] / STATE
    path.write_text(path.read_text().replace("last_preserved_timestamp: ", "last_preserved_timestamp: 9"))
    assert not compare(roots).failures
    path.write_text(path.read_text().replace('model_checkpoint_path: "ckpt-2"', 'model_checkpoint_path: "ckpt-1"'))
    assert_reported(compare(roots), STATE, "checkpoint state differs")


def test_fingerprint_uuidAndCheckpointHashIgnored_otherHashesCompared(tmp_path):
    from tensorflow.core.protobuf import fingerprint_pb2

    roots = trees(tmp_path, FINGERPRINT)
    path = roots[1] / FINGERPRINT
    fp = fingerprint_pb2.FingerprintDef.FromString(path.read_bytes())
    fp.uuid, fp.checkpoint_hash = "1", fp.checkpoint_hash + 1
    path.write_bytes(fp.SerializeToString())
    assert not compare(roots).failures
    fp.saved_model_checksum += 1
    path.write_bytes(fp.SerializeToString())
    assert_reported(compare(roots), FINGERPRINT, "saved_model_checksum")


def test_missingExtraOrChangedPlainFile_isReported(tmp_path):
    roots = trees(tmp_path, "digits/digits.csv", "serving/module_multi_io/saved_model.pb")
    (roots[1] / "digits" / "extra.txt").write_text("x")
    (roots[1] / "serving/module_multi_io/saved_model.pb").write_bytes(b"")
    (roots[1] / "digits" / "digits.csv").unlink()
    assert_reported(compare(roots), "missing from the regenerated tree ['digits/digits.csv']", "digits/extra.txt",
                    "serving/module_multi_io/saved_model.pb: bytes differ")
