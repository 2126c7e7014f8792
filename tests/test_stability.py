"""Numerically stable primitives: saturating ops never overflow, overflowing ops say so by name."""
import math

import pytest
from hypothesis import given, strategies as st

from autograd import Value, detect_anomaly

finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("x, expected", [(-1000.0, 0.0), (1000.0, 1.0), (-1e308, 0.0), (1e308, 1.0)])
def test_sigmoid_saturates_exactly_without_overflow(x, expected):
    v = Value(x)
    s = v.sigmoid()
    assert s.data == expected
    s.backward()
    assert v.grad == 0.0  # sigmoid'(x) = s (1 - s) = 0 exactly, not nan


@given(finite)
def test_sigmoid_stays_in_the_unit_interval_and_agrees_with_the_symmetric_formula(x):
    s = Value(x).sigmoid().data
    assert 0.0 <= s <= 1.0
    # sigmoid(x) = 1 - sigmoid(-x) holds up to rounding, whichever branch is used: the rounding of a
    # number near 1 is up to half the spacing of floats there (1.1e-16), so allow one spacing
    assert math.isclose(s, 1.0 - Value(-x).sigmoid().data, rel_tol=1e-15, abs_tol=2.3e-16)


@pytest.mark.parametrize("x", [20.0, 1000.0, 1e308])
def test_tanh_of_large_values_is_plus_or_minus_one_with_zero_slope(x):
    for sign in (1.0, -1.0):
        v = Value(sign * x)
        t = v.tanh()
        assert t.data == sign
        t.backward()
        assert v.grad == 0.0


def test_exp_overflow_raises_overflow_error_naming_the_op_and_label():
    with pytest.raises(OverflowError, match=r"exp of 710\.0 overflows.*node 'z'"):
        Value(710.0, label="z").exp()
    assert Value(709.0).exp().data == math.exp(709.0)


def test_exp_underflows_quietly_to_zero():
    v = Value(-1000.0)
    e = v.exp()
    e.backward()
    assert e.data == 0.0 and v.grad == 0.0


@pytest.mark.parametrize("build", [lambda v: v ** 400, lambda v: 1e40 ** v, lambda v: v ** Value(400.0)],
                         ids=["value**const", "const**value", "value**value"])
def test_pow_overflow_raises_overflow_error_naming_the_op(build):
    with pytest.raises(OverflowError, match=r"'\*\*'.*overflows a float.*node 'b'"):
        build(Value(10.0, label="b"))


def test_an_integer_too_large_for_a_float_is_refused_by_name():
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10 ** 400)


def test_product_overflow_follows_ieee_and_detect_anomaly_reports_it():
    assert (Value(1e200) * 1e200).data == math.inf
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"'\*' produced inf"):
        Value(1e200) * 1e200


def test_log_and_sqrt_near_zero_give_large_but_correct_slopes():
    v = Value(1e-300)
    v.log().backward()
    assert v.grad == pytest.approx(1e300, rel=1e-15)
    w = Value(1e-300)
    w.sqrt().backward()
    assert w.grad == pytest.approx(0.5e150, rel=1e-15)


def test_smallest_subnormal_log_slope_is_inf_not_an_error():
    v = Value(5e-324)
    y = v.log()
    assert y.data == math.log(5e-324)
    y.backward()
    assert v.grad == math.inf


# --- losses from logits of any size (oracle: mpmath at 50 digits) ---------------------------------

def _bce_exact(z, y):
    import mpmath
    with mpmath.workdps(50):
        z = mpmath.mpf(z)
        # -[y log s + (1-y) log(1-s)] with log s = -log(1+e^-z), log(1-s) = -z - log(1+e^-z)
        soft = mpmath.log1p(mpmath.exp(-z))
        return float(soft + (1 - y) * z), float(1 / (1 + mpmath.exp(-z)) - y)


def _ce_exact(zs, t):
    import mpmath
    with mpmath.workdps(50):
        zs = [mpmath.mpf(z) for z in zs]
        lse = mpmath.log(mpmath.fsum(mpmath.exp(z) for z in zs))
        soft = [mpmath.exp(z - lse) for z in zs]
        return float(lse - zs[t]), [float(p - (k == t)) for k, p in enumerate(soft)]


@pytest.mark.parametrize("z", [-1000.0, 1000.0, -1e6, 1e6, 0.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_from_extreme_logits_is_finite_and_exact(z, y):
    from nn import binary_cross_entropy
    v = Value(z)
    with detect_anomaly():
        c = binary_cross_entropy(v, y)
        c.backward()
    loss, slope = _bce_exact(z, y)
    assert c.data == pytest.approx(loss, rel=1e-12, abs=1e-300)
    assert v.grad == pytest.approx(slope, rel=1e-12, abs=1e-300)


@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=5), st.data())
def test_cross_entropy_from_any_logits_is_finite_and_exact(zs, data):
    from nn import cross_entropy
    t = data.draw(st.integers(0, len(zs) - 1))
    vs = [Value(z) for z in zs]
    with detect_anomaly():
        c = cross_entropy(vs, t)
        c.backward()
    loss, slopes = _ce_exact(zs, t)
    assert c.data == pytest.approx(loss, rel=1e-9, abs=1e-12)
    for v, s in zip(vs, slopes):
        assert v.grad == pytest.approx(s, rel=1e-9, abs=1e-12)


def test_cross_entropy_with_logits_of_plus_and_minus_a_thousand():
    from nn import cross_entropy
    vs = [Value(1000.0), Value(-1000.0), Value(0.0)]
    c = cross_entropy(vs, 1)
    c.backward()
    assert c.data == 2000.0
    assert [v.grad for v in vs] == [1.0, -1.0, 0.0]
