"""Compares a committed fixture tree with a freshly regenerated one: structure exactly, float values within a tolerance.

Why a tolerance: TensorFlow's CPU kernels choose their instruction set (AVX2, AVX-512, ...) at run time, even
single-threaded with oneDNN off, and so round differently on different CPUs. Fixtures committed from an AVX2 machine
and regenerated on an AVX-512 machine (same wheels, same pins) differ after 3 epochs of training by up to 9.5e-7
absolute in predictions (about 4 float32 ulps of the value) and 6e-8 in losses. Capping the instruction set does not
help: with ONEDNN_MAX_CPU_ISA=AVX2, cnn_bn still differed in 11 tensors (by up to 2.4e-7), and =AVX made other cases
worse. So exact equality of floats only holds on the CPU that made the fixtures, and CI runs on whatever CPU it gets.

What is exact: the set of files; tensor, dataset, attribute and JSON key names; dtypes; shapes; integer, bool and
string values (configs, object graphs, step counters, labels, versions, commands); the TrackableObjectGraph of every
checkpoint; saved_model.pb (checked to hold no trained float: its only float constant is a literal 0.0); every other
file byte for byte. What has a tolerance: float values, |fresh - committed| <= ATOL + RTOL * |committed|, per value,
with NaN only where NaN was and infinities exactly. That is the tolerance the Java parity tests use against Keras; its
relative part is 42 to 84 float32 ulps of the value. Measured on an AVX-512 machine against fixtures made on an AVX2
one, the worst value of any regeneration test uses 31% of it (mlp_sgd_nesterov_logits, 9.5e-7). The first seven cases
of testdata/keras/, which no test regenerates, have one value at 133% (Adam on a near-zero gradient; see
testdata/README.md). Nudging one hyper-parameter by 1e-4 relative (Adam's learning rate, SGD's learning rate, Huber's
delta) moves a fixture by 4.6 to 6800 times the tolerance, and tests/test_fixture_compare.py shows a hand edit of 1e-4
relative in one value being reported; a change below about 1e-5 relative, or below 1e-6 absolute near zero, can go unnoticed.

Clock and random fields are not compared: the `*_timestamp` lines of `checkpoint` state files, the `uuid` of
fingerprint.pb, `date_saved` in a .keras archive's metadata.json; the `shared_object_id`s of its config.json are
Python id()s, different on every run, so only which objects share one is compared. fingerprint.pb's
`checkpoint_hash` hashes the variables' bytes, so it is not compared either; the SavedModel's variables bundle is
compared tensor by tensor instead.

Use from a test:   result = compare_trees(committed_dir, fresh_dir); assert not result.failures, result.report()
From a shell:      python python-interop/tests/fixture_compare.py COMMITTED_DIR FRESH_DIR   (prints the worst diffs)
"""

import io
import json
import os
import pathlib
import re
import sys
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np

RTOL = 1e-5
"""Relative part of the float tolerance (see the module docstring for why floats need one)."""
ATOL = 1e-6
"""Absolute part of the float tolerance, for values near zero."""

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
KERAS_CLOCK_FIELDS = ("date_saved",)
"""metadata.json fields of a .keras archive that Keras fills from the clock. Measured between two regenerations on one
machine, the archives differ only there, in the shared_object_ids of config.json and in the zip entry time of
model.weights.h5 (not content)."""
SHARED_OBJECT_ID = "shared_object_id"
FINGERPRINT_UNCOMPARED = ("uuid", "checkpoint_hash")
DATA_SHARD = re.compile(r"(.*)\.data-\d{5}-of-\d{5}$")


class Comparison:
    """What one comparison found: failures (one readable line each) and, per file, the worst float difference."""

    def __init__(self):
        self.failures = []
        # file -> {"abs": max |d|, "rel": max |d|/|committed| over |committed| >= ATOL/RTOL, "of_tolerance": max
        # |d|/allowed}, over the float values compared with the tolerance
        self.worst = {}

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")

    def record(self, file, abs_diff, rel_diff, of_tolerance):
        w = self.worst.setdefault(file, {"abs": 0.0, "rel": 0.0, "of_tolerance": 0.0})
        w["abs"], w["rel"] = max(w["abs"], abs_diff), max(w["rel"], rel_diff)
        w["of_tolerance"] = max(w["of_tolerance"], of_tolerance)

    def report(self, limit=40):
        shown = self.failures[:limit]
        more = len(self.failures) - len(shown)
        return "\n".join([f"{len(self.failures)} difference(s) from the committed fixtures:"] + shown
                         + ([f"... and {more} more"] if more > 0 else []))


