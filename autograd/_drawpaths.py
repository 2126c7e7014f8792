"""What `draw(..., highlight=)` colours: one colour per path (or per group of paths), and the legend that
writes each path's rate as the product of its local derivatives and dy/dx as the sum of the rates."""
from . import _drawkit as kit
from .engine import Value
from .explain import explain

HIGHLIGHT = "#e6550d"  # nodes and edges picked one by one share one colour: they are not paths


class Highlight:
    """nodes {drawn box index: [colour]}, ops {op node index: [colour]}, edges {(child index, position in
    child.parents): [colour]}, edge_labels (what the coloured edges are labelled with), legend rows."""

    def __init__(self):
        self.nodes, self.ops, self.edges, self.legend, self.edge_labels = {}, {}, {}, [], None

    def add(self, table, key, colour):
        got = table.setdefault(key, [])
        if colour not in got:
            got.append(colour)


def _is_path(x):
    return hasattr(x, "nodes") and hasattr(x, "factors")


def highlights(highlight, order, index, head, root):
    """Parse draw's highlight= into a Highlight. An Explanation or Paths: paths mode, else nodes/edges."""
    explanation = highlight if hasattr(highlight, "paths") and hasattr(highlight, "total") else None
    if explanation is not None:
        items = list(explanation.paths)
    elif hasattr(highlight, "nodes") or type(highlight) is Value:
        items = [highlight]
    else:
        try:
            items = list(highlight)  # any iterable, such as paths(y, x) itself
        except TypeError:
            raise TypeError(f"draw: highlight takes a Path, a list of Paths, an Explanation, a Value, or a list "
                            f"of Values and (parent, child) pairs; got {type(highlight).__name__}: "
                            f"{highlight!r:.60}") from None

    def at(v):
        if type(v) is not Value or id(v) not in index:
            raise ValueError(f"draw: highlight: {v!r:.80} is not a node of the drawn graph")
        return index[id(v)]

    hi = Highlight()
    if items and all(_is_path(p) for p in items):
        _paths(hi, items, explanation, at, head, root)
        return hi
    for item in items:
        chain = item.nodes if hasattr(item, "nodes") else item if type(item) is tuple else (item,)
        ids = [at(v) for v in chain]
        if type(item) is tuple and len(ids) != 2:
            raise ValueError(f"draw: highlight: an edge is a (parent, child) pair, got {len(ids)} items")
        for j in ids:
            hi.add(hi.nodes, head.get(j, j), HIGHLIGHT)
        known = getattr(item, "positions", None)
        for e, (vp, vc) in enumerate(zip(chain, chain[1:])):
            where = [known[e]] if known is not None else [k for k, q in enumerate(vc.parents) if q is vp]
            if not where:
                raise ValueError(f"draw: highlight: {vp!r:.60} is not a parent of {vc!r:.60}")
            for k in where:
                _edge(hi, (ids[e + 1], k), head, HIGHLIGHT)
    return hi


def _edge(hi, edge, head, colour):
    hi.add(hi.edges, edge, colour)
    hi.add(hi.ops, head.get(edge[0], edge[0]), colour)


def _abridge(items, keep=3):
    return items if len(items) <= 2 * keep + 1 else [*items[:keep], "…", *items[-keep:]]


def _edges(p, at):
    """The path's edges as (child index, position) and its nodes' indices. A waypoint path (from
    explain(..., through=)) stands for many graph paths and names no edges: only its nodes are marked."""
    ids = [at(v) for v in p.nodes]
    if p.positions is None:
        return [(ids[e + 1], ("via", ids[e])) for e in range(len(ids) - 1)], ids
    return [(ids[e + 1], k) for e, k in enumerate(p.positions)], ids


