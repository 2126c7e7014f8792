"""The vector ops of a `Vectorized` plan: a map, a dot (matrix product) and a sum, forward and backward.

Each step reads its operands as gathers (columns of earlier vectors, see `vecops.Gather`), returns
its output vector from `forward`, and in `backward` turns the gradient of its output into gradients
of its operands, scattered back where they came from:

    map   out = op(x, y) column by column       dx = op'_x * g,  dy = op'_y * g
    dot   Z = V W^T + start                     dV = G W,  dW = G^T V (summed over samples),  dstart = G
    sum   s_r = start_r + sum_k t_rk            dt_rk = g_r,  dstart = g
"""
from ..engine import OPS, _fail
from . import vecops
from .recognise import DOT, MAP, SUM

__all__ = ["STEP"]


class _Step:
    def __init__(self, np, vec, nodes, rows, payload, where, cols, sizes):
        self.out = len(vec._steps) + 2
        self.nodes = [nodes[i] for i in rows]
        self._where, self._cols, self._sizes, self._np = where, cols, sizes, np

    def gather(self, items):
        where, cols = self._where, self._cols
        return vecops.Gather(self._np, [(where[i], cols[i]) for i in items], self._sizes)

    def operand(self, items):
        # Node operands become a Gather; constants one number, or a row of numbers when they differ.
        if type(items[0]) is int:
            return self.gather(items)
        return items[0] if len(set(items)) == 1 else self._np.array(items, dtype=float).reshape(1, -1)

    def batched(self, flags):
        return any(flags[v] for g in self.sources() for v, *_ in g.runs)

    def wants(self, flags):
        return any(flags[v] for g in self.sources() for v, *_ in g.runs)


class _Map(_Step):
    """One op on every column: out[:, j] = op(x[:, j], y[:, j]), the operands gathered from vectors."""

    def __init__(self, np, vec, nodes, rows, payload, where, cols, sizes):
        super().__init__(np, vec, nodes, rows, payload, where, cols, sizes)
        self.op, args, _ = payload
        self.args = [self.operand(a) for a in args]
        if len(args) == 2 and all(type(a) is vecops.Gather for a in self.args) and args[0] == args[1]:
            self.args[1] = self.args[0]  # x * x: one gather, read once
        form = vecops.numpy_forms(np).get(self.op)
        if form is None or (len(rows) == 1 and self.op not in vecops.IEEE):
            # an op numpy cannot express, or a lone node whose numpy form could differ by an ulp: the engine's code
            self.fwd, self.der = vecops.per_element(np, OPS[self.op])
            self.bad, self.exact = None, True
        else:
            (self.fwd, self.der, self.bad), self.exact = form, False

    def sources(self):
        return [a for a in self.args if isinstance(a, vecops.Gather)]

    def forward(self, np, vals):
        xs = [a.fetch(np, vals) if type(a) is vecops.Gather else a for a in self.args]
        try:
            out = self.fwd(*xs)
        except vecops.DOMAIN:
            for j, node in enumerate(self.nodes):  # find the column whose element failed, and name its node
                try:
                    self.fwd(*[x[:, j] if getattr(x, "ndim", 0) == 2 else x for x in xs])
                except vecops.DOMAIN as e:
                    raise _fail(e, node.args) from None
            raise
        if self.bad is not None:
            bad = np.asarray(self.bad(*xs, out))  # a plain bool when the checked operand is a constant
            if bad.any():
                vecops.raise_first(self.op, xs, bad, self.nodes)
        self.xs = xs
        return out

    def backward(self, np, vals, grads, wanted):
        g = grads[self.out]
        ds = self.der(*self.xs, vals[self.out])
        if len(ds) == 2 and self.args[0] is self.args[1]:  # x * x: both edges go to the same place
            # x*g + x*g, as eager adds them: (x + x)*g overflows at x = 1e308 and gives inf*0 = nan at g = 0
            a = self.args[0]
            if a.wants_grad(wanted):
                a.scatter(np, ds[0] * g + ds[1] * g, grads, wanted, fresh=True)
            return
        for a, d in zip(self.args, ds):
            if d is not None and type(a) is vecops.Gather and a.wants_grad(wanted):
                if type(d) is float and d == 1.0:
                    a.scatter(np, g, grads, wanted)
                else:
                    a.scatter(np, d * g, grads, wanted, fresh=True)


