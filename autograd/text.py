"""One way to name a node and one way to write a number, for everything that shows a graph as text or
pictures: `show`, `explain`, `trace_backward`, drawings, the command line and HTML views.

A node is called by its label; an unlabelled one `(op)#i` and an unlabelled leaf `leaf#i`, where i is the
node's 1-based position in the topological order of the root being shown (inputs first, the root last);
a label used by two nodes gets `label#i`. So the same node has the same name in a table row, a `+=` step
of backward and a box of a picture, and a learner can match them up.

`show(root)` prints the graph as text, for a terminal with no image viewer.
"""
import sys

from .engine import Value, topo_order

__all__ = ["node_names", "num", "plain", "graph_text", "show"]


def node_names(root):
    """A readable name for every node below `root`: its label, else `(op)#i` or `leaf#i`, where i is
    the node's 1-based position in the topological order (labels used twice also get `#i`)."""
    order = topo_order(root)
    used = {}
    for v in order:
        if v.label:
            used[v.label] = used.get(v.label, 0) + 1
    names = {}
    for i, v in enumerate(order, 1):
        if v.label:
            names[v] = v.label if used[v.label] == 1 else f"{v.label}#{i}"
        else:
            names[v] = f"({v.op})#{i}" if v.op else f"leaf#{i}"
    return names


def num(x):
    """A number as every table and picture writes it: a whole number without ".0" (2, -3, 1000000),
    anything else to 6 significant digits (0.333333, 1.5, 1.23457e+20, 1e-7), and inf, -inf, nan.
    A Value is written as its data (a grad is a Value after backward(create_graph=True))."""
    x = x.data if type(x) is Value else float(x)
    x += 0.0  # -0.0 is written 0
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.6g}"
    # 1e-07 -> 1e-7: the exponent without padding zeros
    return s.replace("e-0", "e-").replace("e+0", "e+")


class Shown:
    """A result a REPL and Jupyter show: str() (a table) as its repr, and in Jupyter an HTML view, drawn by
    the function of `autograd.explore.html` that the class names in `_html`."""
    _html = ""

    def __repr__(self):
        return str(self)

    def _repr_html_(self):  # Jupyter's rich display: the HTML views are loaded only there
        from .explore import html
        return getattr(html, self._html)(self)


def visible(ch):
    """One character of a label as plain text and XML can carry it: characters XML cannot hold or a
    terminal would act on are spelled out, as are U+2028/9, which split a line as \\n does."""
    o = ord(ch)
    if o < 32 or 127 <= o < 160 or 0xD800 <= o < 0xE000 or o in (0xFFFE, 0xFFFF, 0x2028, 0x2029):
        return f"\\x{o:02x}" if o < 256 else f"\\u{o:04x}"
    return ch


def plain(label):
    """A label on one line of plain text: newlines as \\n, control characters spelled out."""
    if label.isprintable():  # the usual case, without a loop over the characters
        return label
    return "".join("\\n" if ch == "\n" else visible(ch) for ch in label)


def _grad(v):
    g = v.grad
    return g.data if type(g) is Value else g


def graph_text(root, max_nodes=500):
    """The graph below `root` as text: one row per node in topological order (inputs first), numbered
    from 1, with its name, op, parents (by name; constants by value), data and grad. When backward has
    run (root.grad != 0) each row also spells out the chain rule for that node:
    grad(v) = sum over v's outgoing edges of d(child)/d(v) * grad(child), one term per edge.
    """
    if type(root) is not Value:
        raise TypeError(f"show: expected a Value, got {type(root).__name__}: {root!r:.60}")
    order = topo_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"show: the graph below {plain(root.label) or 'this node'} has {len(order)} nodes, more than "
            f"max_nodes={max_nodes} (one row each). Raise the limit (show(root, max_nodes={len(order)})) or "
            f"show a sub-graph (an intermediate node as root)")
    names = {v: plain(n) for v, n in node_names(root).items()}
    flows = {v: [] for v in order}
    ran = _grad(root) != 0
    if ran:
        for v in order:
            for p, local in zip(v.parents, v.local_grads):
                flows[p].append(f"{num(local * _grad(v))} from {names[v]}")
    rows = [("#", "node", "op", "parents", "data", "grad") + (("grad = sum of contributions",) if ran else ())]
    for i, v in enumerate(order, 1):
        row = (str(i), names[v], v.op or "leaf", ", ".join(names[a] if type(a) is Value else num(a) for a in v.args),
               num(v.data), num(v.grad))
        if ran:
            row += (" + ".join(flows[v]) or "seed",)
        rows.append(row)
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    head = f"{len(order)} nodes below {names[root]}, inputs first"
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join([head] + body + ([] if ran else ["(grads are 0: call backward() to see them flow)"]))


def show(root, max_nodes=500, file=None):
    """Print `graph_text(root, max_nodes)` to `file` (default sys.stdout) and return None. `root.show()`."""
    print(graph_text(root, max_nodes), file=sys.stdout if file is None else file)
