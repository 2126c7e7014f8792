"""The replay backend protocol: one recorded graph (a `Tape`), many ways to run it.

A backend is made from a tape and the leaves that take per-sample data, `Backend(tape, inputs)`. It
reads only the tape's recorded form:

    tape.nodes          every node below the output, parents first, output last
    tape.leaves         the leaves among them, in that order
    tape.instructions   one Instruction(out, op, args) per interior node, in that order: `out` and the
                        int args index tape.nodes, a float arg is a constant operand, `op` is the Op

and provides

    forward(*arrays)    one array per input leaf; computes the output from the other leaves' .data
                        (the parameters) and the arrays; sets output.data (the sum over samples) and
                        returns the output (the per-sample values when there are inputs)
    backward()          for the values of the last forward(): adds dL/dp = sum over samples n of
                        dL_n/dp into each parameter's .grad (leaves accumulate, as in Value.backward),
                        leaves the input leaves' .grad alone and sets output.grad = 1.0

A domain error (log of -1, 0 ** -1, 2.0 ** 2000) raises what eager raises, type and message with
the labels (`_name_failure`), and a backend holds no reference cycle: dropping it frees it, and
nothing but it, by reference counting. Backends: `Compiled` (Python floats), `Batched` (numpy, one
sample's formulas per element), `Vectorized` (numpy matmuls recognised in the graph).
"""
from ..engine import OPS, Value, _fail
from ..graph import topo

__all__ = ["Backend"]

DOMAIN = (ValueError, ZeroDivisionError, OverflowError)


class Backend:
    """Base class of the replay backends: keeps the tape's output and leaves, checks the inputs.

    Subclasses call `super().__init__(tape, inputs)` and define `forward(*arrays)` and `backward()`
    as the module docstring says. `self.params` are the leaves that are not inputs, in tape order.
    """

    name = "backend"

    def __init__(self, tape, inputs=()):
        inputs = list(inputs)
        ids = {id(v) for v in tape.leaves}
        for x in inputs:
            if id(x) not in ids:
                raise ValueError(f"{self.name}: {x!r} is not a leaf of this tape's graph")
        self.output = tape.output
        self.leaves = list(tape.leaves)
        self.inputs = inputs
        taken = {id(x) for x in inputs}
        self.params = [v for v in self.leaves if id(v) not in taken]

    def __repr__(self):
        return f"<{type(self).__name__} ({self.name}): {len(self.leaves)} leaves, {len(self.inputs)} inputs>"

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__} must define forward(*arrays)")

    def backward(self):
        raise NotImplementedError(f"{type(self).__name__} must define backward()")

    def _arrays(self, arrays):
        """The input arrays as 1-d float64 numpy arrays of one length (ValueError naming the problem)."""
        import numpy as np  # numpy only for the backends that take arrays, and only when they are used
        if len(arrays) != len(self.inputs):
            raise ValueError(f"{self.name} forward: expected {len(self.inputs)} input arrays, got {len(arrays)}")
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1 or any(len(s) != 1 for s in shapes):
            raise ValueError(f"{self.name} forward: inputs must be 1-d arrays of one length, "
                             f"got shapes {sorted(shapes)}")
        return arrays

    def _name_failure(self, samples=((),)):
        """Recompute the graph on floats, one sample at a time (a tuple of input values each), in a
        private table (no node changes), and raise the first domain error, named as eager names it."""
        order = topo(self.output)
        for sample in samples:
            vals = {id(x): float(v) for x, v in zip(self.inputs, sample)}
            for node in order:
                if not node.op:
                    vals.setdefault(id(node), node.data)
                    continue
                args = [vals[id(a)] if type(a) is Value else a for a in node.args]
                try:
                    vals[id(node)] = OPS[node.op].forward(*args)
                except DOMAIN as e:
                    raise _fail(e, node.args) from None
