"""paths, count_paths, explain and the backward ledger: dy/dx is the sum over paths of the products of
the local derivatives, checked against central differences, brute-force counts and backward."""
import math
import os
import random
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, count_paths, explain, nodes_between, paths, trace_backward
from nn import MLP


def olah():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    e = (a + b) * (b + 1)
    e.label = "e"
    return a, b, e


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- random graphs: a recipe that builds the same function on Values and on plain floats -----------

UNARY = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "sigmoid": lambda u: 1 / (1 + math.exp(-u))}
BINARY = {"+": lambda u, v: u + v, "-": lambda u, v: u - v, "*": lambda u, v: u * v}


@st.composite
def recipes(draw):
    """A DAG as a list of steps over earlier slots (slot 0 is x, slot 1 the leaf w): reuse, fan-out
    and `u*u` edges arise whenever a step picks a slot twice."""
    steps = []
    for i in range(draw(st.integers(1, 12))):
        n = i + 2
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, n - 1))))
        else:
            steps.append((draw(st.sampled_from(sorted(BINARY))), draw(st.integers(0, n - 1)),
                          draw(st.integers(0, n - 1))))
    return steps


def run(recipe, x, w, unary, binary):
    slots = [x, w]
    for op, *args in recipe:
        f = unary[op] if op in unary else binary[op]
        slots.append(f(*(slots[i] for i in args)))
    return slots[-1]


def on_values(recipe, x, w):
    return run(recipe, x, w, {k: (lambda name: lambda u: getattr(u, name)())(k) for k in UNARY}, BINARY)


def on_floats(recipe, x, w):
    return run(recipe, x, w, UNARY, BINARY)


def brute_count(y, x):
    # The definition, by recursion: fine on these small graphs, an oracle independent of the DP.
    return 1 if y is x else sum(brute_count(p, x) for p in y.parents)


# --- the examples of the book ------------------------------------------------------------------

def test_olahs_b_reaches_e_along_two_paths_with_rates_2_and_3():
    a, b, e = olah()
    found = list(paths(e, b))
    assert [p.rate for p in found] == [2.0, 3.0]
    assert [[v.data for v in p.nodes] for p in found] == [[1.0, 3.0, 6.0], [1.0, 2.0, 6.0]]
    assert math.isclose(sum(p.rate for p in found), central(lambda t: (2 + t) * (t + 1), 1.0), rel_tol=1e-9)


def test_square_gives_two_paths_one_per_edge():
    a = Value(3.0, label="a")
    y = a * a
    found = list(paths(y, a))
    assert len(found) == 2 == count_paths(y, a)
    assert [p.positions for p in found] == [(0,), (1,)]
    assert sum(p.rate for p in found) == 6.0


def test_constant_operands_are_not_on_any_path():
    x = Value(1.5)
    y = 2.0 * x + 3.0
    (p,) = paths(y, x)
    assert p.factors == (2.0, 1.0) and len(p) == 2


def test_a_node_has_one_empty_path_to_itself():
    x = Value(4.0)
    (p,) = paths(x, x)
    assert p.nodes == (x,) and p.factors == () and p.rate == 1.0
    assert count_paths(x, x) == 1 and explain(x, x).grad == 1.0


def test_unconnected_input_has_no_paths_and_zero_gradient():
    x, z = Value(1.0), Value(2.0)
    y = x.sin()
    assert list(paths(y, z)) == [] and count_paths(y, z) == 0 and nodes_between(y, z) == []
    r = explain(y, z)
    assert (r.count, r.total, r.grad, r.paths) == (0, 0.0, 0.0, [])


def test_limit_stops_the_enumeration():
    x = Value(0.3)
    y = x
    for _ in range(10):
        y = y.sin() + y.cos()
    assert len(list(paths(y, x, limit=7))) == 7
    assert list(paths(y, x, limit=0)) == []


