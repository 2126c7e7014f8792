"""Training end to end: micrograd's moons recipe, parity with micrograd, checkpoints and the demos' CLI."""
import json
import math
import os
import random
import subprocess
import sys

import pytest

from autograd import Value
from demos import _train
from nn import MLP, SGD, hinge, l2
from nn.data import moons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def moons_step(model, X, y, k, opt=None):
    """One step of micrograd's recipe; returns (loss, accuracy) of the forward pass before the update."""
    scores = [model(x) for x in X]
    loss = hinge(scores, y) + l2(model.parameters(), 1e-4)
    acc = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
    model.zero_grad()
    loss.backward()
    if opt is None:
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    else:
        opt.step()
    return loss.data, acc


def test_micrograds_moons_recipe_reaches_100_percent_with_the_default_seed():
    X, labels = moons(100, 0.1, seed=0)
    y = [2 * c - 1 for c in labels]
    model = MLP(2, [16, 16, 1], seed=0)
    assert model.num_parameters() == 337
    opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    history = [moons_step(model, X, y, k, opt) for k in range(100)]
    final = [model(x).data for x in X]
    assert all((s > 0) == (t > 0) for s, t in zip(final, y))
    assert history[-1][1] == 1.0
    assert history[-1][0] < 0.05 < history[0][0]


