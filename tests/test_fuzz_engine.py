"""Property-based fuzzing of the engine: every op on any float, and random expression graphs over every
op (shared subexpressions included) checked against sympy's exact derivatives, against the sum over
paths, and under detect_anomaly(). Budget: the hypothesis profile (`make test`: default, `make fuzz`)."""
import math

import pytest
import sympy
from hypothesis import assume, event, given, strategies as st

from _oracles import oracle
from autograd import OPS, Value, count_paths, detect_anomaly, paths

UNARY = sorted(n for n, op in OPS.items() if op.arity == 1)
BINARY = sorted(n for n, op in OPS.items() if op.arity == 2)
METHOD = {"neg": "__neg__", "+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
          "**": "__pow__"}
DOCUMENTED = (ValueError, ZeroDivisionError, OverflowError)

any_float = st.floats(allow_nan=True, allow_infinity=True)


def apply(name, *args):
    if len(args) == 1:
        return getattr(args[0], METHOD.get(name, name))()
    x, y = args
    if type(x) is not Value:  # a constant on the left: the reflected method
        return getattr(y, METHOD[name].replace("__", "__r", 1))(x)
    return getattr(x, METHOD[name])(y)


def _assert_documented_failure(err, name, labels):
    assert isinstance(err, DOCUMENTED), f"{name}: undocumented {type(err).__name__}: {err}"
    msg = str(err)
    assert name in msg or {"/": "division", "**": "power"}.get(name, "\0") in msg, msg
    for label in labels:
        assert repr(label) in msg, msg


@given(name=st.sampled_from(UNARY), x=any_float)
def test_every_unary_op_on_any_float_gives_a_node_or_a_documented_error_naming_op_and_label(name, x):
    v = Value(x, label="in")
    try:
        out = apply(name, v)
    except Exception as err:  # noqa: BLE001 - the property is about which exceptions escape
        _assert_documented_failure(err, name, ["in"])
        assert x == x, "a NaN input must propagate, not raise"
        return
    assert out.op == name and out.parents == (v,) and len(out.local_grads) == 1
    if x != x:
        assert out.data != out.data, f"{name}(nan) must be nan"


@given(name=st.sampled_from(BINARY), x=any_float, y=any_float, form=st.sampled_from(["vv", "vc", "cv"]))
def test_every_binary_op_on_any_floats_gives_a_node_or_a_documented_error(name, x, y, form):
    a = Value(x, label="a") if form != "cv" else x
    b = Value(y, label="b") if form != "vc" else y
    try:
        out = apply(name, a, b)
    except Exception as err:  # noqa: BLE001
        _assert_documented_failure(err, name, [s for s, v in (("a", a), ("b", b)) if type(v) is Value])
        return
    assert out.op == name
    assert out.parents == tuple(v for v in (a, b) if type(v) is Value)


# --- random expression graphs against sympy -----------------------------------------------------

def _sym(name, *a):
    return oracle(name, *a)


def _safe(name, xs):
    """Inputs away from kinks, domain edges and overflow, so that a float derivative is well defined."""
    x = xs[0]
    if any(abs(v) > 1e3 for v in xs):
        return False
    if name in ("relu", "abs"):
        return abs(x) > 1e-3
    if name in ("log", "sqrt"):
        return x > 1e-2
    if name == "exp":
        return x < 5
    if name == "/":
        return abs(xs[1]) > 1e-1
    if name == "**":
        return 0.1 < x < 10 and abs(xs[1]) < 3
    return True


@st.composite
def graphs(draw, max_ops=8):
    """A random DAG: leaves, then ops over every name whose operands are earlier nodes (shared, so
    fan-out and a*a occur) or constants. Returns (leaves, nodes, sympy expressions, symbols)."""
    n_leaves = draw(st.integers(1, 3))
    values = [draw(st.floats(0.05, 2)) * draw(st.sampled_from([1.0, -1.0])) for _ in range(n_leaves)]
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
    syms = sympy.symbols(f"x0:{n_leaves}", real=True)
    nodes, exprs = list(leaves), list(syms)
    for _ in range(draw(st.integers(1, max_ops))):
        name = draw(st.sampled_from(sorted(OPS)))
        i = draw(st.integers(0, len(nodes) - 1))
        args, sargs = [nodes[i]], [exprs[i]]
        if OPS[name].arity == 2:
            if draw(st.booleans()):
                j = draw(st.integers(0, len(nodes) - 1))
                other, sother = nodes[j], exprs[j]
            else:
                other = draw(st.sampled_from([0.5, 2.0, -1.5, 3.0]))
                other = float(other)
                sother = sympy.Float(other)
            if draw(st.booleans()):
                args, sargs = [other, args[0]], [sother, sargs[0]]
            else:
                args, sargs = args + [other], sargs + [sother]
        if not _safe(name, [a.data if type(a) is Value else a for a in args]):
            continue
        nodes.append(apply(name, *args))
        exprs.append(_sym(name, *sargs))
    return leaves, nodes, exprs, syms


