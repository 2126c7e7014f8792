"""draw_network: Nielsen's 1-based names on neurons, lines and tooltips; every network path of a weight,
coloured by the neuron of the next layer; rates and their sum checked against central differences."""
import html
import math
import re

from autograd import count_paths, draw_network, explain, paths
from autograd._drawkit import PALETTE
from nn import MLP
from nn.nielsen import Nielsen


def nielsen_net(sizes, x, y, seed=1):
    model = MLP(len(x), sizes, activation="sigmoid", output_activation="sigmoid", seed=seed)
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    C.backward()
    return model, net, C


def edge(src, tail, head):
    m = re.search(rf"\t{tail} -> {head} \[([^\]]*)\]", src)
    assert m, (tail, head)
    return m.group(1)


def colour(attrs):
    return re.search(r'color="([^"]+)"', attrs).group(1)


def rows(src):
    label = src[src.rindex("label=<<TABLE"):]
    found = re.findall(r'<FONT POINT-SIZE="\d+"(?: COLOR="([^"]+)")?>(.*?)</FONT></TD>', label)
    return [(c or None, html.unescape(t)) for c, t in found]


def test_neurons_lines_and_tooltips_use_nielsens_one_based_names():
    model, net, C = nielsen_net([3, 2], [0.5, -1.0], [1.0, 0.0])
    src = draw_network(model).source
    # neuron j of layer l is a^l_j: the first hidden neuron is a^2_1, the last output a^3_2
    assert re.search(r"\tl1n0 \[label=<a²₁>", src)
    assert re.search(r"\tl2n1 \[label=<a³₂>", src) and 'tooltip="a^3_2' in src
    w = model.layers[0].neurons[0].w[1]  # from input 2 to neuron 1 of layer 2: w^2_12
    assert f'tooltip="w^2_12 = {w.data:.6g}' in edge(src, "x1", "l1n0")
    assert "w[" not in src and "layer 1 (input)" in src


def test_a_weight_highlights_all_its_network_paths_coloured_by_the_next_layers_neuron():
    model, net, C = nielsen_net([4, 4, 4, 2], [0.5, -1.0, 0.25], [1.0, 0.0])
    w = net.w(2, 1, 2)
    src = draw_network(model, highlight=w).source
    assert any(t.startswith("w²₁₂ has 32 network paths") for _, t in rows(src))
    assert count_paths(C, w) == 4 * 4 * 2 == 32
    assert ">w²₁₂<" in edge(src, "x1", "l1n0")  # the weight is marked w^2_12 on its line
    for q in range(4):  # a^2_1 -> a^3_q in colour q, and on from a^3_q to every neuron of layer 4
        assert colour(edge(src, "l1n0", f"l2n{q}")) == PALETTE[q]
        for m in range(4):
            assert colour(edge(src, f"l2n{q}", f"l3n{m}")) == PALETTE[q]
    for m in range(4):  # every path passes every edge into the output layer: all four colours
        assert colour(edge(src, f"l3n{m}", "l4n0")) == ":".join(PALETTE[:4])
    assert colour(edge(src, "x0", "l1n1")).startswith("#2166ac") or colour(edge(src, "x0", "l1n1")).startswith("#b2182b")
    assert [t for c, t in rows(src) if c in PALETTE] == [f"━━ through a³{q}: 8 paths" for q in "₁₂₃₄"]


def central(net, model, w, x, y, h=1e-6):
    def cost(t):
        old, w.data = w.data, t
        try:
            return 0.5 * sum((a.data - yj) ** 2 for a, yj in zip(model(x), y))
        finally:
            w.data = old
    return (cost(w.data + h) - cost(w.data - h)) / (2 * h)


def test_a_list_of_paths_or_an_explanation_writes_each_rate_and_the_sum_dC_dw():
    x, y = [0.5, -1.0], [1.0, 0.0]
    model, net, C = nielsen_net([3, 3, 2], x, y)
    w = net.w(2, 1, 2)
    for given in (list(paths(C, w)), explain(C, w)):
        shown = rows(draw_network(model, highlight=given).source)
        path_rows = [t for c, t in shown if c in PALETTE]
        assert len(path_rows) == 6 == count_paths(C, w)  # 3 neurons of layer 3 x 2 of layer 4
        for t in path_rows:
            assert re.match(r"━━ w²₁₂ → a²₁ → a³[₁₂₃] → a⁴[₁₂] → C: ", t), t
            factors, rate = t.split(": ")[1].split(" = ")
            product = math.prod(float(f) for f in factors.split(" × "))
            assert math.isclose(product, float(rate), rel_tol=1e-5)  # each rate is the product of its factors
        total = [t for c, t in shown if c is None and t.startswith("dC/dw²₁₂ = ")][0]
        assert math.isclose(float(total.split(" = ")[-1]), central(net, model, w, x, y), rel_tol=1e-5)


