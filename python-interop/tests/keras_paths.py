"""Every variable of a Keras model keyed by its dataset path in a `.weights.h5` file, as computed by Keras itself.

Keras 3 does not store a layer under its name but under the snake_case of its class, numbered in order within its
container (keras/src/saving/saving_lib.py `_save_container_state`, `_get_unique_name`): a Sequential of Dense layers
named "encoder" and "head" is stored as layers/dense/vars/0..1 and layers/dense_1/vars/0..1. Rather than re-implement
that rule (and the attribute walk, nesting and skips around it), `variables_by_path` runs Keras' own walker,
`saving_lib._save_state`, exactly as `model.save_weights()` does, with a store that records what would be written
instead of writing a file.

    variables_by_path(model) -> {"layers/dense/vars/0": <KerasVariable>, ..., "optimizer/vars/3": <KerasVariable>}

Layers hand the store their variables; the optimizer hands it `variable.numpy()` copies
(BaseOptimizer.save_own_variables), so a recorded value that is not a variable is traced back to
`saveable.variables[int(key)]` of the object being saved (the `saveable` argument of the `_save_state` call that asked
for the store), which must hold the same value. Anything else (quantized layers that store merged tensors) raises.
"""

import sys

import numpy as np
from keras.src.saving import saving_lib


class _RecordingStore(saving_lib.H5IOStore):
    """An H5IOStore that writes nothing: `make(path)` returns a dict recorded under `path`. Its `__init__` (which
    opens an HDF5 file) is never called; `_save_state` only checks the type, truth and `make` of its store."""

    def __init__(self):  # deliberately not H5IOStore.__init__, which opens an HDF5 file
        self.entries = []  # (inner path, the saveable, the dict its save_own_variables filled)

    def __bool__(self):
        return True  # H5IOStore delegates truth to its h5 file; _save_state skips a falsy store

    def make(self, path, metadata=None):
        caller = sys._getframe(1)
        assert caller.f_code is saving_lib._save_state.__code__, "make() expected from saving_lib._save_state"
        entry = {}
        self.entries.append((path, caller.f_locals["saveable"], entry))
        return entry


def dataset_path(inner_path, key):
    """The HDF5 dataset Keras writes for `store[key]` of the store made at `inner_path` (H5IOStore._create_h5_group:
    the root's variables go to vars/, everyone else's to <inner_path>/vars/)."""
    return f"{inner_path}/vars/{key}" if inner_path else f"vars/{key}"


def values_by_path(model):
    """{dataset path: what Keras' save_own_variables hands the store (a variable or an array)}, in save order."""
    store = _RecordingStore()
    saving_lib._save_state(model, weights_store=store, assets_store=None, inner_path="", visited_saveables=set())
    out = {}
    for inner_path, saveable, entry in store.entries:
        for key, value in entry.items():
            path = dataset_path(inner_path, key)
            assert path not in out, f"two variables at {path}"
            out[path] = (value, saveable, key)
    return out


def variables_by_path(model):
    """{dataset path: KerasVariable} for every dataset `model.save_weights()` would write (weights and optimizer
    state), keyed by Keras' own walk."""
    import keras

    out = {}
    for path, (value, saveable, key) in values_by_path(model).items():
        if not isinstance(value, keras.Variable):
            candidates = list(getattr(saveable, "variables", []))
            index = int(key) if str(key).isdigit() else -1
            if not 0 <= index < len(candidates) or not np.array_equal(np.asarray(candidates[index].numpy()),
                                                                       np.asarray(value)):
                raise AssertionError(f"{path}: {type(saveable).__name__} stored a {type(value).__name__} that is not "
                                     f"its variables[{key}]")
            value = candidates[index]
        out[path] = value
    return out
