"""explain: d output/d input as a sum over paths, grouped by first edge, or seen at waypoints.

Three readings of one number dy/dx:

    dy/dx = sum over paths x -> ... -> y of the product of the local derivatives on the path   (paths)
          = sum over the edges x -> c out of x of (dc/dx) (dy/dc)                     (by_first_edge)
          = sum over waypoint sequences x -> u1 -> ... -> y of (du1/dx) ... (dy/duk)        (through=)

The second is one step of the chain rule, and on a network it is BP2: the edges out of a^l_j go one to
each neuron k of layer l+1, with local derivative w^(l+1)_kj and rest dC/dz^(l+1)_k = delta^(l+1)_k.
The third is Nielsen's eq. 53: the graph's paths seen only at the activations, each factor
da^(l+1)_q/da^l_j the sum over the sub-paths between two neurons.
"""
from .graph import sweep
from .paths import Path, _abridge, _big, _check, _counts, _walk
from .text import Shown, node_names, num

__all__ = ["explain", "Explanation", "Group", "Groups"]


def _reverse(sub):
    """{v: d output/d v} for the nodes of the sub-graph, by the one reverse sweep in backward's own
    order of `+=` (so each entry equals what backward puts in a fresh .grad), touching no `.grad`."""
    if not sub:
        return {}
    g = dict.fromkeys(sub, 0.0)
    g[sub[-1]] = 1.0
    return sweep(sub, g, within=g)


def _ones(node):
    # Every edge with local derivative 1 (an int): the sweep then adds up path counts, exactly.
    return [(i, p, 1) for i, p in enumerate(node.parents)]


def _tails(sub):
    """{v: number of paths v -> output} over the sub-graph: the same reverse sweep, every factor 1."""
    if not sub:
        return {}
    n = dict.fromkeys(sub, 0)
    n[sub[-1]] = 1
    return sweep(sub, n, local=_ones, within=n)


def _factored(sub):
    """Sum of the rates of all paths, forward from the input: s(input) = 1, s(v) = sum of d(v)/d(p) s(p)."""
    s = {}
    for node in sub:
        s[node] = 1.0 if not s else sum(d * s.get(p, 0.0) for p, d in zip(node.parents, node.local_grads))
    return s[sub[-1]] if sub else 0.0


class Group:
    """The paths from x whose first step is x -> child: `local` = d child/d x on that step, `rest` =
    d output/d child (the sum over all paths from the child on), `subtotal` = local * rest, `count`
    paths, of which `paths` are the listed ones. `position` says which operand of child x is (0 left,
    1 right; None for a step between waypoints)."""

    __slots__ = ("parent", "child", "position", "local", "rest", "subtotal", "count", "paths")

    def __init__(self, parent, child, position, local, rest, count, paths):
        self.parent, self.child, self.position, self.local, self.rest = parent, child, position, local, rest
        self.subtotal, self.count, self.paths = local * rest, count, paths

    def __repr__(self):
        return f"Group(child={self.child!r}, local={self.local!r}, rest={self.rest!r}, subtotal={self.subtotal!r})"


class Groups(Shown, list):
    """The `Group`s of `Explanation.by_first_edge()`, in topological order of the child; str() is a table."""
    _html = "groups_html"  # its view in autograd.explore.html

    def __init__(self, groups, explanation):
        super().__init__(groups)
        self.explanation = explanation

    @property
    def total(self):
        """The sum of the subtotals: d output/d input, one step of the chain rule."""
        return sum(g.subtotal for g in self)

    def __str__(self):
        r = self.explanation
        names, y, x = r._names()
        twice = {g.child for g in self if g.child.parents.count(g.parent) > 1}
        rows = [("first step", f"local d(child)/d{x}", f"rest = d{y}/d(child)", "subtotal = local * rest",
                 "paths")]
        for g in self:
            side = f" ({'left' if g.position == 0 else 'right'} operand)" if g.child in twice else ""
            rows.append((f"{x} -> {names[g.child]}{side}", num(g.local), num(g.rest), num(g.subtotal),
                         _big(g.count)))
        wide = [max(len(row[i]) for row in rows) for i in range(5)]
        step = "step" if r.through else "edge"
        out = [f"d{y}/d{x} grouped by the first {step} out of {x}: {len(self)} group{'' if len(self) == 1 else 's'},"
               f" one per {step} (the chain rule, one step)"]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, wide)).rstrip() for row in rows]
        out.append(f"  sum of subtotals = {num(self.total)}    d{y}/d{x} = {num(r.grad)}")
        return "\n".join(out)