def compare_trees(committed, fresh, skip=lambda relative: False):
    """Compares every file under `committed` with the same path under `fresh`; `skip(relative path)` leaves some out
    of the content comparison (never out of the file listing)."""
    committed, fresh = pathlib.Path(committed), pathlib.Path(fresh)
    c = Comparison()
    want, got = files(committed), files(fresh)
    if want != got:
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        c.fail(str(committed), f"set of files differs: missing from the regenerated tree {missing}, "
                               f"not in the committed tree {extra}")
    for relative in want:
        if relative in got and not skip(relative):
            compare_file(committed / relative, fresh / relative, relative, c)
    return c


def files(root):
    return sorted(str(p.relative_to(root)) for p in pathlib.Path(root).rglob("*") if p.is_file())


def compare_file(committed, fresh, label, c):
    """Compares one file by its kind: bundle index, data shard, HDF5, .keras, JSON, state file, fingerprint, bytes."""
    name = committed.name
    shard = DATA_SHARD.match(name)
    if name.endswith(".index"):
        compare_bundles(committed.with_name(name[: -len(".index")]), fresh.with_name(name[: -len(".index")]), label, c)
    elif shard and committed.with_name(shard.group(1) + ".index").exists():
        pass  # its tensors were compared through the .index, value by value
    elif name.endswith(".h5"):
        compare_h5(committed, fresh, label, c)
    elif name.endswith(".keras"):
        compare_keras_archives(committed, fresh, label, c)
    elif name.endswith(".json"):
        compare_json(json.loads(committed.read_text(encoding="utf-8")), json.loads(fresh.read_text(encoding="utf-8")),
                     label, c, label)
    elif name == "checkpoint":
        if state_lines(committed) != state_lines(fresh):
            c.fail(label, f"checkpoint state differs (timestamps ignored): committed {state_lines(committed)}, "
                          f"regenerated {state_lines(fresh)}")
    elif name == "fingerprint.pb":
        compare_fingerprints(committed, fresh, label, c)
    elif committed.read_bytes() != fresh.read_bytes():
        c.fail(label, "bytes differ (this kind of file is compared exactly)")


# --- values -----------------------------------------------------------------------------------------------------------

def compare_values(where, committed, fresh, c, file):
    """Floats within ATOL + RTOL*|committed| (NaN where NaN, infinities exactly); everything else exactly."""
    want, got = np.asarray(committed), np.asarray(fresh)
    if want.shape != got.shape:
        c.fail(where, f"shape {got.shape}, committed {want.shape}")
        return
    if want.dtype.kind == "f" and got.dtype.kind == "f":
        compare_floats(where, want, got, c, file)
    elif want.dtype.kind in "biu" and got.dtype.kind in "biu":
        if not np.array_equal(want, got):
            d = np.abs(got.astype(np.float64) - want.astype(np.float64))
            i = np.unravel_index(np.argmax(d), d.shape)
            c.fail(where, f"{want.dtype} values differ: max abs diff {d.max():.6g} at {index(i)} (committed "
                          f"{want[i]!r}, regenerated {got[i]!r}); tolerance: exact")
    elif want.dtype.kind != got.dtype.kind or not np.array_equal(want, got):
        c.fail(where, f"values differ (committed {short(want)}, regenerated {short(got)}); tolerance: exact")


