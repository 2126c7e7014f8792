"""Pictures of computation graphs and of gradient flow, with graphviz; and the same graph as text.

`draw(root)` shows every Value as a box (its name, data, grad), every op as a small node, and one edge
per parent edge: `a*a` has two edges from `a`. The edge labels can show the local derivative
d(child)/d(parent) read from the engine's table (`node.local_grads`), or the contribution that edge
added during backward, d(child)/d(parent) * dL/d(child). A node's grad is the sum of the contributions
on its outgoing edges, which is the chain rule, and unrolled, the sum over paths. `draw(y, highlight=
explain(y, x))` gives each path its own colour and writes the sum dy/dx = rate + rate + ... beside it.

`draw_network(model)` draws an MLP as Nielsen does (see draw_network.py); `autograd.show(root)` prints
the graph as text, for a terminal with no image viewer. Every drawing is a `graphviz.Digraph`, so `.render()`, `.pipe()` and Jupyter's inline display work as usual. Nothing here keeps a reference
to a graph after it returns.
"""
from . import _drawkit as kit
from ._drawpaths import highlights
from .engine import Value

__all__ = ["draw", "draw_dot", "PALETTE"]

PALETTE = kit.PALETTE  # one colour per path, in order (explore colours its tables with the same)


def _const(c):
    return f"{c:g}"


def sum_chains(order):
    """{index of an absorbed `+` node: index of the `+` that ends its chain}: a Value made by `+`,
    unlabelled, used exactly once, and only by another `+`, is folded into that one, so a neuron's
    z = ((b + w1*x1) + w2*x2) + ... is drawn as one Σ node. Only chains of three terms or more fold."""
    index = {id(v): i for i, v in enumerate(order)}
    uses = [0] * len(order)
    for v in order:
        for p in v.parents:
            uses[index[id(p)]] += 1
    into = {}
    for i, v in enumerate(order):
        for p in v.parents:
            j = index[id(p)]
            if v.op == "+" and p.op == "+" and not p.label and uses[j] == 1:
                into[j] = i
    head = {}
    for j in reversed(range(len(order))):  # children come after parents: a chain's end is settled first
        if j in into:
            head[j] = head.get(into[j], into[j])
    return head


def _terms(order, index, head, h):
    """The operands of the Σ ending at h, first operand first, as (argument, edge, local): edge is
    (child index, position in child.parents) in the real graph, or None for a constant, and local is
    d(h)/d(argument), the product of the local derivatives of `+` (each 1) up the chain."""
    out, stack = [], [((h, 1.0), "up")]
    while stack:
        item = stack.pop()
        if item[1] != "up":
            out.append(item)
            continue
        (i, scale), v, k, items = item[0], order[item[0][0]], 0, []
        for a in v.args:
            if type(a) is not Value:
                items.append((a, None, None))
                continue
            j, d = index[id(a)], scale * v.local_grads[k]
            items.append(((j, d), "up") if head.get(j) == h else (a, (i, k), d))
            k += 1
        stack.extend(reversed(items))  # the first operand comes off the stack first
    return out


