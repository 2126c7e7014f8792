"""Fuzzing every public entry point with hostile arguments: each call succeeds or raises one of the
documented built-in exception types with a message; never AttributeError, AssertionError,
RecursionError, UnboundLocalError or another sign of a crash, and never a hang."""
import math
import os
import tempfile

import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import (Tape, Value, count_paths, detect_anomaly, draw, draw_network, explain, grad,
                      gradcheck, gradgradcheck, hessian, jacobian, node_names, nodes_between, paths,
                      trace_backward, value_and_grad)
from autograd.text import graph_text as text
from nn import MLP, SGD, Adam, Layer, Neuron, binary_cross_entropy, cross_entropy, data, hinge, l2, mse
from nn.nielsen import Nielsen, check_bp

DOCUMENTED = (TypeError, ValueError, ArithmeticError, IndexError, FileNotFoundError, FloatingPointError)


def _graph():
    a, b = Value(0.5, label="a"), Value(-1.5, label="b")
    return (a * b + a).tanh(), a, b


HOSTILE = [None, "1", "", b"x", [1], [], (), {}, {"a": 1}, 1 + 2j, math.nan, math.inf, -math.inf, -1, 0, 1, 2,
           -10 ** 400, True, False, object(), 1.5, -0.5, 1e308, 5e-324, "relu", "x", [math.nan], [1, 2, 3],
           [[1.0, 2.0]], lambda *a: 1.0, lambda *a: "s"]
BIG = [10 ** 400, 10 ** 20]  # only where no size is read from it (a size that large is a real request)


def hostile_or(valid, big=True):
    """A valid argument, or any hostile one (Values and models are made fresh per call)."""
    pool = HOSTILE + (BIG if big else [])
    return st.one_of(st.just(valid), st.sampled_from(pool),
                     st.sampled_from(["value", "nan value", "graph", "model", "values"]).map(lambda k: k + "!"))


def _materialise(arg):
    if isinstance(arg, str) and arg.endswith("!"):
        kind = arg[:-1]
        return {"value": lambda: Value(1.0), "nan value": lambda: Value(math.nan), "graph": lambda: _graph()[0],
                "model": lambda: MLP(2, [2, 1], seed=0), "values": lambda: [Value(0.3), Value(-0.2)]}[kind]()
    return arg


def _f(x, *rest):
    return x * x * 0.5 + sum(rest, 0.0)  # works on floats too (grad with argnums=() passes floats)


def _call(name, args):
    y, a, b = _graph()
    model = MLP(2, [2, 1], seed=0)
    m = {"y": y, "a": a, "model": model, "params": model.parameters()}
    args = [m.get(x, x) if isinstance(x, str) and x in m else _materialise(x) for x in args]
    calls = {
        "Value": lambda d, lab: Value(d, lab),
        "paths": lambda o, i, lim: list(paths(o, i, lim)),
        "count_paths": lambda o, i: count_paths(o, i),
        "explain": lambda o, i, lim: str(explain(o, i, lim)),
        "nodes_between": lambda o, i: nodes_between(o, i),
        "trace_backward": lambda o: str(trace_backward(o)),
        "node_names": lambda o: node_names(o),
        "draw": lambda o, rd, sg, el, hl, cg, mx: draw(o, rankdir=rd, show_grad=sg, edge_labels=el, highlight=hl,
                                                      color_by_grad=cg, max_nodes=mx).source,
        "text": lambda o, mx: text(o, mx),
        "draw_network": lambda mo, g: draw_network(mo, grads=g).source,
        "grad": lambda f, n, x: grad(f, n)(x),
        "value_and_grad": lambda f, n, x: value_and_grad(f, n)(x),
        "jacobian": lambda f, x: jacobian(f)(x),
        "hessian": lambda f, x, z: hessian(f)(x, z),
        "gradcheck": lambda f, xs, eps, atol, rtol: gradcheck(f, xs, eps, atol, rtol),
        "gradgradcheck": lambda f, xs, eps: gradgradcheck(f, xs, eps),
        "Tape": lambda o: Tape(o).forward(),
        "compile": lambda o, c: Tape(o).compile(c).forward(),
        "detect_anomaly": lambda e: detect_anomaly(e).__enter__().__exit__(None, None, None),
        "MLP": lambda nin, nouts, act, oact, seed: repr(MLP(nin, nouts, act, oact, seed=seed)),
        "Neuron": lambda nin, act, seed: repr(Neuron(nin, act, seed=seed)),
        "Layer": lambda nin, nout, act: repr(Layer(nin, nout, act)),
        "model call": lambda mo, x: mo(x),
        "mse": lambda o, t: mse(o, t),
        "hinge": lambda o, t: hinge(o, t),
        "binary_cross_entropy": lambda o, t: binary_cross_entropy(o, t),
        "cross_entropy": lambda o, t: cross_entropy(o, t),
        "l2": lambda ps, alpha: l2(ps, alpha),
        "SGD": lambda ps, lr, mom, wd: SGD(ps, lr, mom, wd).step(),
        "Adam": lambda ps, lr, betas, eps: Adam(ps, lr, betas, eps).step(),
        "moons": lambda n, noise, seed: data.moons(n, noise, seed),
        "spiral": lambda n, noise, seed, arms: data.spiral(n, noise, seed, arms),
        "Nielsen.w": lambda mo, l, j, k: Nielsen(mo).w(l, j, k),
        "check_bp": lambda mo, x, t, cost: str(check_bp(mo, x, t, cost)),
        "load": lambda p: MLP.load(p),
        "save": lambda mo, p, meta: mo.save(p, meta),
        "load_state_dict": lambda mo, s: mo.load_state_dict(s),
    }
    return calls[name](*args)


