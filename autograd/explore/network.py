"""A network exported for the explorer, in Nielsen's notation (layer 1 is the input, indices 1-based).

For every weight w^l_jk: its paths to the cost C seen at the neurons (w -> a^l_j -> a^(l+1)_q -> ...
-> a^L_m -> C), each with Nielsen's rate factors da^l_j/dw, da^(l+1)_q/da^l_j, ..., dC/da^L_m (products
of the graph's local derivatives between two neurons), their sum (eq. 53) and backward's dC/dw. For
every neuron, its error delta^l_j = dC/dz^l_j as BP1 (output layer: dC/da^L_j sigma'(z^L_j)) or BP2
(delta^l_j = sum_k w^(l+1)_kj delta^(l+1)_k sigma'(z^l_j)), term by term. The model is read by duck
typing (model.layers[i].neurons[j].w[k], .b, layer.activation): autograd imports nothing of nn.
"""
from ..engine import Value
from ..paths import count_paths, paths
from .export import number
from .names import num

PATH_LIMIT = 64  # paths listed per weight; past it the page says how many more there are
_COSTS = ("quadratic", "cross-entropy")


def _sub(*ix):
    return ("," if max(ix) > 9 else "").join(map(str, ix))


def _cost(outs, ys, cost):
    """C = 1/2 sum_j (a^L_j - y_j)^2 (quadratic) or -sum_j [y_j ln a^L_j + (1 - y_j) ln(1 - a^L_j)]."""
    if cost == "quadratic":
        terms = [(a - y) ** 2 for a, y in zip(outs, ys)]
        return 0.5 * sum(terms[1:], terms[0])
    terms = [y * a.log() + (1 - y) * (1 - a).log() for a, y in zip(outs, ys)]
    return -sum(terms[1:], terms[0])


def _layers(model):
    try:
        layers = list(model.layers)
        sizes = [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]
        acts = [layer.activation for layer in layers]
    except (AttributeError, IndexError, TypeError):
        raise TypeError(f"explore: expected an MLP (model.layers[i].neurons[j].w[k]), got "
                        f"{type(model).__name__}: {model!r:.60}") from None
    return layers, sizes, acts


def network_data(model, x, target, cost="quadratic"):
    """Run the model on x, C = cost(outputs, target), backward (the model's grads become dC/dparam),
    and return {"kind": "network", "sizes", "weights", "neurons", "cost", "svg"} (see the module doc)."""
    if cost not in _COSTS:
        raise ValueError(f"explore: cost must be one of {', '.join(_COSTS)}, got {cost!r:.60}")
    layers, sizes, kinds = _layers(model)
    ys = [target] if isinstance(target, (int, float)) else list(target)
    if len(ys) != sizes[-1]:
        raise ValueError(f"explore: the network has {sizes[-1]} outputs but {len(ys)} targets were given")
    for p in model.parameters():
        p.grad = 0.0
    a, zs, acts = list(x), [None], [None]
    if len(a) != sizes[0]:
        raise ValueError(f"explore: the network takes {sizes[0]} inputs, x has {len(a)}")
    for layer in layers:
        out = layer(a)
        a = [out] if type(out) is Value else list(out)
        zs.append(a if layer.activation == "linear" else [v.parents[0] for v in a])
        acts.append(a)
    C = _cost(a, [float(y) for y in ys], cost)
    C.backward()
    where = {id(v): (l + 1, j + 1) for l in range(1, len(acts)) for j, v in enumerate(acts[l])}
    weights, neurons = [], []
    for l in range(2, len(sizes) + 1):
        for j, n in enumerate(layers[l - 2].neurons, 1):
            for k, w in enumerate(n.w, 1):
                weights.append(_weight(C, w, l, j, k, where))
            neurons.append(_neuron(layers, zs, acts, kinds, l, j, len(sizes), ys, cost))
    return {"kind": "network", "sizes": sizes, "weights": weights, "neurons": neurons, "cost": number(C),
            "costname": cost, "x": [number(v) for v in x], "y": [number(v) for v in ys],
            "svg": network_svg(sizes, weights, neurons)}


