"""The numpy side of `Vectorized`: op formulas on whole columns, and gathers/scatters between vectors.

Values live in vectors, 2-d arrays of shape (N, k) for N samples (or (1, k) when they do not depend
on the samples: the parameters, and anything computed from parameters alone). A vector op reads
its operands as gathers, columns picked out of earlier vectors, and its backward pass scatters the
gradient back: the same columns receive `+=`, summed over the samples when the source is shared by
all of them (d/dp of sum over n of L_n is the sum over n of dL_n/dp). numpy is imported lazily.
"""
from ..engine import OPS, _fail

DOMAIN = (ValueError, ZeroDivisionError, OverflowError)
IEEE = frozenset({"+", "-", "*", "neg", "relu", "abs"})  # numpy gives Python's floats, bit for bit


def numpy_forms(np):
    """{op name: (forward(*xs), derivs(*xs, out), bad(*xs, out) or None)} on numpy arrays.

    Each is the engine's formula on whole arrays. Where the engine raises (log of 0, 1/0, exp
    overflow), numpy gives inf or nan instead; `bad` marks those elements so the caller can raise
    the engine's own error. '**' has no entry: numpy's power differs from Python's by an ulp and
    raises differently, so it runs element by element, with the engine's function.
    """
    def sigmoid(x):
        # For x < 0 the engine computes e^x / (1 + e^x) so that exp never overflows; here exp(-x) may
        # overflow to inf (warnings are off) and 1 / (1 + inf) = 0 is that limit; elsewhere the two
        # formulas agree to an ulp.
        return 1.0 / (1.0 + np.exp(-x))

    one = (lambda *a: (1.0, 1.0))
    return {
        "+": (np.add, one, None),
        "-": (np.subtract, lambda x, y, o: (1.0, -1.0), None),
        "*": (np.multiply, lambda x, y, o: (y, x), None),
        "/": (np.divide, lambda x, y, o: (1.0 / y, -o / y), lambda x, y, o: y == 0),
        "neg": (np.negative, lambda x, o: (-1.0,), None),
        "relu": (lambda x: np.where((x > 0) | (x != x), x, 0.0), lambda x, o: ((x > 0) * 1.0,), None),
        "tanh": (np.tanh, lambda x, o: (1.0 - o * o,), None),
        "sigmoid": (sigmoid, lambda x, o: (o * (1.0 - o),), None),
        "exp": (np.exp, lambda x, o: (o,), lambda x, o: np.isinf(o) & np.isfinite(x)),
        "log": (np.log, lambda x, o: (1.0 / x,), lambda x, o: x <= 0),
        "sqrt": (np.sqrt, lambda x, o: (0.5 / o,), lambda x, o: x < 0),
        "abs": (np.abs, lambda x, o: (np.where(x == 0, 0.0, np.sign(x)),), None),
        "sin": (np.sin, lambda x, o: (np.cos(x),), None),
        "cos": (np.cos, lambda x, o: (-np.sin(x),), None),
    }


def per_element(np, op):
    """(forward, derivs) that call the engine's own float functions on each element (np.frompyfunc)."""
    fwd = np.frompyfunc(op.forward, op.arity, 1)
    if op.arity == 1:
        der = np.frompyfunc(lambda x, out: op.derivs(x, out)[0], 2, 1)
        return (lambda x: np.asarray(fwd(x), dtype=np.float64),
                lambda x, o: (np.asarray(der(x, o), dtype=np.float64),))
    der = np.frompyfunc(op.derivs, 3, 2)
    return (lambda x, y: np.asarray(fwd(x, y), dtype=np.float64),
            lambda x, y, o: tuple(np.asarray(d, dtype=np.float64) for d in der(x, y, o)))