def compare_floats(where, want, got, c, file):
    w, g = want.astype(np.float64), got.astype(np.float64)
    nan_w, nan_g = np.isnan(w), np.isnan(g)
    if not np.array_equal(nan_w, nan_g):
        c.fail(where, f"NaN at different positions (committed {int(nan_w.sum())} NaN, regenerated {int(nan_g.sum())})")
        return
    w, g = np.where(nan_w, 0.0, w), np.where(nan_g, 0.0, g)
    inf = np.isinf(w) | np.isinf(g)
    if not np.array_equal(w[inf], g[inf]):
        c.fail(where, "infinities differ (compared exactly)")
        return
    w, g = np.where(inf, 0.0, w), np.where(inf, 0.0, g)
    d = np.abs(g - w)
    allowed = ATOL + RTOL * np.abs(w)
    if d.size == 0:
        return
    ratio = d / allowed
    # Relative difference only where the relative term dominates the tolerance; near zero it says nothing.
    rel = np.divide(d, np.abs(w), out=np.zeros_like(d), where=np.abs(w) >= ATOL / RTOL)
    c.record(file, float(d.max()), float(rel.max()), float(ratio.max()))
    if ratio.max() > 1:
        i = np.unravel_index(np.argmax(ratio), ratio.shape)
        c.fail(where, f"{int((ratio > 1).sum())} of {d.size} float values outside tolerance; max abs diff "
                      f"{d.max():.3g}; worst at {index(i)}: committed {want[i]!r}, regenerated {got[i]!r}, diff "
                      f"{d[i]:.3g} > tolerance {allowed[i]:.3g} (atol {ATOL:g} + rtol {RTOL:g} * |committed|)")


def index(i):
    return "[" + ", ".join(str(int(k)) for k in i) + "]" if len(i) else "[]"


def short(a, n=3):
    flat = np.ravel(a)
    return repr(flat[:n].tolist()) + ("..." if flat.size > n else "") if a.ndim else repr(a.item())


# --- TF tensor bundles ------------------------------------------------------------------------------------------------

def read_bundle(prefix):
    """{name: (tf dtype name, shape)} and a reader of one TF tensor bundle (checkpoint or plain bundle)."""
    from tensorflow.python.training import py_checkpoint_reader

    reader = py_checkpoint_reader.NewCheckpointReader(str(prefix))
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    return {k: (dtypes[k].name, tuple(shapes[k])) for k in shapes}, reader


def compare_bundles(committed_prefix, fresh_prefix, label, c):
    """Same tensor names, dtypes and shapes; values by compare_values; the object graph as a parsed proto."""
    want, want_reader = read_bundle(committed_prefix)
    got, got_reader = read_bundle(fresh_prefix)
    if sorted(want) != sorted(got):
        c.fail(label, f"tensor names differ: missing {sorted(set(want) - set(got))}, "
                      f"new {sorted(set(got) - set(want))}")
    for name in sorted(set(want) & set(got)):
        where = f"{label}: tensor '{name}'"
        if want[name] != got[name]:
            c.fail(where, f"dtype/shape {got[name]}, committed {want[name]}")
        elif name == OBJECT_GRAPH_KEY:
            compare_object_graphs(want_reader.get_tensor(name), got_reader.get_tensor(name), where, c)
        else:
            compare_values(where, want_reader.get_tensor(name), got_reader.get_tensor(name), c, label)


def compare_object_graphs(committed, fresh, where, c):
    from tensorflow.core.protobuf import trackable_object_graph_pb2

    want = trackable_object_graph_pb2.TrackableObjectGraph.FromString(committed)
    got = trackable_object_graph_pb2.TrackableObjectGraph.FromString(fresh)
    if want != got:
        first = next((i for i, (a, b) in enumerate(zip(want.nodes, got.nodes)) if a != b), min(len(want.nodes),
                                                                                             len(got.nodes)))
        c.fail(where, f"TrackableObjectGraph differs ({len(want.nodes)} nodes committed, {len(got.nodes)} "
                      f"regenerated; first different node {first}); tolerance: exact")


