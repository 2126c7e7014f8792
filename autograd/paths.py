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
"""
import math
from collections import namedtuple

from .engine import Value, topo_order
from .text import node_names, num

__all__ = ["Path", "paths", "nodes_between", "count_paths", "explain", "Explanation", "trace_backward", "Ledger",
           "Step", "node_names"]


class Path:
    """One path input -> ... -> output. `nodes` runs from the input to the output; `factors[i]` is the
    local derivative d(nodes[i+1])/d(nodes[i]) on the edge between them; `rate` = product of factors
    (1.0 for the empty path from a node to itself); `positions[i]` says which of nodes[i+1].parents the
    edge is (0 or 1), which tells the two edges of `a*a` apart."""

    __slots__ = ("nodes", "factors", "positions", "rate")

    def __init__(self, nodes, factors, positions):
        self.nodes, self.factors, self.positions = nodes, factors, positions
        rate = 1.0
        for f in factors:
            rate *= f
        self.rate = rate

    @property
    def edges(self):
        """(parent, child, position) for every edge along the path, input side first."""
        n = self.nodes
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
        names = _abridge([v.label or (f"({v.op})" if v.op else "leaf") for v in self.nodes])
        return f"Path({' -> '.join(names)}; rate={self.rate!r})"


def _check(output, input):
    for what, v in (("output", output), ("input", input)):
        if type(v) is not Value:
            raise TypeError(f"paths: {what} must be a Value, got {type(v).__name__}: {v!r:.60}")


def _counts(output, input):
    """{node: number of paths input -> node} for the nodes on some path input -> output, in
    topological order (input first); {} when there is none. count(v) = sum over v's parent edges of
    count(parent): the dynamic programming behind count_paths, done in the same pass that finds them."""
    counts = {input: 1}
    get = counts.get
    for node in topo_order(output):
        c = 0
        for p in node.parents:
            c += get(p, 0)
        if c and node is not input:
            counts[node] = c
    return counts if output in counts else {}


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


def _factored(sub):
    """Sum of the rates of all paths, forward from the input: s(input) = 1, s(v) = sum of d(v)/d(p) s(p)."""
    s = {}
    for node in sub:
        s[node] = 1.0 if not s else sum(d * s.get(p, 0.0) for p, d in zip(node.parents, node.local_grads))
    return s[sub[-1]] if sub else 0.0


def _reverse(sub):
    """d output/d input by reverse accumulation over the sub-graph, in backward's own order of `+=`
    (so it equals what backward puts in a fresh input.grad), without touching any `.grad`."""
    if not sub:
        return 0.0
    g = dict.fromkeys(sub, 0.0)
    g[sub[-1]] = 1.0
    for node in reversed(sub):
        gn = g[node]
        for p, d in zip(node.parents, node.local_grads):
            if p in g:
                g[p] += d * gn
    return g[sub[0]]


def explain(output, input, limit=64):
    """Explain d output/d input as a sum over paths; returns an `Explanation` (print it).

    Lists up to `limit` paths with their factors and rates. If there are at most `limit` paths, `total`
    is the sum of their rates; past `limit` the remaining paths are not enumerated and `total` is the
    factored sum (dynamic programming from the input forward). `grad` is d output/d input computed the
    way backward computes it (reverse accumulation, one `+=` per edge) on a private table: no `.grad`
    is read or changed. The two agree up to float rounding: that agreement is the point.
    """
    _check(output, input)
    if type(limit) is not int or limit < 0:
        raise ValueError(f"explain: limit must be an int >= 0, got {limit!r}")
    counts = _counts(output, input)
    sub, count = list(counts), counts.get(output, 0)
    listed = list(_walk(output, input, counts, limit))
    complete = len(listed) == count
    total = sum(p.rate for p in listed) if complete else _factored(sub)
    return Explanation(output, input, listed, count, total, _reverse(sub), complete)


class Explanation:
    """The result of `explain`: `paths` (the listed `Path`s), `count` (all paths), `complete` (all listed),
    `total` (sum of the rates), `grad` (d output/d input by reverse accumulation); str() is a table."""

    def __init__(self, output, input, paths, count, total, grad, complete):
        self.output, self.input, self.paths, self.count = output, input, paths, count
        self.total, self.grad, self.complete = total, grad, complete

    def __str__(self):
        names = node_names(self.output)
        # An input outside the output's graph (no paths) is named from its own graph.
        y, x = names[self.output], names.get(self.input) or node_names(self.input)[self.input]
        what = f"d{y}/d{x}"
        rows = [("path", "factors", "rate")]
        for p in self.paths:
            rows.append((" -> ".join(_abridge([names[v] for v in p.nodes])),
                         " * ".join(_abridge([num(f) for f in p.factors])) or "(none)", num(p.rate)))
        wide = [max(len(r[i]) for r in rows) for i in range(3)]
        plural = "path" if self.count == 1 else "paths"
        out = [f"{what} as a sum over paths: {_big(self.count)} {plural} from {x} to {y}"]
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

    __repr__ = __str__


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


Step = namedtuple("Step", "child parent local upstream contribution grad_after")
Step.__doc__ = ("One `+=` of backward: parent.grad += local * upstream, where local = d child/d parent and "
                "upstream = child.grad; `contribution` = local * upstream, `grad_after` = parent.grad after it.")


class Ledger(list):
    """The `Step`s of one backward pass, in order; str() prints them one per line."""

    def __init__(self, steps, names):
        super().__init__(steps)
        self._names = names

    def into(self, node):
        """The steps that added to `node.grad`: one per edge out of `node` (one per child use)."""
        return [s for s in self if s.parent is node]

    def __str__(self):
        n = self._names
        lines = ["backward, one line per edge: parent.grad += (d child/d parent) * child.grad"]
        for i, s in enumerate(self, 1):
            lines.append(f"  {i:>3}. {n[s.parent]}.grad += {num(s.local)} * {num(s.upstream)}"
                         f"  (from {n[s.child]})  = {num(s.contribution)};"
                         f"  {n[s.parent]}.grad is now {num(s.grad_after)}")
        return "\n".join(lines)

    __repr__ = __str__


def trace_backward(output):
    """Run backward from `output`, exactly as `output.backward()` (interior grads reset, leaves
    accumulate, output.grad = 1), and return the `Ledger` of its `+=` steps.

    A node used by k children gets k steps, and the steps into a node sum to what backward added to its
    grad: dL/dv = sum over children c of (dc/dv)(dL/dc), each dL/dc already complete when it is passed on.
    """
    if type(output) is not Value:
        raise TypeError(f"trace_backward: output must be a Value, got {type(output).__name__}")
    order = topo_order(output)
    names = node_names(output)
    for node in order:
        if node.op:
            node.grad = 0.0
    output.grad = 1.0
    steps = []
    for node in reversed(order):
        g = node.grad
        for p, d in zip(node.parents, node.local_grads):
            c = d * g
            p.grad += c
            steps.append(Step(node, p, d, g, c, p.grad))
    return Ledger(steps, names)