@pytest.mark.parametrize("bad", [1.0, None, "x"])
def test_non_values_are_refused_with_type_error(bad):
    x = Value(1.0)
    with pytest.raises(TypeError, match="Value"):
        paths(bad, x)
    with pytest.raises(TypeError, match="Value"):
        count_paths(x, bad)
    with pytest.raises(TypeError, match="Value"):
        trace_backward(bad)


@pytest.mark.parametrize("limit", [-1, 2.5, "3"])
def test_a_bad_limit_is_refused(limit):
    x = Value(1.0)
    with pytest.raises(ValueError, match="limit"):
        paths(x * x, x, limit=limit)
    with pytest.raises(ValueError, match="limit"):
        explain(x * x, x, limit=limit)


# --- what a path is ----------------------------------------------------------------------------

@given(recipes(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_paths_follow_parent_edges_and_rates_multiply_the_engines_local_derivatives(recipe, xv, wv):
    x, w = Value(xv), Value(wv)
    y = on_values(recipe, x, w)
    for p in paths(y, x):
        assert p.nodes[0] is x and p.nodes[-1] is y and len(p.nodes) == len(p.factors) + 1
        for (parent, child, i), d in zip(p.edges, p.factors):
            assert child.parents[i] is parent and child.local_grads[i] == d
        assert p.rate == math.prod(p.factors)


@given(recipes(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_sum_of_rates_is_the_derivative_by_central_differences_and_by_backward(recipe, xv, wv):
    x, w = Value(xv), Value(wv)
    y = on_values(recipe, x, w)
    total = sum(p.rate for p in paths(y, x))
    numeric = central(lambda t: on_floats(recipe, t, wv), xv)
    assert math.isclose(total, numeric, rel_tol=1e-5, abs_tol=1e-6)
    y.backward()
    assert math.isclose(total, x.grad, rel_tol=1e-12, abs_tol=1e-12)


@given(recipes())
def test_count_paths_equals_the_paths_enumerated_and_a_brute_force_count(recipe):
    x, w = Value(0.4), Value(-0.7)
    y = on_values(recipe, x, w)
    n = count_paths(y, x)
    assert n == len(list(paths(y, x))) == brute_count(y, x)
    assert count_paths(y, w) == len(list(paths(y, w))) == brute_count(y, w)


def test_nodes_between_are_the_nodes_of_the_paths_in_topological_order():
    a, b, e = olah()
    sub = nodes_between(e, b)
    assert set(sub) == {v for p in paths(e, b) for v in p.nodes} and sub[0] is b and sub[-1] is e
    assert a not in sub


# --- networks ----------------------------------------------------------------------------------

def mlp_cost(model, x, y):
    out = model(x)
    out = out if isinstance(out, list) else [out]
    return 0.5 * sum((o - t) ** 2 for o, t in zip(out, y))


@pytest.mark.parametrize("sizes,act", [([3, 3, 2], "sigmoid"), ([4, 2], "tanh"), ([3, 4, 2, 3], "sigmoid")])
def test_mlp_weight_paths_sum_to_the_gradient_and_their_count_is_the_later_widths(sizes, act):
    model = MLP(2, sizes, activation=act, output_activation=act, seed=3)
    x, y = [0.6, -0.4], [0.2 * i for i in range(sizes[-1])]
    cost = mlp_cost(model, x, y)
    cost.backward()
    rng = random.Random(0)
    for i, layer in enumerate(model.layers):
        j = rng.randrange(len(layer.neurons))
        k = rng.randrange(len(layer.neurons[j].w))
        w = layer.neurons[j].w[k]
        assert count_paths(cost, w) == math.prod(sizes[i + 1:])
        total = sum(p.rate for p in paths(cost, w))
        assert math.isclose(total, w.grad, rel_tol=1e-12, abs_tol=1e-15)

        def c_of(t, w=w):
            old, w.data = w.data, t
            try:
                return mlp_cost(model, x, y).data
            finally:
                w.data = old
        assert math.isclose(total, central(c_of, w.data), rel_tol=1e-6, abs_tol=1e-9)


def test_grouped_path_through_activations_gives_nielsens_rate_factors():
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    (x1, x2) = (0.5, -0.3)
    out = model([x1, x2])
    w = model.layers[0].neurons[0].w[1]
    (p,) = paths(out, w)  # w^2_12 -> a^2_1 -> a^3_1: one path
    acts = {v for v in p.nodes if v.op == "sigmoid"}
    nodes, factors = p.grouped(lambda v: v in acts)
    assert nodes[0] is w and nodes[-1] is out and all(v in acts for v in nodes[1:])
    a1 = nodes[1].data
    # da^2_1/dw^2_12 = x_2 sigma'(z^2_1) and da^3_1/da^2_1 = w^3_11 sigma'(z^3_1), sigma' = s(1 - s)
    assert math.isclose(factors[0], x2 * a1 * (1 - a1), rel_tol=1e-14)
    w2 = model.layers[1].neurons[0].w[0].data
    assert math.isclose(factors[1], w2 * out.data * (1 - out.data), rel_tol=1e-14)
    assert math.isclose(math.prod(factors), p.rate, rel_tol=1e-14)


# --- counting without enumerating ---------------------------------------------------------------

def test_two_hundred_diamonds_give_exactly_2_to_the_200_paths():
    x = Value(0.5)
    y = x
    for _ in range(200):
        y = y.sin() + y.cos()
    assert count_paths(y, x) == 2 ** 200


def test_count_paths_on_a_million_node_chain():
    x = Value(1.0)
    y = x * x  # two edges at the bottom, then a single lane: 2 paths through 10^6 nodes
    for _ in range(10 ** 6 - 2):
        y = y * 1.0
    assert count_paths(y, x) == 2


def test_paths_and_explain_on_a_hundred_thousand_node_chain():
    # 10^5 rather than 10^6: explain keeps three tables over the sub-graph and builds the path's
    # tuples; 10^5 shows there is no recursion (Python's limit is 10^3) at a tenth of the time.
    n = 10 ** 5
    x = Value(1.0, label="x")
    y = x
    for _ in range(n - 1):
        y = y * 1.0000001
    (p,) = paths(y, x)
    assert len(p.nodes) == n and p.nodes[0] is x and p.nodes[-1] is y
    r = explain(y, x)
    assert r.count == 1 and math.isclose(r.grad, 1.0000001 ** (n - 1), rel_tol=1e-9)
    assert r.total == p.rate
    assert "more)" in str(r) and len(str(r)) < 2000


# --- explain -----------------------------------------------------------------------------------

def test_explain_neither_reads_nor_changes_any_grad():
    a, b, e = olah()
    for v in (a, b, e):
        v.grad = 123.0
    r = explain(e, b)
    assert (a.grad, b.grad, e.grad) == (123.0, 123.0, 123.0)
    assert r.grad == 5.0 and r.total == 5.0 and r.count == 2 and r.complete


def test_explain_grad_is_what_backward_puts_in_a_fresh_grad():
    rng = random.Random(5)
    for _ in range(20):
        x = Value(rng.uniform(-1, 1))
        y, h = x, x
        for _ in range(8):
            y, h = (y * h).tanh() + h.sin(), y - h * 0.5
        r = explain(y, x)
        y.backward()
        assert r.grad == x.grad


def test_explain_table_lists_each_path_and_sets_sum_beside_backward():
    a, b, e = olah()
    text = str(explain(e, b))
    assert "2 paths from b to e" in text
    assert "b -> (+)#3 -> e" in text and "b -> (+)#4 -> e" in text
    assert "1 * 2" in text and "1 * 3" in text
    assert "sum of rates = 5" in text and "backward de/db = 5" in text


def test_explain_past_the_limit_counts_and_sums_by_dynamic_programming():
    x = Value(0.3, label="x")
    y = x
    for _ in range(40):
        y = y.sin() + y.cos()
    r = explain(y, x, limit=5)
    assert r.count == 2 ** 40 and len(r.paths) == 5 and not r.complete
    numeric = central(lambda t: _ladder(t, 40), 0.3)
    assert math.isclose(r.total, numeric, rel_tol=1e-6, abs_tol=1e-9)
    assert math.isclose(r.total, r.grad, rel_tol=1e-12)
    text = str(r)
    assert f"{2 ** 40 - 5} more paths" in text and "factored sum" in text


def _ladder(t, n):
    for _ in range(n):
        t = math.sin(t) + math.cos(t)
    return t


def test_explain_holds_no_hidden_reference_to_the_graph():
    a, b, e = olah()
    gone = weakref.ref(e)
    r = explain(e, b)
    str(r)
    del r, e
    assert gone() is None


# --- the ledger of backward --------------------------------------------------------------------

def test_ledger_steps_into_a_node_sum_to_its_grad_and_fanout_gets_one_step_per_edge():
    x = Value(0.7, label="x")
    u = x.sin()
    y = u * u + u.exp() + x  # u fans out over three edges, x over two
    ledger = trace_backward(y)
    assert len(ledger.into(u)) == 3 and len(ledger.into(x)) == 2
    numeric = central(lambda t: math.sin(t) ** 2 + math.exp(math.sin(t)) + t, 0.7)
    assert math.isclose(x.grad, numeric, rel_tol=1e-8)
    for v in (x, u):
        assert math.isclose(sum(s.contribution for s in ledger.into(v)), v.grad, rel_tol=1e-15)
        assert ledger.into(v)[-1].grad_after == v.grad
    for s in ledger:
        assert s.contribution == s.local * s.upstream
        assert s.child.parents.count(s.parent) >= 1


def test_ledger_is_backward_step_for_step_leaves_accumulate_interior_resets():
    def graph():
        x = Value(1.3)
        h = x.tanh()
        return x, h, h * x + h
    x1, h1, y1 = graph()
    x2, h2, y2 = graph()
    for _ in range(2):
        trace_backward(y1)
        y2.backward()
    assert (x1.grad, h1.grad, y1.grad) == (x2.grad, h2.grad, y2.grad)
    assert math.isclose(x1.grad, 2 * central(lambda t: math.tanh(t) * t + math.tanh(t), 1.3), rel_tol=1e-8)


def test_ledger_prints_one_line_per_edge_in_the_order_backward_runs():
    a, b, e = olah()
    ledger = trace_backward(e)
    lines = str(ledger).splitlines()
    assert len(lines) == 1 + len(ledger) == 6
    assert "b.grad += 1 * 3" in lines[3] and "b.grad is now 3" in lines[3]
    assert "b.grad += 1 * 2" in lines[5] and "b.grad is now 5" in lines[5]


def test_ledger_prints_after_create_graph_left_a_value_in_a_leafs_grad():
    x = Value(3.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)  # x.grad is the Value 3x^2 = 27
    text = str(trace_backward(y))  # the leaf accumulates onto it: 27 + 27 = 54 (sympy: 3x^2 at 3 = 27)
    assert "x.grad is now 54" in text.splitlines()[-1]


def test_explain_past_the_limit_says_path_for_one_more():
    a = Value(1.0, label="a")
    assert "and 1 more path past the limit of 1;" in str(explain(a * a, a, limit=1))


def test_explain_says_difference_0_when_both_sums_are_the_same_infinity():
    x = Value(0.0, label="x")
    text = str(explain(x.sqrt(), x))  # sqrt'(0) = inf along the one path
    assert "sum of rates = inf" in text and "backward" in text and "difference = 0" in text


def test_the_demo_answers_the_question_and_writes_its_pictures(tmp_path, capsys):
    from demos.paths import main
    main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "sum of rates = 5    backward de/db = 5" in out
    assert "count_paths(C, w^2_12) = 6" in out
    assert sorted(os.listdir(tmp_path)) == ["paths_graph.svg", "paths_network.svg", "paths_olah.svg"]
