"""nudge: move x by h, recompute y, and compare the change with the sum over paths.

The derivative is defined by what a small nudge does:

    y(x + h) - y(x) = h * dy/dx + (a leftover that shrinks like h^2)

and dy/dx is the sum of the path rates, so h * dy/dx = sum over paths of h * rate. `nudge` recomputes
y(x + h) for real, by replaying the recorded forward on floats over the nodes between x and y (no new
graph, no node changed), and sets the change beside h * dy/dx and the per-path terms. The leftover
divided by h^2 settles to a constant: the error of "just add the paths" is second order in h.

Why the paths add, one product at a time: for e = c * d, when x moves c by dc and d by dd,

    de = (c + dc)(d + dd) - c d = d*dc + c*dd + dc*dd      exactly,

the nudge through c with d held, the nudge through d with c held, and a cross term that is a product of
two small changes, so second order. A row's `split` holds these three for an output that is a product.
"""
import math
import numbers
from collections import namedtuple

from .engine import Value
from .ops import OPS
from .explain import explain
from .paths import _check, _counts
from .text import Shown, node_names, num

__all__ = ["nudge", "Nudge", "NudgeRow", "Split"]

NudgeRow = namedtuple("NudgeRow", "h delta first_order by_path leftover split")
NudgeRow.__doc__ = ("One nudge of x by h: delta = y(x+h) - y(x) (recomputed), first_order = h * dy/dx, "
                    "by_path = h * rate for each path in paths() order (None past the path limit), "
                    "leftover = delta - first_order; split = a `Split` when y is a product of two nodes, else None.")
Split = namedtuple("Split", "dc dd through_first through_second cross")
Split.__doc__ = ("y = c * d nudged: dc, dd = how much c and d moved; through_first = d * dc (c moved, d held), "
                 "through_second = c * dd (d moved, c held), cross = dc * dd; the three sum to delta exactly "
                 "in real arithmetic (up to float rounding here).")

HS = (0.1, 0.01, 0.001, 0.0001)


def nudge(output, input, hs=HS, limit=64):
    """Nudge `input` by each h in `hs` (a number or a sequence), recompute `output`, and return a `Nudge`
    (print it) whose rows compare delta = y(x+h) - y(x) with first_order = h * dy/dx and with the
    per-path terms h * rate. `input` may be a leaf or an interior node: then its own inputs stay put
    and only what lies between it and the output is recomputed.

    Nothing in the graph changes (every .data and .grad stays as it was, also when a step fails).
    Raises ValueError for h = 0 or a non-finite h, or an output that does not depend on the input; a
    step that leaves an op's domain (log of a negative, division by zero) raises that op's error type
    with a message naming the step and h.
    """
    _check(output, input)
    hs = _steps(hs)
    r = explain(output, input, limit=limit)
    names = node_names(output)
    if r.count == 0:
        x = node_names(input)[input]
        raise ValueError(f"nudge: {names[output]} does not depend on {x}: there is no path from {x} to "
                         f"{names[output]}, so no nudge of {x} can move it")
    sub = list(_counts(output, input))  # the nodes the nudge reaches, in topological order
    rows = []
    for h in hs:
        new = _replay(sub, input, h, names)
        y = new[output]
        delta = y - output.data
        first = h * r.grad
        by_path = tuple(h * p.rate for p in r.paths) if r.complete else None
        rows.append(NudgeRow(h, delta, first, by_path, delta - first, _split(output, new)))
    return Nudge(r, rows, names)


def _steps(hs):
    if isinstance(hs, numbers.Real):
        hs = (hs,)
    try:
        hs = tuple(hs)
    except TypeError:
        raise TypeError(f"nudge: hs must be a number or a sequence of numbers, got {type(hs).__name__}") from None
    if not hs:
        raise ValueError("nudge: hs is empty; give at least one step h")
    for h in hs:
        if type(h) is bool or not isinstance(h, numbers.Real):
            raise TypeError(f"nudge: a step h must be a real number, got {type(h).__name__}: {h!r:.60}")
        if not math.isfinite(h):
            raise ValueError(f"nudge: the step h = {h!r} is not finite; give a small nonzero number")
        if h == 0:
            raise ValueError("nudge: the step h = 0 moves nothing; give a small nonzero number such as 0.01")
    return tuple(float(h) for h in hs)


