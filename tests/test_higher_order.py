"""Higher-order derivatives of every op, to third order, against sympy's exact derivatives.

Two routes are checked: nested `grad` (autograd.functional) and repeated
`backward(create_graph=True)` on leaves. Random expression trees come from hypothesis; each tree is
built twice, once in pathgrad and once in sympy, with the same repairs that keep the point away from
kinks (relu, abs) and domain edges (log, sqrt, /, **), so both sides compute the same smooth function.
"""
import math
import operator

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from _oracles import mirror, oracle
from autograd import OPS, Value
from autograd.functional import grad, hessian, jacobian

X, Y = sp.symbols("x y", real=True)
UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)  # a new op joins the random trees
INFIX = ["+", "-", "*", "/", "**"]
OTHER_BINARY = sorted(name for name, op in OPS.items() if op.arity == 2 and name not in INFIX)
BINARY = INFIX + OTHER_BINARY + ["**c", "c**"]
CONSTANTS = [-1.5, -0.5, 0.5, 2.0, 3.0]
EXPONENTS = [2.0, 3.0, 0.5, 1.5, -1.0, -2.0]


def test_trees_cover_every_op():
    assert {op for op in UNARY + BINARY if op in OPS} == set(OPS)


# --- one tree, two builds ----------------------------------------------------------------------
# A built node is (sympy expression, float value at the point, make) where make(env) builds the
# pathgrad expression from env = {"x": ..., "y": ...} (Values or floats).

def _const(c):
    # every constant used is a dyadic fraction, so sympy holds it exactly (and x**2 stays a polynomial)
    return sp.Rational(c), c, lambda env: c


def _pg(v):
    return v if type(v) is Value else Value(v)


def _unary(name, node):
    s, v, make = node
    # the point is away from the kink, so locally relu and abs are smooth: their oracle there
    sym = {"relu": lambda: s if v > 0 else sp.Integer(0), "abs": lambda: s if v > 0 else -s}.get(
        name, lambda: oracle(name, s))()
    val = float(OPS[name].forward(v))
    method = "__neg__" if name == "neg" else name
    return sym, val, lambda env: getattr(_pg(make(env)), method)()


def _binary(name, a, b):
    (sa, va, ma), (sb, vb, mb) = a, b
    sym = oracle(name, sa, sb)
    fn = {"+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q,
          "/": lambda p, q: p / q, "**": lambda p, q: p ** q}.get(name, lambda p, q: getattr(_pg(p), name)(q))
    return sym, float(OPS[name].forward(va, vb)), lambda env: fn(ma(env), mb(env))


def _positive(node):  # keep log, sqrt, fractional powers away from 0 and negatives
    return node if node[1] > 0.1 else _binary("+", _binary("*", node, node), _const(0.5))


def _away(node):  # keep relu, abs, division and negative powers away from 0
    return node if abs(node[1]) >= 0.1 else _binary("+", node, _const(0.5))


def _bounded(node):  # keep exp and powers from overflowing
    return node if abs(node[1]) <= 3 else _unary("tanh", node)


def build(tree, point):
    kind = tree[0]
    if kind in ("x", "y"):
        return (X if kind == "x" else Y), point[kind], lambda env: env[kind]
    if kind == "const":
        return _const(tree[1])
    if kind in UNARY:
        child = build(tree[1], point)
        if kind in ("log", "sqrt"):
            child = _positive(child)
        elif kind in ("relu", "abs"):
            child = _away(child)
        elif kind == "exp":
            child = _bounded(child)
        return _unary(kind, child)
    a, b = build(tree[1], point), build(tree[2], point)
    if kind == "/":
        b = _away(b)
    elif kind == "**":
        a, b = _positive(_bounded(a)), _bounded(b)
    elif kind == "**c":
        a = _bounded(a)
        a = _away(a) if b[1] < 0 else (_positive(a) if b[1] != int(b[1]) else a)
        kind = "**"
    elif kind == "c**":
        a, b = _const(abs(a[1]) + 0.25), _bounded(b)  # a positive base, never 1
        kind = "**"
    return _binary(kind, a, b)