def compare_bundle_values_unordered(committed_prefix, fresh_prefix, label, c, exclude=(OBJECT_GRAPH_KEY,)):
    """For a bundle whose keys name its tensors in an order that changes from run to run (Keras' model.export()):
    the same multiset of (dtype, shape), and each committed tensor matched to a distinct regenerated one of the same
    dtype and shape, nearest first, within the float tolerance."""
    want, want_reader = read_bundle(committed_prefix)
    got, got_reader = read_bundle(fresh_prefix)
    want = {k: v for k, v in want.items() if k not in exclude}
    got = {k: v for k, v in got.items() if k not in exclude}
    if sorted(want.values()) != sorted(got.values()):
        c.fail(label, f"(dtype, shape) of the tensors differ: committed {sorted(want.values())}, regenerated "
                      f"{sorted(got.values())}")
        return
    free = dict(got)
    for name in sorted(want):
        value = want_reader.get_tensor(name)
        candidates = [k for k, spec in free.items() if spec == want[name]]

        def distance(k):
            other = got_reader.get_tensor(k)
            if np.asarray(value).dtype.kind != "f":
                return 0.0 if np.array_equal(value, other) else np.inf
            return float(np.max(np.abs(np.asarray(other, np.float64) - np.asarray(value, np.float64)), initial=0))

        best = min(candidates, key=distance)
        del free[best]
        compare_values(f"{label}: tensor '{name}' (matched to regenerated '{best}')", value,
                       got_reader.get_tensor(best), c, label)


# --- HDF5, .keras -----------------------------------------------------------------------------------------------------

def compare_h5(committed, fresh, label, c):
    """Same groups and datasets, attributes, dtypes, shapes and storage layout; dataset values by compare_values.
    `committed` and `fresh` are paths or file-like objects."""
    with h5py.File(committed, "r") as want, h5py.File(fresh, "r") as got:
        w, g = h5_tree(want), h5_tree(got)
        if sorted(w) != sorted(g):
            c.fail(label, f"HDF5 objects differ: missing {sorted(set(w) - set(g))}, new {sorted(set(g) - set(w))}")
        for path in sorted(set(w) & set(g)):
            where = f"{label}: {'dataset' if isinstance(w[path], h5py.Dataset) else 'group'} '{path}'"
            a, b = w[path], g[path]
            if type(a) is not type(b):
                c.fail(where, f"is a {type(b).__name__}, committed a {type(a).__name__}")
                continue
            compare_attrs(a.attrs, b.attrs, where, c, label)
            if isinstance(a, h5py.Dataset):
                layout_a = (str(a.dtype), h5py.check_string_dtype(a.dtype), a.shape, a.chunks, a.compression)
                layout_b = (str(b.dtype), h5py.check_string_dtype(b.dtype), b.shape, b.chunks, b.compression)
                if layout_a != layout_b:
                    c.fail(where, f"(dtype, string type, shape, chunks, compression) {layout_b}, committed {layout_a}")
                else:
                    compare_values(where, a[()], b[()], c, label)


def h5_tree(f):
    tree = {"/": f}
    f.visititems(lambda name, obj: tree.__setitem__(name, obj))
    return tree


def compare_attrs(want, got, where, c, file):
    if sorted(want) != sorted(got):
        c.fail(where, f"attribute names {sorted(got)}, committed {sorted(want)}")
    for key in sorted(set(want) & set(got)):
        a, b = np.asarray(want[key]), np.asarray(got[key])
        if a.dtype.kind != b.dtype.kind:
            c.fail(f"{where} attribute '{key}'", f"dtype {b.dtype}, committed {a.dtype}")
        else:
            compare_values(f"{where} attribute '{key}'", a, b, c, file)


def compare_keras_archives(committed, fresh, label, c):
    """Same member names in the same order; JSON members equal but for clock fields; model.weights.h5 by compare_h5."""
    with zipfile.ZipFile(committed) as want, zipfile.ZipFile(fresh) as got:
        if want.namelist() != got.namelist():
            c.fail(label, f"archive members {got.namelist()}, committed {want.namelist()}")
        for member in [m for m in want.namelist() if m in got.namelist()]:
            where = f"{label}!{member}"
            a, b = want.read(member), got.read(member)
            if member.endswith(".h5"):
                compare_h5(io.BytesIO(a), io.BytesIO(b), where, c)
            elif member.endswith(".json"):
                ja, jb = json.loads(a), json.loads(b)
                if member == "metadata.json":
                    for field in KERAS_CLOCK_FIELDS:
                        if (field in ja) != (field in jb):
                            c.fail(where, f"'{field}' present in only one of the two")
                        ja.pop(field, None), jb.pop(field, None)
                compare_json(canonical_shared_ids(ja), canonical_shared_ids(jb), where, c, label, floats_exact=True)
            elif a != b:
                c.fail(where, "bytes differ (compared exactly)")