def draw(root, format="svg", rankdir=None, *, show_grad=True, edge_labels=None, highlight=None,
         color_by_grad=False, sums=True, caption=None, grads=None, max_nodes=500, _width=None, _fade=True):
    """The computation graph below `root` as a `graphviz.Digraph` (`format` and `rankdir` as
    micrograd's draw_dot takes them; `draw_dot` is the same function).

    One box per Value (its name as text views give it, "data ..." and "grad ..." unless
    show_grad=False), one op node per computed Value, one edge per parent edge (`a*a` draws two), each
    constant operand (the 2 in `2*x`) in a small box on a dashed edge: no gradient flows into it.
    sums=True folds each chain of `+` (a neuron's z = b + w1*x1 + w2*x2 + ...) into one Σ node; its
    edges all have local derivative 1, so no path's rate changes.
    edge_labels: None; "local" for d(child)/d(parent); "contribution" for what the edge added in
    backward, d(child)/d(parent) * dL/d(child). dL/dv = sum of the contributions on v's outgoing edges.
    highlight: a Path, a list of Paths or an Explanation: each path (past 7, each group of paths that
    leave their common start by the same edge) gets its own colour, its edges their local derivatives,
    and a legend writes each rate as its product and dy/dx as their sum. Or Values and (parent, child)
    edges: drawn in one colour on a faded graph. color_by_grad: boxes filled by |grad|, with a legend.
    caption: a line (or lines) of text under the picture. grads: {Value: number} shown in the boxes
    instead of their .grad (backward_frames draws backward part way through).
    rankdir: "LR" (inputs on the left, as micrograd draws) or "TB"; None picks LR unless a row of boxes
    would run off the page (about 1000 points), and boxes stack their name, data and grad when one row
    of them would be too wide.
    Same graph, same DOT source. Past `max_nodes` Values it raises ValueError; past 100 the edges are
    straight lines, which keeps dot's layout time in seconds.
    """
    if edge_labels not in (None, "local", "contribution"):
        raise ValueError(f"draw: edge_labels must be None, 'local' or 'contribution', got {edge_labels!r:.60}")
    order = kit.checked_order(root, max_nodes, "draw")
    index = {id(v): i for i, v in enumerate(order)}
    head = sum_chains(order) if sums else {}
    hi = highlights(highlight, order, index, head, root) if highlight is not None else None
    graphviz = kit.graphviz()
    names = kit.names(root)
    shown_grad = kit.grad if grads is None else (lambda v: grads.get(v, 0.0))
    gmax = max((abs(shown_grad(v)) for v in order if shown_grad(v) == shown_grad(v)), default=0.0) if color_by_grad else 0
    shown = len(order) - len(head)
    rankdir, compact = _shape(order, index, head, names, rankdir, show_grad)
    g = graphviz.Digraph("graph", format=format,
                         graph_attr={"rankdir": rankdir, "fontname": kit.FONT, "nodesep": "0.2" if compact else "0.3", "ranksep": "0.3" if compact else "0.45",
                                     **kit.layout(shown)},
                         node_attr={"fontname": kit.FONT, "fontsize": "11"},
                         edge_attr={"fontname": kit.FONT, "fontsize": "10", "arrowsize": "0.6"})

    def tint(colours):  # (line colour, text colour, width) of a part on the given highlight colours
        if hi is None:
            return "black", "black", "1"
        if not colours:
            return (kit.FADED, kit.FADED_TEXT, "1") if _fade else ("black", "black", "1")
        return ":".join(colours), (colours[0] if len(colours) == 1 else "black"), "2.5"

    for i, v in enumerate(order):
        if i in head:
            continue
        line, ink, width = tint(hi.nodes.get(i) if hi else None)
        ink = "black" if hi is None or hi.nodes.get(i) or not _fade else kit.FADED_TEXT
        fill = "white"
        if color_by_grad and gmax > 0:
            t = kit.ratio(shown_grad(v), gmax)
            fill, ink = kit.hexcolour(kit.scale(kit.BLUES, t)), ("white" if t > 0.6 else ink)
        cells = [f"<B>{kit.html(names[v])}</B>", f"data {kit.num(v.data)}"]
        if show_grad:
            cells.append(f"grad {kit.num(shown_grad(v))}")
        # Every box has a 2-point border, white unless it is marked, so that marking a box never moves another.
        cell = kit.FADED if line == kit.FADED else "black"
        line = "black" if ":" in line or v is root and not (hi and hi.nodes.get(i)) else line
        line = line if v is root or (hi and hi.nodes.get(i)) else "white"
        # _width: a fixed cell width in points, so that frames of one animation keep one layout
        size = f' WIDTH="{_width}"' if _width else ""
        row = "".join(f'<TD{size if n else ""}><FONT COLOR="{ink}">{c}</FONT></TD>' for n, c in enumerate(cells))
        if compact:
            row = "</TR><TR>".join(f'<TD><FONT COLOR="{ink}">{c}</FONT></TD>' for c in cells)
        g.node(f"n{i}", f'<<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" COLOR="{line}"><TR><TD>'
                        f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="{cell}" BGCOLOR="{fill}"><TR>{row}'
                        f'</TR></TABLE></TD></TR></TABLE>>', shape="plain")
        if not v.op:
            continue
        terms = _terms(order, index, head, i) if i in head.values() else None
        op = "Σ" if terms else v.op
        line, ink, width = tint(hi.ops.get(i) if hi else None)
        g.node(f"op{i}", kit.html(op), shape="circle" if len(op) < 3 else "ellipse", width="0.3", height="0.3",
               margin="0.02", color=line, fontcolor=ink, penwidth=width)
        g.edge(f"op{i}", f"n{i}", color=line, penwidth=width)
        if terms is None:
            edges, k = [], 0
            for a in v.args:
                edges.append((a, (i, k), v.local_grads[k]) if type(a) is Value else (a, None, None))
                k += type(a) is Value
        else:
            edges = terms
        for t, (a, edge, local) in enumerate(edges):
            if edge is None:  # a constant operand: no gradient flows into it
                cline, cink, _ = tint(None)
                g.node(f"c{i}_{t}", _const(a), shape="box", style="rounded", fontsize="10", height="0.2",
                       width="0.2", margin="0.04", color=cline, fontcolor=cink)
                g.edge(f"c{i}_{t}", f"op{i}", style="dashed", color=cline, arrowhead="none")
                continue
            on = hi.edges.get(edge) if hi else None
            line, ink, width = tint(on)
            attrs = {"color": line, "fontcolor": ink, "penwidth": width}
            label = edge_labels or (hi.edge_labels if hi and on else None)
            if label == "local" and not (terms and local == 1 and not on):
                attrs["label"] = kit.html(kit.num(local))
            elif label == "contribution":
                flow = local * shown_grad(v)
                attrs["label"] = kit.html(("+" if flow >= 0 else "") + kit.num(flow))
            if "label" in attrs:
                attrs["label"] = f"<{attrs['label']}>"
            g.edge(f"n{index[id(a)]}", f"op{i}", **attrs)
    _caption(g, edge_labels, color_by_grad, gmax, hi, head, caption)
    return g