class _Dot(_Step):
    """Rows reading one vector: Z = V W^T + start; backward dV = G W, dW = G^T V, dstart = G."""

    def __init__(self, np, vec, nodes, rows, payload, where, cols, sizes):
        super().__init__(np, vec, nodes, rows, payload, where, cols, sizes)
        weights, shared, starts = payload
        self.v = self.gather(shared)
        self.start = None if starts[0] is None else self.operand(starts)
        flat = [cols[w] for ws in weights for w in ws]
        r, k = len(weights), len(shared)
        strided = vecops.affine(flat, r, k)
        if strided is not None:
            s, rs, cs = strided
            ast = np.lib.stride_tricks.as_strided
            self.W = ast(vec.data[s:], shape=(r, k), strides=(rs * 8, cs * 8), writeable=False)
            self.GW = ast(vec.grad[s:], shape=(r, k), strides=(rs * 8, cs * 8))
            self.index = None
        else:
            self.index = np.array(flat, dtype=np.intp).reshape(r, k)
            self._data, self._grad = vec.data, vec.grad
        self.shape = (r, k)

    def sources(self):
        return [self.v] + ([self.start] if isinstance(self.start, vecops.Gather) else [])

    def wants(self, flags):
        return True  # W is made of parameters

    def forward(self, np, vals):
        V = self.v.fetch(np, vals)
        W = self.W if self.index is None else self._data[self.index]
        Z = V @ W.T
        if self.start is not None:
            S = self.start.fetch(np, vals) if type(self.start) is vecops.Gather else self.start
            if np.ndim(S) == 2 and S.shape[0] > Z.shape[0]:
                Z = Z + S  # V shared by the samples, the start not: one row per sample
            else:
                Z += S  # Z is new: add in place
        self.V, self.Wnow = V, W
        return Z

    def backward(self, np, vals, grads, wanted):
        g, V = grads[self.out], self.V
        if self.v.wants_grad(wanted):
            self.v.scatter(np, g @ self.Wnow, grads, wanted, fresh=True)
        if V.shape[0] == g.shape[0]:
            dW = g.T @ V
        elif np.isfinite(np.abs(g).max(initial=0.0) * np.abs(V).max(initial=0.0)):
            dW = g.sum(axis=0, keepdims=True).T @ V  # V shared by the samples: (sum over n of g_n)^T V
        else:  # an inf (or overflow) times one sample's 0 upstream is nan, as eager's sum of g_n^T V has it
            dW = g.T @ np.broadcast_to(V, (g.shape[0], V.shape[1]))
        if self.index is None:
            self.GW += dW
        else:
            np.add.at(self._grad, self.index, dW)
        if isinstance(self.start, vecops.Gather) and self.start.wants_grad(wanted):
            self.start.scatter(np, g, grads, wanted)


class _Sum(_Step):
    """Rows of sums: out[:, r] = start_r + sum over k of t[:, r, k]; backward hands G to every term."""

    def __init__(self, np, vec, nodes, rows, payload, where, cols, sizes):
        super().__init__(np, vec, nodes, rows, payload, where, cols, sizes)
        terms, starts = payload
        self.terms = self.gather([t for ts in terms for t in ts])
        self.length = len(terms[0])
        self.start = None if starts[0] is None else self.operand(starts)

    def sources(self):
        return [self.terms] + ([self.start] if isinstance(self.start, vecops.Gather) else [])

    def forward(self, np, vals):
        T = self.terms.fetch(np, vals)
        out = T.reshape(T.shape[0], -1, self.length).sum(axis=2)
        if self.start is not None:
            out = out + (self.start.fetch(np, vals) if isinstance(self.start, vecops.Gather) else self.start)
        return out

    def backward(self, np, vals, grads, wanted):
        g = grads[self.out]
        if self.terms.wants_grad(wanted):
            self.terms.scatter(np, np.repeat(g, self.length, axis=1), grads, wanted, fresh=True)
        if isinstance(self.start, vecops.Gather) and self.start.wants_grad(wanted):
            self.start.scatter(np, g, grads, wanted)


STEP = {MAP: _Map, DOT: _Dot, SUM: _Sum}