def _replay(sub, input, h, names):
    """{node: its data with input moved by h} for the nodes of `sub` (topological order, input first),
    from each op's forward on floats; nodes off the sub-graph keep their recorded data."""
    new = {input: input.data + h}
    for node in sub[1:]:
        vals = [new[a] if type(a) is Value and a in new else (a.data if type(a) is Value else a)
                for a in node.args]
        op = OPS.get(node.op)
        if op is None:
            raise ValueError(f"nudge: step {names[node]} uses the op {node.op!r}, which is no longer registered")
        try:
            new[node] = op.forward(*vals)
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise type(e)(f"nudge: with {names[input]} moved by h = {h!r}, the step {names[node]} fails: {e}") from None
    return new


def _split(output, new):
    if output.op != "*" or len(output.parents) != 2 or len(new) == 1:  # new == {output}: y itself was moved
        return None
    c, d = output.parents
    dc = new.get(c, c.data) - c.data
    dd = new.get(d, d.data) - d.data
    return Split(dc, dd, d.data * dc, c.data * dd, dc * dd)


class Nudge(Shown):
    """The result of `nudge`: `rows` (`NudgeRow`s), `grad` (dy/dx), `paths` (listed, in paths() order),
    `count`, `complete` (all paths listed), `explanation` (the `Explanation`); str() is the table."""
    _html = "nudge_html"  # its view in autograd.explore.html

    def __init__(self, explanation, rows, names):
        r = self.explanation = explanation
        self.output, self.input, self.rows = r.output, r.input, rows
        self.grad, self.paths, self.count, self.complete = r.grad, r.paths, r.count, r.complete
        self._names = names

    def __str__(self):
        n = self._names
        y, x = n[self.output], n[self.input]
        plural = "path" if self.count == 1 else "paths"
        out = [f"nudge {x} by h and recompute {y} (a replay of the forward on floats; the graph is not changed)",
               f"d{y}/d{x} = {num(self.grad)}, the sum of the rates of {self.count} {plural}:"]
        if self.complete:
            out += [f"  path {i}: {' -> '.join(n[v] for v in p.nodes)}  rate {num(p.rate)}"
                    for i, p in enumerate(self.paths, 1)]
            each = [f"h*rate {i}" for i in range(1, len(self.paths) + 1)] if len(self.paths) > 1 else []
        else:
            out.append(f"  ({self.count} paths, more than the limit of {len(self.paths)}: no per-path"
                       " columns; by_path is None)")
            each = []
        head = ["h", f"delta = {y}({x}+h) - {y}({x})", f"h*d{y}/d{x}", *each, "leftover = delta - h*d"
                f"{y}/d{x}", "leftover/h^2"]
        cells = [head]
        for r in self.rows:
            per = [num(t) for t in r.by_path] if each else []
            cells.append([num(r.h), num(r.delta), num(r.first_order), *per, num(r.leftover), num(r.leftover / r.h ** 2)])
        out += _table(cells)
        out.append("The leftover shrinks like h^2 (leftover/h^2 settles), so delta/h -> the sum of the path rates.")
        if self.rows[0].split is not None:
            c, d = (n[v] for v in self.output.parents)
            out.append(f"\n{y} = {c} * {d}, so exactly  delta = {d}*d{c} + {c}*d{d} + d{c}*d{d}"
                       f"  (d{c}, d{d}: how much {c} and {d} moved):")
            cells = [["h", f"d{c}", f"d{d}", f"{d}*d{c} (through {c}, {d} held)",
                      f"{c}*d{d} (through {d}, {c} held)", f"d{c}*d{d} (cross term)", "sum = delta"]]
            for r in self.rows:
                s = r.split
                cells.append([num(r.h), num(s.dc), num(s.dd), num(s.through_first), num(s.through_second), num(s.cross),
                              num(s.through_first + s.through_second + s.cross)])
            out += _table(cells)
            out.append(f"To first order in h, {d}*d{c} and {c}*d{d} are h times the rates of the paths through {c}"
                       f" and through {d}; d{c}*d{d} is second order.")
        return "\n".join(out)



def _table(cells):
    wide = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return ["  " + "  ".join(c.rjust(w) for c, w in zip(row, wide)).rstrip() for row in cells]
