"""A tape as straight-line Python on floats: `Compiled`, the backend behind `Tape.compile()`.

The whole graph is written as one statement per node forward and one per edge backward (an edge
whose local derivative is 1 passes the gradient on by name), with every value in a local variable
(`.source` shows it). The expressions come from the OPS table itself: each formula is run once on
symbols that print what is done to them (`autograd.ops.trace`), so `d(xy)/dx = y` becomes the text `v1`.
Formulas that branch on the value (relu, abs, log, ...) are called instead. So the derivative maths
lives in the table only.
"""
from .backend import DOMAIN, Backend
from .codegen import Kernels, generate, load

__all__ = ["Compiled", "CHUNK"]

CHUNK = 10_000  # nodes per generated function: CPython compiles 10^4 statements in ~0.1 s, 10^6 in 20 s


class Compiled(Backend):
    """A tape as straight-line Python: `forward()` and `backward()` for the same graph.

    `forward()` reads the leaves' `.data`, sets the output's `.data` and returns it; `backward()`
    adds dL/dleaf into every leaf's `.grad` (leaves accumulate, as in `Value.backward`) and sets the
    output's grad to 1. Interior nodes are left untouched: their values live in local variables.
    Graphs longer than `chunk` nodes are split into several functions that pass the values crossing
    a boundary through a list, so compile time and memory grow linearly: about 25 us of CPU per node
    (a 10^6-node chain: 25 s and 0.6 GB at peak, graph included). Replay needs no compiling.
    """

    name = "compiled"
    kernels = Kernels()  # what the source runs on: Python floats

    def __init__(self, tape, inputs=(), chunk=CHUNK):
        if chunk < 1:
            raise ValueError(f"{self.name}: chunk must be a positive number of nodes, got {chunk!r}")
        super().__init__(tape, inputs)
        self._chunks = generate(tape, chunk, self.inputs, self.kernels)
        self._fwd, self._bwd = load(self._chunks, self.kernels)
        n = len(self._fwd)
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
        except DOMAIN:
            self._name_failure()  # the generated code knows no labels: find the node, as replay would
            raise
        self.output.data = out
        return out

    def backward(self, seed=1.0):
        """Add dL/dleaf into each leaf's grad, for the values of the last `forward()`."""
        if self._saved[0] is None:
            raise RuntimeError(f"{type(self).__name__}.backward(): call forward() first, "
                               "it computes the values backward uses")
        L, G, saved = self.leaves, self._G, self._saved
        for b in self._bwd:
            b(L, G, saved, seed)
        self.output.grad = 1.0
