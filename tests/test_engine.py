"""The engine's contract: Value, its ops, backward as a sum over paths, memory and bad input."""
import fractions
import gc
import math
import threading
import weakref

import pytest

from autograd import OPS, Value, no_grad
from autograd.engine import topo_order


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- micrograd's own tests, with only the import changed ----------------------------------------

def test_sanity_check():
    torch = pytest.importorskip("torch", reason="micrograd's tests compare with PyTorch")
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xmg, ymg = x, y

    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xpt, ypt = x, y

    assert ymg.data == ypt.data.item()
    assert xmg.grad == xpt.grad.item()


def test_more_ops():
    torch = pytest.importorskip("torch", reason="micrograd's tests compare with PyTorch")
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    amg, bmg, gmg = a, b, g

    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    apt, bpt, gpt = a, b, g

    tol = 1e-6
    assert abs(gmg.data - gpt.data.item()) < tol
    assert abs(amg.grad - apt.grad.item()) < tol
    assert abs(bmg.grad - bpt.grad.item()) < tol


# --- the public surface --------------------------------------------------------------------------

def test_value_holds_float_data_label_and_no_parents():
    x = Value(2, label="x")
    assert type(x.data) is float and x.data == 2.0
    assert (x.grad, x.label, x.op, x.parents) == (0.0, "x", "", ())


def test_bool_and_int_become_floats():
    assert Value(True).data == 1.0 and type(Value(True).data) is float
    assert Value(7).data == 7.0


def test_other_real_numbers_are_accepted():
    assert Value(fractions.Fraction(1, 4)).data == 0.25


def test_readme_example():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.backward()
    assert x.grad == 7.0


def test_repr_shows_data_grad_and_label():
    y = Value(7.0, label="y")
    y.grad = 1.0
    assert repr(y) == "Value(data=7.0, grad=1.0, label='y')"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"


def test_pickle_and_copies_keep_the_graph_its_edges_and_its_shared_leaves():
    import copy
    import pickle
    x, w = Value(3.0, label="x"), Value(-2.0, label="w")
    y = (x * x + 2 * w).tanh() / w
    y.label = "y"
    for make in (lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy, copy.copy):
        y2, x2, w2 = make([y, x, w]) if make is not copy.copy else (make(y), x, w)
        tanh2 = y2.parents[0]
        square = tanh2.parents[0].parents[0]
        assert (y2.data, y2.label, y2.op, square.parents) == (y.data, "y", "/", (x2, x2))  # a*a: one leaf, twice
        assert tanh2.parents[0].args[0].parents == (x2, x2) and tanh2.parents[0].args[1].args[0] == 2.0
        assert y2.parents[1] is w2 and y2.local_grads == y.local_grads
        x2.grad = w2.grad = 0.0
        y2.backward()
        t = math.tanh(5.0)  # oracle: d/dx tanh(x^2 + 2w)/w = 2x (1 - t^2)/w; d/dw = 2(1 - t^2)/w - t/w^2
        assert math.isclose(x2.grad, 6 * (1 - t * t) / -2) and math.isclose(w2.grad, -(1 - t * t) - t / 4)
    assert copy.copy(x) is not x and (copy.copy(x).data, copy.copy(x).label) == (3.0, "x")


def test_generated_methods_carry_their_attribute_names_so_they_pickle_and_read_well_in_help():
    import pickle
    for name in ("__add__", "__rsub__", "__mul__", "__truediv__", "__pow__", "__neg__", "relu", "tanh", "log"):
        method = getattr(Value, name)
        assert (method.__name__, method.__qualname__) == (name, f"Value.{name}")
        assert pickle.loads(pickle.dumps(method)) is method  # e.g. a layer that stores its activation
    x = Value(0.5)
    assert pickle.loads(pickle.dumps(x.tanh))().data == math.tanh(0.5)


def test_star_import_gives_the_public_names_and_does_not_shadow_builtins():
    import autograd
    ns = {}
    exec("from autograd import *", ns)
    assert {"Value", "no_grad", "grad", "explain", "draw", "Tape", "detect_anomaly"} <= ns.keys()
    assert not {"compile", "trace", "engine", "check"} & ns.keys()  # modules; `compile` is a builtin
    assert all(callable(getattr(autograd, n)) or n == "OPS" for n in autograd.__all__)


