"""trace_backward: run backward and keep its ledger, one `+=` per edge.

backward visits the nodes from the output down (reverse topological order) and, for each edge
child -> parent, does parent.grad += (d child/d parent) * child.grad. When a node's turn comes, every
child above it has already passed its share down, so its grad is complete: the sum over all paths
from it to the output. The ledger lists those additions with running totals that count this backward
alone, so that a leaf's grad left over from an earlier backward (leaves accumulate, as in PyTorch and
micrograd) is named, not silently mixed into the sums.
"""
from collections import namedtuple

from .engine import Value
from .graph import sweep, topo
from .text import Shown, node_names, num

__all__ = ["trace_backward", "Ledger", "Step"]

Step = namedtuple("Step", "child parent local upstream contribution grad_after position total before")
Step.__doc__ = (
    "One `+=` of backward: parent.grad += local * upstream, where local = d child/d parent on the edge "
    "child.parents[position] and upstream = d output/d child (complete by then); contribution = local * "
    "upstream; total = what this backward has added into parent so far (from 0); before = parent.grad "
    "before this backward (a leaf's earlier grad; 0 for interior nodes, which backward resets); "
    "grad_after = parent.grad after the step = before + total.")


class Ledger(Shown, list):
    """The `Step`s of one backward pass, in order; str() prints them one per line."""
    _html = "ledger_html"  # its view in autograd.explore.html

    def __init__(self, steps, names):
        super().__init__(steps)
        self._names = names

    def into(self, node):
        """The steps that added to `node.grad`: one per edge out of `node` (one per child use)."""
        return [s for s in self if s.parent is node]

    def held(self):
        """{leaf: its grad before this backward} for the leaves that held a nonzero grad (an earlier
        backward's, since leaves accumulate)."""
        return {s.parent: s.before for s in self if not _zero(s.before)}

    def __str__(self):
        n = self._names
        lines = ["backward, one line per edge: parent.grad += (d child/d parent) * child.grad"]
        last = {s.parent: i for i, s in enumerate(self)}
        notes = []
        for i, s in enumerate(self):
            src = n[s.child]
            if s.child.parents.count(s.parent) > 1:
                src += f", {'left' if s.position == 0 else 'right'} operand"
            line = (f"  {i + 1:>3}. {n[s.parent]}.grad += {num(s.local)} * {num(s.upstream)}"
                    f"  (from {src})  = {num(s.contribution)};")
            if _zero(s.before):
                line += f"  {n[s.parent]}.grad is now {num(s.total)}"
            else:
                line += f"  this backward has added {num(s.total)} to {n[s.parent]}"
                if last[s.parent] == i:
                    notes.append(f"  {n[s.parent]} held {num(s.before)} before; this backward adds {num(s.total)};"
                                 f" {n[s.parent]}.grad is now {num(s.grad_after)}")
            lines.append(line)
        if notes:
            lines.append("leaves accumulate across backward calls (zero_grad() resets them):")
            lines += notes
        return "\n".join(lines)



def _zero(g):
    return (g.data if type(g) is Value else g) == 0.0


def trace_backward(output):
    """Run backward from `output`, exactly as `output.backward()` (interior grads reset, leaves
    accumulate, output.grad = 1), and return the `Ledger` of its `+=` steps.

    A node used by k children gets k steps, and the steps into a node sum to what this backward added
    to its grad: dL/dv = sum over children c of (dc/dv)(dL/dc), each dL/dc already complete when it is
    passed on. Each step's `total` counts this backward alone; a leaf's earlier grad is its `before`.
    """
    if type(output) is not Value:
        raise TypeError(f"trace_backward: output must be a Value, got {type(output).__name__}")
    order = topo(output, reset=True)
    names = node_names(output)
    before = {v: v.grad for v in order}
    output.grad = 1.0
    total = dict.fromkeys(order, 0.0)
    total[output] = 1.0
    steps = []

    def record(node, i, p, d, g, c, new):  # the sweep's edge hook: called once per +=
        total[p] += c
        steps.append(Step(node, p, d, g, c, new, i, total[p], before[p]))
    sweep(order, edge=record)
    return Ledger(steps, names)
