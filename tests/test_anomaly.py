"""detect_anomaly(): the first NaN/inf an op or a gradient produces raises FloatingPointError naming
the op, the labels, the inputs and the line that made the node; off by default and free when off."""
import gc
import inspect
import math
import weakref

import pytest

from autograd import Value, detect_anomaly, engine
from autograd import anomaly


def _line(offset=0):
    return inspect.currentframe().f_back.f_lineno + offset


def test_forward_overflow_names_op_labels_inputs_and_the_line_that_made_the_node():
    x, y = Value(1e200, label="x"), Value(1e200, label="y")
    with pytest.raises(FloatingPointError) as err, detect_anomaly():
        line = _line(1)
        z = x * y  # noqa: F841
    msg = str(err.value)
    assert "'*'" in msg and "x = 1e+200" in msg and "y = 1e+200" in msg and "inf" in msg
    assert f'{__file__}", line {line}' in msg
    assert "z = x * y" in msg


def test_nan_from_infinite_inputs_is_an_anomaly_but_propagating_them_is_not():
    inf = Value(math.inf, label="big")
    with detect_anomaly():
        assert (inf + 1.0).data == math.inf          # inf given by the user merely propagates
        assert math.isnan((Value(math.nan) * 2).data)  # so does a NaN
        with pytest.raises(FloatingPointError, match=r"(?s)'-' produced nan from inputs with no NaN.*big - big with big = inf gives nan"):
            inf - inf


def test_without_the_mode_overflow_follows_ieee_and_raises_nothing():
    assert (Value(1e200) * 1e200).data == math.inf


def test_infinite_local_derivative_is_reported_in_backward_with_its_edge():
    v = Value(0.0, label="v")
    with detect_anomaly():
        line = _line(1)
        r = v.sqrt()
        r.label = "r"
        with pytest.raises(FloatingPointError) as err:
            r.backward()
    msg = str(err.value)
    assert "local derivative" in msg and "'sqrt'" in msg and "node 'r'" in msg and "v = 0.0" in msg
    assert f"line {line}" in msg and "r = v.sqrt()" in msg


def test_nan_derivative_of_a_power_in_its_exponent_at_a_negative_base():
    y = Value(2.0, label="y")
    with detect_anomaly():
        p = (-8.0) ** y
        with pytest.raises(FloatingPointError, match=r"(?s)backward produced nan.*argument 1 \('y'.*op '\*\*'"):
            p.backward()


def test_overflowing_contribution_is_reported():
    x = Value(1e-300, label="x")
    with detect_anomaly():
        y = x.sqrt() * 1e300   # forward is finite: 1e150
        with pytest.raises(FloatingPointError, match=r"backward produced inf in a contribution"):
            y.backward()


def test_overflowing_sum_of_two_finite_contributions_is_reported():
    x = Value(1e-300, label="x")
    with detect_anomaly():
        t = x.sqrt()
        t.label = "t"
        y = t * 1e308 + t * 1e308  # forward 2e158; dy/dt = 1e308 + 1e308 overflows
        with pytest.raises(FloatingPointError, match=r"(?s)inf in an accumulated grad.*argument 0 \('t'"):
            y.backward()


def test_backward_under_the_mode_gives_the_same_grads_as_without():
    def build():
        a, b = Value(0.7), Value(-1.3)
        c = a * b + (a - b).tanh() * a.exp() / (b * b + 1.0).sqrt()
        d = c.sigmoid() + (a ** 2.0).log() + abs(b).sin() * c.cos() + (-c).relu()
        return d, a, b
    d, a, b = build()
    d.backward()
    expected = (a.grad, b.grad)
    d, a, b = build()
    with detect_anomaly():
        d.backward()
    assert (a.grad, b.grad) == expected  # the same loop in the same order: bit for bit


def test_create_graph_under_the_mode_still_differentiates_twice():
    x = Value(0.5)
    with detect_anomaly():
        y = x.tanh()
        y.backward(create_graph=True)
        dx = x.grad
        x.grad = 0.0
        dx.backward()
    t = math.tanh(0.5)
    assert dx.data == pytest.approx(1 - t * t, rel=1e-15)
    assert x.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)


def test_mode_is_off_by_default_and_the_hook_is_never_called_when_off(monkeypatch):
    calls = []
    monkeypatch.setattr(engine._checks, "node", calls.append)
    x = Value(1.0)
    (x * 2 + 1).tanh().backward()
    assert calls == [] and not engine._state.anomaly
    with detect_anomaly():
        x * 2
    assert len(calls) == 1


def test_blocks_nest_and_restore_the_previous_state_even_after_an_error():
    with detect_anomaly():
        with detect_anomaly(False):
            assert (Value(1e200) * 1e200).data == math.inf
            assert not engine._state.anomaly
        assert engine._state.anomaly
        with pytest.raises(FloatingPointError):
            with detect_anomaly():
                Value(1e200) * 1e200
        assert engine._state.anomaly
    assert not engine._state.anomaly


