"""Module: state_dict, and save/load as JSON written atomically and checked before anything changes."""
import json
import os

import pytest

from nn import MLP, Layer, Module, Neuron, load_checkpoint

from _model_file import resign
from autograd import _files

X = [[0.5, -1.0], [2.0, 0.25], [-1.5, 1.5]]


def outputs(model):
    return [model(x).data for x in X]


@pytest.fixture
def saved(tmp_path):
    model = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def test_save_then_load_gives_identical_outputs_and_architecture(saved):
    model, path = saved
    loaded = MLP.load(path)
    assert repr(loaded) == repr(model) == "MLP(2 -> 4 tanh -> 3 tanh -> 1 sigmoid)"
    assert outputs(loaded) == outputs(model)
    assert loaded.state_dict() == model.state_dict()


def test_file_is_json_with_format_version_architecture_and_named_parameters(saved):
    model, path = saved
    doc = json.loads(path.read_text())
    assert doc["format"] == "pathgrad.nn" and doc["version"] == 2
    assert list(doc) == ["format", "version", "sha256", "architecture", "parameters"]
    assert path.read_text() == resign(doc)  # the digest and the layout the specification gives
    assert doc["architecture"] == {"class": "MLP", "nin": 2, "nouts": [4, 3, 1],
                                   "activation": "tanh", "output_activation": "sigmoid"}
    assert list(doc["parameters"]) == [n for n, _ in model.named_parameters()]


def test_module_load_builds_the_class_named_in_the_file(tmp_path):
    for model in (Neuron(3, "tanh", seed=0), Layer(2, 3, "sigmoid", seed=0)):
        path = tmp_path / "m.json"
        model.save(path)
        loaded = Module.load(path)
        assert type(loaded) is type(model) and repr(loaded) == repr(model)
        assert loaded.state_dict() == model.state_dict()


def test_loading_as_the_wrong_class_raises(saved):
    _, path = saved
    with pytest.raises(ValueError, match="holds a model of class MLP, not Layer"):
        Layer.load(path)