def _close(got, exact):
    return math.isclose(got, exact, rel_tol=1e-7, abs_tol=1e-9)


@given(graphs())
def test_random_graph_gradients_equal_sympy_exact_derivatives(g):
    leaves, nodes, exprs, syms = g
    out, expr = nodes[-1], exprs[-1]
    assume(out.op)
    out.backward()
    point = {s: sympy.Float(v.data, 30) for s, v in zip(syms, leaves)}
    assert _close(out.data, float(expr.evalf(30, subs=point)))
    for s, leaf in zip(syms, leaves):
        exact = float(sympy.diff(expr, s).evalf(30, subs=point))
        assert _close(leaf.grad, exact), f"d/d{leaf.label}: backward {leaf.grad!r}, sympy {exact!r}"


@given(graphs())
def test_sum_of_path_rates_equals_the_gradient_when_paths_are_few(g):
    leaves, nodes, _, _ = g
    out = nodes[-1]
    out.backward()
    for leaf in leaves:
        n = count_paths(out, leaf)
        assume(n <= 200)
        listed = list(paths(out, leaf))
        assert len(listed) == n
        assert math.isclose(math.fsum(p.rate for p in listed), leaf.grad, rel_tol=1e-9, abs_tol=1e-12)


@given(graphs())
def test_detect_anomaly_changes_nothing_on_finite_graphs(g):
    leaves, nodes, _, _ = g
    out = nodes[-1]
    out.backward()
    plain = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    with detect_anomaly():
        out.backward()
    assert [leaf.grad for leaf in leaves] == plain


# --- replay and compiled against eager ----------------------------------------------------------

def _eager(out, values):
    """The graph below `out` built again, op by op, with the leaves' data replaced by `values`."""
    from autograd import topo_order
    new = {}
    for v in topo_order(out):
        if not v.op:
            new[v] = Value(values[v], label=v.label)
        else:
            new[v] = apply(v.op, *[new[a] if type(a) is Value else a for a in v.args])
    return new[out], new


def _same(got, want):
    """Equal to 1e-12, where NaN equals NaN (x**y at x = 0 = y has no slope in y, in every mode)."""
    return (got != got and want != want) or got == pytest.approx(want, rel=1e-12, abs=1e-300)


@given(graphs(), st.lists(st.floats(-0.05, 0.05) | st.sampled_from([-1.0, -2.0]), min_size=3, max_size=3))
def test_replayed_and_compiled_tapes_equal_eager_at_new_leaf_values(g, shifts):
    from autograd import Tape
    leaves, nodes, _, _ = g
    out = nodes[-1]
    assume(out.op)
    values = {x: x.data * (1 + s) for x, s in zip(leaves, shifts)}
    try:
        ref, new = _eager(out, values)
    except DOCUMENTED as err:  # the new point left an op's domain: replay and compiled must say so too
        event(f"eager raised {type(err).__name__}")
        tape = Tape(out)
        fast = tape.compile()
        for x in leaves:
            x.data = values[x]
        for mode in (tape, fast):
            with pytest.raises(type(err)):
                mode.forward()
        return
    ref.backward()
    tape = Tape(out)
    fast = tape.compile()
    for x in leaves:
        x.data = values[x]
    for mode in (tape, fast):
        for x in leaves:
            x.grad = 0.0
        assert _same(mode.forward(), ref.data), mode
        mode.backward()
        for x in leaves:
            want = new[x].grad if x in new else 0.0  # a leaf outside the graph gets nothing
            assert _same(x.grad, want), (mode, x.label, x.grad, want)
