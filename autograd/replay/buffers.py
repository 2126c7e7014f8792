"""Training on flat buffers: the parameters of a `Vectorized` tape held in numpy while it trains.

    with vec.buffered() as buf:          # buf.data <- every parameter leaf's .data (and .grad)
        for X in batches:
            vec.forward(X); vec.backward()   # reads buf.data, adds dL/dp into buf.grad
            opt.step(); opt.zero_grad()      # nn.buffered.BufferSGD / BufferAdam step buf.data
    # here every leaf's .data and .grad are the buffers' again (also when the block raised)

Inside the block the buffers are the truth and the leaves' `.data` are left as they were (no hook on
`.data`, so eager code pays nothing for this mode); `buf.sync()` writes the buffers into the leaves
whenever they are needed (to evaluate, draw or save the model), `buf.load()` reads them back.
"""

__all__ = ["Buffers"]


class Buffers:
    """`data` and `grad`: one float64 entry per parameter leaf of the tape, in the order of `leaves`."""

    def __init__(self, vec):
        self.vec = vec
        self.data, self.grad, self.leaves = vec.data, vec.grad, vec.params

    def load(self):
        """Read every leaf's .data and .grad into the buffers."""
        self.data[:] = [p.data for p in self.leaves]
        self.grad[:] = [float(p.grad) for p in self.leaves]

    def sync(self):
        """Write the buffers into the leaves' .data and .grad (so eager code sees the trained model)."""
        for p, d, g in zip(self.leaves, self.data.tolist(), self.grad.tolist()):
            p.data = d
            p.grad = g

    def index(self, params, who):
        """(where, order): `data[where]` are the entries of `params`, `data[where][order[i]]` is params[i].

        `where` is a slice when the parameters fill one run of the buffer (as they do when the same
        list was given to `vectorize(..., params=)`), so a step reads and writes views, no copies.
        """
        import numpy as np
        at = {id(p): k for k, p in enumerate(self.leaves)}
        for i, p in enumerate(params):
            if id(p) not in at:
                raise ValueError(f"{who}: parameter {i} ({p!r:.60}) is not a parameter leaf of this tape")
        ks = np.array([at[id(p)] for p in params], dtype=np.intp)
        if len(set(ks.tolist())) != len(ks):
            raise ValueError(f"{who}: a parameter is listed twice")
        low = int(ks.min())
        if int(ks.max()) - low + 1 == len(ks):
            return slice(low, low + len(ks)), ks - low
        return ks, np.arange(len(ks))

    def __enter__(self):
        self.load()
        self.vec.buffered_now = True
        return self

    def __exit__(self, *exc):
        self.vec.buffered_now = False
        self.sync()
        return False

    def __repr__(self):
        return f"<Buffers: {len(self.leaves)} parameters{', in use' if self.vec.buffered_now else ''}>"
