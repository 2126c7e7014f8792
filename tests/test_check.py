"""gradcheck and gradgradcheck: they pass correct derivatives and catch wrong ones, naming the input."""
import math

import pytest

from autograd import OPS, GradcheckError, Op, Value, ops, gradcheck, gradgradcheck, register_op, unregister_op


@pytest.fixture
def register():
    """Register temporary unary ops (OPS entry and Value method); removed after the test."""
    added = []

    def add(name, forward, derivs):
        assert name not in OPS and not hasattr(Value, name)
        register_op(Op(name, 1, forward, derivs, f"{name}: a test op"))
        added.append(name)
    yield add
    for name in added:
        unregister_op(name)
    assert not set(added) & set(OPS)


def test_correct_derivatives_pass_first_and_second_order():
    f = lambda x, y: (x * y).tanh() + x.exp() / y + (x * x + 1).log() * y.sin()  # noqa: E731
    assert gradcheck(f, [0.3, 1.2]) is True
    assert gradgradcheck(f, [0.3, 1.2]) is True


BINARY = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
          "/": lambda x, y: x / y, "**": lambda x, y: x ** y}


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_builtin_op_passes_gradcheck_and_gradgradcheck(name):
    if OPS[name].arity == 2:
        f = BINARY[name]
    else:
        method = "__neg__" if name == "neg" else name
        f = lambda x, y: getattr(x * y + 0.1, method)()  # noqa: E731
    assert gradcheck(f, [0.6, 1.3]) and gradgradcheck(f, [0.6, 1.3])


def test_a_wrong_derivative_op_fails_gradcheck_naming_the_input(register):
    register("cube_wrong", lambda x: x ** 3, lambda x, out: (2 * x * x,))  # should be 3 x^2
    with pytest.raises(GradcheckError) as err:
        gradcheck(lambda x, w: x * w.cube_wrong(), [Value(1.5, label="x"), Value(0.5, label="w")])
    e = err.value
    assert isinstance(e, ValueError)
    assert e.index == 1 and e.label == "w"
    assert e.analytic == pytest.approx(1.5 * 2 * 0.25)
    assert e.numeric == pytest.approx(1.5 * 3 * 0.25, rel=1e-6)
    msg = str(e)
    for part in ("input 1", "'w'", repr(e.analytic), repr(e.numeric), repr(e.difference)):
        assert part in msg


def test_a_correct_new_op_passes_both_checks(register):
    register("cube", lambda x: x ** 3, lambda x, out: (3 * x * x,))
    assert gradcheck(lambda x: x.cube(), [0.7]) and gradgradcheck(lambda x: x.cube(), [0.7])


def test_derivative_written_only_for_floats_passes_gradcheck_but_fails_gradgradcheck(register):
    # the data of x makes the formula a constant on Values: right slope, second derivative lost
    register("cube_floats", lambda x: x ** 3, lambda x, out: (3 * ops.data(x) ** 2,))
    f = lambda x: x.cube_floats()  # noqa: E731
    assert gradcheck(f, [0.7])
    with pytest.raises(GradcheckError) as err:
        gradgradcheck(f, [0.7])
    assert err.value.index == (0, 0)
    assert err.value.analytic == 0.0 and err.value.numeric == pytest.approx(6 * 0.7, rel=1e-6)


def test_registered_ops_are_removed_after_the_test():
    assert not any(name.startswith("cube") for name in OPS)
    assert not hasattr(Value, "cube_wrong")


def test_the_worst_input_is_reported():
    # at the kinks backward gives 0 for both; central differences see 1/2 and 10/2
    f = lambda x, y: x.relu() + 10 * y.relu()  # noqa: E731
    with pytest.raises(GradcheckError) as err:
        gradcheck(f, [0.0, 0.0])
    assert err.value.index == 1 and err.value.numeric == pytest.approx(5.0)


def test_tolerances_decide():
    f = lambda x: x.relu()  # noqa: E731  at 0: backward 0, central difference 0.5
    with pytest.raises(GradcheckError):
        gradcheck(f, [0.0])
    assert gradcheck(f, [0.0], atol=0.6)