# Every leaf is a variable; constants enter as one operand of a binary op (either side), so every
# tree depends on x or y and reflected ops (2 - x, 3 / x, 2 ** x) are covered.
constants = st.sampled_from(CONSTANTS).map(lambda c: ("const", c))
leaves = st.sampled_from([("x",), ("y",)])
trees = st.recursive(leaves, lambda kids: st.one_of(
    st.tuples(st.sampled_from(UNARY), kids),
    st.tuples(st.sampled_from(INFIX + OTHER_BINARY), kids, kids),
    st.tuples(st.sampled_from(["+", "-", "*", "/"]), st.one_of(kids, constants), st.one_of(kids, constants)),
    st.tuples(st.just("**c"), kids, st.sampled_from(EXPONENTS).map(lambda c: ("const", c))),
    st.tuples(st.just("c**"), constants, kids),
), max_leaves=8)
coords = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))
points = st.fixed_dictionaries({"x": coords, "y": coords})


def exact(sym, point, seq):
    d = sp.diff(sym, *[X if v == "x" else Y for v in seq])
    return float(d.subs({X: point["x"], Y: point["y"]}))


def close(got, want):
    return math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9 * max(1.0, abs(want)) + 1e-10)


def by_nested_grad(make, point, seq):
    f = lambda x, y: make({"x": x, "y": y})  # noqa: E731
    for v in seq:
        f = grad(f, argnums=0 if v == "x" else 1)
    return f(point["x"], point["y"])


def by_create_graph(make, point, seq):
    xs = {"x": Value(point["x"], label="x"), "y": Value(point["y"], label="y")}
    out = make(xs)
    for i, v in enumerate(seq):
        if type(out) is not Value:
            return 0.0
        for leaf in xs.values():
            leaf.grad = 0.0
        out.backward(create_graph=i < len(seq) - 1)
        out = xs[v].grad
    for leaf in xs.values():
        leaf.grad = 0.0  # drop the gradient graphs, which point back at the leaves
    return out if type(out) is float else out.data


# --- every op alone, orders 1 to 3 -------------------------------------------------------------

def _plain(name):
    """f(x, y) for an op with no special case: the op on x*y (unary) or on (x, y) (binary)."""
    if OPS[name].arity == 1:
        return lambda x, y: getattr(x * y, name)()
    infix = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
    return infix.get(name) or (lambda x, y: getattr(x, name)(y))


# Ops whose plain form would be too simple (+: all second derivatives 0) or sit on a kink get their
# own composition; every other op, a new one too, is tested as _plain(name). sympy differentiates the
# same function through the one oracle per op (tests/_oracles.py).
SPECIAL = {
    "+": lambda x, y: x + y * y, "-": lambda x, y: x * x - y * x, "*": lambda x, y: x * y * x,
    "neg": lambda x, y: -(x * y), "relu": lambda x, y: (x * y).relu() * x, "abs": lambda x, y: (x - y).abs() * x,
}
SINGLE = {name: (SPECIAL.get(name) or _plain(name), 0.7, 1.3) for name in OPS}
SYMPY = {name: mirror(fn) for name, (fn, _, _) in SINGLE.items()}
SEQUENCES = ["x", "y", "xx", "xy", "yy", "xxx", "xyx", "yyy", "xyy"]


def test_every_op_has_a_single_op_case():
    assert set(SINGLE) == set(OPS) == set(SYMPY)


@pytest.mark.parametrize("name", sorted(SINGLE))
@pytest.mark.parametrize("seq", SEQUENCES)
def test_every_op_differentiates_to_third_order_by_both_routes(name, seq):
    fn, xv, yv = SINGLE[name]
    point = {"x": xv, "y": yv}
    make = lambda env: fn(env["x"], env["y"])  # noqa: E731
    want = exact(SYMPY[name](X, Y), point, seq)
    assert close(by_nested_grad(make, point, seq), want)
    assert close(by_create_graph(make, point, seq), want)


@pytest.mark.parametrize("seq", ["xx", "xy", "yx", "yy", "xyx", "yyx"])
def test_power_with_value_exponent_keeps_mixed_derivatives_at_zero_exponent(seq):
    # d/dy of d(x^y)/dx = x^(y-1) + y x^(y-1) ln x, which is 1/x at y = 0 (not 0)
    point = {"x": 2.0, "y": 0.0}
    make = lambda env: env["x"] ** env["y"]  # noqa: E731
    want = exact(X ** Y, point, seq)
    assert close(by_nested_grad(make, point, seq), want)
    assert close(by_create_graph(make, point, seq), want)