def test_the_first_factor_is_nielsens_da_dw_and_the_last_dC_da():
    x, y = [0.5, -1.0], [1.0, 0.0]
    model, net, C = nielsen_net([3, 3, 2], x, y)
    w = net.w(2, 1, 2)
    z = net.z(2, 1).data
    s = 1 / (1 + math.exp(-z))
    first = [t for c, t in rows(draw_network(model, highlight=list(paths(C, w))).source) if c == PALETTE[0]][0]
    factors = [float(f) for f in first.split(": ")[1].split(" = ")[0].split(" × ")]
    assert math.isclose(factors[0], x[1] * s * (1 - s), rel_tol=1e-5)  # da^2_1/dw^2_12 = a^1_2 sigma'(z^2_1)
    m = "₁₂".index(re.search(r"→ a⁴(.) → C", first).group(1)) + 1
    assert math.isclose(factors[-1], net.a(4, m).data - y[m - 1], rel_tol=1e-5)  # dC/da^4_m = a^4_m - y_m


def test_caption_says_what_the_fill_is_for_a_batch_cost():
    model = MLP(2, [3, 1], seed=0)
    loss = sum((model([0.1 * i, 0.2]) - 1) ** 2 for i in range(4))
    loss.backward()
    text = " ".join(t for _, t in rows(draw_network(model, cost="the sum of squared errors over 4 points").source))
    assert "neuron fill: dC/db" in text and "over 4 points" in text


def test_after_backward_lines_show_the_gradient_sign_and_neurons_the_bias_grads():
    model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    out = model([0.5, -1.0])
    cost = (out[0] - 1.0) ** 2 + out[1] ** 2
    cost.backward()
    src = draw_network(model).source
    assert "dC/dw" in html.unescape(src) and "dC/db" in html.unescape(src)
    for i, layer in enumerate(model.layers):
        for j, n in enumerate(layer.neurons):
            for k, w in enumerate(n.w):
                want = "#2166ac" if w.grad >= 0 else "#b2182b"
                assert colour(edge(src, f"x{k}" if i == 0 else f"l{i}n{k}", f"l{i + 1}n{j}")).startswith(want)


def test_indices_still_highlight_and_a_bad_index_or_type_raises():
    import pytest
    model = MLP(2, [3, 2], activation="sigmoid", seed=1)
    src = draw_network(model, highlight=[(0, 1, 0), (1, 0, 1)]).source
    assert len(re.findall(r'-> \w+ \[color="#e6550d"', src)) == 2
    with pytest.raises(ValueError, match="no weight"):
        draw_network(model, highlight=[(5, 0, 0)])
    with pytest.raises(TypeError, match="highlight"):
        draw_network(model, highlight=3)
    from autograd import Value
    with pytest.raises(ValueError, match="not a weight or bias"):
        draw_network(model, highlight=Value(1.0))


def test_with_grads_false_lines_show_the_weights_and_given_deltas_fill():
    from autograd import Value
    model = MLP(2, [2, 1], seed=0)
    model([1.0, 2.0]).backward()
    w = model.layers[0].neurons[0].w[0]
    w.data, w.grad = -0.5, 2.0  # the weight is negative, its gradient positive
    src = draw_network(model, grads=False, deltas={(0, 0): Value(1.0), (1, 0): -1.0}).source
    assert colour(edge(src, "x0", "l1n0")).startswith("#b2182b") and "the weight w" in html.unescape(src)
    assert re.search(r'\tl1n0 \[[^\]]*fillcolor="#2166ac"', src)   # delta +1: full blue
    assert re.search(r'\tl2n0 \[[^\]]*fillcolor="#b2182b"', src)   # delta -1: full red
    assert re.search(r'\tl1n1 \[[^\]]*fillcolor="#ffffff"', src)   # no delta given


def test_bp2_view_writes_delta_as_sigma_prime_times_the_sum_of_weights_times_next_deltas():
    x, y = [0.5, -1.0], [1.0, 0.0]
    model, net, C = nielsen_net([3, 3, 2], x, y)
    src = draw_network(model, bp2=net.bp2(C, 2, 1)).source
    shown = rows(src)
    # the oracle: delta^3_k from BP1/BP2 by hand on floats, sigma'(z) = s(1 - s)
    sig = lambda l, j: (lambda s: s * (1 - s))(1 / (1 + math.exp(-net.z(l, j).data)))
    d4 = [(net.a(4, m).data - y[m - 1]) * sig(4, m) for m in (1, 2)]
    d3 = [sig(3, k) * sum(net.w(4, m, k).data * d4[m - 1] for m in (1, 2)) for k in (1, 2, 3)]
    terms = [t for c, t in shown if c in PALETTE]
    assert len(terms) == 3
    for k, t in enumerate(terms, 1):
        w, d, product = (float(v) for v in re.search(r"= (\S+) × (\S+) = (\S+)$", t).groups())
        assert math.isclose(w, net.w(3, k, 1).data, rel_tol=1e-5) and math.isclose(d, d3[k - 1], rel_tol=1e-5)
        assert colour(edge(src, "l1n0", f"l2n{k - 1}")) == PALETTE[k - 1]
    last = [t for c, t in shown if c is None][-1]
    delta = sig(2, 1) * sum(net.w(3, k, 1).data * d3[k - 1] for k in (1, 2, 3))
    sp, total, shown_delta = (float(v) for v in re.match(r"= (\S+) × (\S+) = (\S+)", last).groups())
    assert math.isclose(sp, sig(2, 1), rel_tol=1e-5) and math.isclose(shown_delta, delta, rel_tol=1e-5)
    assert any(t.startswith("BP2: δ²₁ = σ'(z²₁) Σ_k") for _, t in shown)
