"""Record a graph once, then replay it for new leaf values: `Tape`, and `Tape.compile()`.

Training repeats the same computation with new numbers: after an SGD step only the leaves' `.data`
changed, yet eager mode builds every node again. A `Tape` records the topological order once and
replays it: `forward()` recomputes each node's data and local derivatives from the OPS table, and
`backward()` runs the chain rule, dL/dv = sum over children c of dL/dc * dc/dv, over the same order.

`tape.compile()` goes one step further and writes the whole graph as straight-line Python, one
statement per node forward and one per edge backward (an edge whose local derivative is 1 passes
the gradient on by name), with every value in a local variable (`.source` shows it). The
expressions come from the OPS table itself: each formula is run once on symbols that print what is
done to them (`autograd.trace`), so `d(xy)/dx = y` becomes the text `v1`. Formulas that branch on
the value (relu, abs, log, ...) are called instead. So the derivative maths lives in the table only.
"""
import math

from .codegen import _SAFE, _generate, _kind_key, _symbols, _trace
from .engine import OPS, Value, _fail
from .graph import sweep, topo

__all__ = ["Tape", "Compiled"]

CHUNK = 10_000  # nodes per generated function: CPython compiles 10^4 statements in ~0.1 s, 10^6 in 20 s


class Tape:
    """The graph below `output`, recorded once in topological order, replayable for new leaf data.

    After changing leaves' `.data` (an optimiser step), `forward()` recomputes every node's data and
    local derivatives and returns the output's data; `backward()` then sets every node's grad as
    `output.backward()` would: interior grads from scratch, leaves accumulate. No Value is built.

    The tape replays the recorded ops: a graph whose shape depends on the data (a Python `if` on
    `.data` while building it) is replayed with the branch taken when it was recorded, as with
    `torch.jit.trace`; keeping such graphs fixed is the caller's responsibility. Kinks inside ops
    (relu, abs) are fine: the op is recorded, and its derivative is re-evaluated on every replay.

    The tape holds the graph alive while the tape exists, and nothing else holds the tape.
    """

    def __init__(self, output):
        if type(output) is not Value:
            raise TypeError(f"Tape needs a Value, got {type(output).__name__}")
        self.output = output
        self.nodes = topo(output)
        self.leaves = [n for n in self.nodes if not n.op]
        self._interior = [n for n in self.nodes if n.op]
        consts = {}  # (op, constant operands) -> whether its derivatives are plain numbers
        self._program = [_record(n, consts) for n in self._interior]

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        return f"Tape({len(self.nodes)} nodes, {len(self.leaves)} leaves)"

    def forward(self):
        """Recompute data and local derivatives of every node from the leaves' data; return the output's."""
        node = a = b = None
        try:
            for node, kind, fwd, dfn, a, b in self._program:
                if kind == 2:
                    x, y = a.data, b.data
                    out = fwd(x, y)
                    if dfn is not None:
                        node._da, node._db = dfn(x, y, out)
                elif kind == 1:
                    x = a.data
                    out = fwd(x)
                    if dfn is not None:
                        node._da = dfn(x, out)[0]
                elif kind == 3:  # node op constant
                    x = a.data
                    out = fwd(x, b)
                    if dfn is not None:
                        node._da = dfn(x, b, out)[0]
                else:  # constant op node
                    y = b.data
                    out = fwd(a, y)
                    if dfn is not None:
                        node._db = dfn(a, y, out)[1]
                node.data = out
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise _fail(e, (a, b)) from None
        return self.output.data

    def backward(self):
        """dL/dv for every node v, as `output.backward()`: one `+=` per edge, in reverse order."""
        for n in self._interior:
            n.grad = 0.0
        self.output.grad = 1.0
        sweep(self._interior)

    def compile(self, chunk=CHUNK):
        """Straight-line Python for this graph (see `Compiled`). Costs ~25 us per node, once."""
        return Compiled(self, chunk=chunk)

    def batched(self, inputs, chunk=CHUNK):
        """The compiled graph evaluated with numpy over a batch (see `autograd.batched.Batched`)."""
        from .batched import Batched
        return Batched(self, inputs, chunk=chunk)

    def vectorize(self, inputs, params=None):
        """The graph as numpy matrix products over a batch (see `autograd.replay.vectorize`)."""
        from .replay.vectorize import Vectorized  # numpy is imported only when a vectorised tape is made
        return Vectorized(self, inputs, params=params)