def test_infinite_slope_is_inf_from_floats_and_an_error_when_differentiated_again():
    assert grad(lambda x: x.sqrt())(0.0) == math.inf
    with pytest.raises(ZeroDivisionError, match=r"sqrt'\(0\)"):
        grad(grad(lambda x: x.sqrt()))(0.0)
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError, match="infinite"):
        x.sqrt().backward(create_graph=True)
    # x^1.5 at 0: slope 0, second derivative +inf, third would be a made-up 0 if the inf were a constant
    assert grad(lambda x: x ** 1.5)(0.0) == 0.0 and grad(lambda x: x ** 0.5)(0.0) == math.inf
    with pytest.raises(ZeroDivisionError, match=r"x\*\*0\.5 at x = 0 \(node 'x'\) is infinite"):
        grad(grad(lambda x: x ** 1.5))(Value(0.0, label="x"))


def test_a_failed_create_graph_leaves_the_grads_as_they_were_and_no_reference_cycle():
    import gc
    import weakref
    x, w = Value(0.0, label="x"), Value(1.0, label="w")
    x.grad = 2.5
    y = (x.sqrt() + w).exp()  # exp' is exp's own output: as a grad it would point back at its node
    ref = weakref.ref(y)
    gc.disable()
    try:
        with pytest.raises(ZeroDivisionError, match="infinite"):
            y.backward(create_graph=True)  # w gets its grad, then sqrt'(0), infinite, stops it half way
        assert (x.grad, w.grad) == (2.5, 0.0) and all(type(v.grad) is float for v in (y, y._a, y._a._a))
        del y
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


# one variable, every op, orders 4 to 6: nothing in the formulas stops at a fixed order
HIGH_SPECIAL = {
    "+": lambda x: x * x * x + x, "-": lambda x: 1.0 - x * x * x, "*": lambda x: x * x * x * x,
    "/": lambda x: 1.0 / x, "**": lambda x: x ** x, "neg": lambda x: -(x * x * x),
    "relu": lambda x: (x * x).relu() * x, "abs": lambda x: (x - 2.0).abs() * x * x,
}
HIGH = {name: (f := HIGH_SPECIAL.get(name) or (lambda x, name=name: _plain(name)(x, x)), mirror(f)(X))
        for name in OPS}


def test_high_order_cases_cover_every_op():
    assert set(HIGH) == set(OPS)


@pytest.mark.parametrize("name", sorted(HIGH))
def test_every_op_differentiates_to_sixth_order(name):
    f, sym = HIGH[name]
    for n in range(1, 7):
        f = grad(f)
        if n >= 4:
            assert close(f(0.7), float(sp.diff(sym, X, n).subs(X, 0.7)))


# --- random expressions ------------------------------------------------------------------------

@given(trees, points, st.data())
def test_random_expressions_match_sympy_to_third_order(tree, point, data):
    sym, _, make = build(tree, point)
    # differentiate by the variables the expression has (when it has any), up to third order
    names = sorted(str(s) for s in sym.free_symbols) or ["x", "y"]
    seq = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3), label="seq")
    want = exact(sym, point, seq)
    assert close(by_nested_grad(make, point, seq), want)
    assert close(by_create_graph(make, point, seq), want)


@given(trees, points)
def test_hessian_is_symmetric_and_matches_sympy(tree, point):
    sym, _, make = build(tree, point)
    h = hessian(lambda x, y: make({"x": x, "y": y}))(point["x"], point["y"])
    for i, u in enumerate("xy"):
        for j, v in enumerate("xy"):
            assert close(h[i][j], exact(sym, point, u + v))
    assert close(h[0][1], h[1][0])


@given(trees, trees, points)
def test_jacobian_matches_sympy(t1, t2, point):
    (s1, _, m1), (s2, _, m2) = build(t1, point), build(t2, point)
    jac = jacobian(lambda x, y: [m1({"x": x, "y": y}), m2({"x": x, "y": y})])(point["x"], point["y"])
    for i, sym in enumerate((s1, s2)):
        for j, v in enumerate("xy"):
            assert close(jac[i][j], exact(sym, point, v))


def test_a_nan_derivative_stays_nan_at_every_order():
    # d(x**y)/dy = x**y ln x has no real value at a negative base: nan, and so is every derivative
    # of it; a constant nan would make the next order 0 and the hessian [[2, nan], [0, 0]]
    h = hessian(lambda x, y: x ** y)(-2.0, 2.0)
    assert h[0][0] == 2.0 and all(math.isnan(v) for v in (h[0][1], h[1][0], h[1][1]))
    assert math.isnan(grad(grad(grad(lambda y: (-2.0) ** y)))(Value(3.0)).data)
    x, y = Value(-2.0), Value(3.0)
    (x ** y).backward(create_graph=True)
    dy = y.grad
    x.grad = y.grad = 0.0
    dy.backward()
    assert math.isnan(x.grad) and math.isnan(y.grad)