def test_training_steps_match_micrograds():
    mg_engine = pytest.importorskip("micrograd.engine")
    mg_nn = pytest.importorskip("micrograd.nn")
    X, labels = moons(30, 0.1, seed=1)
    y = [2 * c - 1 for c in labels]
    ours = MLP(2, [8, 8, 1], seed=0)
    random.seed(0)
    theirs = mg_nn.MLP(2, [8, 8, 1])
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    for k in range(3):
        our_loss, _ = moons_step(ours, X, y, k)
        # micrograd's notebook, verbatim but for the data source
        scores = [theirs([mg_engine.Value(a), mg_engine.Value(b)]) for a, b in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum((p * p for p in theirs.parameters()))
        total_loss = data_loss + reg_loss
        theirs.zero_grad()
        total_loss.backward()
        for p in theirs.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        if k == 0:  # same nodes in the same order: the forward pass agrees to the last bit
            assert our_loss == total_loss.data
    # backward adds a leaf's contributions in another order than micrograd's set-based sort: last bits differ
    assert [p.data for p in ours.parameters()] == pytest.approx([p.data for p in theirs.parameters()], rel=1e-12)


def test_numpy_forward_used_for_plots_agrees_with_the_model():
    np = pytest.importorskip("numpy")
    model = MLP(2, [5, 4, 3], activation="sigmoid", output_activation="tanh", seed=2)
    P = [[0.3, -1.2], [2.0, 0.5], [-40.0, 40.0]]
    fast = _train.numpy_forward(model, np.array(P))
    for row, x in zip(fast.tolist(), P):
        assert row == pytest.approx([v.data for v in model(x)], abs=1e-12)


SMALL = ["--n", "24", "--hidden", "4", "--noise", "0.1"]


def run_demo(tmp_path, *argv, module="moons"):
    main = __import__(f"demos.{module}", fromlist=["main"]).main
    return main([*SMALL, "--out", str(tmp_path / "out"), *argv])


def test_resuming_from_a_checkpoint_continues_exactly(tmp_path, capsys):
    for opt in ("sgd", "adam"):
        straight, half, resumed = (tmp_path / f"{opt}{i}.json" for i in range(3))
        assert run_demo(tmp_path, "--steps", "6", "--optimizer", opt, "--save", str(straight)) == 0
        assert run_demo(tmp_path, "--steps", "3", "--optimizer", opt, "--save", str(half)) == 0
        assert run_demo(tmp_path, "--steps", "6", "--resume", str(half), "--save", str(resumed)) == 0
        a, b = json.loads(straight.read_text()), json.loads(resumed.read_text())
        assert a["parameters"] == b["parameters"]
        assert a["meta"]["history"] == b["meta"]["history"]
        assert b["meta"]["optimizer_state"]["steps"] == 6
    out = capsys.readouterr().out
    assert "resumed MLP(2 -> 4 relu -> 1) at step 3" in out


@pytest.mark.parametrize("damage", [
    lambda t: t[: len(t) // 3],
    lambda t: t.replace('"version": 2', '"version": 7'),
    lambda t: t.replace('"nouts": [\n   4,', '"nouts": [\n   5,'),
    lambda t: "garbage",
    lambda t: t.replace('"history"', '"histogram"'),
    lambda t: t.replace('"loss": "hinge"', '"loss": "hinges"'),
    lambda t: t.replace('"optimizer": "sgd"', '"optimizer": "rmsprop"'),
])
def test_a_corrupted_checkpoint_stops_with_a_clear_error_and_exit_code_2(tmp_path, capsys, damage):
    path = tmp_path / "ckpt.json"
    assert run_demo(tmp_path, "--steps", "2", "--save", str(path)) == 0
    path.write_text(damage(path.read_text()))
    before = path.read_bytes()
    capsys.readouterr()
    assert run_demo(tmp_path, "--steps", "4", "--resume", str(path), "--save", str(path)) == 2
    err = capsys.readouterr().err
    assert f"error: cannot resume from {path}" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_the_moons_command_exits_2_without_traceback_on_a_bad_checkpoint(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "pathgrad.nn", "version": 1, "architecture": {')
    proc = subprocess.run([sys.executable, "-m", "demos.moons", "--resume", str(bad), "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "truncated JSON" in proc.stderr and "Traceback" not in proc.stderr
    missing = subprocess.run([sys.executable, "-m", "demos.moons", "--resume", str(tmp_path / "nope.json")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "No such file" in missing.stderr and "Traceback" not in missing.stderr


def test_demo_writes_both_plots_and_says_where(tmp_path, capsys):
    assert run_demo(tmp_path, "--steps", "2") == 0
    out = capsys.readouterr().out
    for name in ("moons_boundary.png", "moons_curves.png"):
        path = tmp_path / "out" / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {path}" in out
    assert "final: step 2" in out


def test_save_and_out_may_name_new_nested_folders(tmp_path, capsys):
    ckpt = tmp_path / "runs" / "a" / "m.json"
    assert run_demo(tmp_path, "--steps", "1", "--save", str(ckpt), "--out", str(tmp_path / "x" / "y")) == 0
    assert MLP.load(ckpt).num_parameters() == 17
    assert (tmp_path / "x" / "y" / "moons_curves.png").exists()


def test_an_unusable_out_or_save_folder_exits_2_before_training(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert run_demo(tmp_path, "--out", str(tmp_path / "file")) == 2
    assert run_demo(tmp_path, "--save", str(tmp_path / "file" / "m.json")) == 2
    out, err = capsys.readouterr()
    assert "final:" not in out and "Traceback" not in err
    assert f"--out {tmp_path / 'file'}" in err and f"--save {tmp_path / 'file' / 'm.json'}" in err


@pytest.mark.parametrize("dataset", ["circles", "xor", "spiral"])
def test_classify_runs_every_dataset_with_its_loss(tmp_path, capsys, dataset):
    assert run_demo(tmp_path, "--dataset", dataset, "--steps", "2", module="classify") == 0
    out = capsys.readouterr().out
    assert ("ce loss" in out) == (dataset == "spiral")


def test_bad_flags_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        run_demo(tmp_path, "--optimizer", "rmsprop")
    assert e.value.code == 2
    assert run_demo(tmp_path, "--hidden", "16,x") == 2
    assert "--hidden must be comma-separated" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--epochs", "0"], ["--batch", "0"], ["--batch", "-3"], ["--lr", "nan"]])
def test_digits_refuses_flags_it_cannot_train_with(flags, capsys):
    from demos import digits
    with pytest.raises(SystemExit) as e:
        digits.main(flags)
    assert e.value.code == 2 and flags[0] in capsys.readouterr().err


def test_digits_cross_entropy_cost_is_the_librarys_and_finite_for_logits_past_709():
    # The demo's own ln(1 + e^z) - y z raised OverflowError at z > 709.78; it now uses nn's loss.
    from autograd import Tape
    from demos import digits
    from nn import binary_cross_entropy
    model, x, y, cost, out = digits.build("cross-entropy", 0)
    tape = Tape(cost)
    for n in model.layers[-1].neurons:
        n.b.data = 800.0
    y[3].data = 1.0
    tape.forward()
    z = [o.data for o in out]
    assert all(v > 709.78 for v in z)
    expected = sum(binary_cross_entropy(Value(zj), yj.data).data for zj, yj in zip(z, y))
    assert cost.data == pytest.approx(expected, rel=1e-15) and math.isfinite(cost.data)
    assert cost.data == pytest.approx(sum(z) - z[3], rel=1e-15)  # softplus(z) = z there, to 1e-300


@pytest.mark.parametrize("edit,message", [
    (lambda m: m["data"].update(data_seed="x"), "data: data_seed must be an int, got 'x'"),
    (lambda m: m["data"].update(data_seed=[1]), "data: data_seed must be an int"),
    (lambda m: m["data"].update(n=1), "data: n must be an int >= 2, got 1"),
    (lambda m: m["data"].update(noise=-0.5), "data: noise must be a number >= 0"),
    (lambda m: m["history"]["acc"].pop(), "history has 2 losses and 1 accuracies for 2 steps: one of each per step"),
    (lambda m: m["history"]["loss"].append(0.5), "history has 3 losses and 2 accuracies"),
    (lambda m: m["optimizer_state"].update(steps=10 ** 400), "steps must be an int in 0..2**53"),
])
def test_a_checkpoint_with_wrong_settings_but_a_right_digest_exits_2_with_one_line(tmp_path, capsys, edit, message):
    # Written as another program could (digest right, contents wrong): the checks behind the digest
    # must turn each into the demo's one-line error, never a traceback.
    from _model_file import resign
    path = tmp_path / "ckpt.json"
    assert run_demo(tmp_path, "--steps", "2", "--save", str(path)) == 0
    doc = json.loads(path.read_text())
    edit(doc["meta"])
    path.write_text(resign(doc))
    capsys.readouterr()
    assert run_demo(tmp_path, "--steps", "4", "--resume", str(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"error: cannot resume from {path}" in err and message in err, err