def test_one_object_can_be_entered_twice_nested():
    mode = detect_anomaly()
    with mode:
        with mode:
            assert engine._state.anomaly
        assert engine._state.anomaly
    assert not engine._state.anomaly


def test_decorator_form():
    @detect_anomaly()
    def f(x):
        return Value(x) * 1e300
    with pytest.raises(FloatingPointError):
        f(1e300)
    assert not engine._state.anomaly


def test_enabled_flag_must_be_a_bool():
    with pytest.raises(TypeError, match="detect_anomaly.*bool.*str"):
        detect_anomaly("yes")


def test_recorded_creation_sites_do_not_keep_a_graph_alive():
    gc.disable()
    try:
        with detect_anomaly():
            x = Value(2.0)
            y = (x * 3.0).tanh() + x
            ref = weakref.ref(y)
            y.backward()
            del y
        assert ref() is None
        assert len(anomaly._sites) == 0 or all(k is not None for k in list(anomaly._sites.keys()))
    finally:
        gc.enable()


def test_nodes_made_outside_the_mode_say_their_site_was_not_recorded():
    v = Value(0.0)
    r = v.sqrt()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="outside detect_anomaly"):
        r.backward()


def test_a_node_made_inside_nn_points_at_the_users_line_and_at_the_library_line():
    from nn import MLP
    model = MLP(1, [1], seed=0)
    model.layers[0].neurons[0].w[0].data = 1e200
    with detect_anomaly(), pytest.raises(FloatingPointError) as err:
        line = _line(1)
        model([1e200])
    msg = str(err.value)
    assert f'{__file__}", line {line}' in msg and "model([1e200])" in msg
    assert "inside pathgrad" in msg and "layers.py" in msg


def test_an_overflow_while_building_a_gradient_with_create_graph_says_so():
    x = Value(1e-300, label="x")
    with detect_anomaly():
        y = x.sqrt() * 1e300  # dy/dx = 1e300 * 0.5 / sqrt(x) = 5e449 overflows
        with pytest.raises(FloatingPointError, match=r"produced inf from finite inputs in backward\(create_graph"):
            y.backward(create_graph=True)
        assert (x * 2).data == 2e-300  # the block is back to checking forward ops
        with pytest.raises(FloatingPointError, match="in forward"):
            Value(1e200) * 1e200


# --- the mode raises exactly when a NaN or inf appears (fuzzed) ------------------------------------

from hypothesis import event, given, strategies as st  # noqa: E402

from autograd import OPS, topo_order  # noqa: E402

_METHOD = {"neg": "__neg__", "+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "**": "__pow__"}
extreme = st.sampled_from([1e300, -1e300, 1e200, 1e160, 1e-160, 1e-300, 0.0, 2.0, -0.5, 710.0])


@st.composite
def programs(draw):
    leaves = draw(st.lists(st.floats(-1e300, 1e300) | extreme, min_size=1, max_size=3))
    steps = draw(st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 50), st.integers(0, 50),
                                    st.none() | extreme), min_size=1, max_size=14))
    return leaves, steps


def _run_program(leaves, steps):
    nodes = [Value(v) for v in leaves]
    for name, i, j, const in steps:
        a = nodes[i % len(nodes)]
        b = const if const is not None else nodes[j % len(nodes)]
        try:
            out = getattr(a, _METHOD.get(name, name))(*(() if OPS[name].arity == 1 else (b,)))
        except (ValueError, ArithmeticError) as e:
            if isinstance(e, FloatingPointError):
                raise
            continue  # a domain error (log of a negative, exp overflow): the op is refused either way
        nodes.append(out)
    return nodes


@given(programs())
def test_detect_anomaly_raises_exactly_when_a_nan_or_inf_is_made(program):
    leaves, steps = program
    nodes = _run_program(leaves, steps)
    made_in_forward = not all(math.isfinite(n.data) for n in nodes)
    out = nodes[-1]
    out.backward()
    made_in_backward = not all(math.isfinite(n.grad) for n in topo_order(out))
    try:
        with detect_anomaly():
            nodes = _run_program(leaves, steps)
    except FloatingPointError:
        event("raised in forward")
        assert made_in_forward
        return
    assert not made_in_forward
    try:
        with detect_anomaly():
            nodes[-1].backward()
    except FloatingPointError:
        event("raised in backward")
        assert made_in_backward
        return
    event("all finite")
    assert not made_in_backward


def test_ops_inside_no_grad_are_checked_too():
    from autograd import no_grad
    x, y = Value(1e200, label="x"), Value(1e200, label="y")
    with detect_anomaly(), no_grad():
        assert (Value(math.inf) * 2.0).data == math.inf  # an inf given by the user propagates
        with pytest.raises(FloatingPointError, match=r"op '\*' produced inf from finite inputs.*no_grad"):
            x * y
        with pytest.raises(FloatingPointError, match=r"op 'sin' produced nan from inputs with no NaN"):
            Value(math.inf).sin() - Value(math.inf).sin()  # inf is given; nan is made by the '-'
