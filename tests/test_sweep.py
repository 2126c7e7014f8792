"""One reverse sweep: backward, backward(create_graph=True), grad, explain().grad, trace_backward and
detect_anomaly give the same derivatives on the same random graphs, and sympy's exact ones."""
import math

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _oracles import oracle
from autograd import OPS, Value, detect_anomaly, explain, grad, topo_order, trace_backward

# Ops whose argument must stay inside a domain get it through a smooth map into that domain; the
# map is built from ops too, so it is part of the graph every consumer sees.
INSIDE = {"log": lambda u: u * u + 0.5, "sqrt": lambda u: u * u + 0.5}
KINKED = ("relu", "abs")


def _apply(name, args, lib):
    if lib == "sym":
        return oracle(name, *args)
    if OPS[name].arity == 2:
        x, y = args
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "**": lambda: x ** y}.get(name, lambda: getattr(x, name)(y))()
    return -args[0] if name == "neg" else getattr(args[0], name)()


@st.composite
def recipes(draw):
    """(leaf values, steps): each step (op, argument indices) uses earlier nodes, so fan-out and
    a*a occur. Divisors and bases are squared plus 0.5 (nonzero, positive), as in INSIDE."""
    n = draw(st.integers(1, 3))
    values = [draw(st.floats(-1.5, 1.5, allow_nan=False).filter(lambda v: abs(v) > 0.05)) for _ in range(n)]
    steps = []
    for k in range(draw(st.integers(1, 7))):
        name = draw(st.sampled_from(sorted(OPS)))
        picks = tuple(draw(st.integers(0, n + k - 1)) for _ in range(OPS[name].arity))
        steps.append((name, picks))
    return values, steps


def build(values, steps, leaves, lib="pg"):
    nodes = list(leaves)
    for name, picks in steps:
        args = [nodes[i] for i in picks]
        if name in INSIDE:
            args = [INSIDE[name](args[0])]
        elif name in ("/", "**"):  # a positive divisor or base: (u*u + 0.5)
            j = 1 if name == "/" else 0
            args[j] = args[j] * args[j] + 0.5
        if name == "**":
            args[1] = args[1] * 0.5
        nodes.append(_apply(name, args, lib))
    return nodes[-1]


def _kinks(values, steps):
    """The smallest |argument| of a relu or abs: sympy's derivative is not defined at the kink."""
    smallest = math.inf
    stack, seen = [build(values, steps, [Value(v) for v in values])], set()
    while stack:
        v = stack.pop()
        if type(v) is not Value or v in seen:
            continue
        seen.add(v)
        if v.op in KINKED:
            smallest = min(smallest, abs(v._a.data))
        stack.extend(v.parents)
    return smallest


def _fresh(values, steps):
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
    return leaves, build(values, steps, leaves)


@settings(max_examples=60)
@given(recipes())
def test_every_consumer_of_the_sweep_gives_the_same_derivatives_as_sympy(recipe):
    values, steps = recipe
    try:
        leaves, out = _fresh(values, steps)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    assume(math.isfinite(out.data) and abs(out.data) < 1e6 and _kinks(values, steps) > 1e-6)

    out.backward()
    by_backward = [x.grad for x in leaves]

    leaves, out = _fresh(values, steps)
    by_explain = [explain(out, x, limit=4).grad for x in leaves]
    ledger = trace_backward(out)
    by_trace = [x.grad for x in leaves]
    assert [sum(s.contribution for s in ledger.into(x)) for x in leaves] == by_trace

    leaves, out = _fresh(values, steps)
    with detect_anomaly():
        out.backward()
    by_anomaly = [x.grad for x in leaves]

    by_grad = list(grad(lambda *xs: build(values, steps, xs), tuple(range(len(values))))(*values))

    leaves, out = _fresh(values, steps)
    out.backward(create_graph=True)
    by_graph = [x.grad.data if type(x.grad) is Value else x.grad for x in leaves]

    # The float sweeps do the same += in the same order: equal to the last bit.
    assert by_explain == by_backward and by_trace == by_backward and by_anomaly == by_backward
    assert by_grad == by_backward
    assert by_graph == pytest.approx(by_backward, rel=1e-12, abs=1e-300)

    syms = sympy.symbols(f"x0:{len(values)}", real=True)
    expr = build(values, steps, syms, lib="sym")
    point = {s: sympy.Float(v, 30) for s, v in zip(syms, values)}
    exact = [float(sympy.diff(expr, s).evalf(30, subs=point)) for s in syms]
    assert by_backward == pytest.approx(exact, rel=1e-8, abs=1e-10)


@settings(max_examples=40)
@given(recipes(), st.floats(-1e3, 1e3, allow_nan=False))
def test_backward_twice_over_stale_grads_resets_every_computed_node_and_adds_into_the_leaves(recipe, stale):
    # backward marks the nodes it has visited through their grads: whatever a computed node held
    # before (a number left by another sweep, one the user set) must not make it count as visited.
    values, steps = recipe
    try:
        leaves, out = _fresh(values, steps)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    assume(math.isfinite(out.data) and abs(out.data) < 1e6 and _kinks(values, steps) > 1e-6)
    syms = sympy.symbols(f"x0:{len(values)}", real=True)
    expr = build(values, steps, syms, lib="sym")
    point = {s: sympy.Float(v, 30) for s, v in zip(syms, values)}
    exact = [float(sympy.diff(expr, s).evalf(30, subs=point)) for s in syms]
    computed = [v for v in topo_order(out) if v.op]
    for v in computed:
        v.grad = stale
    out.backward()
    once = {v: v.grad for v in computed}
    for v in computed:
        v.grad = stale
    out.backward()
    assert [x.grad for x in leaves] == pytest.approx([2 * e for e in exact], rel=1e-8, abs=1e-10)
    assert {v: v.grad for v in computed} == once
    assert out.grad == 1.0
