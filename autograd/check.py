"""gradcheck: compare backward() with central differences, the check to run on every new op.

The central difference (f(x + eps) - f(x - eps)) / (2 eps) approximates df/dx with an error of order
eps^2 * f'''(x) (truncation) plus about 1e-16 * |f| / eps (rounding), so with eps = 1e-6 it agrees
with the exact derivative to about 1e-9 for well-scaled f. A disagreement beyond
atol + rtol * |numeric| means a wrong derivative formula, or a point on a kink (relu, abs at 0).

Checking an op of your own. An op is one entry of `ops.OPS`: the forward function on floats and the
local derivatives d(out)/d(arg), written with arithmetic and the helpers of `autograd.ops` (`ops.cos`,
`ops.log`, `ops.recip`, ...) so that the same formula runs on floats (backward) and on Values (higher order):

    from autograd import Op, gradcheck, gradgradcheck, register_op, unregister_op

    register_op(Op("cube", 1, lambda x: x ** 3, lambda x, out: (3 * x * x,), "cube'(x) = 3 x^2"))
    gradcheck(lambda x: x.cube(), [0.7])              # True
    gradgradcheck(lambda x: x.cube(), [0.7])          # True: the formula also works on Values

A derivative that is right on floats but not written for Values (say `3 * x.data ** 2`, or
`math.cos(x)` instead of `ops.cos(x)`) passes gradcheck and fails gradgradcheck: its second derivative
comes out as 0 or raises. `unregister_op("cube")` removes the op when you are done experimenting, so
that the table again lists only the built-in ops.
"""
import math
import numbers

from .engine import Value, enable_grad, no_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(ValueError):
    """backward() and central differences disagree.

    Attributes: `index` (the input's position, or the pair (i, j) for a second derivative), `label`,
    `analytic` (from backward), `numeric` (central difference), `difference` (analytic - numeric).
    """

    def __init__(self, message, index, label, analytic, numeric):
        super().__init__(message)
        self.index, self.label, self.analytic, self.numeric = index, label, analytic, numeric
        self.difference = analytic - numeric


def _inputs(inputs, who):
    """[(float value, label)] from numbers and Values; a single number counts as a list of one."""
    if isinstance(inputs, (Value, numbers.Real)):
        inputs = [inputs]
    points = []
    for i, x in enumerate(inputs):
        if type(x) is Value:
            points.append((x.data, x.label))
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            points.append((float(x), ""))
        else:
            raise TypeError(f"{who}: input {i} must be a real number or a Value, got {type(x).__name__}: {x!r:.60}")
    if not points:
        raise ValueError(f"{who}: needs at least one input")
    return points


def _tolerances(who, eps, atol, rtol):
    for name, v in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            raise TypeError(f"{who}: {name} must be a real number, got {type(v).__name__}: {v!r:.60}")
        if not (v > 0 if name == "eps" else v >= 0) or not math.isfinite(v):
            raise ValueError(f"{who}: {name} must be finite and {'> 0' if name == 'eps' else '>= 0'}, got {v!r}")


def _leaves(values, labels):
    return [Value(v, label=lab) for v, lab in zip(values, labels)]


def _value(f, values):
    """f at the point, as a float, without recording a graph."""
    with no_grad():
        out = f(*[Value(v) for v in values])
    return out.data if type(out) is Value else float(out)


def _output(out, who):
    if type(out) is Value or (isinstance(out, numbers.Real) and not isinstance(out, bool)):
        return out
    raise TypeError(f"{who}: f must return a Value or a number, got {type(out).__name__}: {out!r:.60}")


def _first(f, values, labels, who="gradcheck"):
    """[df/dx_i] by backward(), as floats."""
    xs = _leaves(values, labels)
    with enable_grad():
        out = _output(f(*xs), who)
        if type(out) is Value:
            out.backward()
    return [x.grad for x in xs]


