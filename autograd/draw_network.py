"""An MLP drawn as Nielsen draws networks: neurons in columns by layer, one line per weight, in his
1-based notation: layer 1 is the input, a^l_j is neuron j of layer l, w^l_jk the weight from neuron k
of layer l-1 to neuron j of layer l (model.layers[l-2].neurons[j-1].w[k-1]).

`draw_network(model, highlight=w)` colours every network path of a weight, w^l_jk -> a^l_j -> a^(l+1)_q
-> ... -> the output, grouped by the neuron q of the next layer (the grouping BP2 makes); given rates
(`explain(C, w, through=net.waypoints())`, or graph paths) the caption writes each rate and their sum
dC/dw. `bp2=net.bp2(C, l, j)` writes delta^l_j = sigma'(z^l_j) sum_k w^(l+1)_kj delta^(l+1)_k with the
numbers. The model is read by duck typing (model.layers[i].neurons[j].w[k], .b): autograd imports no nn.
"""
import math

from . import _drawkit as kit
from ._drawpaths import HIGHLIGHT
from ._drawnet import Net, rows_for, sub, html_name

__all__ = ["draw_network"]


def draw_network(model, *, grads=True, deltas=None, highlight=None, bp2=None, cost=None):
    """The MLP `model` as Nielsen draws it; returns a `graphviz.Digraph` (neato, fixed positions).

    Line colour is the sign (blue +, red -) and width the magnitude of the weight, or, when grads=True
    and backward has run, of its gradient dC/dw^l_jk (for one point a^(l-1)_k delta^l_j). Neurons are
    filled by dC/db^l_j, the grad of their bias, which for one point's cost is the error
    delta^l_j = dC/dz^l_j (b enters z with slope 1); `deltas` {(i, j): value} (0-based, i the layer of
    weights) replaces it. `cost` says in the caption what C was, e.g. "mean hinge loss over 100 points":
    the grads of a batch's cost are sums over its points, and the caption says which.
    highlight: a weight or bias Value of the model (all its network paths, coloured by group); an
    Explanation (`explain(C, w)`, or `explain(C, w, through=...)` for Nielsen's rate factors), a Path
    or a list of Paths from one (their rates and sum in the caption); or a list of (i, j, k) indices.
    bp2: a BP2 (`Nielsen(model).bp2(C, l, j)`): neuron (l, j)'s outgoing weights and the next layer's
    errors, and the sum that gives delta^l_j.
    """
    net = Net(model)
    graphviz = kit.graphviz()
    used = grads and any(kit.grad(w) != 0 for _, _, _, w in net.ws)
    val = {(i, j, k): (kit.grad(w) if used else w.data) for i, j, k, w in net.ws}
    if deltas is None:
        deltas = {(i, j): kit.grad(n.b) for i, layer in enumerate(net.layers)
                  for j, n in enumerate(layer.neurons)} if used else {}
    deltas = {key: d.data if type(d) is kit.Value else float(d) for key, d in dict(deltas).items()}
    marks = _marks(net, highlight, bp2, val)
    vmax = max((abs(x) for x in val.values() if x == x), default=0.0)
    dmax = max((abs(d) for d in deltas.values() if d == d), default=0.0)
    g = graphviz.Digraph("network", engine="neato",
                         graph_attr={"splines": "false", "outputorder": "edgesfirst", "fontname": kit.FONT,
                                     "fontsize": "11", "labelloc": "b", "labeljust": "l"},
                         node_attr={"shape": "circle", "width": "0.46", "fixedsize": "true", "fontname": kit.FONT,
                                    "fontsize": "10", "style": "filled"},
                         edge_attr={"arrowhead": "none", "fontname": kit.FONT, "fontsize": "10"})
    sizes = net.sizes
    dy = 0.62
    tall, dx = max(sizes), max(2.2, max(sizes) * 0.2)
    for c, n in enumerate(sizes):
        role = " (input)" if c == 0 else " (output)" if c == len(sizes) - 1 else ""
        g.node(f"layer{c}", f"layer {c + 1}{role}", shape="plaintext", style="", fixedsize="false",
               fontsize="11", pos=f"{c * dx:.2f},{(tall + 1) / 2 * dy:.2f}!")
        for j in range(n):
            pos = f"{c * dx:.2f},{(n - 1) / 2 * dy - j * dy:.2f}!"
            on = marks.nodes.get((c, j))
            line, width = (_line(on), "2.5") if on else ("#555555" if c == 0 else "#333333", "1")
            if c == 0:
                g.node(f"x{j}", f"<{kit.html(kit.script('x', '', str(j + 1)))}>", pos=pos, fillcolor="#eeeeee", color=line, penwidth=width,
                       tooltip=f"a^1_{j + 1} = x_{j + 1}, input {j + 1}")
                continue
            d = deltas.get((c - 1, j))
            rgb = (255, 255, 255) if d is None else kit.scale([kit.NEGATIVE, (255, 255, 255), kit.POSITIVE],
                                                              0.5 + math.copysign(kit.ratio(d, dmax), d) / 2)
            faded = marks.any and not on
            name = f"a^{c + 1}_{sub(j + 1)}"
            g.node(f"l{c}n{j}", f"<{html_name('a', c + 1, j + 1)}>", pos=pos, color=kit.FADED if faded else line,
                   fillcolor=kit.hexcolour(rgb, 0.35 if faded else None), penwidth=width,
                   fontcolor=kit.FADED_TEXT if faded else "black",
                   tooltip=name + ("" if d is None else f": dC/db^{c + 1}_{sub(j + 1)} = {kit.num(d)}"))
    # Weak lines first and marked ones last, so that the strong ones are drawn on top.
    for (i, j, k), x in sorted(val.items(), key=lambda e: (e[0] in marks.edges, abs(e[1]))):
        t = kit.ratio(x, vmax)
        src = f"x{k}" if i == 0 else f"l{i}n{k}"
        attrs = {}
        on = marks.edges.get((i, j, k))
        if on:
            color, width = _line(on, joined=True), 3.0
            if (i, j, k) in marks.labels:  # near the line's far end, where lines from one neuron have parted
                attrs.update(headlabel=f'<<TABLE BORDER="0" CELLPADDING="1" BGCOLOR="white"><TR><TD>'
                                       f'{marks.labels[(i, j, k)]}</TD></TR></TABLE>>',
                             labelfontcolor=_line(on), labeldistance="5", labelangle="0")
        else:
            color = kit.hexcolour(kit.POSITIVE if x >= 0 else kit.NEGATIVE, 0.15 + 0.85 * t if not marks.any else 0.12)
            width = 0.3 + 3.2 * t
        wname = f"w^{i + 2}_{sub(j + 1, k + 1)}"
        g.edge(src, f"l{i + 1}n{j}", color=color, penwidth=f"{width:.2f}",
               tooltip=f"{wname} = {kit.num(net.ws_by_key[(i, j, k)].data)}"
                       + (f", dC/d{wname} = {kit.num(x)}" if used else ""), **attrs)
    what = "its gradient dC/dw^l_jk" if used else "the weight w^l_jk"
    rows = [(" ", None), (kit.rich(f"{kit.plain(repr(model))[:80]}: neuron j of layer l is a^l_j (layer 1 the input); "
                      f"the line k → j into layer l is w^l_jk"), None),
            (kit.rich(f"line colour and width: {what}, blue positive, red negative, thicker = larger"), None)]
    if deltas:
        whose = f"C = {cost}" if cost else "the C of the last backward"
        rows.append((kit.rich(f"neuron fill: dC/db^l_j, its bias's grad, for {whose}"
                              + ("" if cost else " (for one point's cost this is its error δ^l_j = dC/dz^l_j)")),
                     None))
    rows += marks.legend
    g.attr(label=kit.legend(rows))
    return g