draw_dot = draw

PAGE = 1000  # points: a picture wider than this shrinks its text below ~9 px in an 880 px README column


def _shape(order, index, head, names, rankdir, show_grad):
    """(rankdir, compact): the first of LR with one-row boxes, LR with stacked boxes, TB with one-row
    boxes, TB with stacked boxes whose estimated width fits PAGE, else the narrowest of them (an explicit
    rankdir is kept). A box's
    width is estimated at 6.5 points a character; an op node and the gaps around it at 70."""
    level, breadth = [0] * len(order), {}
    wide = narrow = 0
    for i, v in enumerate(order):
        up = max((level[index[id(p)]] for p in v.parents), default=0)
        level[i] = up if i in head else up + 1
    below = {}  # dot ranks an input just above its first use, not with all the other inputs
    for i, v in enumerate(order):
        for p in v.parents:
            j = index[id(p)]
            below[j] = min(below.get(j, level[i]), level[i])
    for i, v in enumerate(order):
        if i in head:
            continue
        at = below[i] - 1 if not v.op and i in below else level[i]
        breadth[at] = breadth.get(at, 0) + 1
        cells = [names[v], f"data {kit.num(v.data)}"] + ([f"grad {kit.num(v.grad)}"] if show_grad else [])
        wide, narrow = max(wide, sum(map(len, cells)) + 2), max(narrow, max(map(len, cells)))
    depth, most = max(level, default=0), max(breadth.values(), default=1)
    options = [("LR", False, depth * (6.5 * wide + 70)), ("LR", True, depth * (6.5 * narrow + 70)),
               ("TB", False, most * (6.5 * wide + 20)), ("TB", True, most * (6.5 * narrow + 20))]
    options = [o for o in options if rankdir in (None, o[0])]
    for way, compact, width in options:
        if width <= PAGE:
            return way, compact
    way, compact, _ = min(options, key=lambda o: o[2])  # none fits: the narrowest, to scroll along its length
    return way, compact


def _caption(g, edge_labels, color_by_grad, gmax, hi, head, caption):
    notes = {"local": "edge label: local derivative d(child)/d(parent)",
             "contribution": "edge label: what the edge added to its parent's grad, d(child)/d(parent) × grad(child)"}
    rows = [(kit.html(notes[edge_labels]), None)] if edge_labels else []
    if hi is not None:
        rows += hi.legend
    if head:
        rows.append(("Σ: a chain of + drawn as one node (each of its edges has local derivative 1)", None))
    rows += [(kit.html(line), None) for line in ([caption] if isinstance(caption, str) else caption or [])]
    if color_by_grad:
        swatches = "".join(f'<TD BGCOLOR="{kit.hexcolour(kit.scale(kit.BLUES, t / 4))}" WIDTH="40">'
                           f'<FONT COLOR="{"white" if t > 2 else "black"}" POINT-SIZE="9">{kit.num(gmax * t / 4)}'
                           f'</FONT></TD>' for t in range(5))
        rows.append((f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR><TD>|grad|</TD>{swatches}</TR></TABLE>',
                     None))
    if rows:
        g.attr(label=kit.legend(rows), labelloc="b", labeljust="l")