def test_repr_shows_a_grad_that_numpy_data_made_a_numpy_float():
    np = pytest.importorskip("numpy")
    x, w = Value(1.0, label="x"), Value(0.5, label="w")
    x.data = np.float64(3.0)  # e.g. a sample taken from a numpy array
    y = x * w
    y.backward()  # dy/dw = x = 3 arrives as a numpy float
    assert type(w.grad) is np.float64
    assert repr(w) == "Value(data=0.5, grad=3.0, label='w')"


def test_op_names_record_what_was_computed():
    a, b = Value(2.0), Value(3.0)
    assert [(a + b).op, (a * b).op, (a - b).op, (a / b).op, (a ** b).op, (-a).op] == ["+", "*", "-", "/", "**", "neg"]
    for name in ["relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "sin", "cos"]:
        node = getattr(a, name)()
        assert node.op == name
        assert node.parents == (a,), "unary primitives are one node with one edge to the input"


def test_square_keeps_both_edges_to_the_same_parent():
    a = Value(3.0)
    y = a * a
    assert y.parents == (a, a)
    assert y.local_grads == (3.0, 3.0)


def test_constant_operands_are_not_parents_but_are_kept_as_arguments():
    x = Value(3.0)
    for y, args in [(2 * x, (2.0, x)), (x * 2, (x, 2.0)), (1 - x, (1.0, x)), (2 ** x, (2.0, x))]:
        assert y.parents == (x,)
        assert y.args == args


def test_numbers_on_either_side():
    x = Value(2.0)
    assert (1 + x).data == 3.0 and (x + 1).data == 3.0
    assert (1 - x).data == -1.0 and (x - 1).data == 1.0
    assert (3 * x).data == 6.0 and (x * 3).data == 6.0
    assert (1 / x).data == 0.5 and (x / 4).data == 0.5
    assert (2 ** x).data == 4.0 and (x ** 3).data == 8.0
    assert (x ** Value(3.0)).data == 8.0
    assert (+x) is x


def test_math_functions_on_a_value_fail_instead_of_cutting_the_graph():
    import math as m
    x = Value(0.5, label="x")
    for fn in (float, m.exp, m.tanh, m.log):
        with pytest.raises(TypeError, match="'x'.*cut the graph"):
            fn(x)


@pytest.mark.parametrize("name, x", [
    ("relu", 1.3), ("relu", -0.7), ("tanh", 0.4), ("sigmoid", -1.2), ("exp", 0.9), ("log", 2.5),
    ("sqrt", 1.7), ("abs", -2.2), ("abs", 0.8), ("sin", 0.3), ("cos", 1.1), ("neg", 0.6),
])
def test_unary_grad_matches_central_difference(name, x):
    def f(v):
        return -v if name == "neg" else getattr(v, name)()
    v = Value(x)
    f(v).backward()
    assert v.grad == pytest.approx(central(lambda t: f(Value(t)).data, x), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_binary_grads_match_central_differences(op):
    import operator
    fn = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}[op]
    x0, y0 = 1.7, 0.6
    x, y = Value(x0), Value(y0)
    fn(x, y).backward()
    assert x.grad == pytest.approx(central(lambda t: fn(t, y0), x0), rel=1e-6)
    assert y.grad == pytest.approx(central(lambda t: fn(x0, t), y0), rel=1e-6)


def test_kinks_follow_pytorch_convention():
    for name in ["relu", "abs"]:
        x = Value(0.0)
        getattr(x, name)().backward()
        assert x.grad == 0.0


def test_every_op_in_the_table_states_its_rule():
    assert set(OPS) >= {"+", "-", "*", "/", "**", "neg", "relu", "tanh", "sigmoid", "exp", "log", "sqrt",
                        "abs", "sin", "cos"}
    for op in OPS.values():
        assert op.math, f"{op.name} has no rule written down"
        assert op.arity in (1, 2)


# --- backward as a sum over paths ----------------------------------------------------------------

def test_olahs_example_sums_two_paths_from_b():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    e = (a + b) * (b + 1)
    e.backward()
    # paths from b: via (a+b) with rate 1 * (b+1) = 2, via (b+1) with rate 1 * (a+b) = 3
    assert (a.grad, b.grad) == (2.0, 5.0)


def test_fanout_node_receives_one_contribution_per_path():
    calls = []

    class Spy(float):
        # a local derivative that records each time backward multiplies it in
        def __mul__(self, g):
            calls.append(float(self))
            return float(self) * g

    x = Value(1.5)
    ys = [x * 2.0 for _ in range(5)]
    total = ys[0]
    for y in ys[1:]:
        total = total + y
    for y in ys:
        y._da = Spy(y._da)
    total.backward()
    assert len(calls) == 5, "x fans out into 5 children: exactly 5 += into x.grad"
    assert x.grad == 10.0


def test_interior_reuse_counts_every_path():
    # karpathy/micrograd#64: b = a + a; c = b + b gives dc/da = 4
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0


def test_diamond_ladder_has_exponential_paths_and_linear_backward():
    x = Value(1.0)
    y = x
    for _ in range(60):  # each rung doubles the number of paths: 2**60 of them
        y = y * 1.0 + y * 1.0
    y.backward()
    assert x.grad == 2.0 ** 60
    assert len(topo_order(y)) == 1 + 3 * 60


def test_grads_accumulate_across_backward_calls_on_leaves():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 12.0
    x.zero_grad()
    assert x.grad == 0.0


def test_interior_grads_show_the_latest_backward_not_a_stale_sum():
    x = Value(3.0)
    h = x * 2.0
    y = h * h
    y.backward()
    y.backward()
    assert h.grad == 12.0, "interior grads are fresh each call (micrograd would double them)"
    assert x.grad == 2 * 24.0


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    y = (a * b + a).tanh()
    order = topo_order(y)
    pos = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is y and len(order) == 5
    for node in order:
        for p in node.parents:
            assert pos[id(p)] < pos[id(node)]


def test_million_node_chain_backward_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0 and y.data == 1_000_001.0


# --- memory: no reference cycles --------------------------------------------------------------

def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = Value(0.5)
        y = x
        for _ in range(1000):
            y = (y * 1.0001).tanh() + x
        y.backward()
        probe = weakref.ref(y)
        middle = weakref.ref(topo_order(y)[500])
        del y
        assert probe() is None and middle() is None
        assert x.grad != 0.0  # leaves survive and keep their grads
    finally:
        gc.enable()


def test_no_node_is_tracked_in_a_cycle():
    x = Value(1.0)
    y = (x * x).exp() + x.sin()
    y.backward()
    gc.collect()
    assert gc.collect() == 0


# --- no_grad and detach ------------------------------------------------------------------------

def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert y.data == 5.0 and y.parents == () and y.op == ""


def test_no_grad_as_decorator_and_nesting_restores_state():
    x = Value(2.0)

    @no_grad()
    def f(v):
        return v * v

    assert f(x).parents == ()
    assert (x * x).parents == (x, x)


def test_no_grad_is_per_thread():
    x = Value(2.0)
    inside, other = threading.Barrier(2), threading.Barrier(2)
    result = {}

    def in_no_grad():
        with no_grad():
            inside.wait()
            other.wait()

    def outside():
        inside.wait()
        result["parents"] = (x * x).parents
        other.wait()

    threads = [threading.Thread(target=in_no_grad), threading.Thread(target=outside)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert result["parents"] == (x, x)


def test_detach_cuts_the_graph():
    x = Value(2.0, label="x")
    y = (x * x).detach()
    z = y * 3
    z.backward()
    assert y.parents == () and y.data == 4.0 and x.grad == 0.0


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, typename", [("1", "str"), (None, "NoneType"), (1 + 2j, "complex"), ([1], "list")])
def test_non_real_data_is_a_type_error_naming_the_type(bad, typename):
    with pytest.raises(TypeError, match=typename):
        Value(bad)


def test_value_of_a_value_says_what_to_do():
    with pytest.raises(TypeError, match="detach"):
        Value(Value(1.0))


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_unsupported_operand_is_a_type_error():
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        Value(1.0) * None
    with pytest.raises(TypeError):
        Value(1.0) + 1j


@pytest.mark.parametrize("make, op", [
    (lambda x: x.log(), "log"), (lambda x: x.sqrt(), "sqrt"), (lambda x: x ** 0.5, r"\*\*"),
])
def test_domain_errors_name_op_value_and_label(make, op):
    x = Value(-2.0, label="weight")
    with pytest.raises(ValueError, match=op) as info:
        make(x)
    assert "-2.0" in str(info.value) and "'weight'" in str(info.value)


def test_log_of_zero_is_a_domain_error():
    with pytest.raises(ValueError, match="log"):
        Value(0.0, label="p").log()


def test_division_by_zero_names_the_op_and_label():
    x, z = Value(1.0, label="num"), Value(0.0, label="den")
    with pytest.raises(ZeroDivisionError, match="'den'"):
        x / z
    with pytest.raises(ZeroDivisionError, match="/"):
        x / 0
    with pytest.raises(ZeroDivisionError, match=r"\*\*"):
        z ** -1


def test_exp_overflow_names_the_op():
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0, label="big").exp()


def test_user_nan_and_inf_propagate_as_ieee():
    n = Value(math.nan)
    assert math.isnan((n * 2).data) and math.isnan(n.relu().data) and math.isnan(n.tanh().data)
    i = Value(math.inf)
    assert (i + 1).data == math.inf and i.sigmoid().data == 1.0


def test_sqrt_at_zero_has_infinite_slope_not_an_exception():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_power_rule_at_zero_exponent_is_zero():
    x = Value(0.0)
    (x ** 0).backward()
    assert x.grad == 0.0


def test_negative_base_integer_power_is_fine():
    x = Value(-2.0)
    (x ** 3).backward()
    assert x.grad == 12.0


def test_format_spec_formats_the_data_for_progress_lines():
    loss = Value(0.123456, label="loss")
    assert f"{loss:.3f}" == "0.123" and f"{loss}" == repr(loss)


def test_a_huge_int_or_fraction_is_refused_by_its_size_without_printing_its_digits():
    # str() of a 5001-digit int raises ValueError (Python's 4,300-digit limit): the message gives the size
    with pytest.raises(OverflowError, match=r"int of about 1e5000 is too large for a float"):
        Value(10 ** 5000)
    with pytest.raises(OverflowError, match=r"Fraction of about -1e4999 is too large for a float"):
        Value(fractions.Fraction(-10 ** 5000, 3))
    assert Value(fractions.Fraction(10 ** 400, 10 ** 399)).data == 10.0  # large parts, small value: fine


def test_negative_infinity_to_a_fractional_power_follows_ieee():
    # IEEE pow(-inf, y) is +inf for y > 0 and +0 for y < 0 when y is not an odd integer
    assert (Value(-math.inf) ** 0.5).data == math.pow(-math.inf, 0.5) == math.inf
    assert (Value(-math.inf) ** -1.5).data == math.pow(-math.inf, -1.5) == 0.0
    with pytest.raises(ValueError, match="negative base -2.0 to the non-integer power 0.5"):
        Value(-2.0) ** 0.5  # a finite negative base still has no real fractional power


def test_a_generated_op_method_shows_its_own_source_in_inspect_and_tracebacks():
    import inspect
    import traceback
    src = inspect.getsource(Value.__mul__)
    assert src.lstrip().startswith("def __mul__(self, other):") and "out = (x * y)" in src and "{" not in src
    assert "out = _forward(x)" in inspect.getsource(Value.relu)  # a branching formula is called
    assert "node._da = (1.0 - (out * out))" in inspect.getsource(Value.tanh)  # a readable one pasted
    try:
        Value(1.0, label="w") / 0
    except ZeroDivisionError as e:
        text = "".join(traceback.format_exception(e))
    assert "raise _fail(e, (self, other)) from None" in text and "(node 'w')" in text
    assert Value.__add__.__qualname__ == "Value.__add__" and Value.__radd__.__name__ == "__radd__"


def test_the_ops_helpers_give_a_float_for_a_float_and_a_node_for_a_value():
    from autograd import ops
    x = Value(0.5, label="x")
    for name, fn in (("cos", math.cos), ("sin", math.sin), ("exp", math.exp), ("log", math.log),
                     ("tanh", math.tanh), ("sqrt", math.sqrt), ("abs", abs)):
        helper = getattr(ops, name)
        assert helper(0.5) == fn(0.5) and type(helper(0.5)) is float
        node = helper(x)
        assert type(node) is Value and node.op == name and node.parents == (x,) and node.data == fn(0.5)
    assert ops.recip(0.0) == math.inf and ops.recip(-0.0) == -math.inf and ops.recip(4.0) == 0.25
    assert (ops.recip(x).data, ops.data(x), ops.data(2.0), ops.sign(-x), ops.sign(0.0)) == (2.0, 0.5, 2.0, -1.0, 0.0)
    with pytest.raises(ZeroDivisionError, match=r"1/x at x = 0 \(such as sqrt'\(0\)\) \(node 'z'\)"):
        ops.recip(Value(0.0, label="z"))