def _second(f, values, labels):
    """[[d2f/dx_i dx_j]] by backward(create_graph=True), then backward() on each first derivative."""
    xs = _leaves(values, labels)
    n = len(xs)
    with enable_grad():
        out = _output(f(*xs), "gradgradcheck")
        if type(out) is not Value:
            return [[0.0] * n for _ in range(n)]
        out.backward(create_graph=True)
        firsts = [x.grad for x in xs]
        rows = []
        for g in firsts:
            for x in xs:
                x.grad = 0.0  # also drops the first derivatives' graphs from the leaves (no cycles)
            if type(g) is Value:
                g.backward()
            rows.append([x.grad for x in xs])
    return rows


def _shifted(values, j, h):
    return [v + h if k == j else v for k, v in enumerate(values)]


def _excess(a, n, atol, rtol):
    """How far |a - n| exceeds the tolerance (<= 0 when they agree; inf for an unmatched nan/inf)."""
    if a == n or (a != a and n != n):
        return -math.inf
    diff = abs(a - n)
    return diff - (atol + rtol * abs(n)) if diff == diff else math.inf


def _name(i, label):
    return f"input {i} ({label!r})" if label else f"input {i}"


def _points(who, inputs, eps, atol, rtol):
    """The checked inputs' values and labels, after validating the tolerances."""
    _tolerances(who, eps, atol, rtol)
    points = _inputs(inputs, who)
    return [v for v, _ in points], [lab for _, lab in points]


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check backward() on f at `inputs` against central differences; True, or raise GradcheckError.

    For each input x_i: numeric_i = (f(..., x_i + eps, ...) - f(..., x_i - eps, ...)) / (2 eps), and
    analytic_i is x_i.grad after f(*xs).backward(). They agree when
    |analytic_i - numeric_i| <= atol + rtol * |numeric_i|. The error reports the worst input: its
    index and label, both numbers and their difference. `inputs` are numbers or Values (only their
    data and label are used; their grads are not touched).
    """
    values, labels = _points("gradcheck", inputs, eps, atol, rtol)
    analytic = _first(f, values, labels)
    worst = None
    for i, a in enumerate(analytic):
        n = (_value(f, _shifted(values, i, eps)) - _value(f, _shifted(values, i, -eps))) / (2 * eps)
        e = _excess(a, n, atol, rtol)
        if e > 0 and (worst is None or e > worst[0]):
            worst = (e, i, a, n)
    if worst is None:
        return True
    _, i, a, n = worst
    raise GradcheckError(
        f"gradcheck: d f/d {_name(i, labels[i])} at {values[i]!r}: backward gives {a!r}, central "
        f"difference gives {n!r}, difference {a - n!r} (allowed {atol} + {rtol} * |numeric|)",
        i, labels[i], a, n)


def gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check second derivatives of f at `inputs`; True, or raise GradcheckError.

    analytic[i][j] = d/dx_j (df/dx_i), from backward(create_graph=True) followed by backward() on each
    first derivative; numeric[i][j] = central difference in x_j of the first derivative df/dx_i (from
    backward(), which gradcheck checks). The tolerance rule is gradcheck's; the error names both
    inputs of the worst mismatch (`index` is the pair (i, j)).
    """
    values, labels = _points("gradgradcheck", inputs, eps, atol, rtol)
    analytic = _second(f, values, labels)
    worst = None
    for j in range(len(values)):
        up, down = _first(f, _shifted(values, j, eps), labels), _first(f, _shifted(values, j, -eps), labels)
        for i in range(len(values)):
            a, n = analytic[i][j], (up[i] - down[i]) / (2 * eps)
            e = _excess(a, n, atol, rtol)
            if e > 0 and (worst is None or e > worst[0]):
                worst = (e, i, j, a, n)
    if worst is None:
        return True
    _, i, j, a, n = worst
    raise GradcheckError(
        f"gradgradcheck: d2 f/(d {_name(i, labels[i])} d {_name(j, labels[j])}) at {values!r}: backward "
        f"gives {a!r}, central difference gives {n!r}, difference {a - n!r} "
        f"(allowed {atol} + {rtol} * |numeric|)",
        (i, j), (labels[i], labels[j]), a, n)
