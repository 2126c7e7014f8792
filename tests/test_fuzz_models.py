"""Fuzzing model files: truncated, bit-flipped, random and hostile files only ever raise ValueError from
load, a model is loaded completely or not at all, and a failed save leaves the previous file intact."""
import errno
import io
import json
import math
import os
import tempfile

import pytest
from hypothesis import given, strategies as st

from nn import MLP, Layer, Module, Neuron, checkpoint, load_checkpoint

from _model_file import resign

MODEL = MLP(2, [3, 2, 1], activation="tanh", seed=0)
GOOD = None  # the bytes of MODEL.save(), filled lazily


def _good():
    global GOOD
    if GOOD is None:
        with tempfile.TemporaryDirectory() as d:
            MODEL.save(os.path.join(d, "m.json"))
            with open(os.path.join(d, "m.json"), "rb") as f:
                GOOD = f.read()
    return GOOD


def _load(raw, cls=Module):
    """load_checkpoint on a file holding `raw`: (model, meta), or the ValueError it raised."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.json")
        with open(path, "wb") as f:
            f.write(raw)
        try:
            return load_checkpoint(path, cls)
        except ValueError as e:
            assert str(e).startswith(path), f"the message must name the file: {e}"
            return e


def _assert_complete(result, raw):
    """A loaded model holds exactly the numbers of the file it came from: all of them, nothing else."""
    if isinstance(result, ValueError):
        return
    model, meta = result
    doc = json.loads(raw.decode("utf-8"))
    assert model.state_dict() == {k: float(v) for k, v in doc["parameters"].items()}
    assert all(math.isfinite(p.data) for p in model.parameters())
    assert model.architecture() == doc["architecture"] and meta == doc.get("meta", {})


@given(st.data())
def test_every_truncation_raises_value_error(data):
    raw = _good()
    cut = data.draw(st.integers(0, len(raw) - 1))
    # A cut inside the trailing whitespace still holds the whole JSON document: that one loads.
    result = _load(raw[:cut])
    if raw[:cut].strip() == raw.strip():
        _assert_complete(result, raw[:cut])
    else:
        assert isinstance(result, ValueError)


@given(st.data())
def test_any_change_of_bytes_is_refused(data):
    raw = bytearray(_good())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    result = _load(bytes(raw))
    if bytes(raw) == _good():
        _assert_complete(result, bytes(raw))
    else:
        assert isinstance(result, ValueError)


def test_every_single_bit_flip_of_a_model_file_is_refused(tmp_path, monkeypatch):
    # Exhaustive, not sampled: all 8 bits of every byte of a small model's file with meta. None loads
    # (none is "the same model by construction"): a flip that parses to the same contents breaks the
    # byte-for-byte rule, any other breaks the digest.
    path = tmp_path / "m.json"
    MLP(2, [2, 1], activation="tanh", seed=0).save(path, meta={"step": 3, "note": "e-1"})
    good = path.read_bytes()
    assert load_checkpoint(path)[1] == {"step": 3, "note": "e-1"}
    # The file is read through open(); serving the flipped bytes from memory saves 5,000 disk writes.
    flipped = []
    monkeypatch.setattr(checkpoint, "open", lambda p, mode: io.BytesIO(flipped[-1]), raising=False)
    loaded = []
    for i in range(len(good)):
        for bit in range(8):
            raw = bytearray(good)
            raw[i] ^= 1 << bit
            flipped.append(bytes(raw))
            try:
                load_checkpoint(path)
                loaded.append((i, bit))
            except ValueError:
                pass
    assert len(flipped) == len(good) * 8 == 5680 and loaded == []  # 5,680: the README quotes it


def test_a_duplicate_key_anywhere_is_refused_even_with_a_right_digest(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.save(tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    for old, new in (('"nin": 2,', '"nin": 2, "nin": 2,'), ('"format": "pathgrad.nn",', '"format": "pathgrad.nn", "format": "pathgrad.nn",'),
                     ('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 5.0, "layers.0.neurons.0.b": 0.0')):
        assert old in text
        (tmp_path / "d.json").write_text(text.replace(old, new, 1))
        with pytest.raises(ValueError, match="duplicate key"):
            load_checkpoint(tmp_path / "d.json")


def test_a_version_1_file_without_a_digest_still_loads(tmp_path):
    model = MLP(2, [2, 1], seed=3)
    doc = {"format": "pathgrad.nn", "version": 1, "architecture": model.architecture(),
           "parameters": model.state_dict(), "meta": {"step": 1}}
    (tmp_path / "old.json").write_text(json.dumps(doc, indent=1))
    loaded, meta = load_checkpoint(tmp_path / "old.json", MLP)
    assert loaded.state_dict() == model.state_dict() and meta == {"step": 1}
    doc["sha256"] = "0" * 64  # a digest belongs to version 2 only
    (tmp_path / "old.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="unexpected entries"):
        load_checkpoint(tmp_path / "old.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(st.data())
def test_any_json_in_any_field_loads_completely_or_raises_value_error(data):
    doc = json.loads(_good())
    where = data.draw(st.sampled_from([("architecture", "nin"), ("architecture", "nouts"),
                                       ("architecture", "activation"), ("architecture", "class"),
                                       ("architecture",), ("parameters",), ("version",), ("format",),
                                       ("meta",), ("parameters", "layers.0.neurons.0.w.0"), ("extra",)]))
    target = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = data.draw(json_values)
    raw = resign(doc).encode()  # a right digest: the checks behind it must catch what is wrong
    for cls in (Module, MLP, Neuron):
        _assert_complete(_load(raw, cls), raw)


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_raise_value_error(raw):
    _assert_complete(_load(raw), raw)


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'{"format": ' + b"[" * 100_000, b'"' + b"\\" * 10, b"\xff\xfe{}",
                                 b'{"format": "pathgrad.nn", "version": 1e400}', b"9" * 5000, b"-Infinity",
                                 b'{"a": 1, "a": 2}'],
                         ids=["deep-list", "deep-in-object", "bad-escape", "utf16-bom", "huge-version",
                              "5000-digit-int", "infinity", "duplicate-keys"])
def test_hostile_files_raise_value_error(raw):
    assert isinstance(_load(raw), ValueError)


def test_a_file_asking_for_a_huge_model_is_refused_before_building_it():
    doc = json.loads(_good())
    doc["architecture"]["nouts"] = [10 ** 9, 10 ** 9, 1]
    assert "parameters" in str(_load(resign(doc).encode()))


# --- load_state_dict: all or nothing ------------------------------------------------------------

@given(st.data())
def test_load_state_dict_with_a_damaged_state_changes_nothing(data):
    model = MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    state = dict(MLP(2, [3, 1], seed=2).state_dict())
    names = sorted(state)
    action = data.draw(st.sampled_from(["drop", "add", "bad value"]))
    if action == "drop":
        del state[data.draw(st.sampled_from(names))]
    elif action == "add":
        state[data.draw(st.text(max_size=12).filter(lambda n: n not in state))] = 1.0
    else:
        state[data.draw(st.sampled_from(names))] = data.draw(
            st.sampled_from([math.nan, math.inf, -math.inf, "1", None, True, [1.0], 10 ** 400]))
    # The damage is placed at a random position, so a check that stops early would leave a prefix loaded.
    order = data.draw(st.permutations(list(state)))
    with pytest.raises(ValueError):
        model.load_state_dict({k: state[k] for k in order})
    assert model.state_dict() == before


# --- save: a failure leaves the previous file -----------------------------------------------------

def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _read_only(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("target, fail", [
    ("os.replace", _disk_full), ("os.fsync", _disk_full), ("os.open", _read_only),
    ("os.fchmod", _read_only), ("os.replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt)),
], ids=["rename-disk-full", "flush-disk-full", "read-only-directory", "chmod-refused", "interrupted"])
def test_a_failed_save_leaves_the_previous_file_intact_and_no_temporary_file(tmp_path, monkeypatch, target, fail):
    # Running as root, chmod cannot make a directory read-only for us, so the failures are simulated
    # at the system calls save goes through.
    path = tmp_path / "model.json"
    MODEL.save(path)
    before = path.read_bytes()
    other = MLP(2, [3, 2, 1], activation="tanh", seed=5)
    module_name, attr = target.split(".")
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module_name], attr, fail)
    with pytest.raises((OSError, KeyboardInterrupt)):
        other.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    assert MLP.load(path).state_dict() == MODEL.state_dict()


def test_a_failed_write_of_the_text_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    MODEL.save(path)
    before = path.read_bytes()
    real_write = os.write
    calls = []

    def half_then_full(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))  # half of it reaches the disk
        _disk_full()
    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [3, 2, 1], activation="tanh", seed=5).save(path)
    monkeypatch.undo()
    assert len(calls) == 2
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_layers_and_neurons_save_and_load_too(tmp_path):
    for model in (Layer(3, 2, "sigmoid", seed=0), Neuron(4, "linear", seed=0)):
        model.save(tmp_path / "m.json")
        again = type(model).load(tmp_path / "m.json")
        assert again.state_dict() == model.state_dict() and repr(again) == repr(model)
