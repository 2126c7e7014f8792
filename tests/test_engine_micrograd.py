"""micrograd's names on Value (`_prev`, `_op`, `_backward()`) and the public `backward_step()`,
checked against micrograd 0.1.0 itself, which builds the same graphs in the same way."""
import pytest

from autograd import Value

mg = pytest.importorskip("micrograd.engine")


def _both(build, *values):
    """(pathgrad output, its leaves, micrograd output, its leaves) for the same expression."""
    ours = [Value(v) for v in values]
    theirs = [mg.Value(v) for v in values]
    return build(*ours), ours, build(*theirs), theirs


def _micrograd_topo(root):
    # the lecture's build_topo cell, as written there (recursive; small graphs), walking `_prev`
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)
    build_topo(root)
    return topo


def lecture(x1, x2, w1, w2, b):
    # the lecture's neuron, with relu (micrograd 0.1.0's only nonlinearity) and a square on top
    n = x1 * w1 + x2 * w2 + b
    return n.relu() ** 2 + n * n


def test_prev_is_the_set_of_parent_nodes_as_in_micrograd():
    a, b = Value(2.0), Value(-3.0)
    assert type((a * b)._prev) is set and (a * b)._prev == {a, b}
    assert (a * a)._prev == {a} and (a * a).parents == (a, a)  # the set merges the two edges of a*a
    assert a._prev == set() and (a + 1.0)._prev == {a}  # a constant is not a node here


def test_op_is_micrograds_symbol_where_micrograd_has_one():
    ours, _, theirs, _ = _both(lambda a, b: [a + b, a * b, a ** 2, a ** 0.5, a.relu()], 2.0, 3.0)
    assert [v._op for v in ours] == [v._op for v in theirs] == ["+", "*", "**2", "**0.5", "ReLU"]
    a = Value(0.5)
    assert (a.tanh()._op, a.exp()._op, a.sigmoid()._op, (2.0 ** a)._op, a._op) == ("tanh", "exp", "sigmoid", "**", "")


def test_backward_by_hand_one_node_at_a_time_gives_micrograds_numbers():
    ours, xs, theirs, ms = _both(lecture, 2.0, 0.0, -3.0, 1.0, 6.8813735870195432)
    for out, order in ((ours, _micrograd_topo(ours)), (theirs, _micrograd_topo(theirs))):
        out.grad = 1.0
        for v in reversed(order):
            v._backward()
    assert [x.grad for x in xs] == pytest.approx([m.grad for m in ms], rel=1e-15)
    assert any(m.grad for m in ms)


def test_backward_step_is_one_nodes_chain_rule_step_once_per_edge():
    a, b = Value(3.0), Value(4.0)
    y = a * a + a * b
    y.grad = 1.0
    y.backward_step()  # y = p + q: each parent gets 1 * y.grad
    p, q = y.parents
    assert (p.grad, q.grad) == (1.0, 1.0) and a.grad == 0.0
    p.backward_step()  # p = a * a: two edges, each adds a.data * p.grad
    assert a.grad == 6.0
    q.backward_step()
    assert (a.grad, b.grad) == (10.0, 3.0)  # d(a^2 + ab)/da = 2a + b, d/db = a
    assert Value.backward_step is Value._backward and Value(1.0).backward_step() is None
