"""Record a graph once, then replay it for new leaf values: `Tape`.

Training repeats the same computation with new numbers: after an SGD step only the leaves' `.data`
changed, yet eager mode builds every node again. A `Tape` records the topological order once and
replays it: `forward()` recomputes each node's data and local derivatives from the OPS table, and
`backward()` runs the chain rule, dL/dv = sum over children c of dL/dc * dc/dv, over the same order.

The record is also the one form every replay backend reads (`tape.instructions`, see
`autograd.replay.backend`): `tape.compile()` writes it as straight-line Python (`Compiled`),
`tape.batched(inputs)` runs that Python on numpy arrays, one sample per element (`Batched`), and
`tape.vectorize(inputs)` finds the matrix products in it (`Vectorized`).
"""
from collections import namedtuple

from ..engine import OPS, Value, _fail
from ..graph import sweep, topo
from .batched import Batched
from .codegen import constant_derivs
from .compiled import CHUNK, Compiled
from .vectorize import Vectorized

__all__ = ["Tape", "Instruction"]

Instruction = namedtuple("Instruction", "out op args")
Instruction.__doc__ = """One interior node of a tape: tape.nodes[out] = op(*args).

`op` is the Op of OPS; each arg is an int (the index of a node in tape.nodes) or a float (a constant
operand, such as the 2.0 of x * 2.0)."""


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
        index = {id(v): i for i, v in enumerate(self.nodes)}
        self.instructions = tuple(
            Instruction(index[id(n)], OPS[n.op], tuple(index[id(a)] if type(a) is Value else float(a) for a in n.args))
            for n in self._interior)
        consts = {}  # (op, constant operands) -> whether its derivatives are plain numbers
        self._program = [_record(n, ins, consts) for n, ins in zip(self._interior, self.instructions)]

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
        """The compiled graph evaluated with numpy over a batch of `inputs` leaves (see `Batched`)."""
        return Batched(self, inputs, chunk=chunk)

    def vectorize(self, inputs, params=None):
        """The graph as numpy matrix products over a batch (see `autograd.replay.vectorize`)."""
        return Vectorized(self, inputs, params=params)


def _record(node, ins, consts):
    op = ins.op
    key = (op.name,) + tuple("@" if type(a) is int else repr(a) for a in ins.args)
    if key not in consts:
        consts[key] = constant_derivs(ins)
    derivs = None if consts[key] else op.derivs
    if op.arity == 1:
        kind = 1
    elif node._da is None:
        kind = 4
    else:
        kind = 2 if node._db is not None else 3
    return node, kind, op.forward, derivs, node._a, node._b
