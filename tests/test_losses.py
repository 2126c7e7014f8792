"""Losses: values and gradients against sympy and PyTorch, stability at logits of +-1000, bad input."""
import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import topo_order
from nn import binary_cross_entropy, cross_entropy, hinge, l2, mse
from nn.losses import mean, total

finite = st.floats(-20, 20, allow_nan=False)


def leaves(xs):
    return [Value(x) for x in xs]


class SympyLoss:
    """A loss written in sympy over inputs `xs` and targets `ys`, with its exact gradient in the xs,
    compiled once and evaluated with mpmath at 50 digits (so the oracle loses no digits itself)."""

    def __init__(self, expr, xs, ys=()):
        args = list(xs) + list(ys)
        self.f = sp.lambdify(args, expr, "mpmath")
        self.grads = [sp.lambdify(args, sp.diff(expr, x), "mpmath") for x in xs]

    def check(self, loss_fn, point, targets=(), tol=1e-9):
        vs = leaves(point)
        loss = loss_fn(vs)
        loss.backward()
        with mpmath.workdps(50):
            args = [mpmath.mpf(x) for x in list(point) + list(targets)]
            assert loss.data == pytest.approx(float(self.f(*args)), rel=tol, abs=tol)
            assert [v.grad for v in vs] == pytest.approx([float(g(*args)) for g in self.grads], rel=tol, abs=tol)


A, Y = sp.symbols("a0:3"), sp.symbols("y0:3")
MSE = SympyLoss(sum((a - y) ** 2 for a, y in zip(A, Y)) / 3, A, Y)
HINGE = SympyLoss(sum(sp.Max(0, 1 - y * a) for a, y in zip(A, Y)) / 3, A, Y)
_SIG = [1 / (1 + sp.exp(-a)) for a in A[:2]]
BCE = SympyLoss(-sum(y * sp.log(g) + (1 - y) * sp.log(1 - g) for g, y in zip(_SIG, Y)) / 2, A[:2], Y[:2])
SOFTMAX = [SympyLoss(-sp.log(sp.exp(A[t]) / sum(sp.exp(a) for a in A)), A) for t in range(3)]


@given(st.lists(finite, min_size=3, max_size=3), st.lists(finite, min_size=3, max_size=3))
def test_mse_value_and_gradient_match_sympy(a, y):
    MSE.check(lambda vs: mse(vs, y), a, y)


@given(st.lists(finite, min_size=3, max_size=3), st.lists(st.sampled_from([-1, 1]), min_size=3, max_size=3))
def test_hinge_value_and_gradient_match_sympy_away_from_the_kink(scores, labels):
    if any(abs(1 - y * s) < 1e-6 for s, y in zip(scores, labels)):
        return
    HINGE.check(lambda vs: hinge(vs, labels), scores, labels)


@given(st.lists(finite, min_size=2, max_size=2), st.lists(st.floats(0, 1), min_size=2, max_size=2))
def test_binary_cross_entropy_matches_sympy_log_sigmoid_form(z, y):
    BCE.check(lambda vs: binary_cross_entropy(vs, y), z, y, tol=1e-8)


def test_binary_cross_entropy_gradient_at_zero_logit_is_sigmoid_minus_target():
    # relu and abs both have derivative 0 at 0; a loss built from them would say -y here.
    for y in (0.0, 0.3, 1.0):
        z = Value(0.0)
        binary_cross_entropy(z, y).backward()
        assert z.grad == pytest.approx(0.5 - y, abs=1e-15)


@pytest.mark.parametrize("z,y", [(1000.0, 1.0), (1000.0, 0.0), (-1000.0, 1.0), (-1000.0, 0.0)])
def test_binary_cross_entropy_is_stable_for_logits_of_1000(z, y):
    v = Value(z)
    loss = binary_cross_entropy(v, y)
    loss.backward()
    expected = 1000.0 if (z > 0) != (y > 0.5) else 0.0
    assert loss.data == pytest.approx(expected, abs=1e-12)
    sigmoid = 1.0 if z > 0 else 0.0
    assert v.grad == pytest.approx(sigmoid - y, abs=1e-12)


@given(st.lists(finite, min_size=3, max_size=3), st.integers(0, 2))
def test_cross_entropy_matches_sympy_softmax(z, t):
    SOFTMAX[t].check(lambda vs: cross_entropy(vs, t), z, tol=1e-8)


def test_cross_entropy_batch_matches_pytorch_float64():
    torch = pytest.importorskip("torch")
    logits = [[1.0, -2.0, 0.5], [3.0, 3.0, -1.0], [-0.5, 0.0, 4.0], [0.2, 0.1, 0.3]]
    targets = [2, 0, 2, 1]
    vs = [leaves(row) for row in logits]
    loss = cross_entropy(vs, targets)
    loss.backward()
    tz = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tz, torch.tensor(targets))
    tl.backward()
    assert loss.data == pytest.approx(tl.item(), rel=1e-13)
    for row, trow in zip(vs, tz.grad.tolist()):
        assert [v.grad for v in row] == pytest.approx(trow, rel=1e-12, abs=1e-15)


