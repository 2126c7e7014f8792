"""explain's two regroupings of the sum over paths: by first edge (the chain rule's one step, BP2 on a
network) and through waypoints (Nielsen's neuron-level rate factors), against central differences and
Nielsen's formulas computed on plain floats."""
import math
import random

import pytest

from autograd import Value, explain
from nn import MLP
from nn.nielsen import Nielsen
from _examples import olah


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- by first edge ------------------------------------------------------------------------------

def test_olahs_paths_from_b_group_into_c_and_d_with_rests_de_dc_and_de_dd():
    a, b, c, d, e = olah()
    groups = explain(e, b).by_first_edge()
    assert [(g.child, g.local, g.rest, g.subtotal, g.count) for g in groups] == [(c, 1.0, 2.0, 2.0, 1),
                                                                                (d, 1.0, 3.0, 3.0, 1)]
    assert [g.paths[0].nodes for g in groups] == [(b, c, e), (b, d, e)]
    assert groups.total == 5.0
    text = str(groups)
    assert "b -> c" in text and "b -> d" in text and "sum of subtotals = 5" in text


def test_a_square_has_two_groups_one_per_operand():
    x = Value(3.0, label="x")
    y = x * x
    groups = explain(y, x).by_first_edge()
    assert [(g.position, g.local, g.rest) for g in groups] == [(0, 3.0, 1.0), (1, 3.0, 1.0)]
    assert "left operand" in str(groups) and "right operand" in str(groups)


def ladder(t, n):
    for _ in range(n):
        t = math.sin(t) + math.cos(t)
    return t


def test_groups_come_from_the_sweep_past_the_path_limit():
    x = Value(0.3, label="x")
    y = x
    for _ in range(12):
        y = y.sin() + y.cos()
    r = explain(y, x, limit=3)
    groups = r.by_first_edge()
    assert not r.complete and [g.count for g in groups] == [2 ** 11, 2 ** 11]
    rest = central(lambda s: ladder(s, 11), math.sin(0.3) + math.cos(0.3))  # y as a function of sin x + cos x
    for g, local in zip(groups, (math.cos(0.3), -math.sin(0.3))):
        assert math.isclose(g.local, local, rel_tol=1e-15)
        assert math.isclose(g.rest, rest, rel_tol=1e-6)
    assert math.isclose(groups.total, r.grad, rel_tol=1e-12)


# --- a network in plain floats: Nielsen's definitions, the oracle -------------------------------

def floats_net(model, x, y):
    """z^l, a^l and delta^l (0-based lists per layer, layer 1 first) by Nielsen's formulas on floats."""
    sig = lambda u: 1 / (1 + math.exp(-u))  # noqa: E731
    a, zs, acts = list(x), [None], [list(x)]
    for layer in model.layers:
        z = [sum(w.data * ak for w, ak in zip(n.w, a)) + n.b.data for n in layer.neurons]
        a = [sig(t) for t in z]
        zs.append(z), acts.append(a)
    sp = [None] + [[s * (1 - s) for s in layer] for layer in acts[1:]]
    delta = [None] * len(acts)
    delta[-1] = [(aj - yj) * s for aj, yj, s in zip(acts[-1], y, sp[-1])]
    for l in range(len(acts) - 2, 0, -1):  # BP2, in Nielsen's indices: delta^l_j = sum_k w^(l+1)_kj delta^(l+1)_k s'
        nxt = model.layers[l].neurons
        delta[l] = [sum(nxt[k].w[j].data * delta[l + 1][k] for k in range(len(nxt))) * sp[l][j]
                    for j in range(len(acts[l]))]
    return acts, sp, delta


def network(seed, sizes=(3, 4, 2)):
    model = MLP(2, list(sizes), activation="sigmoid", output_activation="sigmoid", seed=seed)
    rng = random.Random(seed)
    x, y = [rng.uniform(-1, 1) for _ in range(2)], [rng.uniform(0, 1) for _ in range(sizes[-1])]
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    net.name_nodes()
    return model, net, C, x, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bp2_term_by_term_is_the_grouping_of_the_paths_from_a_by_first_edge(seed):
    model, net, C, x, y = network(seed)
    acts, sp, delta = floats_net(model, x, y)
    for l in (2, 3):
        for j in range(1, net.sizes[l - 1] + 1):
            groups = explain(C, net.a(l, j)).by_first_edge()
            assert len(groups) == net.sizes[l]  # one edge to each neuron k of layer l+1
            bp2 = net.bp2(C, l, j)
            assert [t.k for t in bp2.terms] == list(range(1, net.sizes[l] + 1))
            for t in bp2.terms:
                w = model.layers[l - 1].neurons[t.k - 1].w[j - 1].data  # w^(l+1)_kj
                assert t.weight == w and t.group.local == w
                assert math.isclose(t.delta, delta[l][t.k - 1], rel_tol=1e-12, abs_tol=1e-17)
                assert math.isclose(t.subtotal, w * delta[l][t.k - 1], rel_tol=1e-12, abs_tol=1e-17)
            assert math.isclose(bp2.sigma_prime, sp[l - 1][j - 1], rel_tol=1e-14)
            assert math.isclose(bp2.delta, delta[l - 1][j - 1], rel_tol=1e-10, abs_tol=1e-17)
            assert math.isclose(bp2.backward, delta[l - 1][j - 1], rel_tol=1e-10, abs_tol=1e-17)


