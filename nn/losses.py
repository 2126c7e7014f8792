"""Loss functions: the cost C whose gradient dC/dp backward() computes, built only from Value ops.

Every loss here is the mean over a batch of a per-example loss, so its size does not grow with the
batch. A loss takes model outputs (a Value or a float, or a list of them) and targets (numbers, or a
list of them of the same length). Each is written with the engine's primitive ops (+ * relu exp
log ...), so the graph shows every step and the derivatives come from the engine's one table; the
docstrings state the derivative that backward() then produces.
"""
import numbers

from autograd import Value

__all__ = ["mse", "hinge", "binary_cross_entropy", "cross_entropy", "l2", "total", "mean"]


def total(values):
    """v[0] + v[1] + ... as a chain of `+` nodes, starting from the first term (no `0 +` node)."""
    values = list(values)
    if not values:
        raise ValueError("total: cannot sum an empty list")
    return sum(values[1:], values[0])


def mean(values):
    """(1/n) * (v[0] + ... + v[n-1]): one `+` node per term after the first, one `*` node."""
    values = list(values)
    return total(values) * (1.0 / len(values))


def _pairs(name, outputs, targets, nested=False):
    """Outputs and targets as two equal-length lists; single items become lists of one.

    nested: each output is itself a list (of logits), checked by the caller. Other sequences, such
    as numpy arrays of labels, become lists; numpy numbers become int or float."""
    outputs, targets = _as_list(outputs), _as_list(targets)
    if len(outputs) != len(targets):
        raise ValueError(f"{name}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{name}: empty batch (no outputs)")
    for i, t in enumerate(targets):
        if type(t) is Value or isinstance(t, bool) or not isinstance(t, numbers.Real):
            raise TypeError(f"{name}: target {i} must be a number, got {type(t).__name__}: {t!r:.60}")
    for i, o in enumerate(() if nested else outputs):
        if type(o) is not Value and (isinstance(o, bool) or not isinstance(o, numbers.Real)):
            raise TypeError(f"{name}: output {i} must be a Value or a number, got {type(o).__name__}: {o!r:.60}")
    return outputs, [t if type(t) in (int, float) else int(t) if isinstance(t, numbers.Integral) else float(t)
                     for t in targets]


def _as_list(x):
    if isinstance(x, (list, tuple)):
        return x
    if type(x) is Value or isinstance(x, (numbers.Number, str)) or not hasattr(x, "__len__"):
        return [x]
    return list(x)


def _value(x):
    return x if type(x) is Value else Value(x)


def mse(outputs, targets):
    """Mean squared error: C = (1/n) sum_i (a_i - y_i)^2.

    dC/da_i = (2/n) (a_i - y_i). (Nielsen's quadratic cost has an extra 1/2: C = 1/(2n) sum ||y - a||^2.)
    """
    outputs, targets = _pairs("mse", outputs, targets)
    return mean([(_value(a) - y) ** 2 for a, y in zip(outputs, targets)])


def hinge(scores, labels):
    """The max-margin (SVM) loss of micrograd's demo: C = (1/n) sum_i max(0, 1 - y_i s_i), y_i in {-1, +1}.

    dC/ds_i = -y_i / n while the margin y_i s_i < 1, else 0: only points inside the margin or on the
    wrong side push the boundary. As a graph: relu(1 + (-y_i) * s_i), one relu node per example.
    """
    scores, labels = _pairs("hinge", scores, labels)
    for i, y in enumerate(labels):
        if y not in (-1, 1):
            raise ValueError(f"hinge: label {i} must be -1 or +1, got {y!r}")
    return mean([(1.0 + float(-y) * _value(s)).relu() for s, y in zip(scores, labels)])


def binary_cross_entropy(logits, targets):
    """Binary cross-entropy of sigmoid(z) against y in [0, 1], taken from the logit z (numerically stable).

    C = (1/n) sum_i -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]
      = (1/n) sum_i max(z, 0) - z y + log(1 + exp(-|z|))
    dC/dz_i = (sigmoid(z_i) - y_i) / n.

    exp only ever sees -|z| <= 0, so z = +-1000 neither overflows nor takes log(0). The graph uses the
    smooth branch for the sign of z (z >= 0: z - z y + log(1 + exp(-z)); z < 0: -z y + log(1 + exp(z)))
    rather than relu and abs, whose one-sided derivatives at z = 0 (both 0) would give dC/dz = -y there
    instead of sigmoid(0) - y = 1/2 - y.
    """
    logits, targets = _pairs("binary_cross_entropy", logits, targets)
    terms = []
    for i, (z, y) in enumerate(zip(logits, targets)):
        if not 0 <= y <= 1:
            raise ValueError(f"binary_cross_entropy: target {i} must lie in [0, 1], got {y!r}")
        z = _value(z)
        if z.data >= 0:
            terms.append(z * (1.0 - y) + (1.0 + (-z).exp()).log())
        else:
            terms.append(z * float(-y) + (1.0 + z.exp()).log())
    return mean(terms)


def _log_softmax_at(logits, t):
    """log softmax(z)_t = z_t - log sum_j exp(z_j), with the max subtracted inside the exp.

    m = max_j z_j is a plain float, a constant: log sum_j exp(z_j) = m + log sum_j exp(z_j - m) for any
    m, so the derivative is unchanged, and every exp argument is <= 0 (no overflow, one term is 1).
    """
    m = max(z.data for z in logits)
    lse = total([(z - m).exp() for z in logits]).log() + m
    return logits[t] - lse


def cross_entropy(logits, targets):
    """Softmax cross-entropy: C = (1/n) sum_i -log softmax(z^i)_(t_i), with softmax(z)_k = e^z_k / sum_j e^z_j.

    `logits`: one list of K logits (a single example) or a list of such lists; `targets`: the class
    index t (or a list of them). dC/dz_k = (softmax(z)_k - [k == t]) / n.
    """
    if isinstance(logits, (list, tuple)) and logits and not isinstance(logits[0], (list, tuple)):
        logits = [logits]
    logits, targets = _pairs("cross_entropy", logits, targets, nested=True)
    terms = []
    for i, (zs, t) in enumerate(zip(logits, targets)):
        if not isinstance(zs, (list, tuple)) or not zs:
            raise ValueError(f"cross_entropy: logits of example {i} must be a non-empty list, got {zs!r:.60}")
        if type(t) is not int or not 0 <= t < len(zs):
            raise ValueError(f"cross_entropy: target {i} must be a class index in 0..{len(zs) - 1}, got {t!r}")
        terms.append(-_log_softmax_at([_value(z) for z in zs], t))
    return mean(terms)


def l2(params, alpha=1.0):
    """L2 regularisation (weight decay as a loss term): R = alpha * sum_p p*p.

    dR/dp = 2 alpha p: `p*p` has two edges to p, each with local derivative p, and the two paths add.
    micrograd's moons demo adds l2(model.parameters(), 1e-4) to the hinge loss.
    """
    params = list(params)
    if not params:
        raise ValueError("l2: empty list of parameters")
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"l2: parameter {i} must be a Value, got {type(p).__name__}: {p!r:.60}")
    return total([p * p for p in params]) * float(alpha)