def _line(colours, joined=False):
    if len(colours) == 1:
        return colours[0]
    return ":".join(colours) if joined else "black"


class _Marks:
    def __init__(self):
        self.nodes, self.edges, self.labels, self.legend = {}, {}, {}, []

    @property
    def any(self):
        return bool(self.nodes or self.edges)

    def add(self, table, key, colour):
        got = table.setdefault(key, [])
        if colour not in got:
            got.append(colour)


def _marks(net, highlight, bp2, val):
    marks = _Marks()
    if bp2 is not None:
        _bp2(net, bp2, marks)
    if highlight is None:
        return marks
    if type(highlight) is not kit.Value and not hasattr(highlight, "nodes") and not hasattr(highlight, "paths"):
        try:
            items = list(highlight)
        except TypeError:
            raise TypeError(f"draw_network: highlight takes a weight or bias Value, an Explanation, Paths or "
                            f"(i, j, k) indices; got {type(highlight).__name__}: {highlight!r:.60}") from None
        if not all(hasattr(p, "nodes") for p in items):
            items = [tuple(t) if isinstance(t, (tuple, list)) else t for t in items]
            bad = [t for t in items if not (type(t) is tuple and len(t) == 3 and all(type(i) is int for i in t))]
            if bad:
                raise TypeError(f"draw_network: highlight: expected Paths or (i, j, k) weight indices, got "
                                f"{bad[0]!r:.60}")
            for key in items:
                if key not in val:
                    raise ValueError(f"draw_network: highlight: no weight {key} in {net.model!r:.60}")
                marks.add(marks.edges, key, HIGHLIGHT)
                i, j, k = key
                marks.add(marks.nodes, (i + 1, j), HIGHLIGHT)
                marks.add(marks.nodes, (i, k), HIGHLIGHT)
            return marks
        highlight = items
    for colour, (label, members) in rows_for(net, highlight, marks):
        for p in members:
            for key in p.edges:
                marks.add(marks.edges, key, colour)
            for node in p.neurons:
                marks.add(marks.nodes, node, colour)
    return marks


