"""`tape.vectorize(inputs)`: one example's scalar graph run as numpy matrix products over a batch.

`recognise.analyse` finds the vectors in the recorded graph (dot products, sums, elementwise maps);
this module turns that plan into numpy: a dot step is Z = V W^T + b over all N samples at once, its
backward the two products of backprop, dL/dV = G W and dL/dW = G^T V (summed over the samples by
the product itself), a map step one numpy call per op, and a node that fits no idiom a column of
its own, computed element by element with the engine's own functions, as `Batched` computes it.
The parameters live in one flat float64 array (`data`, gradients in `grad`); each layer's W is a
strided view into it, so an optimiser can step every parameter with one numpy expression.
"""
import gc
import itertools
import time

from .backend import Backend
from .recognise import DOT, MAP, analyse, stood_for
from .vecsteps import STEP

__all__ = ["Vectorized"]

SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "neg": "neg"}


class Vectorized(Backend):
    """A tape as numpy vector ops. `forward(*arrays)` / `backward()` are those of `Batched`:

    forward takes one array per input leaf (N samples each), or one (N, len(inputs)) array whose
    rows are the samples, returns the N per-sample outputs and sets `output.data` to their sum;
    backward adds dL/dp summed over the samples into every other leaf's `.grad`. `print(vec.plan)`
    shows the vector ops found. `buffered()` keeps the parameters in numpy for training.
    `params` (optional) puts those leaves first in the buffer, in that order (model.parameters()).
    """

    name = "vectorize"

    def __init__(self, tape, inputs, params=None):
        import numpy as np
        self._np = np
        super().__init__(tape, inputs)  # checks that every input is a leaf of the tape
        inputs = self.inputs
        leaf_ids = {id(v) for v in self.leaves}
        for x in params or ():
            if id(x) not in leaf_ids:
                raise ValueError(f"{self.name}: parameter {x!r} is not a leaf of this tape's graph")
        if len({id(x) for x in inputs}) != len(inputs):
            raise ValueError(f"{self.name}: a data leaf is listed twice in the inputs")
        start = time.perf_counter()
        nodes = tape.nodes
        collecting = gc.isenabled()
        gc.disable()  # the pass allocates a few lists per node; the graph has no cycles to look for
        try:
            steps, sizes, vec, col = analyse(nodes, inputs, getattr(tape, "instructions", None))
        finally:
            if collecting:
                gc.enable()
        self.analysis_seconds = time.perf_counter() - start
        taken = {id(x) for x in inputs}
        leaves = [v for v in nodes if not v.op and id(v) not in taken]  # vector 1, numbered as analyse numbers it
        pos = _layout(leaves, steps, col, params, taken)
        self.params = [None] * len(leaves)
        for q, p in enumerate(pos):
            self.params[p] = leaves[q]
        self.data = np.array([v.data for v in self.params], dtype=np.float64)
        self.grad = np.zeros(len(self.params))
        cols = [pos[col[i]] if vec[i] == 1 else col[i] for i in range(len(nodes))]
        batched = [True, False]
        self._steps = []
        for kind, rows, payload in steps:
            step = STEP[kind](np, self, nodes, rows, payload, vec, cols, sizes)
            batched.append(step.batched(batched))
            self._steps.append(step)
        self._batched, self._sizes = batched, sizes
        wanted = [False, True]
        for s in self._steps:
            wanted.append(s.wants(wanted))
        self._wanted = wanted
        self._data_row, self._grad_row = self.data.reshape(1, -1), self.grad.reshape(1, -1)
        # (0, size) for a batched vector (N rows, known at backward), (1, size) for a shared one
        self._grad_shapes = [((0 if batched[k] else 1), sizes[k]) if wanted[k] else None
                             for k in range(2, len(sizes))]
        self._backward_steps = [s for s in reversed(self._steps) if wanted[s.out]]
        for s in self._steps:
            for g in s.sources():
                g.batched = batched
        out = len(nodes) - 1
        self._out = (vec[out], cols[out])
        self.plan = Plan(len(inputs), steps, self._steps, len(nodes))
        self._vals = None
        self.buffered_now = False
        self.seconds = time.perf_counter() - start

    def forward(self, *arrays):
        """Per-sample outputs for the input arrays; `output.data` = their sum."""
        np = self._np
        X = self._matrix(arrays)
        if not self.buffered_now:
            self.data[:] = [v.data for v in self.params]
        vals = [X, self._data_row]
        self._vals = None
        with np.errstate(all="ignore"):  # inf and nan propagate as with Python floats
            for s in self._steps:
                vals.append(s.forward(np, vals))
        v, c = self._out
        n = X.shape[0]
        out = vals[v][:, c]
        if out.shape[0] != n:  # the output does not depend on the samples: the same for each
            out = np.broadcast_to(out, (n,))
        self._vals, self._n = vals, n
        self.output.data = float(out.sum())
        return out if self.inputs else float(out[0])

    def backward(self):
        """Add the sum over samples of dL_n/dp into each parameter leaf's grad (or into `grad`, buffered)."""
        np = self._np
        if self._vals is None:
            raise RuntimeError(f"{self.name} backward(): call forward() first, it computes the values backward uses")
        vals, n = self._vals, self._n
        if not self.buffered_now:
            self.grad[:] = 0.0
        grads = [None, self._grad_row] + [None] * len(self._grad_shapes)  # made by their first contribution
        v, c = self._out
        if self._wanted[v]:
            grads[v] = np.zeros((n if self._batched[v] else 1, self._sizes[v]))
            grads[v][:, c] += 1.0 if self._batched[v] else float(n)  # d(sum over samples)/d(L_n) = 1 each
        wanted = self._wanted
        with np.errstate(all="ignore"):
            for s in self._backward_steps:
                if grads[s.out] is None:  # no consumer passed anything back: a zero gradient
                    grads[s.out] = np.zeros((n if self._batched[s.out] else 1, self._sizes[s.out]))
                s.backward(np, vals, grads, wanted)
        if not self.buffered_now:
            for p, g in zip(self.params, self.grad.tolist()):
                p.grad += g
        self.output.grad = 1.0

    def buffered(self):
        """Train on the flat buffers: `with vec.buffered() as buf:` (see `autograd.replay.buffers`)."""
        from .buffers import Buffers
        return Buffers(self)

    def _matrix(self, arrays):
        np, inputs = self._np, self.inputs
        if len(arrays) == 1 and type(arrays[0]) is np.ndarray and arrays[0].dtype == np.float64 \
                and arrays[0].shape[1:] == (len(inputs),) and len(inputs) != 1:
            return arrays[0]  # the training loop's case: rows of samples, already float64
        if len(arrays) == 1 and len(inputs) != 1 or (len(inputs) == 1 and np.ndim(arrays[0]) == 2):
            X = np.asarray(arrays[0], dtype=np.float64)
            if X.ndim != 2 or X.shape[1] != len(inputs):
                raise ValueError(f"{self.name} forward: one array must have shape (samples, {len(inputs)}), "
                                 f"a column per data leaf ({_names(self, inputs[:2])}, ...); got shape {X.shape}")
            return X
        if len(arrays) != len(inputs):
            which = (f"no array for data leaf {_names(self, [inputs[len(arrays)]])}" if len(arrays) < len(inputs)
                     else "more arrays than data leaves")
            raise ValueError(f"{self.name} forward: {which} (expected {len(inputs)} arrays, got {len(arrays)})")
        if not inputs:
            return np.zeros((1, 0))
        cols = []
        for x, a in zip(inputs, arrays):
            try:
                a = np.asarray(a, dtype=np.float64)
            except (TypeError, ValueError) as e:
                raise ValueError(f"{self.name} forward: the array for data leaf {_names(self, [x])} is not numbers: {e}") from None
            if a.ndim != 1 or a.shape != (cols[0].shape if cols else a.shape):
                raise ValueError(f"{self.name} forward: the array for data leaf {_names(self, [x])} has shape "
                                 f"{a.shape}; expected {cols[0].shape if cols else '1-d'}, as for {_names(self, inputs[:1])}")
            cols.append(a)
        return np.stack(cols, axis=1)