def canonical_shared_ids(tree, seen=None):
    """`tree` with each shared_object_id replaced by the order of its first appearance: Keras writes Python id()s,
    which change from run to run, but which layers share an object (a dtype policy) is part of the config."""
    seen = {} if seen is None else seen
    if isinstance(tree, dict):
        return {k: (seen.setdefault(v, len(seen)) if k == SHARED_OBJECT_ID else canonical_shared_ids(v, seen))
                for k, v in tree.items()}
    if isinstance(tree, list):
        return [canonical_shared_ids(v, seen) for v in tree]
    return tree


# --- JSON, state files, fingerprints ----------------------------------------------------------------------------------

def compare_json(want, got, where, c, file, floats_exact=False):
    """Same structure, keys, types and non-float values; floats within the tolerance unless `floats_exact`."""
    if type(want) is not type(got):
        c.fail(where, f"{type(got).__name__} {short_json(got)}, committed {type(want).__name__} {short_json(want)}")
    elif isinstance(want, dict):
        if list(want) != list(got):
            c.fail(where, f"keys {list(got)}, committed {list(want)}")
        for key in [k for k in want if k in got]:
            compare_json(want[key], got[key], f"{where}: {key}" if ":" not in where else f"{where}.{key}", c, file,
                         floats_exact)
    elif isinstance(want, list):
        if len(want) != len(got):
            c.fail(where, f"list of length {len(got)}, committed {len(want)}")
        elif want and all(type(v) is float for v in want) and all(type(v) is float for v in got) and not floats_exact:
            compare_values(where, np.array(want), np.array(got), c, file)
        else:
            for i, (a, b) in enumerate(zip(want, got)):
                compare_json(a, b, f"{where}[{i}]", c, file, floats_exact)
    elif isinstance(want, float) and not floats_exact:
        compare_values(where, np.float64(want), np.float64(got), c, file)
    elif want != got and not (isinstance(want, float) and np.isnan(want) and np.isnan(got)):
        c.fail(where, f"{short_json(got)}, committed {short_json(want)}; tolerance: exact")


def short_json(v, n=60):
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= n else text[:n] + "..."


def state_lines(path):
    """A `checkpoint` state file without the `*_timestamp` lines CheckpointManager fills from the clock."""
    return [line for line in path.read_text().splitlines() if "timestamp" not in line]


def compare_fingerprints(committed, fresh, label, c):
    from tensorflow.core.protobuf import fingerprint_pb2

    want = fingerprint_pb2.FingerprintDef.FromString(committed.read_bytes())
    got = fingerprint_pb2.FingerprintDef.FromString(fresh.read_bytes())
    for fp in (want, got):
        for field in FINGERPRINT_UNCOMPARED:
            fp.ClearField(field)
    if want != got:
        fields = sorted({f.name for f, _ in want.ListFields()} | {f.name for f, _ in got.ListFields()})
        differ = [f for f in fields if getattr(want, f) != getattr(got, f)]
        c.fail(label, f"fingerprint fields differ: {differ} (uuid and checkpoint_hash not compared); tolerance: exact")


# --- command line -----------------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) != 2:
        print("usage: fixture_compare.py COMMITTED_DIR FRESH_DIR", file=sys.stderr)
        return 2
    result = compare_trees(*argv)
    for file, w in sorted(result.worst.items()):
        print(f"{file}: max abs diff {w['abs']:.3g}, max rel diff {w['rel']:.3g}, "
              f"{100 * w['of_tolerance']:.1f}% of the tolerance")
    print(result.report() if result.failures else f"no differences beyond atol {ATOL:g} + rtol {RTOL:g}*|committed|")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