SMALL = dict(big=False)
ENTRY_POINTS = {
    "Value": [hostile_or(1.0), hostile_or("x")],
    "paths": [hostile_or("y"), hostile_or("a"), hostile_or(None, **SMALL)],
    "count_paths": [hostile_or("y"), hostile_or("a")],
    "explain": [hostile_or("y"), hostile_or("a"), hostile_or(64, **SMALL)],
    "nodes_between": [hostile_or("y"), hostile_or("a")],
    "trace_backward": [hostile_or("y")],
    "node_names": [hostile_or("y")],
    "draw": [hostile_or("y"), hostile_or("LR"), hostile_or(True), hostile_or("local"), hostile_or(None),
             hostile_or(False), hostile_or(500, **SMALL)],
    "text": [hostile_or("y"), hostile_or(500, **SMALL)],
    "draw_network": [hostile_or("model"), hostile_or(True)],
    "grad": [hostile_or(_f), hostile_or(0), hostile_or(0.7)],
    "value_and_grad": [hostile_or(_f), hostile_or(0), hostile_or(0.7)],
    "jacobian": [hostile_or(lambda x: [x, x * x]), hostile_or(0.7)],
    "hessian": [hostile_or(_f), hostile_or(0.7), hostile_or(0.2)],
    "gradcheck": [hostile_or(_f), hostile_or([0.7]), hostile_or(1e-6), hostile_or(1e-5), hostile_or(1e-3)],
    "gradgradcheck": [hostile_or(_f), hostile_or([0.7]), hostile_or(1e-4)],
    "Tape": [hostile_or("y")],
    "compile": [hostile_or("y"), hostile_or(10, **SMALL)],
    "detect_anomaly": [hostile_or(True)],
    "MLP": [hostile_or(2, **SMALL), hostile_or([2, 1], **SMALL), hostile_or("relu"), hostile_or("linear"),
            hostile_or(0)],
    "Neuron": [hostile_or(2, **SMALL), hostile_or("tanh"), hostile_or(0)],
    "Layer": [hostile_or(2, **SMALL), hostile_or(3, **SMALL), hostile_or("sigmoid")],
    "model call": [st.just("model"), hostile_or([0.5, -0.5])],  # a method: its receiver is a model
    "mse": [hostile_or([0.5]), hostile_or([1.0])],
    "hinge": [hostile_or([0.5]), hostile_or([1])],
    "binary_cross_entropy": [hostile_or([0.5]), hostile_or([1.0])],
    "cross_entropy": [hostile_or([0.5, 1.5]), hostile_or(1)],
    "l2": [hostile_or("params"), hostile_or(1e-4)],
    "SGD": [hostile_or("params"), hostile_or(0.1), hostile_or(0.9), hostile_or(0.0)],
    "Adam": [hostile_or("params"), hostile_or(1e-3), hostile_or((0.9, 0.999)), hostile_or(1e-8)],
    "moons": [hostile_or(10, **SMALL), hostile_or(0.1), hostile_or(0)],
    "spiral": [hostile_or(12, **SMALL), hostile_or(0.2), hostile_or(0), hostile_or(3, **SMALL)],
    "Nielsen.w": [hostile_or("model"), hostile_or(2, **SMALL), hostile_or(1, **SMALL), hostile_or(1, **SMALL)],
    "check_bp": [hostile_or("model"), hostile_or([0.5, -0.5]), hostile_or([1.0]), hostile_or("quadratic")],
    "load": [hostile_or("missing.json")],
    "save": [st.just("model"), hostile_or("m.json"), hostile_or(None)],
    "load_state_dict": [st.just("model"), hostile_or({})],
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@given(data=st.data())
def test_every_entry_point_succeeds_or_raises_a_documented_error_with_a_message(name, data):
    args = data.draw(st.tuples(*ENTRY_POINTS[name]), label="arguments")
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)  # save/load write and read relative paths here
        try:
            _call(name, args)
        except DOCUMENTED as err:
            assert str(err).strip(), f"{name}{args!r}: {type(err).__name__} without a message"
        finally:
            os.chdir(cwd)
    assert not autograd.engine._state.anomaly and autograd.is_grad_enabled()
