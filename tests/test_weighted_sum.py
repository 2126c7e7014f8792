"""A neuron's pre-activation: engine.weighted_sum makes the chain b + w0*x0 + w1*x1 + ... itself,
so it must be node for node the graph of the ops (+ and *), with micrograd's floats and derivatives."""
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, detect_anomaly, no_grad
from autograd.engine import weighted_sum

inputs = st.one_of(st.floats(-1e3, 1e3), st.integers(-5, 5), st.floats(-1e3, 1e3).map(Value))


def _nodes(root):
    out, stack, seen = [], [root], set()
    while stack:
        v = stack.pop()
        if type(v) is not Value or v in seen:
            continue
        seen.add(v)
        out.append(v)
        stack.extend((v._a, v._b))
    return out


@given(st.lists(st.floats(-1e3, 1e3), max_size=6), st.data())
def test_weighted_sum_is_the_chain_of_products_and_sums_and_its_gradients_are_exact(wv, data):
    ws = [Value(v) for v in wv]
    xs = data.draw(st.lists(inputs, min_size=len(ws), max_size=len(ws)))
    b = Value(data.draw(st.floats(-1e3, 1e3)))
    z = weighted_sum(ws, xs, b)
    # the exact chain, rounded after each op as floats are: ((b + w0 x0) + w1 x1) + ...
    s = b.data
    for w, x in zip(ws, xs):
        s = float(Fraction(s) + Fraction(float(Fraction(w.data) * Fraction(x.data if type(x) is Value else x))))
    assert z.data == s
    ops = [v.op for v in _nodes(z) if v.op]
    assert sorted(ops) == sorted(["+", "*"] * len(ws))
    for node in _nodes(z):
        if node.op == "+":
            assert node.local_grads == (1.0, 1.0) and node.parents[1].op == "*"
        elif node.op == "*":
            w, x = node._a, node._b
            assert w in ws and node._da == (x.data if type(x) is Value else float(x))
            assert node._db == (w.data if type(x) is Value else None)
    z.backward()
    for w, x in zip(ws, xs):  # dz/dw_i = x_i exactly; dz/dx_i = w_i; dz/db = 1
        assert w.grad == (x.data if type(x) is Value else float(x)) or ws.count(w) > 1
        if type(x) is Value:
            assert x.grad == w.data
    assert b.grad == 1.0


def test_weighted_sum_under_no_grad_and_detect_anomaly_goes_through_the_ops():
    ws, xs, b = [Value(2.0), Value(3.0)], [Value(5.0), 7.0], Value(1.0)
    with no_grad():
        z = weighted_sum(ws, xs, b)
    assert z.data == 32.0 and not z.op
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"op '\*' produced nan"):
        weighted_sum([Value(float("inf"))], [0.0], b)  # the checked * sees inf * 0
    with pytest.raises(TypeError, match="multiply"):  # what w * "a" raises: the ops decided
        weighted_sum(ws, ["a", 1.0], b)