def _paths(hi, items, explanation, at, head, root):
    """One colour per path while the palette lasts; past it, one per group of paths that share their
    first edges and part at the same edge (for paths from a weight, the edge out of its neuron: BP2)."""
    names = kit.names(root)
    hi.edge_labels = "local"
    by_end = {}
    for p in items:
        by_end.setdefault((at(p.nodes[0]), at(p.nodes[-1])), []).append(p)
    colours = iter(range(10 ** 9))
    for (x, y), ps in by_end.items():
        vx, vy = ps[0].nodes[0], ps[0].nodes[-1]
        what = f"d{names[vy]}/d{names[vx]}"
        swept = None
        if explanation is not None and not explanation.complete and not getattr(explanation, "through", None):
            # Past explain's limit the listed paths are a part: the groups' subtotals come from the sweep.
            swept = list(explanation.by_first_edge())[:len(kit.PALETTE)]
            groups = [(f"{names[vx]} → {names[g.child]} → …: {g.count} paths, {kit.num(g.local)} × "
                       f"{kit.num(g.rest)} = {kit.num(g.subtotal)}", list(g.paths)) for g in swept]
        elif len(ps) <= len(kit.PALETTE):
            groups = [(f"{_name_path(p, names)}: {_product(p.factors)} = {kit.num(p.rate)}", [p]) for p in ps]
        else:
            groups = _groups(ps, at, names)
        terms = []
        for n, (row, members) in enumerate(groups):
            colour = kit.PALETTE[min(next(colours), len(kit.PALETTE) - 1)]
            for p in members:
                edges, ids = _edges(p, at)
                for j in ids:
                    hi.add(hi.nodes, head.get(j, j), colour)
                for edge in edges:
                    _edge(hi, edge, head, colour)
            hi.legend.append(("━━ " + kit.rich(row), colour))
            terms.append(swept[n].subtotal if swept else sum(p.rate for p in members))
        if swept is not None and len(swept) == len(list(explanation.by_first_edge())):
            shown = " + ".join(_abridge([kit.num(t) for t in terms], 4)).replace("+ -", "- ")
            line = f"{what} = {shown} = {kit.num(sum(terms))} (all {explanation.count} paths, grouped by first edge)"
        else:
            line = _sum_line(what, terms, ps, explanation, vy, vx)
        hi.legend.append((kit.rich(line), None))


def _name_path(p, names):
    return " → ".join(_abridge([names[v] for v in p.nodes]))


def _product(factors):
    return " × ".join(_abridge([kit.num(f) for f in factors])) or "(no edges)"


def _groups(ps, at, names):
    """[(legend row, paths)] for the paths grouped by the edge at which they leave their common start;
    the last rows of a long list merge into one, so that no two groups share a colour."""
    edge_lists = [_edges(p, at)[0] for p in ps]
    common = 0
    while all(len(es) > common and es[common] == edge_lists[0][common] for es in edge_lists):
        common += 1
    groups = {}
    for p, es in zip(ps, edge_lists):
        groups.setdefault(es[common], []).append(p)
    start = _name_path(type(ps[0])(ps[0].nodes[:common + 1], ps[0].factors[:common], ps[0].positions[:common]),
                       names) if common else names[ps[0].nodes[0]]
    rows = []
    for members in groups.values():
        then = names[members[0].nodes[common + 1]]
        rows.append((f"{start} → {then} → …: {len(members)} path{'s' if len(members) > 1 else ''}, "
                     f"rates summing to {kit.num(sum(p.rate for p in members))}", members))
    cut = len(kit.PALETTE) - 1
    if len(rows) > len(kit.PALETTE):
        rest = [p for _, members in rows[cut:] for p in members]
        rows[cut:] = [(f"the other {len(rows) - cut} groups: {len(rest)} paths, rates summing to "
                       f"{kit.num(sum(p.rate for p in rest))}", rest)]
    return rows


def _sum_line(what, terms, ps, explanation, vy, vx):
    shown = " + ".join(_abridge([kit.num(t) for t in terms], 4)).replace("+ -", "- ")
    whole = explanation if explanation is not None and explanation.input is vx and explanation.output is vy \
        else explain(vy, vx, limit=0)
    count = whole.count
    total = sum(p.rate for p in ps)
    if len(ps) == count:
        line = f"{what} = {shown}" + (f" = {kit.num(total)}" if len(terms) > 1 else "")
        return line + ("" if kit.num(whole.grad) == kit.num(total) else f" (backward: {kit.num(whole.grad)})")
    if len(ps) == 1:  # "these 1 of the 6 paths: r = r" read as a slip
        return f"this path, 1 of the {count} paths: rate {kit.num(total)}; all {count}: {what} = {kit.num(whole.grad)}"
    return (f"these {len(ps)} of the {count} paths: {shown} = {kit.num(total)}; "
            f"all {count}: {what} = {kit.num(whole.grad)}")
