"""Losses: values and gradients against sympy and PyTorch, stability at logits of +-1000, bad input."""
import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import topo_order
from nn import binary_cross_entropy, cross_entropy, hinge, l2, mse, quadratic
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
    (lambda: mse([Value(1.0)], ["1"]), TypeError, "mse: target 0 must be a Value or a number, got str"),
    (lambda: mse(["x"], [1.0]), TypeError, "output 0"),
    (lambda: hinge([Value(1.0)], [0]), ValueError, "label 0 must be -1 or \\+1, got 0"),
    (lambda: binary_cross_entropy([Value(1.0)], [2.0]), ValueError, "target 0 must lie in \\[0, 1\\]"),
    (lambda: cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "class index in 0..1 or a list of 2 probabilities, got 2"),
    (lambda: cross_entropy([[Value(1.0)], []], [0, 0]), ValueError, "logits of example 1"),
    (lambda: l2([1.0]), TypeError, "parameter 0 must be a Value"),
    (lambda: l2([]), ValueError, "l2: empty list of parameters"),
    (lambda: total([]), ValueError, "empty"),
])
def test_bad_input_raises_a_built_in_error_saying_what(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


# --- exact references: Decimal at 60 digits, Fraction -----------------------------------------------

def _decimal_cross_entropy(zs, t):
    from decimal import Decimal, localcontext
    with localcontext() as ctx:
        ctx.prec = 60
        zs = [Decimal(z) for z in zs]
        m = max(zs)
        return float(sum((z - m).exp() for z in zs).ln() - (zs[t] - m))


def _decimal_softplus_minus(z, y):
    from decimal import Decimal, localcontext
    with localcontext() as ctx:
        ctx.prec = 60
        z, y = Decimal(z), Decimal(y)
        sp = (1 + z.exp()).ln() if z < 0 else z + (1 + (-z).exp()).ln()
        return float(sp - y * z)


def test_cross_entropy_of_equal_huge_logits_is_log_k_and_of_1000s_is_correctly_rounded():
    for k in (2, 3, 5):
        assert cross_entropy(leaves([1e16] * k), 0).data == math.log(k)
    for zs, t in [([1000.0, -1000.0, 999.0], 1), ([1000.0, 1000.0], 0), ([1000.0, 999.0, 998.5], 0),
                  ([-1000.0, -999.0], 0), ([1e16, 1e16 - 2.0, 0.0], 1)]:
        assert cross_entropy(leaves(zs), t).data == pytest.approx(_decimal_cross_entropy(zs, t), rel=2.3e-16)


@given(st.lists(st.sampled_from([1.0, 10.0, 1000.0, 1e16]).flatmap(lambda s: st.floats(-s, s)), min_size=1,
                max_size=6), st.data())
def test_cross_entropy_is_within_two_ulps_of_the_exact_value_at_any_scale(zs, data):
    # Two ulps of the loss, or of 1 for a loss below 1: log(1 + u) rounds 1 + u first.
    t = data.draw(st.integers(0, len(zs) - 1))
    got, exact = cross_entropy(leaves(zs), t).data, _decimal_cross_entropy(zs, t)
    assert abs(got - exact) <= 2 * math.ulp(max(abs(exact), 1.0))


@given(st.sampled_from([1.0, 40.0, 1000.0, 1e16]).flatmap(lambda s: st.floats(-s, s)), st.floats(0, 1))
def test_binary_cross_entropy_is_within_a_few_ulps_of_the_exact_value(z, y):
    got, exact = binary_cross_entropy(Value(z), y).data, _decimal_softplus_minus(z, y)
    assert abs(got - exact) <= 4 * math.ulp(max(abs(exact), abs(z), 1.0))


def test_quadratic_is_nielsens_half_sum_of_squares_exactly():
    from fractions import Fraction
    a, y = [0.25, -1.5, 3.0], [1.0, 0.5, -0.75]
    exact = Fraction(1, 2) * sum((Fraction(ai) - Fraction(yi)) ** 2 for ai, yi in zip(a, y))
    vs = leaves(a)
    c = quadratic(vs, y)  # one example: C_x = 1/2 sum_j (a_j - y_j)^2
    c.backward()
    assert c.data == float(exact)
    assert [v.grad for v in vs] == [ai - yi for ai, yi in zip(a, y)]  # BP1's dC/da_j, exact here
    batch = quadratic([a, y], [y, a])  # two examples: the mean of their C_x
    assert batch.data == float(exact)
    assert quadratic([a, y], [y, a], reduction="sum").data == float(2 * exact)
    assert [t.data for t in quadratic([a, y], [y, a], reduction="none")] == [float(exact)] * 2


def test_cross_entropy_with_probability_targets_matches_pytorch_float64():
    torch = pytest.importorskip("torch")
    logits = [[1.0, -2.0, 0.5], [1000.0, 999.0, -1000.0]]
    probs = [[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]
    vs = [leaves(row) for row in logits]
    loss = cross_entropy(vs, probs)
    loss.backward()
    tz = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tz, torch.tensor(probs, dtype=torch.float64))
    tl.backward()
    assert loss.data == pytest.approx(tl.item(), rel=1e-14)
    for row, trow in zip(vs, tz.grad.tolist()):
        assert [v.grad for v in row] == pytest.approx(trow, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("reduction", ["sum", "none"])
def test_reduction_sum_and_none_match_pytorch(reduction):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    z, y = [2.0, -3.0, 0.5], [1.0, 0.0, 0.25]
    t = lambda xs: torch.tensor(xs, dtype=torch.float64)
    got = binary_cross_entropy(leaves(z), y, reduction=reduction)
    want = F.binary_cross_entropy_with_logits(t(z), t(y), reduction=reduction)
    got_mse = mse(leaves(z), y, reduction=reduction)
    want_mse = F.mse_loss(t(z), t(y), reduction=reduction)
    if reduction == "none":
        assert [g.data for g in got] == pytest.approx(want.tolist(), rel=1e-14)
        assert [g.data for g in got_mse] == pytest.approx(want_mse.tolist(), rel=1e-15)
    else:
        assert got.data == pytest.approx(want.item(), rel=1e-14)
        assert got_mse.data == pytest.approx(want_mse.item(), rel=1e-15)


# --- Value targets, and tapes replayed on new targets and data ------------------------------------

def _replays(make_loss, inputs, targets, new_inputs, new_targets):
    """Record a loss over input and target leaves, replay it on new data; compare with a fresh graph."""
    from autograd import Tape
    xs, ts = leaves(inputs), leaves(targets)
    tape = Tape(make_loss(xs, ts))
    for leaf, v in zip(xs + ts, list(new_inputs) + list(new_targets)):
        leaf.data = v
    tape.forward()
    for leaf in xs:
        leaf.grad = 0.0
    tape.backward()
    fresh_x = leaves(new_inputs)
    fresh = make_loss(fresh_x, list(new_targets))  # eager, with number targets
    fresh.backward()
    assert tape.output.data == fresh.data
    assert [v.grad for v in xs] == [v.grad for v in fresh_x]


def test_a_tape_replays_each_loss_for_new_targets_and_new_data():
    # Recorded where the max logit, the sign of z and the hinge's margin are one way, replayed where
    # they are the other: a loss with a branch on .data or a frozen max would give the old answer.
    _replays(lambda x, t: cross_entropy(x, t), [5.0, 0.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 2.0, 900.0], [0.0, 0.0, 1.0])
    _replays(lambda x, t: cross_entropy(x, t), [1e16, 1e16], [0.5, 0.5], [1000.0, -1000.0], [0.0, 1.0])
    _replays(lambda x, t: binary_cross_entropy(x, t), [3.0, -2.0], [1.0, 0.0], [-700.0, 800.0], [0.25, 1.0])
    _replays(lambda x, t: hinge(x, t), [2.0, -0.5], [1.0, 1.0], [-0.5, 2.0], [-1.0, 1.0])
    _replays(lambda x, t: mse(x, t), [1.0, 2.0], [0.0, 0.0], [3.0, -4.0], [1.0, 0.5])
    _replays(lambda x, t: quadratic(x, t), [1.0, 2.0], [0.0, 0.0], [3.0, -4.0], [1.0, 0.5])
    _replays(lambda x, t: binary_cross_entropy(x, t, logits=False), [0.3, 0.9], [1.0, 0.0], [0.8, 0.1], [0.5, 1.0])


def test_value_targets_give_the_same_loss_and_receive_gradients():
    z, y = Value(0.7), Value(0.25)
    c = binary_cross_entropy(z, y)
    c.backward()
    assert c.data == binary_cross_entropy(Value(0.7), 0.25).data
    assert y.grad == pytest.approx(-0.7)  # dC/dy = -z


# --- bad input names the function and the argument ------------------------------------------------

@pytest.mark.parametrize("targets", [b"\x01\x00", {1: 1, 0: 0}, {1, 0}, "10", bytearray(b"\x01\x00"), frozenset([1, 0])])
def test_bytes_dict_set_and_text_targets_are_refused_with_type_error(targets):
    for loss in (mse, hinge, binary_cross_entropy):
        with pytest.raises(TypeError, match=f"{loss.__name__}: targets must be a Value, a number or a list"):
            loss(leaves([1.0, -1.0]), targets)
    with pytest.raises(TypeError, match="cross_entropy: targets must be"):
        cross_entropy([leaves([1.0, -1.0])] * 2, targets)


@pytest.mark.parametrize("call,exc,message", [
    (lambda: l2(leaves([1.0]), "x"), TypeError, "l2: alpha must be a number, got str"),
    (lambda: l2(leaves([1.0]), math.nan), ValueError, "l2: alpha must be a finite number >= 0, got nan"),
    (lambda: l2(leaves([1.0]), -1.0), ValueError, "l2: alpha must be a finite number >= 0"),
    (lambda: l2(leaves([1.0]), True), TypeError, "l2: alpha must be a number, got bool"),
    (lambda: l2(Value(1.0)), TypeError, "l2: params must be a list of Values"),
    (lambda: mse(leaves([1.0]), [1.0], reduction="avg"), ValueError, "mse: reduction must be one of 'mean', 'sum', 'none'"),
    (lambda: cross_entropy(leaves([1.0, 2.0]), [0.5, 0.6]), ValueError, "summing to 1"),
    (lambda: cross_entropy(leaves([1.0, 2.0]), [1.0]), ValueError, "1 probabilities for 2 logits"),
    (lambda: hinge(leaves([1.0]), [Value(0.5)]), ValueError, "hinge: label 0 must be -1 or \\+1"),
])
def test_bad_arguments_name_the_function_and_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_a_replayed_cross_entropy_is_minus_sum_y_log_softmax_for_any_new_targets():
    # Recorded with a one-hot target, replayed with weights that do not sum to 1 (the build-time
    # check cannot see them): the tape must still compute -sum_k y_k log softmax(z)_k.
    from decimal import Decimal, localcontext
    from autograd import Tape
    z, y = leaves([0.5, -1.0, 2.0]), leaves([1.0, 0.0, 0.0])
    tape = Tape(cross_entropy(z, y))
    new_z, new_y = [3.0, 1000.0, -2.0], [0.5, 0.5, 0.5]
    for leaf, v in zip(z + y, new_z + new_y):
        leaf.data = v
    tape.forward()
    with localcontext() as ctx:
        ctx.prec = 60
        zs = [Decimal(v) for v in new_z]
        lse = max(zs) + sum((v - max(zs)).exp() for v in zs).ln()
        exact = float(sum(Decimal(yk) * (lse - zk) for yk, zk in zip(new_y, zs)))
    assert tape.output.data == pytest.approx(exact, rel=1e-15)