def test_nan_against_a_number_fails_and_inputs_are_untouched():
    x = Value(0.0, label="x")
    x.grad = 7.0
    with pytest.raises(GradcheckError, match="'x'"):
        gradcheck(lambda v: (v * v).sqrt(), [x])  # sqrt'(0) * 2v = inf * 0 = nan in backward
    assert x.grad == 7.0 and x.data == 0.0


def test_constant_functions_have_zero_derivatives():
    assert gradcheck(lambda x: 3.0, [1.0]) and gradgradcheck(lambda x: 3.0, [1.0])
    assert gradgradcheck(lambda x, y: x + y, [1.0, 2.0])


def test_bad_inputs_raise_type_and_value_errors():
    with pytest.raises(TypeError, match="input 1"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: 1.0, [])
    assert gradcheck(lambda x: x * x, 2.0)  # a single number is a list of one
    for bad in ({"eps": 0.0}, {"eps": math.nan}, {"atol": -1.0}, {"rtol": math.inf}):
        with pytest.raises(ValueError, match=f"{next(iter(bad))} must be finite"):
            gradcheck(lambda x: x * x, [1.0], **bad)
    with pytest.raises(TypeError, match="eps"):
        gradgradcheck(lambda x: x * x, [1.0], eps="small")
    for check in (gradcheck, gradgradcheck):  # not a silent 0 derivative, not float()'s bare message
        with pytest.raises(TypeError, match=f"{check.__name__}: f must return a Value or a number, got list"):
            check(lambda x: [x * x], [1.0])


def test_second_order_mismatch_names_both_inputs(register):
    register("sq_floats", lambda x: x * x, lambda x, out: (2 * ops.data(x),))
    with pytest.raises(GradcheckError) as err:
        gradgradcheck(lambda x, y: x * (y * 1.0).sq_floats(), [Value(2.0, label="x"), Value(0.5, label="y")])
    i, j = err.value.index
    assert (i, j) == (1, 1) and err.value.label == ("y", "y")
    assert err.value.numeric == pytest.approx(2 * 2.0, rel=1e-6) and err.value.analytic == 0.0
    assert math.isfinite(err.value.difference)


def test_register_op_makes_a_binary_method_that_backward_and_paths_read():
    from autograd import count_paths
    register_op(Op("hypot", 2, math.hypot, lambda x, y, out: (x / out, y / out), "d hypot/dx = x/hypot"))
    try:
        x, y = Value(3.0, label="x"), Value(4.0, label="y")
        h = x.hypot(y)
        h.backward()
        assert (h.data, h.op, x.grad, y.grad) == (5.0, "hypot", 0.6, 0.8)
        assert count_paths(h, x) == 1
        assert x.hypot(4.0).parents == (x,)
        assert gradcheck(lambda a, b: a.hypot(b), [3.0, 4.0])
    finally:
        unregister_op("hypot")
    assert not hasattr(Value, "hypot")


def test_register_op_refuses_builtins_bad_names_and_clashes():
    with pytest.raises(ValueError, match="already defined"):
        register_op(Op("tanh", 1, math.tanh, lambda x, out: (1.0,), "wrong"))
    with pytest.raises(ValueError, match="identifier"):
        register_op(Op("my op", 1, abs, lambda x, out: (1.0,), "x"))
    with pytest.raises(ValueError, match="already defined"):
        register_op(Op("backward", 1, abs, lambda x, out: (1.0,), "x"))
    for name in ("backward", "data", "parents"):  # replace=True replaces a registered op, never Value's own
        with pytest.raises(ValueError, match=f"'{name}' is already defined as an attribute of Value"):
            register_op(Op(name, 1, abs, lambda x, out: (1.0,), "x"), replace=True)
    assert callable(Value.backward) and Value(2.0).data == 2.0
    with pytest.raises(TypeError, match="Op"):
        register_op("cube")
    with pytest.raises(ValueError, match="built-in"):
        unregister_op("exp")
    assert Value(0.5).tanh().op == "tanh" and "my op" not in OPS


def test_register_op_refuses_a_name_that_python_would_read_as_another():
    # "\ufb01x" (the fi ligature) is read by Python as "fix": the method could never be found by that name
    with pytest.raises(ValueError, match=r"NFKC.*'fix'"):
        register_op(Op("\ufb01x", 1, lambda x: x, lambda x, out: (1.0,), "ligature"))
    assert "\ufb01x" not in OPS and not hasattr(Value, "\ufb01x")