def test_cross_entropy_is_stable_for_logits_of_1000():
    z = leaves([1000.0, -1000.0, 999.0])
    loss = cross_entropy(z, 1)
    loss.backward()
    assert loss.data == pytest.approx(2000.0 + math.log(1 + math.exp(-1)), rel=1e-15)
    p0, p2 = 1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))
    assert [v.grad for v in z] == pytest.approx([p0, -1.0, p2], abs=1e-15)


def test_binary_cross_entropy_batch_matches_pytorch_float64():
    torch = pytest.importorskip("torch")
    z, y = [2.0, -3.0, 0.0, 40.0, -0.1], [1.0, 1.0, 0.0, 0.0, 0.25]
    vs = leaves(z)
    loss = binary_cross_entropy(vs, y)
    loss.backward()
    tz = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(tz, torch.tensor(y, dtype=torch.float64))
    tl.backward()
    assert loss.data == pytest.approx(tl.item(), rel=1e-13)
    assert [v.grad for v in vs] == pytest.approx(tz.grad.tolist(), rel=1e-12, abs=1e-15)


@given(st.lists(finite, min_size=1, max_size=5), st.floats(1e-6, 10))
def test_l2_is_alpha_sum_of_squares_with_gradient_two_alpha_p(ps, alpha):
    vs = leaves(ps)
    r = l2(vs, alpha)
    r.backward()
    assert r.data == pytest.approx(alpha * sum(p * p for p in ps), rel=1e-12, abs=1e-300)
    assert [v.grad for v in vs] == pytest.approx([2 * alpha * p for p in ps], rel=1e-12, abs=1e-300)


def test_l2_builds_p_times_p_with_two_edges_to_each_parameter():
    p = Value(3.0)
    sq = [n for n in topo_order(l2([p])) if n.op == "*" and n.parents == (p, p)]
    assert len(sq) == 1


def test_hinge_is_micrograds_graph_one_relu_per_example():
    s = leaves([0.5, -2.0, 3.0])
    loss = hinge(s, [1, -1, -1])
    assert [n.op for n in topo_order(loss)].count("relu") == 3
    assert loss.data == pytest.approx((0.5 + 0.0 + 4.0) / 3)


def test_total_and_mean_add_no_zero_node():
    vs = leaves([1.0, 2.0, 3.0])
    assert [n.op for n in topo_order(total(vs))].count("+") == 2
    m = mean(vs)
    assert m.data == 2.0 and m.op == "*"


def test_single_value_and_float_outputs_are_accepted():
    assert mse(Value(3.0), 1.0).data == 4.0
    assert mse([3.0], [1]).data == 4.0


def test_numpy_targets_give_the_same_loss_as_lists():
    np = pytest.importorskip("numpy")
    scores = [Value(0.3), Value(-1.2), Value(2.0)]
    labels = np.array([1, 0, 1])  # e.g. scikit-learn's y
    assert hinge(scores, 2 * labels - 1).data == hinge(scores, [1, -1, 1]).data
    assert binary_cross_entropy(scores, labels).data == binary_cross_entropy(scores, [1, 0, 1]).data
    assert mse(scores, labels.astype(np.float32)).data == mse(scores, [1.0, 0.0, 1.0]).data
    logits = [[Value(0.1), Value(0.7)], [Value(-0.4), Value(0.2)]]
    assert cross_entropy(logits, np.array([1, 0])).data == cross_entropy(logits, [1, 0]).data
    assert cross_entropy(logits[0], np.int64(1)).data == cross_entropy(logits[0], 1).data


@pytest.mark.parametrize("call,exc,message", [
    (lambda: mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 outputs but 2 targets"),
    (lambda: mse([], []), ValueError, "empty batch"),
    (lambda: mse([Value(1.0)], ["1"]), TypeError, "target 0 must be a number"),
    (lambda: mse(["x"], [1.0]), TypeError, "output 0"),
    (lambda: hinge([Value(1.0)], [0]), ValueError, "label 0 must be -1 or \\+1, got 0"),
    (lambda: binary_cross_entropy([Value(1.0)], [2.0]), ValueError, "target 0 must lie in \\[0, 1\\]"),
    (lambda: cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "class index in 0..1, got 2"),
    (lambda: cross_entropy([[Value(1.0)], []], [0, 0]), ValueError, "logits of example 1"),
    (lambda: l2([1.0]), TypeError, "parameter 0 must be a Value"),
    (lambda: l2([]), ValueError, "l2: empty list of parameters"),
    (lambda: total([]), ValueError, "empty"),
])
def test_bad_input_raises_a_built_in_error_saying_what(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
