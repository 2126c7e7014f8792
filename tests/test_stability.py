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
    # sigmoid(x) = 1 - sigmoid(-x) holds up to rounding, whichever branch is used
    assert math.isclose(s, 1.0 - Value(-x).sigmoid().data, rel_tol=1e-15, abs_tol=1e-16)


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
