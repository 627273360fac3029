"""Files that are not ours, or damaged: loading refuses each with a ValueError naming the path, and never unpickles."""

from __future__ import annotations

import io
import json
import pickle
import re
import zipfile

import numpy as np
import pytest
from helpers import classifier, load_error

import tinygrad_seminar as ts
from tinygrad_seminar import saving


# ---- files that are not ours: a clear error naming the path ----
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "good.keras"
    model = classifier()
    model.save(path)
    return path, model


def test_a_truncated_file(saved, tmp_path):
    path, _ = saved
    raw = path.read_bytes()
    for cut in (0, 10, len(raw) // 2, len(raw) - 10):
        bad = tmp_path / f"cut{cut}"
        bad.write_bytes(raw[:cut])
        assert re.search(r"is not a readable tinygrad_seminar file|not a numpy \.npz \(zip\) archive",
                         load_error(bad))


def test_a_corrupted_weight_is_detected_not_loaded(saved, tmp_path):
    path, model = saved
    raw = bytearray(path.read_bytes())
    at = raw.find(model.state_dict()["0.weight"].tobytes())
    assert at > 0
    raw[at + 5] ^= 0xFF
    bad = tmp_path / "flipped"
    bad.write_bytes(bytes(raw))
    assert "Bad CRC-32 for file '0.weight.npy'" in load_error(bad)
    assert "Bad CRC-32" in load_error(bad, classifier().load_weights)


def test_corrupted_json_metadata(saved, tmp_path):
    path, model = saved
    bad = tmp_path / "bad_json"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array('{"format": "tinygrad_seminar", "kind": "model", '), **model.state_dict())
    assert "its __meta__ entry is not valid JSON" in load_error(bad)


def test_a_foreign_npz(tmp_path):
    bad = tmp_path / "foreign.npz"
    np.savez(bad, a=np.random.default_rng(0).standard_normal((3, 3)), b=np.arange(4))
    assert load_error(bad) == f"{bad} is not a tinygrad_seminar file (it has no __meta__ entry)"


@pytest.mark.parametrize("meta", ['{"format": "keras", "kind": "model"}', "3.5", '"tinygrad_seminar"', "[1, 2]",
                                  "null"])
def test_a_foreign_npz_with_a_meta_entry(tmp_path, meta):
    bad = tmp_path / "foreign"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(meta), w=np.zeros(3))
    assert "is not a tinygrad_seminar" in load_error(bad)
    assert "is not a tinygrad_seminar" in load_error(bad, classifier().load_weights)


def test_a_file_from_a_newer_version(tmp_path):
    bad = tmp_path / "newer"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps({"format": "tinygrad_seminar", "kind": "model", "version": 99})))
    assert f"was written by a newer version (format version 99 > {saving.VERSION})" in load_error(bad)


@pytest.mark.parametrize("damage", [
    lambda meta: meta["layers"][0].update({"class": "Lambda"}),
    lambda meta: meta["layers"][0].update({"units": -1}),
    lambda meta: meta["layers"][0].update({"bogus": 1}),
    lambda meta: meta.pop("layers"),
    lambda meta: meta.update({"input_dim": 4}),
    lambda meta: meta["compile"]["optimizer"].update({"class": "os.system"}),
])
def test_a_damaged_model_description_names_the_path(saved, tmp_path, damage):
    path, model = saved
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    damage(meta)
    bad = tmp_path / "damaged"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
    load_error(bad)


def test_a_text_file(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("layer,units\ndense,4\n")
    assert "not a numpy .npz (zip) archive" in load_error(bad)
    assert "not a numpy .npz (zip) archive" in load_error(bad, classifier().load_weights)


def test_a_plain_npy_file(tmp_path):
    bad = tmp_path / "array.npy"
    np.save(bad, np.arange(3))
    load_error(bad)


def test_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=rf"^{re.escape(str(tmp_path / 'nope'))}: no such file$"):
        ts.load_model(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no such file"):
        classifier().load_weights(tmp_path / "nope")


class _Armed:
    """Unpickling this creates ``marker``: proof that a loader ran code from the file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def test_a_pickle_file_is_never_unpickled(tmp_path):
    armed = pickle.dumps(_Armed(tmp_path / "proof"))
    pickle.loads(armed).close()  # the payload works: unpickling it creates the marker
    assert (tmp_path / "proof").exists()

    marker = tmp_path / "ran"
    bad = tmp_path / "model.pkl"
    bad.write_bytes(pickle.dumps(_Armed(marker)))
    load_error(bad)
    load_error(bad, classifier().load_weights)
    assert not marker.exists()


def test_an_npz_holding_a_pickled_object_array_is_never_unpickled(tmp_path, saved):
    path, model = saved
    marker = tmp_path / "ran"
    bad = tmp_path / "sneaky.keras"
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["0.weight"] = np.array([_Armed(marker)], dtype=object)
    with open(bad, "wb") as f:
        np.savez(f, **arrays)
    with zipfile.ZipFile(bad) as z:
        assert b"ran" in z.read("0.weight.npy")  # the pickle is really in there
    load_error(bad)
    load_error(bad, classifier().load_weights)
    assert not marker.exists()


def test_save_writes_what_a_reader_can_check_without_the_framework(saved):
    path, model = saved
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == sorted(["__meta__.npy"] + [f"{k}.npy" for k in model.state_dict()])
        meta = json.loads(str(np.load(io.BytesIO(z.read("__meta__.npy")), allow_pickle=False)))
    assert (meta["format"], meta["kind"], meta["class"], meta["input_dim"]) == ("tinygrad_seminar", "model",
                                                                                 "Sequential", 3)