def _names(vec, leaves):
    from ..text import node_names  # the one naming rule (label, or leaf#i), needed only for an error
    names = node_names(vec.output)
    return ", ".join(repr(names[v]) for v in leaves)


def _layout(leaves, steps, col, params, taken):
    """Buffer position of each parameter: `params` first, then the other leaves.

    Within each part every layer's W comes first, row by row, so a matrix is one contiguous block
    of the buffer (as fast to read and to add into as a plain array), then the remaining leaves in
    the order given (an MLP's biases, layer by layer). An optimiser over `params` steps one slice.
    """
    q_of = {id(v): q for q, v in enumerate(leaves)}
    for p in params or ():
        if id(p) in taken:
            raise ValueError(f"vectorize: {p!r} is both a data leaf and a parameter")
    given = [q_of[id(p)] for p in params or ()]
    chosen = set(given)
    rows = [col[w] for kind, _, payload in steps if kind == DOT for ws in payload[0] for w in ws]
    first = [q for q in rows if q in chosen] if chosen else []
    order = list(dict.fromkeys(itertools.chain(first, given, rows, range(len(leaves)))))  # first place of each
    pos = [0] * len(leaves)
    for p, q in enumerate(order):
        pos[q] = p
    return pos


class Plan:
    """What the analysis found: the chain of vector ops, and how many scalar nodes each stands for."""

    def __init__(self, n_inputs, raw, steps, n_nodes):
        self.n_nodes = n_nodes
        self.rows = []
        for (kind, rows, payload), s in zip(raw, steps):
            if kind == MAP:
                name = SYMBOL.get(s.op, s.op) + str(len(rows))
                how = "per node, the engine's own code" if s.exact else "elementwise, one numpy call"
            elif kind == DOT:
                name = f"dot{len(rows)}"
                how = f"{s.shape[0]}x{s.shape[1]} matrix times vector" + ("" if s.start is None else " + start")
            else:
                name = "sum" if len(rows) == 1 else f"sum{len(rows)}"
                how = f"sum of {s.length} terms" + ("" if s.start is None else " + start")
            self.rows.append((name, stood_for(kind, rows, payload), how))
        self.head = f"in{n_inputs}"

    def __str__(self):
        names = [self.head] + [r[0] for r in self.rows]
        covered = sum(r[1] for r in self.rows)
        lines = [" → ".join(names if len(names) <= 12 else names[:6] + ["..."] + names[-4:]),
                 f"{len(self.rows)} vector ops for {covered:,} scalar nodes "
                 f"({self.n_nodes - covered:,} leaves)"]
        width = max((len(r[0]) for r in self.rows), default=4)
        for name, count, how in self.rows:
            lines.append(f"  {name:<{width}}  {count:>9,} nodes  {how}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<Plan: {len(self.rows)} vector ops for {self.n_nodes:,} nodes>"