def explain(output, input, limit=64, through=None):
    """Explain d output/d input as a sum over paths; returns an `Explanation` (print it).

    Lists up to `limit` paths with their factors and rates. If there are at most `limit` paths, `total`
    is the sum of their rates; past `limit` the remaining paths are not enumerated and `total` is the
    factored sum (dynamic programming from the input forward). `grad` is d output/d input computed the
    way backward computes it (reverse accumulation, one `+=` per edge) on a private table: no `.grad`
    is read or changed. The two agree up to float rounding: that agreement is the point.

    through: nodes to see the paths at (e.g. a network's activations, `Nielsen.waypoints()`). Each path
    is then x -> u1 -> ... -> y over the waypoints it meets, with factor d(u_i+1)/d(u_i) = the sum of
    the rates of the sub-paths from u_i to u_i+1 that meet no other waypoint; graph paths meeting the
    same waypoints merge into one (its `count` says how many), and the merged rates still sum to dy/dx.
    """
    _check(output, input)
    if type(limit) is not int or limit < 0:
        raise ValueError(f"explain: limit must be an int >= 0, got {limit!r}")
    counts = _counts(output, input)
    sub = list(counts)
    grads = _reverse(sub)
    if through is not None:
        return _through(output, input, limit, sub, grads, through)
    count = counts.get(output, 0)
    listed = list(_walk(output, input, counts, limit))
    complete = len(listed) == count
    total = sum(p.rate for p in listed) if complete else _factored(sub)
    tails = _tails(sub)
    groups = []
    for child in sub[1:]:
        for i, (p, d) in enumerate(zip(child.parents, child.local_grads)):
            if p is input:
                mine = [q for q in listed if q.nodes[1] is child and q.positions[0] == i]
                groups.append(Group(input, child, i, d, grads[child], tails[child], mine))
    return Explanation(output, input, listed, count, total, grads.get(input, 0.0), complete, groups)


def _through(output, input, limit, sub, grads, through):
    """explain(..., through=): the graph's paths collapsed onto waypoints (see explain)."""
    try:
        marks = set(through)
    except TypeError:
        raise TypeError(f"explain: through must be an iterable of Values, got {type(through).__name__}") from None
    if any(not hasattr(v, "local_grads") for v in marks):
        raise TypeError("explain: through must hold Values (the nodes to see the paths at)")
    at = {v: i for i, v in enumerate(sub)}
    stops = [v for v in sub if v in marks or v is input or v is output]
    # legs[u] = [(v, factor, count)]: from each stop to each next stop, over sub-paths meeting no other stop.
    legs = {}
    for u in stops:
        if u is output and u is not input:
            continue
        rate, n = {u: 1.0}, {u: 1}
        out = []
        for node in sub[at[u] + 1:]:
            f, c = 0.0, 0
            for p, d in zip(node.parents, node.local_grads):
                if p in n:
                    f += d * rate[p]
                    c += n[p]
            if not c:
                continue
            if node in marks or node is output:
                out.append((node, f, c))  # a stop: recorded, not passed on
            else:
                rate[node], n[node] = f, c
        legs[u] = out
    listed, count = [], _count_legs(legs, stops, input, output)
    stack = [(input, (input,), (), 1)]
    while stack and len(listed) < limit:
        u, nodes, factors, c = stack.pop()
        if u is output:
            listed.append(Path(nodes, factors, None, c))
            continue
        for v, f, k in reversed(legs.get(u, [])):
            stack.append((v, nodes + (v,), factors + (f,), c * k))
    complete = len(listed) == count
    total = sum(p.rate for p in listed) if complete else _factored(sub)
    tails = _tails(sub)
    groups = [Group(input, v, None, f, grads[v], k * tails[v], [q for q in listed if q.nodes[1] is v])
              for v, f, k in legs.get(input, []) if input is not output]
    return Explanation(output, input, listed, count, total, grads.get(input, 0.0), complete, groups,
                       [v for v in stops if v in marks and v is not input and v is not output])