def test_meta_is_stored_and_read_back(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.save(tmp_path / "c.json", meta={"step": 40, "seed": 0})
    loaded, meta = load_checkpoint(tmp_path / "c.json", MLP)
    assert meta == {"step": 40, "seed": 0}
    assert loaded.state_dict() == model.state_dict()


def test_load_state_dict_round_trips_and_rejects_a_mismatch_without_changing_anything():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert outputs(a) == outputs(b)
    before = b.state_dict()
    bad = dict(a.state_dict())
    bad["layers.1.neurons.0.b"] = "oops"
    bad["layers.0.neurons.0.w.0"] = 99.0  # a valid entry earlier in the order must not be applied either
    with pytest.raises(ValueError, match=r"\['layers.1.neurons.0.b'\]: expected a number"):
        b.load_state_dict(bad)
    assert b.state_dict() == before
    with pytest.raises(ValueError, match="missing 1 .*layers.1.neurons.0.b"):
        b.load_state_dict({k: v for k, v in a.state_dict().items() if k != "layers.1.neurons.0.b"})


def _corrupt_json(edit):
    def apply(text):
        doc = json.loads(text)
        edit(doc)
        return resign(doc)
    return apply


def _set(path, value):
    def edit(doc):
        *keys, last = path
        for k in keys:
            doc = doc[k]
        doc[last] = value
    return _corrupt_json(edit)


CORRUPTIONS = {
    "truncated": (lambda t: t[: len(t) // 2], "truncated JSON at line"),
    "empty": (lambda t: "", "truncated JSON at line 1"),
    "not json": (lambda t: "model = MLP(2, [4, 3, 1])\n", "invalid or truncated JSON"),
    "not utf-8": (lambda t: "\udcff", "not UTF-8"),
    "a list": (lambda t: "[1, 2, 3]", "not a model file"),
    "other format": (_set(["format"], "torch"), "not a model file"),
    "wrong version": (_set(["version"], 3), "unsupported format version 3"),
    "version as text": (_set(["version"], "1"), "unsupported format version '1'"),
    "wrong shapes": (_set(["architecture", "nouts"], [5, 3, 1]), "has 37 parameters but the file holds 31"),
    "unknown class": (_set(["architecture", "class"], "os.system"), "class"),
    "unknown activation": (_set(["architecture", "activation"], "gelu"), "unknown activation 'gelu'"),
    "missing field": (_corrupt_json(lambda d: d["architecture"].pop("nin")), "needs exactly the fields"),
    "huge layer": (_set(["architecture", "nouts"], [10 ** 9, 3, 1]), "parameters but the file holds 31"),
    "renamed parameter": (_corrupt_json(lambda d: d["parameters"].update(
        {"layers.9.neurons.0.w.0": d["parameters"].pop("layers.0.neurons.0.w.0")})), "unexpected 1"),
    "text parameter": (_set(["parameters", "layers.2.neurons.0.b"], "0.5"), "layers.2.neurons.0.b"),
    "boolean parameter": (_set(["parameters", "layers.2.neurons.0.b"], True), "expected a number, got bool"),
    "nan parameter": (lambda t: t.replace('"layers.2.neurons.0.b": ', '"layers.2.neurons.0.b": NaN, "x": '),
                      "NaN is not a number"),
    "overflowing parameter": (_set(["parameters", "layers.0.neurons.0.b"], 10 ** 400), "finite number"),
    "parameters not a dict": (_set(["parameters"], [0.0] * 31), "parameters: expected an object"),
    "extra entry": (_set(["code"], "print(1)"), "unexpected entries"),
}


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_each_corruption_raises_value_error_naming_the_file_and_leaves_it_untouched(saved, kind):
    _, path = saved
    corrupt, message = CORRUPTIONS[kind]
    text = corrupt(path.read_text())
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    before = path.read_bytes()
    with pytest.raises(ValueError) as err:
        MLP.load(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert path.read_bytes() == before


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "nope.json")


def test_save_replaces_the_old_file_and_leaves_no_temporary_behind(saved):
    model, path = saved
    for p in model.parameters():
        p.data += 1.0
    model.save(path)
    assert MLP.load(path).state_dict() == model.state_dict()
    assert os.listdir(path.parent) == ["model.json"]


def test_a_failed_write_leaves_the_old_file_intact(saved, monkeypatch):
    model, path = saved
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(_files.os, "fsync", disk_full)
    for p in model.parameters():
        p.data = 0.0
    with pytest.raises(OSError, match="No space left"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_a_save_that_cannot_write_names_the_target_not_a_temporary_file(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    target = tmp_path / "no" / "such" / "dir" / "m.json"
    with pytest.raises(FileNotFoundError) as e:
        model.save(target)
    assert e.value.filename == str(target) and ".tmp" not in str(e.value)
    (tmp_path / "d.json").mkdir()
    with pytest.raises(IsADirectoryError) as e:
        model.save(tmp_path / "d.json")
    assert e.value.filename == str(tmp_path / "d.json") and ".tmp" not in str(e.value)
    assert sorted(os.listdir(tmp_path)) == ["d.json"]


def test_saving_a_non_finite_parameter_raises_and_writes_nothing(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = float("nan")
    with pytest.raises(ValueError, match="layers.0.neurons.1.w.0"):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_loading_does_not_draw_from_the_global_random_state(saved):
    import random
    _, path = saved
    random.seed(9)
    expected = random.random()
    random.seed(9)
    MLP.load(path)
    assert random.random() == expected


def test_deeply_nested_meta_is_a_value_error_naming_save_not_a_recursion_error(tmp_path):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="save: meta is nested more than 100 lists or objects deep"):
        model.save(tmp_path / "m.json", meta={"x": deep})
    loop = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="save: meta is nested"):
        model.save(tmp_path / "m.json", meta=loop)
    assert os.listdir(tmp_path) == []
    ok = {}
    inner = ok
    for _ in range(98):  # meta itself is level 1: 99 levels in all still save and load
        inner["k"] = {}
        inner = inner["k"]
    model.save(tmp_path / "m.json", meta=ok)
    assert load_checkpoint(tmp_path / "m.json")[1] == ok


def test_meta_that_json_would_change_is_saved_as_a_reader_sees_it(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.save(tmp_path / "m.json", meta={"t": (1, 2), 3: "three"})
    assert load_checkpoint(tmp_path / "m.json")[1] == {"t": [1, 2], "3": "three"}
    with pytest.raises(ValueError, match="save: meta is not JSON-serialisable: duplicate key '1'"):
        model.save(tmp_path / "n.json", meta={1: "a", "1": "b"})
    assert sorted(os.listdir(tmp_path)) == ["m.json"]
