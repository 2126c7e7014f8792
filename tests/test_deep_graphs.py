"""Every graph algorithm is iterative: each runs on a 10^6-node chain (10^5 where it is inherently
heavier, with the reason beside the test). No recursion means no RecursionError at any depth.

The chain is x -> y1 = x * c -> y2 = y1 * c -> ... -> yN, so y = x c^N, dy/dx = c^N and there is one
path of N edges. The oracles are closed forms and hand-written float loops, not the engine."""
import gc
import math
import sys

import pytest

from autograd import Tape, Value, count_paths, detect_anomaly, draw, explain, paths, show, topo_order, \
    trace_backward
from autograd.functional import grad

N = 10 ** 6
C = 1.0000001
HEAVY = 10 ** 5


def chain(x, n=N, c=C):
    y = x
    for _ in range(n):
        y = y * c
    return y


def power(n=N, c=C):
    p = 1.0
    for _ in range(n):  # the same rounding order as the chain's product
        p *= c
    return p


@pytest.fixture(scope="module", autouse=True)
def no_cycle_collector():
    # Graphs have no reference cycles, so the collector has nothing to find here; left on, it walks
    # the million live nodes again and again while they are built (4x the time of the build itself).
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(scope="module")
def deep(no_cycle_collector):
    assert sys.getrecursionlimit() < N  # the point: recursion could not do this
    x = Value(0.5, label="x")
    y = chain(x)
    y.label = "y"
    return x, y


def test_backward_on_a_million_node_chain(deep):
    x, y = deep
    x.grad = 0.0
    y.backward()
    assert x.grad == power()


def test_topological_order_of_a_million_nodes_lists_each_once_inputs_first(deep):
    x, y = deep
    order = topo_order(y)
    assert len(order) == N + 1 and order[0] is x and order[-1] is y


def test_checked_backward_under_detect_anomaly_on_a_million_nodes(deep):
    x, y = deep
    x.grad = 0.0
    with detect_anomaly():
        y.backward()
    assert x.grad == power()


def test_tape_replay_on_a_million_nodes(deep):
    x, y = deep
    tape = Tape(y)
    try:
        x.data = 2.0
        assert tape.forward() == pytest.approx(2.0 * C ** N, rel=1e-9)
        x.grad = 0.0
        tape.backward()
        assert x.grad == pytest.approx(C ** N, rel=1e-9)
    finally:
        x.data = 0.5
        tape.forward()


def test_compiled_tape_on_a_deep_chain():
    # 10^5, not 10^6: compiling writes one Python statement per node and per edge and hands the text
    # to CPython's compiler, ~10 us per node (10 s at 10^6); the generated code is straight-line,
    # split into functions of 10^4 nodes, so depth is no limit, only time.
    x = Value(0.5)
    y = chain(x, HEAVY)
    fast = Tape(y).compile()
    x.data = 2.0
    assert fast.forward() == pytest.approx(2.0 * C ** HEAVY, rel=1e-9)
    fast.backward()
    assert x.grad == power(HEAVY)


def test_count_paths_and_the_one_path_on_a_million_nodes(deep):
    x, y = deep
    assert count_paths(y, x) == 1
    (p,) = list(paths(y, x))
    assert len(p) == N and p.nodes[0] is x and p.nodes[-1] is y
    assert p.rate == pytest.approx(C ** N, rel=1e-9)


def test_explain_on_a_million_nodes_abridges_the_row(deep):
    x, y = deep
    r = explain(y, x)
    assert r.count == 1 and r.grad == pytest.approx(C ** N, rel=1e-9) and r.total == pytest.approx(r.grad)
    assert len(str(r)) < 2000


def test_backward_ledger_on_a_million_nodes_has_one_step_per_edge(deep):
    x, y = deep
    x.grad = 0.0
    ledger = trace_backward(y)
    assert len(ledger) == N
    assert ledger[-1].parent is x and ledger[-1].grad_after == pytest.approx(C ** N, rel=1e-9)


def test_draw_and_show_refuse_a_million_nodes_quickly_by_max_nodes(deep):
    _, y = deep
    for render in (draw, show):
        with pytest.raises(ValueError, match=f"{N + 1} nodes.*max_nodes"):
            render(y)


def test_pickle_and_deepcopy_of_a_deep_chain(deep):
    # 10^5, not 10^6: the pickle holds a second copy of the graph at once.
    import copy
    import pickle
    x = Value(0.5, label="x")
    y = chain(x, HEAVY)
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        leaves = [v for v in topo_order(clone) if not v.op]
        assert clone.data == y.data and [v.label for v in leaves] == ["x"] and leaves[0] is not x
        clone.backward()
        assert leaves[0].grad == power(HEAVY)


def test_grad_of_a_function_that_builds_a_million_node_chain():
    assert grad(chain)(0.5) == power()


def test_create_graph_on_a_deep_sin_chain():
    # 10^5, not 10^6: create_graph builds a second graph of about three nodes per edge (the local
    # derivative cos(y), its product with the upstream grad), which is then differentiated again,
    # so it is ~6x the work and memory of the plain chain at the same depth.
    x = Value(1.0)
    y = x
    for _ in range(HEAVY):
        y = y.sin()
    y.backward(create_graph=True)
    first = x.grad
    x.grad = 0.0
    first.backward()
    # Oracle: forward-mode by hand, y' = cos(y) y', y'' = -sin(y) y'^2 + cos(y) y''.
    v, d1, d2 = 1.0, 1.0, 0.0
    for _ in range(HEAVY):
        s, c = math.sin(v), math.cos(v)
        v, d1, d2 = s, c * d1, -s * d1 * d1 + c * d2
    assert first.data == pytest.approx(d1, rel=1e-9)
    assert x.grad == pytest.approx(d2, rel=1e-9)
