"""nudge: y(x+h) - y(x), recomputed, against exact arithmetic (fractions) and the sum over paths; the
leftover is second order; a product's change splits exactly into two held terms and a cross term."""
import math
from fractions import Fraction as F

import pytest

from autograd import Value, nudge
from _examples import olah


DYADIC = (2.0 ** -3, 2.0 ** -7, -2.0 ** -5, 2.0 ** -12)  # every float step of Olah's example is exact


def test_olahs_delta_at_b_is_5h_plus_h_squared_exactly():
    a, b, c, d, e = olah()
    n = nudge(e, b, hs=DYADIC)
    for r in n.rows:
        h = F(r.h)
        assert F(r.delta) == 5 * h + h * h
        assert F(r.first_order) == 5 * h and F(r.leftover) == h * h
        assert tuple(map(F, r.by_path)) == (2 * h, 3 * h)  # through c (rate 2), through d (rate 3)
        s = r.split  # e = c*d: d*dc + c*dd + dc*dd with dc = dd = h
        assert (F(s.dc), F(s.dd)) == (h, h)
        assert (F(s.through_first), F(s.through_second), F(s.cross)) == (2 * h, 3 * h, h * h)


def test_default_steps_agree_with_exact_arithmetic_and_the_leftover_over_h2_settles_to_1():
    a, b, c, d, e = olah()
    n = nudge(e, b)
    assert [r.h for r in n.rows] == [0.1, 0.01, 0.001, 0.0001]
    for r in n.rows:
        h = F(r.h)  # the float step as an exact rational; the replay rounds each op once
        exact = (F(2) + 1 + h) * (1 + h + 1) - 6
        assert abs(F(r.delta) - exact) <= F(1, 10 ** 14)
        assert math.isclose(r.leftover / r.h ** 2, 1.0, rel_tol=1e-6)
    text = str(n)
    assert "leftover/h^2" in text and "through c, d held" in text and "cross term" in text


def test_the_change_in_a_is_exactly_linear_because_a_reaches_e_only_through_c():
    a, b, c, d, e = olah()
    for r in nudge(e, a, hs=DYADIC).rows:
        assert F(r.delta) == 2 * F(r.h) and r.leftover == 0.0 and r.split.dd == 0.0


def test_an_interior_node_is_nudged_with_its_own_inputs_held():
    a, b, c, d, e = olah()
    (r,) = nudge(e, c, hs=0.25).rows  # only c moves: e = (c + h) d, d = 2 stays
    assert r.delta == 0.5 and r.first_order == 0.5 and r.by_path == (0.5,)


def test_the_leftover_over_h2_tends_to_half_the_second_derivative():
    x = Value(0.7, label="x")
    y = x.sin()
    n = nudge(y, x, hs=(1e-2, 1e-3))
    assert math.isclose(n.rows[-1].leftover / 1e-6, -math.sin(0.7) / 2, rel_tol=1e-2)
    assert all(r.split is None for r in n.rows)


def test_the_replay_is_the_function_recomputed_on_floats():
    x, w = Value(0.3, label="x"), Value(-1.2, label="w")
    y = ((x * w).tanh() + x.exp() / (1.0 + x * x)) ** 2 - (w - x).sigmoid()

    def f(t):
        return (math.tanh(t * -1.2) + math.exp(t) / (1 + t * t)) ** 2 - 1 / (1 + math.exp(-(-1.2 - t)))
    for r in nudge(y, x, hs=(0.5, -0.05, 1e-3)).rows:
        assert math.isclose(r.delta, f(0.3 + r.h) - f(0.3), rel_tol=1e-12, abs_tol=1e-15)


def snapshot(*nodes):
    return [(v.data, v.grad) for v in nodes]


def test_nothing_in_the_graph_changes_also_after_an_error():
    x = Value(1.5, label="x")
    u = x - 1.0
    y = u.log() * x
    y.backward()
    before = snapshot(x, u, y)
    nudge(y, x)
    assert snapshot(x, u, y) == before
    with pytest.raises(ValueError, match=r"h = -1.0.*\(log\)#3.*log of -0.5"):
        nudge(y, x, hs=(0.1, -1.0))
    assert snapshot(x, u, y) == before


def test_division_by_zero_on_the_way_names_the_step():
    x = Value(1.0, label="x")
    y = 1.0 / (x - 1.5)
    y.label = "y"
    with pytest.raises(ZeroDivisionError, match=r"x moved by h = 0.5, the step y fails"):
        nudge(y, x, hs=0.5)


@pytest.mark.parametrize("h,kind,what", [(0, ValueError, "h = 0"), (0.0, ValueError, "h = 0"),
                                         (math.nan, ValueError, "not finite"), (math.inf, ValueError, "not finite"),
                                         (True, TypeError, "real number"), ("0.1", TypeError, "real number"),
                                         ((), ValueError, "empty")])
def test_bad_steps_are_refused(h, kind, what):
    x = Value(1.0)
    with pytest.raises(kind, match=what):
        nudge(x * x, x, hs=h if h == () else (0.1, h))


def test_an_output_that_does_not_depend_on_x_is_refused():
    a, b, c, d, e = olah()
    z = Value(0.0, label="z")
    with pytest.raises(ValueError, match="e does not depend on z"):
        nudge(e, z)
    with pytest.raises(ValueError, match="a does not depend on e"):  # the ends swapped
        nudge(a, e)


def test_past_the_path_limit_by_path_is_none_and_the_table_says_so():
    x = Value(0.3, label="x")
    y = x
    for _ in range(6):
        y = y.sin() + y.cos()
    n = nudge(y, x, hs=(1e-3,), limit=10)
    assert n.count == 64 and not n.complete and n.rows[0].by_path is None
    assert "more than the limit of 10" in str(n)
    assert math.isclose(n.rows[0].first_order, 1e-3 * n.grad)


def test_nudging_the_output_itself_moves_it_by_h_and_splits_nothing():
    a, b, c, d, e = olah()
    (r,) = nudge(e, e, hs=0.5).rows
    assert (r.delta, r.first_order, r.by_path, r.leftover, r.split) == (0.5, 0.5, (0.5,), 0.0, None)