def _bp2(net, bp2, marks):
    """BP2 for neuron (l, j): its outgoing weights w^(l+1)_kj, one colour per k, and the sum written out."""
    l, j, m = bp2.l, bp2.j, bp2.l + 1
    c = l - 1  # column of a^l_j
    terms = list(bp2.terms)
    for n, t in enumerate(terms):
        colour = kit.PALETTE[min(n, len(kit.PALETTE) - 1)]
        key = (c, t.k - 1, j - 1)  # the weight of neuron k of layer l+1 from neuron j of layer l
        marks.add(marks.edges, key, colour)
        marks.add(marks.nodes, (c + 1, t.k - 1), colour)
        marks.labels[key] = f"{html_name('w', m, t.k, j)} = {kit.html(kit.num(t.weight))}"
        marks.legend.append((kit.rich(f"━━ k = {t.k}: w^{m}_{sub(t.k, j)} δ^{m}_{sub(t.k)} = "
                                      f"{kit.num(t.weight)} × {kit.num(t.delta)} = {kit.num(t.subtotal)}"), colour))
    marks.add(marks.nodes, (c, j - 1), "black")
    products = " + ".join(f"{kit.num(t.weight)} × {kit.num(t.delta)}" for t in terms).replace("+ -", "- ")
    marks.legend += [(kit.rich(f"BP2: δ^{l}_{sub(j)} = σ'(z^{l}_{sub(j)}) Σ_k w^{m}_{sub('k', j)} δ^{m}_k"), None),
                     (kit.rich(f"= {kit.num(bp2.sigma_prime)} × ({products})"), None),
                     (kit.rich(f"= {kit.num(bp2.sigma_prime)} × {kit.num(bp2.sum)} = {kit.num(bp2.delta)}"
                               f"   (backward: dC/dz^{l}_{sub(j)} = {kit.num(bp2.backward)})"), None)]
