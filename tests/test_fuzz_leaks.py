"""No leaks: graphs are freed by reference counting alone (the cycle collector is disabled here), a
training loop's memory stays flat over 1,000 steps, and no algorithm (paths, ledger, drawing, tape,
compile, anomaly mode, grad) keeps a hidden reference to a graph once its result is dropped."""
import gc
import math
import random
import tracemalloc
import weakref

import pytest
from hypothesis import given, strategies as st

from autograd import (OPS, Tape, Value, count_paths, detect_anomaly, draw, explain, grad, paths, show,
                      trace_backward)
from autograd.text import graph_text as text
from nn import MLP, SGD, hinge, l2


@pytest.fixture
def no_collector():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _step(model, opt, xs, ys):
    loss = hinge([model(x) for x in xs], ys) + l2(model.parameters(), 1e-4)
    model.zero_grad()
    loss.backward()
    opt.step()
    return loss


def test_a_thousand_training_steps_keep_memory_flat_without_the_cycle_collector(no_collector):
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(6)]
    ys = [1 if x[0] * x[1] > 0 else -1 for x in xs]
    model = MLP(2, [4, 4, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.05)
    for _ in range(20):  # warm-up: caches of the interpreter and the libraries fill once
        _step(model, opt, xs, ys)
    tracemalloc.start()
    try:
        one = tracemalloc.get_traced_memory()[0]
        loss = _step(model, opt, xs, ys)
        graph = tracemalloc.get_traced_memory()[0] - one   # what one step's graph holds
        ref = weakref.ref(loss)
        del loss
        assert ref() is None, "the loss outlived its last reference"
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            _step(model, opt, xs, ys)
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert graph > 20_000  # the measurement sees a graph (~300 nodes)
    print(f"one step's graph: {graph} B; growth over 1,000 steps: {growth} B")
    assert growth < graph / 10, f"memory grew by {growth} B over 1,000 steps (one graph is {graph} B)"
    assert gc.collect() == 0, "graphs left reference cycles for the collector"


# --- every algorithm lets go of the graph ---------------------------------------------------------

def _drop_tape(y):
    t = Tape(y)
    t.forward()
    t.backward()


def _drop_compiled(y):
    c = Tape(y).compile()
    c.forward()
    c.backward()


def _create_graph(y):
    y.backward(create_graph=True)
    for v in _leaves(y):  # the grads are Values built on the graph: the user's to drop
        v.grad = 0.0


def _leaves(y):
    from autograd import topo_order
    return [v for v in topo_order(y) if not v.op]


ALGORITHMS = {
    "backward": lambda y: y.backward(),
    "create_graph": _create_graph,
    "paths": lambda y: [list(paths(y, x)) for x in _leaves(y)],
    "count_paths": lambda y: [count_paths(y, x) for x in _leaves(y)],
    "explain": lambda y: [str(explain(y, x)) for x in _leaves(y)],
    "ledger": lambda y: str(trace_backward(y)),
    "draw": lambda y: draw(y, edge_labels="contribution").source,
    "show": lambda y: text(y),
    "tape": _drop_tape,
    "compile": _drop_compiled,
    "anomaly backward": lambda y: _anomaly(y),
}


def _anomaly(y):
    with detect_anomaly():
        y.backward()


@st.composite
def graphs(draw):
    """A random graph over every op (the leaves are returned; the output is built inside)."""
    leaves = [Value(draw(st.floats(0.2, 2.0)), label=f"x{i}") for i in range(draw(st.integers(1, 3)))]
    steps = draw(st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99), st.integers(0, 99),
                                    st.booleans()), min_size=1, max_size=12))
    return leaves, steps


def _build(leaves, steps, anomaly=False):
    nodes = list(leaves)
    with detect_anomaly(anomaly):
        for name, i, j, constant in steps:
            a = nodes[i % len(nodes)]
            b = 1.5 if constant else nodes[j % len(nodes)]
            try:
                if OPS[name].arity == 1:
                    out = -a if name == "neg" else getattr(a, name)()
                else:
                    out = {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__,
                           "**": a.__pow__}[name](b)
            except (ValueError, ArithmeticError):
                continue
            if math.isfinite(out.data):
                nodes.append(out)
    return nodes[-1]


@given(graphs(), st.lists(st.sampled_from(sorted(ALGORITHMS)), min_size=1, max_size=4), st.booleans())
def test_no_algorithm_keeps_a_graph_alive_after_its_result_is_dropped(g, algorithms, anomaly):
    leaves, steps = g
    gc.disable()
    try:
        y = _build(leaves, steps, anomaly)
        if not y.op:
            return
        for name in algorithms:
            try:
                ALGORITHMS[name](y)
            except (ValueError, ArithmeticError):  # e.g. create_graph at a point with an infinite slope
                pass
        ref = weakref.ref(y)
        del y
        assert ref() is None, f"the graph outlived {algorithms}"
    finally:
        gc.enable()


def test_grad_of_a_function_keeps_nothing(no_collector):
    seen = []

    def f(x):
        y = (x * x).tanh() + x.exp()
        seen.append(weakref.ref(y))
        return y
    assert grad(f)(0.3) == pytest.approx(2 * 0.3 * (1 - math.tanh(0.09) ** 2) + math.exp(0.3))
    assert seen[0]() is None


def test_show_prints_without_keeping_the_graph(no_collector, capsys):
    y = Value(1.0) * 2.0
    ref = weakref.ref(y)
    show(y)
    del y
    assert ref() is None and "2 nodes" in capsys.readouterr().out
