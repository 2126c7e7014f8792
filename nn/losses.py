"""Loss functions: the cost C whose gradient dC/dp backward() computes, built only from Value ops.

A loss takes model outputs (Values or numbers, or lists of them) and targets of the same shape:
numbers or Values. Value targets are leaves like any other, so a recorded graph (a Tape, compiled or
batched) replays the loss for new targets as well as for new inputs. `reduction=` says what comes
back: 'mean' (the default) the mean over the batch of the per-example losses, 'sum' their sum, 'none'
the list of them.

Each loss is one formula over the engine's primitive ops (+ * relu abs exp log ...), with no branch
on a node's data and no constant taken from it: a replay computes exactly what a fresh graph would,
for any new data. The stable forms are written that way too:
    softplus(z) = log(1 + e^z) = z/2 + (|z|/2 + log(1 + e^-|z|))     (exp only ever sees -|z| <= 0)
    max(a, b)   = b + relu(a - b)                                     (for log-sum-exp)
Each docstring states the derivative that backward() then produces.
"""
import math
import numbers

from autograd import Value

__all__ = ["mse", "quadratic", "hinge", "binary_cross_entropy", "cross_entropy", "l2", "total", "mean",
           "REDUCTIONS"]

REDUCTIONS = ("mean", "sum", "none")


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


def _reduction(name, reduction):
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r:.60}")
    return {"mean": mean, "sum": total, "none": list}[reduction]


def _is_number(x):
    return type(x) is Value or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _as_list(name, x, what):
    """x as a list: a list or tuple as it is, a Value or number as a list of one, other sequences (numpy
    arrays of labels) as lists. Text, bytes, dicts and sets are refused: they are not a batch."""
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, (str, bytes, bytearray, dict, set, frozenset)) or (
            not _is_number(x) and not hasattr(x, "__len__")):
        raise TypeError(f"{name}: {what} must be a Value, a number or a list of them, "
                        f"got {type(x).__name__}: {x!r:.60}")
    return [x] if _is_number(x) else list(x)


def _number(name, x, what):
    """A number (numpy numbers become int or float) or a Value; anything else is a TypeError."""
    if type(x) is Value or type(x) in (int, float):
        return x
    if not _is_number(x):
        raise TypeError(f"{name}: {what} must be a Value or a number, got {type(x).__name__}: {x!r:.60}")
    return int(x) if isinstance(x, numbers.Integral) else float(x)


def _pairs(name, outputs, targets):
    """Outputs and targets as two equal-length lists of Values or numbers."""
    outputs, targets = _as_list(name, outputs, "outputs"), _as_list(name, targets, "targets")
    if len(outputs) != len(targets):
        raise ValueError(f"{name}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{name}: empty batch (no outputs)")
    return ([_number(name, o, f"output {i}") for i, o in enumerate(outputs)],
            [_number(name, t, f"target {i}") for i, t in enumerate(targets)])


def _data(x):
    return x.data if type(x) is Value else x


def _value(x):
    return x if type(x) is Value else Value(x)


def mse(outputs, targets, reduction="mean"):
    """Mean squared error: C = (1/n) sum_i (a_i - y_i)^2 over the n items of the lists.

    dC/da_i = (2/n) (a_i - y_i). Nielsen's quadratic cost, with its 1/2 and its sum over each example's
    outputs, is `quadratic`.
    """
    reduce = _reduction("mse", reduction)
    outputs, targets = _pairs("mse", outputs, targets)
    return reduce([(_value(a) - y) ** 2 for a, y in zip(outputs, targets)])


def _examples(name, outputs, targets):
    """[(outputs of example x, targets of example x), ...]: a Value or number, or a flat list, is ONE
    example; a list of lists is a batch of examples."""
    outputs = _as_list(name, outputs, "outputs")
    if outputs and all(isinstance(o, (list, tuple)) for o in outputs):
        targets = _as_list(name, targets, "targets")
        if len(outputs) != len(targets):
            raise ValueError(f"{name}: {len(outputs)} examples but {len(targets)} targets")
        return [(o, t) for o, t in zip(outputs, targets)]
    return [(outputs, targets)]


