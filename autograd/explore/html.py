"""Rich display in Jupyter: HTML for a Value, an explanation, its groups, a ledger, a nudge, BP1-BP4, an MLP.

Each function returns an HTML fragment (a str) that Jupyter shows in place of the text repr; the
classes' `_repr_html_` are one-line hooks that import this module lazily, so the REPL's text is
unchanged and nothing here is loaded outside a notebook. Names and numbers are the text tables'
(node_names, num); labels are made visible and escaped as in the drawings, so no label is markup.
Path i has colour i of the one palette, in the tables and in the drawings alike.
"""
import html

from ..text import plain as _plain
from .names import node_names, num, palette, path_colours

SMALL = 30       # a Value's repr draws its graph up to this many nodes
DRAWN = 60       # an explanation's repr draws its paths up to this many nodes
_STYLE = ("<style>.pg-t{border-collapse:collapse;font-family:Menlo,Consolas,monospace;font-size:12px}"
          ".pg-t td,.pg-t th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}"
          ".pg-t caption{text-align:left;font-weight:bold;font-family:Helvetica,sans-serif;padding:4px 0}"
          ".pg-sw{display:inline-block;width:11px;height:11px;border-radius:2px}"
          ".pg-f td{font-weight:bold;border-bottom:none;white-space:pre}</style>")


def esc(text):
    """A name or label as HTML text: control characters spelled out as in the drawings, then escaped."""
    return html.escape(_plain(str(text)), quote=True)


