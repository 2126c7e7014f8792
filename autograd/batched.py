"""A compiled tape evaluated with numpy over a batch: one sample's graph, many samples at once.

Build the graph for one sample, with the sample's data as leaves (`x0, x1, y`) and the parameters
as the other leaves; `tape.batched([x0, x1, y])` compiles it so that those input leaves take arrays
of shape (N,). Every statement of the straight-line code then runs on N samples at once, and

    output.data        = sum over samples n of L_n
    dL/dp (p.grad +=)  = sum over samples n of dL_n/dp      for every parameter leaf p

which is a full-batch step for a loss written as a sum (put a 1/N inside the graph for a mean).
numpy is imported here only, when a batched tape is made.
"""
from .codegen import _SAFE
from .compile import Compiled
from .engine import OPS

__all__ = ["Batched"]


class Batched(Compiled):
    """`Compiled` over a batch: `forward(*arrays)` takes one array per input leaf, in `inputs` order.

    `forward` returns the per-sample outputs (an array) and sets `output.data` to their sum;
    `backward()` adds the summed gradient into each parameter leaf's grad. Input leaves keep their
    `.data` and `.grad`: their per-sample values are the arrays. Formulas that branch on the value
    (relu's derivative, log's domain check) run element by element, with the same Python code.
    """

    def __init__(self, tape, inputs, chunk=None):
        import numpy as np

        inputs = list(inputs)
        ids = {id(v) for v in tape.leaves}
        for x in inputs:
            if id(x) not in ids:
                raise ValueError(f"batched: {x!r} is not a leaf of this tape's graph")
        ns = {"total": lambda g: float(np.sum(g))}
        for op in OPS.values():
            name = _SAFE.get(op.name, op.name)
            ns[name + "_fwd"] = _forward(np, op.forward, op.arity)
            ns[name + "_d"] = _derivs(np, op.derivs, op.arity)
        self._np = np
        self.inputs = inputs
        kwargs = {} if chunk is None else {"chunk": chunk}
        super().__init__(tape, inputs=inputs, namespace=ns, **kwargs)

    def forward(self, *arrays):
        """Per-sample outputs for the input arrays (one per input leaf); output.data = their sum."""
        np = self._np
        if len(arrays) != len(self.inputs):
            raise ValueError(f"batched forward: expected {len(self.inputs)} input arrays, got {len(arrays)}")
        arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
        n = {a.shape for a in arrays}
        if len(n) > 1 or any(len(s) != 1 for s in n):
            raise ValueError(f"batched forward: inputs must be 1-d arrays of one length, got shapes {sorted(n)}")
        self._n = arrays[0].shape[0] if arrays else 1
        out = None
        L, V, saved = self.leaves, self._V, self._saved
        with np.errstate(all="ignore"):  # inf and nan propagate silently, as with Python floats
            for f in self._fwd:
                out = f(L, V, saved, arrays)
        out = np.broadcast_to(out, (self._n,))
        self.output.data = float(np.sum(out))
        return out

    def backward(self):
        """Add sum over samples of dL_n/dp into each parameter leaf's grad."""
        with self._np.errstate(all="ignore"):
            super().backward(seed=self._np.ones(getattr(self, "_n", 1)))


def _forward(np, fn, nin):
    # The engine's own float function, applied to each element, with float64 results.
    uf = np.frompyfunc(fn, nin, 1)
    return lambda *a: np.asarray(uf(*a), dtype=np.float64)


def _derivs(np, fn, arity):
    if arity == 1:  # derivs(x, out) returns a 1-tuple; frompyfunc wants the bare number
        uf = np.frompyfunc(lambda x, out: fn(x, out)[0], 2, 1)
        return lambda *a: (np.asarray(uf(*a), dtype=np.float64),)
    uf = np.frompyfunc(fn, 3, 2)
    return lambda *a: tuple(np.asarray(r, dtype=np.float64) for r in uf(*a))
