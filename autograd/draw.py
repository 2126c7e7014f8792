"""Pictures of computation graphs and of gradient flow, with graphviz; and the same graph as text.

`draw(root)` shows every Value as a box (label, data, grad), every op as a small node, and one edge
per parent edge: `a*a` has two edges from `a`. The edge labels can show the local derivative
d(child)/d(parent) read from the engine's table (`node.local_grads`), or the contribution that edge
added during backward, d(child)/d(parent) * dL/d(child). A node's grad is the sum of the contributions
on its outgoing edges, which is the chain rule, and unrolled, the sum over paths.

`draw_network(model)` draws an MLP as Nielsen does: neurons in columns, one line per weight.
`autograd.show(root)` prints the graph as text, for a terminal with no image viewer.
Every function returns a `graphviz.Digraph`, so `.render()`, `.pipe()` and Jupyter's
inline display work as usual. Nothing here keeps a reference to a graph after it returns.
"""
import math

from .engine import Value, topo_order
from .text import plain as _plain, visible

__all__ = ["draw", "draw_network"]

FADED, FADED_TEXT, HIGHLIGHT = "#d0d0d0", "#a8a8a8", "#e6550d"
POSITIVE, NEGATIVE = (33, 102, 172), (178, 24, 43)       # blue, red: the sign of a weight or grad
BLUES = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]
FONT = "Helvetica"


def _graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("drawing needs the graphviz Python package and Graphviz's dot program: "
                          "pip install pathgrad[draw] (dot: apt-get install graphviz, or brew install "
                          "graphviz); show(root) prints the graph as text without them") from None
    return graphviz


def _num(x):
    """A number as drawings print it: 4 decimals in the everyday range, else scientific."""
    x = x.data if type(x) is Value else float(x)
    x += 0.0  # -0.0 prints as 0.0000
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    return f"{x:.4f}" if x == 0 or 1e-3 <= abs(x) < 1e5 else f"{x:.3e}"


def _const(c):
    return f"{c:g}"


def _html(label):
    """A label inside an HTML-like graphviz label: escaped, so no string can change the graph.
    ASCII punctuation becomes numeric entities (dot's lexer trips on some, such as a lone "]"), and
    backslashes are doubled because graphviz reads \\N, \\G, \\E in labels as the node's name etc."""
    lines = label.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<BR/>".join("".join(_entity(ch) for ch in "".join(map(visible, line))) for line in lines)


def _entity(ch):
    if ch == "\\":
        return "&#92;&#92;"
    return f"&#{ord(ch)};" if ch < "\x7f" and not ch.isalnum() and ch != " " else ch


def _hex(rgb, alpha=None):
    return "#%02x%02x%02x" % rgb + ("" if alpha is None else "%02x" % round(255 * alpha))


def _ratio(x, top):
    """|x| / top in [0, 1] for colour scales: NaN counts as 0, and an infinite top puts only inf at 1."""
    x = abs(x)
    if x != x or top == 0:
        return 0.0
    if top == float("inf"):
        return 1.0 if x == top else 0.0
    return min(x / top, 1.0)


def _scale(stops, t):
    """Linear interpolation through colour stops, t in [0, 1]."""
    t = t * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    return tuple(round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1]))


def _checked_order(root, max_nodes, who):
    if type(root) is not Value:
        raise TypeError(f"{who}: expected a Value, got {type(root).__name__}: {root!r:.60}")
    order = topo_order(root)
    if len(order) > max_nodes:
        name = f"{root.label!r}" if root.label else "this node"
        raise ValueError(
            f"{who}: the graph below {name} has {len(order)} nodes, more than max_nodes={max_nodes} "
            f"(dot would take minutes to lay it out). Raise the limit ({who}(root, max_nodes={len(order)})), "
            f"{who} a sub-graph (an intermediate node as root), or for a network use draw_network(model)")
    return order


def _grad(v):
    g = v.grad
    return g.data if type(g) is Value else g


def _highlights(highlight, index):
    """Nodes and edges to colour: node indices, and edges as (child index, position in child.parents).
    Accepts a Path (anything with `.nodes`; its `.positions`, when present, pick one of the two edges
    of `a*a`), a Value, or a list of Values, (parent, child) pairs (all their edges) and Paths."""
    if hasattr(highlight, "nodes") or type(highlight) is Value:
        items = [highlight]
    else:
        try:
            items = list(highlight)  # any iterable, such as paths(y, x) itself
        except TypeError:
            raise TypeError(f"draw: highlight takes a Path, a Value, or a list of Values, (parent, child) "
                            f"pairs and Paths; got {type(highlight).__name__}: {highlight!r:.60}") from None
    nodes, edges = set(), set()

    def node(v):
        if type(v) is not Value or id(v) not in index:
            raise ValueError(f"draw: highlight: {v!r:.80} is not a node of the drawn graph")
        nodes.add(index[id(v)])
        return index[id(v)]

    for item in items:
        chain = item.nodes if hasattr(item, "nodes") else item if type(item) is tuple else (item,)
        ids = [node(v) for v in chain]
        if type(item) is tuple and len(ids) != 2:
            raise ValueError(f"draw: highlight: an edge is a (parent, child) pair, got {len(ids)} items")
        known = getattr(item, "positions", None)
        for e, (vp, vc) in enumerate(zip(chain, chain[1:])):
            at = [known[e]] if known is not None else [k for k, q in enumerate(vc.parents) if q is vp]
            if not at:
                raise ValueError(f"draw: highlight: {vp!r:.60} is not a parent of {vc!r:.60}")
            edges.update((ids[e + 1], k) for k in at)
    return nodes, edges