def _record(node, consts):
    op = OPS[node.op]
    key = (op.name, _kind_key(node._a), _kind_key(node._b))
    if key not in consts:
        consts[key] = _constant_derivs(op, node)
    derivs = None if consts[key] else op.derivs
    if op.arity == 1:
        kind = 1
    elif node._da is None:
        kind = 4
    else:
        kind = 2 if node._db is not None else 3
    return node, kind, op.forward, derivs, node._a, node._b


def _name_failure(output):
    """Recompute the graph's data on floats, in a private table (no node changes), and raise the
    first domain error with the labels of the failing op's arguments, as eager ops and `Tape` do."""
    vals = {}
    for node in topo(output):
        if node.op:
            args = [(vals[a] if a.op else a.data) if type(a) is Value else a for a in node.args]
            try:
                vals[node] = OPS[node.op].forward(*args)
            except (ValueError, ZeroDivisionError, OverflowError) as e:
                raise _fail(e, node.args) from None


def _constant_derivs(op, node):
    # '+', '-', neg: the traced derivatives are plain numbers, so replay need not recompute them.
    _, d = _trace(op, _symbols(node))
    return d is not None and all("{" not in t for t in d)


class Compiled:
    """A tape as straight-line Python: `forward()` and `backward()` for the same graph.

    `forward()` reads the leaves' `.data`, sets the output's `.data` and returns it; `backward()`
    adds dL/dleaf into every leaf's `.grad` (leaves accumulate, as in `Value.backward`) and sets the
    output's grad to 1. Interior nodes are left untouched: their values live in local variables.
    Graphs longer than `chunk` nodes are split into several functions that pass the values crossing
    a boundary through a list, so compile time and memory grow linearly: about 25 us of CPU per node
    (a 10^6-node chain: 25 s and 0.6 GB at peak, graph included). Replay needs no compiling.
    """

    def __init__(self, tape, chunk=CHUNK, inputs=None, namespace=None):
        if chunk < 1:
            raise ValueError(f"compile: chunk must be a positive number of nodes, got {chunk!r}")
        self.output = tape.output
        self.leaves = list(tape.leaves)
        self._chunks = _generate(tape, chunk, inputs)
        ns = {"inf": math.inf, "nan": math.nan}
        for op in OPS.values():
            ns[_SAFE.get(op.name, op.name) + "_fwd"] = op.forward
            ns[_SAFE.get(op.name, op.name) + "_d"] = op.derivs
        ns.update(namespace or {})
        for i, src in enumerate(self._chunks):
            exec(compile(src, f"<tape chunk {i}>", "exec"), ns)
        n = len(self._chunks) // 2
        if n == 1:
            self._fwd, self._bwd = [ns["forward"]], [ns["backward"]]
        else:
            self._fwd = [ns[f"forward_{c}"] for c in range(n)]
            self._bwd = [ns[f"backward_{c}"] for c in reversed(range(n))]
        self._V = [None] * len(tape.nodes) if n > 1 else []
        self._G = [None] * len(tape.nodes) if n > 1 else []
        self._saved = [None] * n

    @property
    def source(self):
        """The generated Python source."""
        return "\n\n".join(self._chunks)

    def forward(self):
        """Recompute the output from the leaves' data; set and return `output.data`."""
        L, V, saved = self.leaves, self._V, self._saved
        try:
            for f in self._fwd:
                out = f(L, V, saved, ())
        except (ValueError, ZeroDivisionError, OverflowError):
            _name_failure(self.output)  # the generated code knows no labels: find the node, as replay would
            raise
        self.output.data = out
        return out

    def backward(self, seed=1.0):
        """Add dL/dleaf into each leaf's grad, for the values of the last `forward()`."""
        if self._saved[0] is None:
            raise RuntimeError("Compiled.backward(): call forward() first, it computes the values backward uses")
        L, G, saved = self.leaves, self._G, self._saved
        for b in self._bwd:
            b(L, G, saved, seed)
        self.output.grad = 1.0