def _table(caption, head, rows, foot=(), colours=None):
    out = [_STYLE, f'<table class="pg-t"><caption>{esc(caption)}</caption><tr>']
    out += [f"<th>{esc(h)}</th>" for h in ([""] if colours else []) + list(head)] + ["</tr>"]
    for i, row in enumerate(rows):
        sw = f'<td><span class="pg-sw" style="background:{colours[i]}"></span></td>' if colours else ""
        out.append("<tr>" + sw + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
    for line in foot:
        out.append(f'<tr class="pg-f"><td colspan="{len(head) + bool(colours)}">{esc(line)}</td></tr>')
    return "".join(out) + "</table>"


def _svg(dot):
    """graphviz's SVG of a drawing, inline; '' when graphviz or dot is not there."""
    try:
        from .._drawkit import render
        svg = render(dot(), "svg").decode()
    except (ImportError, FileNotFoundError):  # no graphviz package or no dot: the table alone still answers
        return ""
    return f'<div style="max-width:100%;overflow:auto">{svg[svg.index("<svg"):]}</div>'


def _colours(n):
    p = palette()
    return [p[min(i, len(p) - 1)] for i in range(n)]  # as the drawings: the last colour for the rest


def value_html(v):
    """A Value: its name, op, data and grad, and the drawing of its graph when it is small."""
    from ..engine import topo_order
    order = topo_order(v)
    names = node_names(v)
    row = [names[v], v.op or "leaf", num(v.data), num(v.grad), str(len(order))]
    out = _table("Value", ["name", "op", "data", "grad", "nodes below"], [row])
    if len(order) <= SMALL and len(order) > 1:
        from ..draw import draw
        out += _svg(lambda: draw(v))
    return out


def explanation_html(r):
    """explain(y, x): one row per listed path (its colour, nodes, factors, rate), then the sum of the
    rates beside backward's dy/dx; and the drawing with those paths in the same colours."""
    names = node_names(r.output)
    y, x = names[r.output], names.get(r.input) or node_names(r.input)[r.input]
    merged = any(getattr(p, "count", 1) > 1 for p in r.paths)  # a waypoint path standing for several
    rows = [(" → ".join(names[v] for v in p.nodes), " × ".join(num(f) for f in p.factors) or "(none)",
             num(p.rate)) + ((str(p.count),) if merged else ()) for p in r.paths]
    foot = []
    if not r.complete:
        foot.append(f"... and {r.count - len(r.paths)} more paths past the limit: the total is the factored sum")
    diff = 0.0 if r.total == r.grad else abs(r.total - r.grad)
    foot.append(f"{'sum of rates' if r.complete else 'factored sum'} = {num(r.total)}    "
                f"backward d{y}/d{x} = {num(r.grad)}    difference = {num(diff)}")
    through = getattr(r, "through", None)
    colours = _colours(len(rows)) if through else path_colours(r.paths, r.output)
    out = _table(f"d{y}/d{x} as a sum over paths: {r.count} path{'' if r.count == 1 else 's'} from {x} to {y}",
                 ["path", "rate factors" if through else "factors", "rate"] + (["graph paths"] if merged else []),
                 rows, foot, colours)
    from ..engine import topo_order
    if r.paths and not through and len(topo_order(r.output)) <= DRAWN:
        from ..draw import draw
        out += _svg(lambda: draw(r.output, highlight=r))
    return out


def groups_html(groups):
    """explain(y, x).by_first_edge(): one row per first edge x -> child, local * rest = subtotal; the
    subtotals sum to dy/dx (one step of the chain rule: BP2 on a network)."""
    r = groups.explanation
    names = node_names(r.output)
    y, x = names[r.output], names.get(r.input) or node_names(r.input)[r.input]
    rows = [(f"{x} → {names[g.child]}", num(g.local), num(g.rest), num(g.subtotal), str(g.count)) for g in groups]
    foot = [f"sum of subtotals = {num(groups.total)}    d{y}/d{x} = {num(r.grad)}"]
    return _table(f"d{y}/d{x} grouped by the first step out of {x}",
                  ["first step", "local", f"rest = d{y}/d(child)", "subtotal", "paths"], rows, foot,
                  _colours(len(rows)))


def ledger_html(ledger):
    """trace_backward(y): one row per `+=` of backward, with the running total of this backward."""
    if not len(ledger):
        return _table("backward: no edges", ["step"], [])
    names = node_names(ledger[0].child)  # the first step leaves the output
    rows = []
    for i, s in enumerate(ledger, 1):
        total = getattr(s, "total", s.grad_after)
        rows.append((str(i), f"{names[s.parent]}.grad", f"{num(s.local)} × {num(s.upstream)}", names[s.child],
                     num(s.contribution), num(total)))
    held = ledger.held() if hasattr(ledger, "held") else {}
    foot = [f"{names[v]} held {num(b)} before this backward; it now holds {num(v.grad)}" for v, b in held.items()]
    return _table("backward, one row per edge: parent.grad += (d child/d parent) × child.grad",
                  ["step", "into", "local × upstream", "from", "adds", "this backward's total"], rows, foot)


def nudge_html(n):
    """nudge(y, x): for each h, the recomputed change, h * dy/dx, h * each path's rate, the leftover."""
    names = node_names(n.output)
    y, x = names[n.output], names[n.input]
    per = n.complete and len(n.paths) > 1
    head = ["h", f"{y}({x}+h) - {y}({x})", f"h·d{y}/d{x}"] + \
           ([f"h·rate {i}" for i in range(1, len(n.paths) + 1)] if per else []) + ["leftover", "leftover/h²"]
    rows = [[num(r.h), num(r.delta), num(r.first_order)] + ([num(t) for t in r.by_path] if per else [])
            + [num(r.leftover), num(r.leftover / r.h ** 2)] for r in n.rows]
    return _table(f"nudge {x} by h: d{y}/d{x} = {num(n.grad)}", head, rows,
                  ["the leftover shrinks like h²: delta/h tends to the sum of the path rates"])


def bp2_html(b):
    """Nielsen.bp2(C, l, j): BP2 term by term, delta^l_j = sigma'(z^l_j) sum_k w^(l+1)_kj delta^(l+1)_k,
    each term in its colour, beside backward's dC/dz^l_j."""
    l, j, m = b.l, b.j, b.l + 1
    rows = [(f"k = {t.k}", f"w^{m}_{t.k}{j}", num(t.weight), num(t.delta), num(t.subtotal)) for t in b.terms]
    foot = [f"sum_k w^{m}_k{j} delta^{m}_k = dC/da^{l}_{j} = {num(b.sum)}",
            f"delta^{l}_{j} = sigma'(z^{l}_{j}) × sum = {num(b.sigma_prime)} × {num(b.sum)} = {num(b.delta)}"
            f"    backward dC/dz^{l}_{j} = {num(b.backward)}"]
    return _table(f"BP2 for neuron {j} of layer {l}: the paths from a^{l}_{j} grouped by their first edge",
                  ["term", "weight", f"w^{m}_k{j}", f"delta^{m}_k", "w × delta"], rows, foot, _colours(len(rows)))


def bpcheck_html(c):
    """check_bp(...): each of BP1-BP4 with backward's number, the equation's, and their difference."""
    rows = [(r.equation, r.symbol, num(r.backward), num(r.explicit), f"{r.error:.1e}") for r in c.rows]
    verdict = "all four equations hold" if c.holds() else "NOT within 1e-12"
    return _table("BP1-BP4 (layer 1 is the input)", ["eq.", "quantity", "backward", "equation", "rel. diff"],
                  rows, [f"C = {num(c.cost)}; largest relative difference {c.worst:.1e}: {verdict}"])


def mlp_html(model):
    """An MLP: its network picture (draw_network), with its repr as the caption."""
    from ..draw_network import draw_network
    return f"<div><b>{esc(repr(model))}</b></div>" + _svg(lambda: draw_network(model))