def raise_first(op, xs, bad, nodes):
    """Raise the engine's error for the first marked element, with the labels of its node's arguments."""
    import numpy as np
    n, j = (int(k) for k in np.argwhere(np.broadcast_to(bad, np.broadcast(*xs).shape))[0])
    args = [float(np.broadcast_to(x, bad.shape)[n, j]) if hasattr(x, "shape") else x for x in xs]
    try:
        OPS[op].forward(*args)
    except DOMAIN as e:
        raise _fail(e, nodes[j].args) from None


class Gather:
    """Columns taken from vectors, in order: runs of one source vector become one `[:, index]` each.

    An index is a slice when the columns are evenly spaced (a view, no copy) and an int array
    otherwise; a run that repeats a column scatters with np.add.at, which adds every repeat.
    """

    __slots__ = ("runs", "width", "one", "wants", "sizes", "batched")

    def __init__(self, np, pairs, sizes):
        runs, cur = [], None
        for v, c in pairs:
            if v != cur:
                runs.append((v, []))
                cur = v
            runs[-1][1].append(c)
        self.runs = [_run(np, v, cols, sizes[v]) for v, cols in runs]
        self.width = len(pairs)
        self.one = self.runs[0][:2] if len(self.runs) == 1 else None
        self.wants = None
        self.sizes, self.batched = sizes, None  # batched: set when the plan is complete

    def fetch(self, np, vals):
        if self.one is not None:
            v, ix = self.one
            return vals[v] if ix is None else vals[v][:, ix]
        parts = [vals[v] if ix is None else vals[v][:, ix] for v, ix, _, _ in self.runs]
        if len(parts) == 1:
            return parts[0]
        rows = max(p.shape[0] for p in parts)
        return np.concatenate([np.broadcast_to(p, (rows, p.shape[1])) for p in parts], axis=1)

    def wants_grad(self, wanted):
        if self.wants is None:  # fixed once the plan is built
            self.wants = any(wanted[v] for v, *_ in self.runs)
        return self.wants

    def scatter(self, np, piece, grads, wanted, fresh=False):
        """Add `piece` (one column per gathered element) into the gradients of the source vectors.

        A vector's gradient is made by the first piece that reaches it: taken as it is when it covers
        the whole vector and is `fresh` (computed for this call, shared with nothing), copied or
        zero-filled otherwise; later pieces add in place.
        """
        off = 0
        for v, ix, width, unique in self.runs:
            if wanted[v]:
                part = piece[:, off:off + width] if len(self.runs) > 1 else piece
                own = fresh
                if not self.batched[v] and part.shape[0] != 1:  # shared by every sample: sum over them
                    part, own = part.sum(axis=0, keepdims=True), True
                target = grads[v]
                if target is None:
                    if ix is None:
                        grads[v] = part if own else part.copy()
                        off += width
                        continue
                    target = grads[v] = np.zeros((part.shape[0], self.sizes[v]))
                if ix is None:
                    target += part
                elif unique:
                    target[:, ix] += part
                else:
                    np.add.at(target, (slice(None), ix), np.broadcast_to(part, (target.shape[0], width)))
            off += width


def _run(np, v, cols, size):
    width, first = len(cols), cols[0]
    step = cols[1] - first if width > 1 else 1
    if step > 0 and all(c == first + k * step for k, c in enumerate(cols)):
        if first == 0 and step == 1 and width == size:
            return v, None, width, True  # the whole vector, in order: no indexing at all
        return v, slice(first, first + (width - 1) * step + 1, step), width, True
    return v, np.array(cols, dtype=np.intp), width, len(set(cols)) == width


def affine(cols, rows, length):
    """(start, row stride, column stride) if cols[r*length + c] = start + r*rs + c*cs for distinct cols."""
    if not cols:
        return None
    s = cols[0]
    cs = cols[1] - s if length > 1 else 1
    rs = cols[length] - s if rows > 1 else length * cs
    if cs < 1 or rs < length * cs:  # overlapping or reversed: not a plain strided view
        return None
    k = 0
    for r in range(rows):
        base = s + r * rs
        for c in range(length):
            if cols[k] != base + c * cs:
                return None
            k += 1
    return s, rs, cs