def draw(root, *, rankdir="LR", show_grad=True, edge_labels=None, highlight=None, color_by_grad=False,
         max_nodes=500):
    """The computation graph below `root` as a `graphviz.Digraph`.

    One box per Value (its label when set, "data ...", and "grad ..." unless show_grad=False), one op
    node per computed Value, one edge per parent edge (duplicates kept: `a*a` draws two edges), and
    each constant operand (the 2 in `2*x`) as a small plain node on a dashed edge: no gradient flows
    into a constant.
    edge_labels: None; "local" for d(child)/d(parent), the engine's local derivative; "contribution"
    for what the edge added in backward, d(child)/d(parent) * dL/d(child). dL/dv = sum of the
    contributions on v's outgoing edges.
    highlight: a Path (`paths(y, x)`), a Value, or a list of Values, (parent, child) edges or Paths: drawn in
    colour on a faded graph. color_by_grad: fill each box by |grad| (linear scale, legend included).
    Node names follow the topological order, so the same graph gives the same DOT source.
    More than `max_nodes` Values raise ValueError instead of hanging dot.
    """
    if edge_labels not in (None, "local", "contribution"):
        raise ValueError(f"draw: edge_labels must be None, 'local' or 'contribution', got {edge_labels!r:.60}")
    order = _checked_order(root, max_nodes, "draw")
    graphviz = _graphviz()
    index = {id(v): i for i, v in enumerate(order)}
    hi_nodes, hi_edges = _highlights(highlight, index) if highlight is not None else (None, None)
    hi_children = {c for c, _ in hi_edges} if hi_edges is not None else set()
    gmax = max((abs(_grad(v)) for v in order if _grad(v) == _grad(v)), default=0.0) if color_by_grad else 0.0
    g = graphviz.Digraph("graph", graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25"},
                         node_attr={"fontname": FONT, "fontsize": "11"},
                         edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.6"})
    if len(order) > 150:
        # dot's layout passes grow steeply with size: a 486-node graph with long edges took 3 minutes with
        # the defaults and about 10 s with these limits; small graphs keep the best layout.
        g.graph_attr.update(nslimit="1", nslimit1="1", mclimit="0.1")

    def tint(on):  # (line colour, text colour) of a part that is or is not highlighted
        return ("black", "black") if hi_nodes is None else (HIGHLIGHT, "black") if on else (FADED, FADED_TEXT)

    for i, v in enumerate(order):
        line, ink = tint(hi_nodes is not None and i in hi_nodes)
        fill = "white"
        if color_by_grad and gmax > 0:
            t = _ratio(_grad(v), gmax)
            fill, ink = _hex(_scale(BLUES, t)), ("white" if t > 0.6 else ink)
        cells = ([f"<B>{_html(v.label)}</B>"] if v.label else []) + [f"data {_num(v.data)}"]
        if show_grad:
            cells.append(f"grad {_num(v.grad)}")
        width = "2" if v is root or (hi_nodes and i in hi_nodes) else "0"
        row = "".join(f'<TD><FONT COLOR="{ink}">{c}</FONT></TD>' for c in cells)
        g.node(f"n{i}", f'<<TABLE BORDER="{width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
                        f'COLOR="{line}" BGCOLOR="{fill}"><TR>{row}</TR></TABLE>>', shape="plain")
        if not v.op:
            continue
        on = i in hi_children
        line, ink = tint(on)
        g.node(f"op{i}", v.op, shape="circle" if len(v.op) < 3 else "ellipse",
               width="0.3", height="0.3", margin="0.02", color=line, fontcolor=ink, penwidth="2" if on else "1")
        g.edge(f"op{i}", f"n{i}", color=line, penwidth="2" if on else "1")
        parent_edges = iter(enumerate(zip(v.parents, v.local_grads)))
        for k, a in enumerate(v.args):
            if type(a) is not Value:  # a constant operand: no gradient flows into it
                g.node(f"c{i}_{k}", _const(a), shape="plaintext", fontsize="10", fontcolor=tint(False)[1])
                g.edge(f"c{i}_{k}", f"op{i}", style="dashed", color=tint(False)[0], arrowhead="none")
                continue
            pos, (p, local) = next(parent_edges)
            j = index[id(p)]
            on = hi_edges is not None and (i, pos) in hi_edges
            line, ink = tint(on)
            attrs = {"color": line, "fontcolor": ink if on or hi_edges is None else FADED_TEXT,
                     "penwidth": "2.5" if on else "1"}
            if edge_labels == "local":
                attrs["label"] = f"{local:.4g}"
            elif edge_labels == "contribution":
                attrs["label"] = f"{local * _grad(v):+.4g}"
            g.edge(f"n{j}", f"op{i}", **attrs)
    _caption(g, edge_labels, color_by_grad, gmax)
    return g


def _caption(g, edge_labels, color_by_grad, gmax):
    notes = {"local": "edge label: local derivative d(child)/d(parent)",
             "contribution": "edge label: contribution to the parent's grad, d(child)/d(parent) x grad(child)"}
    lines = [notes[edge_labels]] if edge_labels else []
    if color_by_grad:
        swatches = "".join(f'<TD BGCOLOR="{_hex(_scale(BLUES, t / 4))}" WIDTH="40">'
                           f'<FONT COLOR="{"white" if t > 2 else "black"}" POINT-SIZE="9">{_num(gmax * t / 4)}</FONT></TD>'
                           for t in range(5))
        legend = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR><TD>|grad|</TD>{swatches}</TR></TABLE>'
        rows = "".join(f"<TR><TD>{x}</TD></TR>" for x in lines + [legend])
        g.attr(label=f'<<TABLE BORDER="0">{rows}</TABLE>>')
    elif lines:
        g.attr(label=lines[0])
    g.attr(labelloc="b", fontsize="10")


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
    graphviz = _graphviz()
    used = grads and any(_grad(w) != 0 for _, _, _, w in ws)
    val = {(i, j, k): (_grad(w) if used else w.data) for i, j, k, w in ws}
    if highlight is None:
        hi = None
    elif hasattr(highlight, "nodes"):
        hi = _path_weights(highlight, {id(w): (i, j, k) for i, j, k, w in ws})
    else:
        hi = {tuple(t) for t in highlight}
        if not hi <= val.keys():
            raise ValueError(f"draw_network: highlight: no weight {sorted(hi - val.keys())[0]} in {model!r:.60}")
    if deltas is None:
        deltas = {(i, j): _grad(n.b) for i, layer in enumerate(model.layers)
                  for j, n in enumerate(layer.neurons)} if used else {}
    deltas = {key: d.data if type(d) is Value else float(d) for key, d in dict(deltas).items()}
    vmax = max((abs(x) for x in val.values() if x == x), default=0.0)
    dmax = max((abs(d) for d in deltas.values() if d == d), default=0.0)
    g = graphviz.Digraph("network", engine="neato",
                         graph_attr={"splines": "false", "outputorder": "edgesfirst", "fontname": FONT,
                                     "fontsize": "11", "labelloc": "b"},
                         node_attr={"shape": "circle", "width": "0.32", "fixedsize": "true", "fontname": FONT,
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
            rgb = (255, 255, 255) if d is None else _scale([NEGATIVE, (255, 255, 255), POSITIVE],
                                                           0.5 + math.copysign(_ratio(d, dmax), d) / 2)
            faded = hi is not None and not any(t[0] == c - 1 and t[1] == j for t in hi)
            g.node(f"l{c}n{j}", "", pos=pos, fillcolor=_hex(rgb, 0.35 if faded else None),
                   color=FADED if faded else "#333333",
                   tooltip=f"layer {c + 1}, neuron {j + 1}" + ("" if d is None else f": delta {_num(d)}"))
    # Weak lines first and highlighted ones last, so that the strong ones are drawn on top.
    for (i, j, k), x in sorted(val.items(), key=lambda e: (hi is not None and e[0] in hi, abs(e[1]))):
        t = _ratio(x, vmax)
        src = f"x{k}" if i == 0 else f"l{i}n{k}"
        if hi is not None and (i, j, k) in hi:
            color, width = HIGHLIGHT, 3.0
        else:
            color = _hex(POSITIVE if x >= 0 else NEGATIVE, 0.15 + 0.85 * t if hi is None else 0.12)
            width = 0.3 + 3.2 * t
        g.edge(src, f"l{i + 1}n{j}", color=color, penwidth=f"{width:.2f}",
               tooltip=f"w[{i}][{j}][{k}] {'grad' if used else 'value'} {_num(x)}")
    what = "the gradient dC/dw^l_jk" if used else "the weight w^l_jk"
    fill = "\nneuron fill: its error delta^l_j = dC/dz^l_j (blue positive, red negative)" if deltas else ""
    g.attr(label=f"{_plain(repr(model))[:80]}\none line per weight, showing {what}: "
                 f"blue positive, red negative, thicker = larger magnitude{fill}")
    return g