def quadratic(outputs, targets, reduction="mean"):
    """Nielsen's quadratic cost: C_x = 1/2 sum_j (a^L_j - y_j)^2 for one example x, and for n examples
    C = (1/n) sum_x C_x = 1/(2n) sum_x ||y(x) - a^L(x)||^2 (his eq. 6, with reduction 'mean').

    `outputs`: one example's output activations (a list, or a Value for one output) or a list of such
    lists; `targets` of the same shape. dC_x/da^L_j = a^L_j - y_j, the first factor of BP1.
    """
    reduce = _reduction("quadratic", reduction)
    terms = []
    for a, y in _examples("quadratic", outputs, targets):
        a, y = _pairs("quadratic", a, y)
        terms.append(total([(_value(aj) - yj) ** 2 for aj, yj in zip(a, y)]) * 0.5)
    return reduce(terms)


def hinge(scores, labels, reduction="mean"):
    """The max-margin (SVM) loss of micrograd's demo: C = (1/n) sum_i max(0, 1 - y_i s_i), y_i in {-1, +1}.

    dC/ds_i = -y_i / n while the margin y_i s_i < 1, else 0: only points inside the margin or on the
    wrong side push the boundary. As a graph: relu(1 + (-y_i) * s_i), one relu node per example.
    """
    reduce = _reduction("hinge", reduction)
    scores, labels = _pairs("hinge", scores, labels)
    for i, y in enumerate(labels):
        if _data(y) not in (-1, 1):
            raise ValueError(f"hinge: label {i} must be -1 or +1, got {y!r:.60}")
    return reduce([(1.0 + (-y if type(y) is Value else float(-y)) * _value(s)).relu()
                   for s, y in zip(scores, labels)])


def binary_cross_entropy(outputs, targets, reduction="mean", logits=True):
    """Binary cross-entropy of a probability p against a target y in [0, 1]:
    C = (1/n) sum_i -[y_i log p_i + (1 - y_i) log(1 - p_i)].

    logits=True (the default, numerically stable): the outputs are logits z, p = sigmoid(z), and
        C_i = softplus(z) - y z = z (1/2 - y) + (|z|/2 + log(1 + e^-|z|)),   dC/dz_i = (sigmoid(z_i) - y_i) / n.
    exp only sees -|z| <= 0, so z = +-1000 neither overflows nor takes log(0); the loss is exact to
    about 1e-16 absolute (log(1 + u) rounds a tiny u). The kink of |z| at 0 costs nothing: the bracket
    has slope 0 there, so dC/dz(0) = 1/2 - y, as for the smooth function.
    logits=False: the outputs are probabilities p in (0, 1), e.g. sigmoid activations, and C_i is the
    formula above as written (Nielsen's cross-entropy cost, eq. 57); p = 0 or 1 is log(0), refused.
    """
    reduce = _reduction("binary_cross_entropy", reduction)
    outputs, targets = _pairs("binary_cross_entropy", outputs, targets)
    for i, y in enumerate(targets):
        if not 0 <= _data(y) <= 1:
            raise ValueError(f"binary_cross_entropy: target {i} must lie in [0, 1], got {y!r:.60}")
    terms = []
    for z, y in zip(outputs, targets):
        z = _value(z)
        if logits:
            a = abs(z)
            terms.append(z * (0.5 - y) + (a * 0.5 + (1.0 + (-a).exp()).log()))
        else:
            terms.append(-(y * z.log() + (1.0 - y) * (1.0 - z).log()))
    return reduce(terms)


def _log_sum_exp_shifted(zs):
    """(L, [z_j - m]) with L = log sum_j exp(z_j - m) and m = max_j z_j built from ops:
    max(a, b) = b + relu(a - b).

    log sum_j e^(z_j) = m + log sum_j e^(z_j - m) for any m; with m the max every exp argument is <= 0
    (no overflow) and one term is 1 (no log 0). m is a node, not a number read from the data, so a
    replay for new logits takes their max.
    """
    m = zs[0]
    for z in zs[1:]:  # the running max as the base: once it is the max, later logits leave it exact
        m = m + (z - m).relu()
    shifted = [z - m for z in zs]
    return total([s.exp() for s in shifted]).log(), shifted


