"""A compiled tape evaluated with numpy over a batch: one sample's graph, many samples at once.

Build the graph for one sample, with the sample's data as leaves (`x0, x1, y`) and the parameters
as the other leaves; `tape.batched([x0, x1, y])` compiles it so that those input leaves take arrays
of shape (N,). Every statement of the straight-line code then runs on N samples at once, and

    output.data        = sum over samples n of L_n
    dL/dp (p.grad +=)  = sum over samples n of dL_n/dp      for every parameter leaf p

which is a full-batch step for a loss written as a sum (put a 1/N inside the graph for a mean).

Each sample gets eager's numbers and eager's errors: + - * and negation are IEEE arithmetic, the
same in numpy as on Python floats, so they run as numpy arithmetic; everything else (every formula
that branches, calls math, raises, uses ** or divides by a value: numpy's ** is 1 ulp off Python's
and numpy gives inf where Python raises) runs element by element with the engine's Python function.
"""
import re

from .backend import DOMAIN
from .codegen import Kernels
from .compiled import CHUNK, Compiled

__all__ = ["Batched"]

# A division whose divisor is a variable or an expression, not a constant: `/ {y}`, `/ (`.
_DIVIDES_BY_VALUE = re.compile(r"/ [({]")


class NumpyKernels(Kernels):
    """Generated code on float64 arrays of shape (N,): numpy arithmetic where it equals Python's."""

    arrays = True

    def __init__(self):
        import numpy as np  # numpy only for batched tapes, and only when one is made
        self.np = np

    def pastes(self, text):
        return "**" not in text and not _DIVIDES_BY_VALUE.search(text)

    def forward(self, op):
        uf = self.np.frompyfunc(op.forward, op.arity, 1)  # the engine's own float function, per element
        asarray, f64 = self.np.asarray, self.np.float64
        return lambda *a: asarray(uf(*a), dtype=f64)

    def derivs(self, op):
        asarray, f64, fn = self.np.asarray, self.np.float64, op.derivs
        if op.arity == 1:  # derivs(x, out) returns a 1-tuple; frompyfunc wants the bare number
            uf = self.np.frompyfunc(lambda x, out: fn(x, out)[0], 2, 1)
            return lambda *a: (asarray(uf(*a), dtype=f64),)
        uf = self.np.frompyfunc(fn, 3, 2)
        return lambda *a: tuple(asarray(r, dtype=f64) for r in uf(*a))

    def total(self, g):
        return float(self.np.sum(g))


class Batched(Compiled):
    """`Compiled` over a batch: `forward(*arrays)` takes one array per input leaf, in `inputs` order.

    `forward` returns the per-sample outputs (an array) and sets `output.data` to their sum;
    `backward()` adds the summed gradient into each parameter leaf's grad. Input leaves keep their
    `.data` and `.grad`: their per-sample values are the arrays.
    """

    name = "batched"

    def __init__(self, tape, inputs, chunk=CHUNK):
        self.kernels = NumpyKernels()
        super().__init__(tape, inputs, chunk=chunk)

    def forward(self, *arrays):
        """Per-sample outputs for the input arrays (one per input leaf); output.data = their sum."""
        np = self.kernels.np
        arrays = self._arrays(arrays)
        self._n = arrays[0].shape[0] if arrays else 1
        L, V, saved = self.leaves, self._V, self._saved
        try:
            with np.errstate(all="ignore"):  # inf and nan propagate silently, as with Python floats
                for f in self._fwd:
                    out = f(L, V, saved, arrays)
        except DOMAIN:
            self._name_failure(zip(*arrays) if arrays else ((),))  # the first failing sample, named
            raise
        out = np.broadcast_to(out, (self._n,))
        self.output.data = float(np.sum(out))
        return out

    def backward(self):
        """Add sum over samples of dL_n/dp into each parameter leaf's grad."""
        np = self.kernels.np
        with np.errstate(all="ignore"):
            super().backward(seed=np.ones(getattr(self, "_n", 1)))