def test_bp2_prints_in_nielsens_notation():
    model, net, C, x, y = network(1, (3, 3, 2))
    text = str(net.bp2(C, 2, 1))
    assert "delta^2_1 = sigma'(z^2_1) * sum_k w^3_k1 delta^3_k" in text
    assert "w^3_21 * a^2_1 (in z^3_2)" in text and "delta^3_k (rest)" in text
    assert [(t.weight_name, t.delta_name) for t in net.bp2(C, 2, 1).terms] == [
        ("w^3_11", "delta^3_1"), ("w^3_21", "delta^3_2"), ("w^3_31", "delta^3_3")]
    with pytest.raises(IndexError, match="BP1"):
        net.bp2(C, 4, 1)


# --- through waypoints --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 3])
def test_waypoint_factors_are_nielsens_rate_factors(seed):
    model, net, C, x, y = network(seed)
    acts, sp, delta = floats_net(model, x, y)
    W = lambda l, j, k: model.layers[l - 2].neurons[j - 1].w[k - 1].data  # noqa: E731  w^l_jk
    w = net.w(2, 1, 2)
    r = explain(C, w, through=net.waypoints())
    assert r.count == len(r.paths) == 4 * 2  # a^2_1 -> one of 4 neurons of layer 3 -> one of 2 of layer 4
    seen = set()
    for p in r.paths:
        assert p.count == 1 and len(p.factors) == 4
        w_, a2, a3, a4, c = p.nodes
        assert (w_, a2, c) == (w, net.a(2, 1), C)
        q, m = int(a3.label[-1]), int(a4.label[-1])
        seen.add((q, m))
        expected = (x[1] * sp[1][0],                       # da^2_1/dw^2_12 = a^1_2 sigma'(z^2_1)
                    W(3, q, 1) * sp[2][q - 1],              # da^3_q/da^2_1 = w^3_q1 sigma'(z^3_q)
                    W(4, m, q) * sp[3][m - 1],              # da^4_m/da^3_q = w^4_mq sigma'(z^4_m)
                    acts[3][m - 1] - y[m - 1])              # dC/da^4_m = a^4_m - y_m
        for got, want in zip(p.factors, expected):
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-17)
    assert len(seen) == 8
    bp4 = x[1] * delta[1][0]  # dC/dw^2_12 = a^1_2 delta^2_1
    assert math.isclose(r.total, bp4, rel_tol=1e-10) and math.isclose(r.grad, bp4, rel_tol=1e-10)
    assert "w^2_12 -> a^2_1 -> a^3_1 -> a^4_1 -> C" in str(r)


def test_paths_with_the_same_waypoints_merge_and_still_sum_to_the_derivative():
    x = Value(0.4, label="x")
    m = x * 2.0 + x.sin()  # two graph paths from x to m
    m.label = "m"
    y = m.tanh() * m  # and two from m to y
    r = explain(y, x, through=[m])
    (p,) = r.paths
    assert p.nodes == (x, m, y) and p.count == 4
    f = lambda t: math.tanh(2 * t + math.sin(t)) * (2 * t + math.sin(t))  # noqa: E731
    assert math.isclose(p.factors[0], 2 + math.cos(0.4), rel_tol=1e-15)
    assert math.isclose(p.rate, central(f, 0.4), rel_tol=1e-8)
    assert explain(y, x).count == 4


def test_a_sub_path_avoiding_every_waypoint_stays_a_path_of_its_own():
    x = Value(0.5, label="x")
    u = x.exp()
    u.label = "u"
    y = u * x  # x -> u -> y and x -> y directly
    r = explain(y, x, through=[u])
    assert sorted(len(p.nodes) for p in r.paths) == [2, 3]
    assert math.isclose(r.total, central(lambda t: math.exp(t) * t, 0.5), rel_tol=1e-8)


def test_through_must_be_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match="through"):
        explain(x * x, x, through=3)