def _count_legs(legs, stops, input, output):
    """The number of waypoint sequences input -> ... -> output (dynamic programming over the stops)."""
    if input is output:
        return 1
    n = {input: 1}
    for u in stops:
        for v, _, _ in legs.get(u, []) if u in n else []:
            n[v] = n.get(v, 0) + n[u]
    return n.get(output, 0)


class Explanation(Shown):
    """The result of `explain`: `paths` (the listed `Path`s), `count` (all paths), `complete` (all listed),
    `total` (sum of the rates), `grad` (d output/d input by reverse accumulation), `through` (the
    waypoints the paths are seen at, or None); str() is a table; `by_first_edge()` groups the paths."""
    _html = "explanation_html"  # its view in autograd.explore.html

    def __init__(self, output, input, paths, count, total, grad, complete, groups=(), through=None):
        self.output, self.input, self.paths, self.count = output, input, paths, count
        self.total, self.grad, self.complete, self.through = total, grad, complete, through
        self._groups = list(groups)

    def by_first_edge(self):
        """The paths grouped by their first edge x -> child (one group per edge: `x*x` gives two), each
        with local = d child/dx, rest = d output/d child and subtotal = local * rest. The subtotals sum
        to d output/dx: dy/dx = sum over the edges x -> c of (dc/dx)(dy/dc), the chain rule in one step.
        The groups come from the reverse sweep, so they are all there even past the path limit.
        Seen through waypoints, the first step is the leg to the first waypoint."""
        return Groups(self._groups, self)

    def _names(self):
        names = node_names(self.output)
        # An input outside the output's graph (no paths) is named from its own graph.
        return names, names[self.output], names.get(self.input) or node_names(self.input)[self.input]

    def __str__(self):
        names, y, x = self._names()
        what = f"d{y}/d{x}"
        seen_at = self.through is not None
        merged = seen_at and any(p.count > 1 for p in self.paths)  # say how many graph paths a row stands for
        rows = [("path", "rate factors" if seen_at else "factors", "rate") + (("graph paths",) if merged else ())]
        for p in self.paths:
            rows.append((" -> ".join(_abridge([names[v] for v in p.nodes])),
                         " * ".join(_abridge([num(f) for f in p.factors])) or "(none)", num(p.rate))
                        + ((str(p.count),) if merged else ()))
        wide = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        plural = "path" if self.count == 1 else "paths"
        seen = f" seen at {len(self.through)} waypoints" if seen_at else ""
        out = [f"{what} as a sum over paths: {_big(self.count)} {plural} from {x} to {y}{seen}"]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, wide)).rstrip() for r in rows]
        if self.complete:
            how = "sum of rates"
        else:
            more = self.count - len(self.paths)
            out.append(f"  ... and {_big(more)} more path{'' if more == 1 else 's'} past the limit of"
                       f" {len(self.paths)}; so the total is the factored sum (dynamic programming),"
                       f" not a path-by-path sum")
            how = "factored sum of rates"
        diff = 0.0 if self.total == self.grad else abs(self.total - self.grad)  # inf - inf would say nan
        out.append(f"  {how} = {num(self.total)}    backward {what} = {num(self.grad)}"
                   f"    difference = {diff:.3g}")
        return "\n".join(out)

