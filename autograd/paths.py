"""Paths through a computation graph: enumerate them, count them, sum them, and watch backward do it.

The chain rule, unrolled, says that for an output y and an input x

    dy/dx = sum over every path x -> v1 -> ... -> y of (dv1/dx)(dv2/dv1)...(dy/dvk)

a sum of products of local derivatives ("rate factors", Nielsen ch. 2, eq. 53). A path is a chain of
edges, not of nodes: `a*a` has two edges to `a`, so two paths. Every factor is read from the engine's
`node.local_grads`, the numbers the forward pass stored; nothing here recomputes a derivative.

The number of paths can grow exponentially with the depth of the graph. Backward never enumerates them:
a node's grad is the sum over its outgoing edges of (local derivative * the child's grad), which is the
same sum with the common tails of the paths factored out. `count_paths` and `explain` use that factoring
(dynamic programming over the topological order) where enumeration is out of reach, and
`trace_backward` lists the `+=` steps in which backward does it.

This module enumerates and counts; `explain` (explain.py) sums and groups the paths, `nudge` (nudge.py)
checks the sum against a recomputed y(x + h), and `trace_backward` (ledger.py) lists backward's steps.
"""
import math

from .engine import Value
from .graph import between, topo
from .text import node_names, num, plain

__all__ = ["Path", "paths", "nodes_between", "count_paths", "node_names"]


class Path:
    """One path input -> ... -> output. `nodes` runs from the input to the output; `factors[i]` is the
    local derivative d(nodes[i+1])/d(nodes[i]) on the edge between them; `rate` = product of factors
    (1.0 for the empty path from a node to itself); `positions[i]` says which of nodes[i+1].parents the
    edge is (0 or 1), which tells the two edges of `a*a` apart.

    A path seen only at waypoints (`explain(y, x, through=...)`) has `positions` None, each factor
    d(next waypoint)/d(this one), and `count` = the number of graph paths it stands for (1 otherwise)."""

    __slots__ = ("nodes", "factors", "positions", "rate", "count")

    def __init__(self, nodes, factors, positions, count=1):
        self.nodes, self.factors, self.positions, self.count = nodes, factors, positions, count
        rate = 1.0
        for f in factors:
            rate *= f
        self.rate = rate

    @property
    def edges(self):
        """(parent, child, position) for every edge along the path, input side first (position None
        between two waypoints)."""
        n = self.nodes
        if self.positions is None:
            return tuple((n[i], n[i + 1], None) for i in range(len(self.factors)))
        return tuple((n[i], n[i + 1], self.positions[i]) for i in range(len(self.factors)))

    def grouped(self, keep):
        """The path seen only at the nodes where keep(node) is true (its two ends always): returns
        (nodes, factors), each factor the product of the local derivatives between two kept nodes.
        Keeping a network's activations gives Nielsen's rate factors, e.g.
        da^(l+1)_q/da^l_j = w^(l+1)_qj sigma'(z^(l+1)_q) for the edges a^l_j -> ... -> a^(l+1)_q."""
        nodes, factors, f = [self.nodes[0]], [], 1.0
        last = len(self.factors) - 1
        for i, d in enumerate(self.factors):
            f *= d
            v = self.nodes[i + 1]
            if i == last or keep(v):
                nodes.append(v), factors.append(f)
                f = 1.0
        return tuple(nodes), tuple(factors)

    def __len__(self):
        return len(self.factors)

    def __repr__(self):
        # Named within the output's graph, as explain and show name them: (+)#3, not a bare (+).
        names = node_names(self.nodes[-1])
        return f"Path({' -> '.join(_abridge([plain(names[v]) for v in self.nodes]))}; rate={num(self.rate)})"


def _check(output, input):
    for what, v in (("output", output), ("input", input)):
        if type(v) is not Value:
            raise TypeError(f"paths: {what} must be a Value, got {type(v).__name__}: {v!r:.60}")


def _counts(output, input):
    """{node: number of paths input -> node} for the nodes on some path input -> output (graph.between),
    in topological order (input first); {} when there is none. count(v) = sum over v's parent edges of
    count(parent): the dynamic programming behind count_paths."""
    sub = between(topo(output), (input,))
    if not sub or sub[-1] is not output:
        return {}
    counts = {input: 1}
    get = counts.get
    for node in sub[1:]:
        c = 0
        for p in node.parents:
            c += get(p, 0)
        counts[node] = c
    return counts


def nodes_between(output, input):
    """The nodes that lie on some path from `input` to `output`, in topological order (input first);
    [] when there is no path. This is the part of the graph that d output/d input depends on."""
    _check(output, input)
    return list(_counts(output, input))


def paths(output, input, limit=None):
    """Yield every path from `input` to `output` as a `Path`, at most `limit` of them.

    Depth-first with an explicit stack (no recursion), only through nodes that lie on some path, so
    each yielded path costs time proportional to its length. Order: from the output, the op's first
    argument is explored before its second. Two edges between the same nodes (`a*a`) give two paths.
    """
    _check(output, input)
    if limit is not None and (type(limit) is not int or limit < 0):
        raise ValueError(f"paths: limit must be None or an int >= 0, got {limit!r}")
    return _walk(output, input, _counts(output, input), limit)


def _walk(output, input, on, limit):
    if limit == 0 or not on:
        return
    if output is input:
        yield Path((input,), (), ())
        return
    found = 0
    chain, factors, positions, tried = [output], [], [], [0]
    while tried:
        node = chain[-1]
        i = tried[-1]
        parents = node.parents
        if i == len(parents):
            chain.pop(), tried.pop()
            if factors:
                factors.pop(), positions.pop()
            continue
        tried[-1] = i + 1
        p = parents[i]
        if p not in on:
            continue
        d = node.local_grads[i]
        if p is input:
            yield Path((p, *reversed(chain)), (d, *reversed(factors)), (i, *reversed(positions)))
            found += 1
            if found == limit:
                return
            continue
        chain.append(p), factors.append(d), positions.append(i), tried.append(0)


def count_paths(output, input):
    """The exact number of paths from `input` to `output` (a Python int, however large).

    Dynamic programming over the topological order: count(input) = 1 and, for every other node,
    count(v) = sum over v's parent edges (p, v) of count(p). A chain of n diamonds has 2**n paths and
    is counted in time linear in n, exactly as backward sums their rates in linear time.
    """
    _check(output, input)
    return _counts(output, input).get(output, 0)


def _big(n):
    # Path counts can have more digits than int -> str allows (4300); past 15 digits, say the size.
    if n < 10 ** 15:
        return str(n)
    e = math.floor(math.log10(n))
    return f"about {10 ** (math.log10(n) - e):.3f}e{e}"


def _abridge(strings, keep=6):
    # A 10^5-node path stays one row: its first and last few entries around a count of the rest.
    if len(strings) <= 2 * keep + 1:
        return strings
    return [*strings[:keep], f"...({len(strings) - 2 * keep} more)...", *strings[-keep:]]