def cross_entropy(logits, targets, reduction="mean"):
    """Softmax cross-entropy: C = (1/n) sum_i -log softmax(z^i)_(t_i), softmax(z)_k = e^z_k / sum_j e^z_j.

    `logits`: one list of K logits (a single example) or a list of such lists. A target is a class
    index t, or a list of K probabilities y_k (numbers or Values, e.g. one-hot) for
    C_i = -sum_k y_k log softmax(z)_k. Written as log sum_j exp(z_j - m) - (z_t - m), with m the max
    (see _log_sum_exp_shifted), so equal logits 1e16 give log 2 and logits of 1000 lose no digits.
    dC/dz_k = (softmax(z)_k - [k == t]) / n  (or softmax(z)_k - y_k).
    """
    reduce = _reduction("cross_entropy", reduction)
    name = "cross_entropy"
    if isinstance(logits, (list, tuple)) and logits and not isinstance(logits[0], (list, tuple)):
        logits, targets = [logits], [targets]
    logits, targets = _as_list(name, logits, "logits"), _as_list(name, targets, "targets")
    if len(logits) != len(targets):
        raise ValueError(f"{name}: {len(logits)} examples but {len(targets)} targets")
    if not logits:
        raise ValueError(f"{name}: empty batch (no outputs)")
    terms = []
    for i, (zs, t) in enumerate(zip(logits, targets)):
        if not isinstance(zs, (list, tuple)) or not zs:
            raise ValueError(f"{name}: logits of example {i} must be a non-empty list, got {zs!r:.60}")
        zs = [_value(_number(name, z, f"logit {k} of example {i}")) for k, z in enumerate(zs)]
        lse, shifted = _log_sum_exp_shifted(zs)
        if isinstance(t, (list, tuple)):
            # sum_k y_k (lse - z_k) = (sum_k y_k) L - sum_k y_k (z_k - m), L = log sum_j exp(z_j - m):
            # right for any y a replay brings, not only for y summing to 1
            y = _distribution(name, t, len(zs), i)
            terms.append(total(y) * lse - total([yk * s for yk, s in zip(y, shifted)]))
            continue
        t = _number(name, t, f"target {i}") if type(t) is not Value else t
        if type(t) is not int or not 0 <= t < len(zs):
            raise ValueError(f"{name}: target {i} must be a class index in 0..{len(zs) - 1} or a list of "
                             f"{len(zs)} probabilities, got {t!r:.60}")
        terms.append(lse - shifted[t])
    return reduce(terms)


def _distribution(name, y, k, i):
    """The K target probabilities of example i, checked to lie in [0, 1] and sum to 1 (a typo guard)."""
    if len(y) != k:
        raise ValueError(f"{name}: target {i} has {len(y)} probabilities for {k} logits")
    y = [_number(name, v, f"target {i}[{j}]") for j, v in enumerate(y)]
    if any(not 0 <= _data(v) <= 1 for v in y) or abs(math.fsum(map(_data, y)) - 1.0) > 1e-9:
        raise ValueError(f"{name}: target {i} must be probabilities in [0, 1] summing to 1, "
                         f"got {[_data(v) for v in y]!r:.60}")
    return y


def l2(params, alpha=1.0):
    """L2 regularisation (weight decay as a loss term): R = alpha * sum_p p*p, alpha >= 0.

    dR/dp = 2 alpha p: `p*p` has two edges to p, each with local derivative p, and the two paths add.
    micrograd's moons demo adds l2(model.parameters(), 1e-4) to the hinge loss.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"l2: alpha must be a number, got {type(alpha).__name__}: {alpha!r:.60}")
    if not (math.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"l2: alpha must be a finite number >= 0, got {alpha!r:.60}")
    if type(params) is Value or not hasattr(params, "__iter__"):
        raise TypeError(f"l2: params must be a list of Values such as model.parameters(), "
                        f"got {type(params).__name__}: {params!r:.60}")
    params = list(params)
    if not params:
        raise ValueError("l2: empty list of parameters")
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"l2: parameter {i} must be a Value, got {type(p).__name__}: {p!r:.60}")
    return total([p * p for p in params]) * float(alpha)
