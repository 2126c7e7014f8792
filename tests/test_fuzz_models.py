"""Fuzzing model files: truncated, bit-flipped, random and hostile files only ever raise ValueError from
load, a model is loaded completely or not at all, and a failed save leaves the previous file intact."""
import errno
import json
import math
import os
import tempfile

import pytest
from hypothesis import given, strategies as st

from nn import MLP, Layer, Module, Neuron, load_checkpoint

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
def test_byte_flips_load_completely_or_raise_value_error(data):
    raw = bytearray(_good())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _assert_complete(_load(bytes(raw)), bytes(raw))


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
    raw = json.dumps(doc).encode()
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
    assert "parameters" in str(_load(json.dumps(doc).encode()))


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
    ("os.replace", _disk_full), ("os.fsync", _disk_full), ("tempfile.mkstemp", _read_only),
    ("os.chmod", _read_only), ("os.replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt)),
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
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])  # half of it reaches the disk, then the disk is full
            _disk_full()

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [3, 2, 1], activation="tanh", seed=5).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_layers_and_neurons_save_and_load_too(tmp_path):
    for model in (Layer(3, 2, "sigmoid", seed=0), Neuron(4, "linear", seed=0)):
        model.save(tmp_path / "m.json")
        again = type(model).load(tmp_path / "m.json")
        assert again.state_dict() == model.state_dict() and repr(again) == repr(model)
