"""Gradients checked against sympy's exact derivatives of random expression trees over every op."""
import math

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from _oracles import oracle
from autograd import OPS, Value

NAMES = ("x", "y", "z")
UNARY = tuple(sorted(name for name, op in OPS.items() if op.arity == 1))  # a new op is drawn too
BINARY = tuple(sorted(name for name, op in OPS.items() if op.arity == 2))


def trees():
    """Expression trees as nested tuples; domain-restricted ops get inputs kept inside their domain."""
    leaves = st.one_of(st.sampled_from(NAMES), st.floats(-3, 3, allow_nan=False).map(lambda c: round(c, 3)))
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(UNARY), kids),
            st.tuples(st.sampled_from(BINARY), kids, kids),
        ),
        max_leaves=8,
    )


def build(tree, env, lib):
    """Evaluate `tree` with leaves from env, using pathgrad Values (lib='pg') or sympy (lib='sym')."""
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return sympy.Float(tree) if lib == "sym" else tree
    op, *kids = tree
    a = build(kids[0], env, lib)
    if op in BINARY:
        b = build(kids[1], env, lib)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / (b * b + 0.5)
        if op == "**":
            return (a * a + 0.5) ** (b * 0.25)
        if lib == "sym":
            return oracle(op, a, b)
        return getattr(a if isinstance(a, Value) else Value(a), op)(b)
    if lib == "sym":
        return oracle(op, a * a + 0.5 if op in ("log", "sqrt") else a)
    if isinstance(a, float):
        a = Value(a)
    if op == "neg":
        return -a
    if op in ("log", "sqrt"):
        return getattr(a * a + 0.5, op)()
    return getattr(a, op)()


def kinks(tree, env):
    """Smallest |input| reaching a relu or abs: the oracle is not defined at the kink."""
    smallest = math.inf
    stack = [tree]
    while stack:
        t = stack.pop()
        if isinstance(t, tuple):
            if t[0] in ("relu", "abs"):
                v = build(t[1], env, "pg")
                smallest = min(smallest, abs(v.data if isinstance(v, Value) else v))
            stack.extend(t[1:])
    return smallest


def differentiate(tree, point):
    """Build `tree` at `point` in pathgrad and run backward; reject overflow and points near kinks."""
    env = {n: Value(v, label=n) for n, v in zip(NAMES, point)}
    try:
        out = build(tree, env, "pg")
    except OverflowError:
        assume(False)
    assume(isinstance(out, Value) and math.isfinite(out.data) and abs(out.data) < 1e8)
    assume(kinks(tree, env) > 1e-6)
    out.backward()
    return env, out


@given(trees(), st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3))
def test_random_expressions_match_sympy_exact_derivatives(tree, point):
    env, out = differentiate(tree, point)
    syms = {n: sympy.Symbol(n, real=True) for n in NAMES}
    expr = build(tree, syms, "sym")
    subs = {syms[n]: sympy.Float(v, 30) for n, v in zip(NAMES, point)}
    assert out.data == pytest.approx(float(expr.subs(subs).evalf(30)), rel=1e-9, abs=1e-12)
    for n in NAMES:
        exact = float(sympy.diff(expr, syms[n]).subs(subs).evalf(30))
        assert env[n].grad == pytest.approx(exact, rel=1e-7, abs=1e-9), n


def test_every_op_has_an_oracle():
    from _oracles import ORACLES
    from autograd import OPS
    assert set(OPS) <= set(ORACLES), f"ops without a sympy oracle in tests/_oracles.py: {set(OPS) - set(ORACLES)}"