def _weight(C, w, l, j, k, where):
    found = []
    for p in paths(C, w, limit=PATH_LIMIT):
        nodes, factors = p.grouped(lambda v: id(v) in where)
        found.append({"neurons": [list(where[id(v)]) for v in nodes[1:-1]],
                      "factors": [number(f) for f in factors], "rate": number(p.rate)})
    count = count_paths(C, w)
    return {"id": f"w{l}_{j}_{k}", "l": l, "j": j, "k": k, "name": f"w^{l}_{_sub(j, k)}", "value": number(w),
            "grad": number(w.grad), "paths": found, "count": count if count < 2 ** 53 else str(count)}


def _neuron(layers, zs, acts, kinds, l, j, L, ys, cost):
    z, a = zs[l - 1][j - 1], acts[l - 1][j - 1]
    sp = 1.0 if kinds[l - 2] == "linear" else a.local_grads[0]  # sigma'(z^l_j), the edge z -> a
    out = {"id": f"n{l}_{j}", "l": l, "j": j, "name": f"a^{l}_{_sub(j)}", "a": number(a), "z": number(z),
           "delta": number(z.grad), "sp": number(sp)}
    if l == L:
        y = float(ys[j - 1])
        dc = a.data - y if cost == "quadratic" else (a.data - y) / (a.data * (1.0 - a.data))
        out.update(eq="BP1", dcda=number(dc), terms=[])
        return out
    terms = []
    for q, n in enumerate(layers[l - 1].neurons, 1):
        w, d = n.w[j - 1].data, zs[l][q - 1].grad
        terms.append({"q": q, "w": number(w), "delta": number(d), "product": number(w * d),
                      "wid": f"w{l + 1}_{q}_{j}"})
    out.update(eq="BP2", terms=terms)
    return out


def network_svg(sizes, weights, neurons):
    """Nielsen's picture as SVG: neurons in columns (layer 1, the input, on the left), one line per
    weight with id w{l}_{j}_{k}, one circle per neuron with id n{l}_{j}; width by |dC/dw|."""
    dx, dy, r = 150, 56, 15
    tall = max(sizes)
    width, height = 120 + dx * (len(sizes) - 1), 70 + dy * tall

    def pos(l, j):
        n = sizes[l - 1]
        return 40 + dx * (l - 1), 45 + dy * ((tall - n) / 2 + j - 1) + dy / 2

    top = max((abs(_f(w["grad"])) for w in weights), default=0.0) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica" font-size="11">']
    for c in range(1, len(sizes) + 1):
        role = " (input)" if c == 1 else " (output)" if c == len(sizes) else ""
        out.append(f'<text x="{40 + dx * (c - 1)}" y="16" text-anchor="middle">layer {c}{role}</text>')
    for w in weights:
        (x1, y1), (x2, y2) = pos(w["l"] - 1, w["k"]), pos(w["l"], w["j"])
        g = _f(w["grad"])
        colour = "#2166ac" if g >= 0 else "#b2182b"
        ends = f'x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"'
        # A wide transparent line under the visible one, so that a thin weight is easy to click.
        out.append(f'<g id="{w["id"]}" class="weight"><title>{w["name"]}: dC/dw = {num(g)}</title>'
                   f'<line class="hit" {ends} stroke="transparent" stroke-width="9"/>'
                   f'<line class="ink" {ends} stroke="{colour}" '
                   f'stroke-width="{0.6 + 4 * min(abs(g) / top, 1):.2f}"/></g>')
    for k in range(1, sizes[0] + 1):
        x, y = pos(1, k)
        out.append(f'<circle class="input" cx="{x}" cy="{y}" r="{r}" fill="#eeeeee" stroke="#555"/>'
                   f'<text x="{x}" y="{y + 4}" text-anchor="middle">x{k}</text>')
    dmax = max((abs(_f(n["delta"])) for n in neurons), default=0.0) or 1.0
    for n in neurons:
        x, y = pos(n["l"], n["j"])
        d = _f(n["delta"])  # filled by the error delta^l_j, as draw_network fills it: blue +, red -
        fill = f'fill="{"#2166ac" if d >= 0 else "#b2182b"}" fill-opacity="{0.05 + 0.5 * min(abs(d) / dmax, 1):.2f}"'
        out.append(f'<circle id="{n["id"]}" class="neuron" cx="{x}" cy="{y}" r="{r}" {fill} '
                   f'stroke="#333"><title>{n["name"]}: delta = {num(_f(n["delta"]))}</title></circle>'
                   f'<text x="{x}" y="{y + r + 12}" text-anchor="middle" font-size="10">{n["name"]}</text>')
    out.append("</svg>")
    return "".join(out)


def _f(x):
    return float(x) if type(x) is str else x
