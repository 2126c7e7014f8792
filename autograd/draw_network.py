"""An MLP drawn as Nielsen draws networks: neurons in columns by layer, one line per weight."""
import math

from . import _drawkit as kit
from ._drawpaths import HIGHLIGHT
from .engine import Value

__all__ = ["draw_network"]


def _weights(model):
    """[(i, j, k, w)] for every weight w = model.layers[i].neurons[j].w[k], and the layer sizes."""
    try:
        layers = list(model.layers)
        sizes = [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]
        ws = [(i, j, k, w) for i, layer in enumerate(layers) for j, n in enumerate(layer.neurons)
              for k, w in enumerate(n.w)]
    except (AttributeError, IndexError, TypeError):
        raise TypeError(f"draw_network: expected an MLP (model.layers[i].neurons[j].w[k]), "
                        f"got {type(model).__name__}: {model!r:.60}") from None
    return ws, sizes


def _path_weights(path, where):
    # A path from a weight runs w -> w*a -> ... ; every later weight w' it passes sits as the other
    # operand of a `*` node on the path, a^(l-1)_k * w'^l_jk. Those are the network's edges on it.
    on = set()
    for u, v in zip((None,) + tuple(path.nodes), path.nodes):
        if id(v) in where:
            on.add(where[id(v)])
        if u is not None and v.op == "*":
            for a in v.parents:
                if a is not u and id(a) in where:
                    on.add(where[id(a)])
    return on


def draw_network(model, *, grads=True, deltas=None, highlight=None):
    """An MLP drawn as Nielsen draws networks: neurons in columns by layer (the input layer first),
    one line per weight w^l_jk from neuron k of layer l-1 to neuron j of layer l.

    Line colour is the sign (blue +, red -) and width the magnitude of the weight, or, when
    grads=True and backward has run, of its gradient dC/dw^l_jk = a^(l-1)_k delta^l_j. Neurons are
    filled by their error delta^l_j = dC/dz^l_j, which equals dC/db^l_j (b enters z with slope 1):
    read from the bias grads, or from `deltas`, a mapping {(i, j): delta} with the same indices.
    Indices are model.layers[i].neurons[j].w[k] (0-based, `i` = 0 the first layer of weights).
    highlight: a Path (e.g. from paths(loss, w)) or a list of (i, j, k): those weights in colour.
    """
    ws, sizes = _weights(model)
    graphviz = kit.graphviz()
    used = grads and any(kit.grad(w) != 0 for _, _, _, w in ws)
    val = {(i, j, k): (kit.grad(w) if used else w.data) for i, j, k, w in ws}
    if highlight is None:
        hi = None
    elif hasattr(highlight, "nodes"):
        hi = _path_weights(highlight, {id(w): (i, j, k) for i, j, k, w in ws})
    else:
        hi = {tuple(t) for t in highlight}
        if not hi <= val.keys():
            raise ValueError(f"draw_network: highlight: no weight {sorted(hi - val.keys())[0]} in {model!r:.60}")
    if deltas is None:
        deltas = {(i, j): kit.grad(n.b) for i, layer in enumerate(model.layers)
                  for j, n in enumerate(layer.neurons)} if used else {}
    deltas = {key: d.data if type(d) is Value else float(d) for key, d in dict(deltas).items()}
    vmax = max((abs(x) for x in val.values() if x == x), default=0.0)
    dmax = max((abs(d) for d in deltas.values() if d == d), default=0.0)
    g = graphviz.Digraph("network", engine="neato",
                         graph_attr={"splines": "false", "outputorder": "edgesfirst", "fontname": kit.FONT,
                                     "fontsize": "11", "labelloc": "b"},
                         node_attr={"shape": "circle", "width": "0.32", "fixedsize": "true", "fontname": kit.FONT,
                                    "fontsize": "9", "style": "filled"},
                         edge_attr={"arrowhead": "none"})
    tall, dx = max(sizes), max(2.0, max(sizes) * 0.18)
    for c, n in enumerate(sizes):
        role = " (input)" if c == 0 else " (output)" if c == len(sizes) - 1 else ""
        g.node(f"layer{c}", f"layer {c + 1}{role}", shape="plaintext", style="", fixedsize="false",
               fontsize="11", pos=f"{c * dx:.2f},{(tall + 1) / 2 * 0.55:.2f}!")
        for j in range(n):
            pos = f"{c * dx:.2f},{(n - 1) / 2 * 0.55 - j * 0.55:.2f}!"
            if c == 0:
                g.node(f"x{j}", f"x{j + 1}", pos=pos, fillcolor="#eeeeee", color="#555555")
                continue
            d = deltas.get((c - 1, j))
            rgb = (255, 255, 255) if d is None else kit.scale([kit.NEGATIVE, (255, 255, 255), kit.POSITIVE],
                                                           0.5 + math.copysign(kit.ratio(d, dmax), d) / 2)
            faded = hi is not None and not any(t[0] == c - 1 and t[1] == j for t in hi)
            g.node(f"l{c}n{j}", "", pos=pos, fillcolor=kit.hexcolour(rgb, 0.35 if faded else None),
                   color=kit.FADED if faded else "#333333",
                   tooltip=f"layer {c + 1}, neuron {j + 1}" + ("" if d is None else f": delta {kit.num(d)}"))
    # Weak lines first and highlighted ones last, so that the strong ones are drawn on top.
    for (i, j, k), x in sorted(val.items(), key=lambda e: (hi is not None and e[0] in hi, abs(e[1]))):
        t = kit.ratio(x, vmax)
        src = f"x{k}" if i == 0 else f"l{i}n{k}"
        if hi is not None and (i, j, k) in hi:
            color, width = HIGHLIGHT, 3.0
        else:
            color = kit.hexcolour(kit.POSITIVE if x >= 0 else kit.NEGATIVE, 0.15 + 0.85 * t if hi is None else 0.12)
            width = 0.3 + 3.2 * t
        g.edge(src, f"l{i + 1}n{j}", color=color, penwidth=f"{width:.2f}",
               tooltip=f"w[{i}][{j}][{k}] {'grad' if used else 'value'} {kit.num(x)}")
    what = "the gradient dC/dw^l_jk" if used else "the weight w^l_jk"
    fill = "\nneuron fill: its error delta^l_j = dC/dz^l_j (blue positive, red negative)" if deltas else ""
    g.attr(label=f"{kit.plain(repr(model))[:80]}\none line per weight, showing {what}: "
                 f"blue positive, red negative, thicker = larger magnitude{fill}")
    return g
