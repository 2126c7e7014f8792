"""The maths, written once: every primitive op's forward value and its local derivatives.

An op is one line of the table `OPS`: `Op(name, arity, forward, derivs, math)`. `forward` takes floats
and checks its domain (an error names the op and the value); `derivs(*args, out)` returns the local
partial derivatives d(out)/d(arg_i), one per argument. Backward, path rates, drawings, replay and
higher-order derivatives all read this table.

The derivative formulas are written with arithmetic and the public helpers below (`cos`, `log`,
`recip`, `sign`, `data`, ...). Each helper takes a float or a graph node: on a float it computes the
number, on a node it calls the node's own op (`cos(v)` is `v.cos()`), so the same formula evaluates
on floats (backward) and on nodes (`backward(create_graph=True)`, `grad(grad(f))`). This module
imports nothing of the package: anything that is not a plain number is taken to be a node.

The formulas can also be read as source text (`trace`, at the end): the engine's method template and
the replay code generator paste them into Python, so the maths stays written once.
"""
import builtins
import math

__all__ = ["Op", "OPS", "data", "is_number", "recip", "sign", "relu", "tanh", "sigmoid", "exp", "log", "sqrt",
           "abs", "sin", "cos", "Sym", "source", "trace"]

nan, inf = math.nan, math.inf


def is_number(v):
    """True for a plain real number (int, float, bool, numpy's float64); False for a graph node."""
    return isinstance(v, (int, float))


def data(v):
    """The number a float or a node holds: `data(v)` is `v.data` for a node and `v` for a number."""
    return v if type(v) is float or isinstance(v, (int, float)) else v.data


def _label(v):
    label = getattr(v, "label", "")
    return f" (node {label!r})" if label else ""


# --- forward functions on floats: they check domains and say what was wrong ---------------------

def _div(x, y):
    if y == 0:
        raise ZeroDivisionError(f"'/': division of {x!r} by zero")
    return x / y


def _pow(x, y):
    # A negative finite base to a fractional power is not real; (-inf) ** 0.5 is inf in IEEE arithmetic.
    if x < 0 and math.isfinite(x) and math.isfinite(y) and y != int(y):
        raise ValueError(f"'**': negative base {x!r} to the non-integer power {y!r} is not a real number")
    try:
        return x ** y
    except ZeroDivisionError:
        raise ZeroDivisionError(f"'**': zero base to the negative power {y!r}") from None
    except OverflowError:
        raise OverflowError(f"'**': {x!r} ** {y!r} overflows a float") from None


def _ieee(fn):
    # sin and cos of +-inf are NaN in IEEE arithmetic (the user's inf propagates, as everywhere in
    # pathgrad); math.sin raises a bare "math domain error" instead.
    def f(x):
        return fn(x) if x - x == 0 else nan
    f.__name__ = fn.__name__
    return f


def _relu(x):
    return x if x > 0 or x != x else 0.0


def _log(x):
    if x <= 0:
        raise ValueError(f"log of {x!r}: log is defined only for x > 0")
    return math.log(x)


def _sqrt(x):
    if x < 0:
        raise ValueError(f"sqrt of {x!r}: sqrt is defined only for x >= 0")
    return math.sqrt(x)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp of {x!r} overflows a float (largest input is about 709.78)") from None


def _sigmoid(x):
    # Two branches so that exp never overflows: sigmoid(-1000) == 0.0 and sigmoid(1000) == 1.0.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_sin, _cos = _ieee(math.sin), _ieee(math.cos)


# --- the helpers derivative formulas use: a float gives a float, a node gives a node ------------

def _helper(name, fn, math_):
    def helper(v):
        return fn(v) if isinstance(v, (int, float)) else getattr(v, name)()
    helper.__name__ = name
    helper.__doc__ = f"{math_} of a float (a float) or of a node (a new node, differentiable again)."
    return helper


relu = _helper("relu", _relu, "relu(x) = max(x, 0)")
tanh = _helper("tanh", math.tanh, "tanh(x)")
sigmoid = _helper("sigmoid", _sigmoid, "sigmoid(x) = 1 / (1 + exp(-x))")
exp = _helper("exp", _exp, "exp(x)")
log = _helper("log", _log, "log(x), x > 0")
sqrt = _helper("sqrt", _sqrt, "sqrt(x), x >= 0")
abs = _helper("abs", builtins.abs, "|x|")  # noqa: A001 (ops.abs, as Value.abs)
sin = _helper("sin", _sin, "sin(x)")
cos = _helper("cos", _cos, "cos(x)")


def recip(v):
    """1/v. For the float 0 the IEEE limit +-inf (e.g. sqrt'(0)), since Python floats raise instead;
    for a node at 0, ZeroDivisionError: an infinite slope has no graph to differentiate again."""
    if isinstance(v, (int, float)):
        return 1.0 / v if v != 0 else math.copysign(inf, v)
    if v.data == 0:
        raise ZeroDivisionError(f"a local derivative 1/x at x = 0 (such as sqrt'(0)){_label(v)} is infinite, "
                                "so it has no graph to differentiate again (from floats, backward() gives inf)")
    return 1.0 / v


def sign(v):
    """sign(x) as a float: 1, -1, 0 at 0 (PyTorch's abs'(0)), nan for nan. A constant: its derivative is 0."""
    x = data(v)
    return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else nan))


def _pow_base(x, y, out):
    # d(x**y)/dx = y * x**(y-1). For y == 0 the function is the constant 1: 0, not 0 * 0**-1.
    # At x == 0 with 0 < y < 1 the slope is infinite; floats would raise, so give the IEEE inf.
    # A node exponent at 0 keeps the formula (when x != 0): its y-derivative x**-1 is not 0.
    xd, yd = data(x), data(y)
    if yd == 0 and (is_number(y) or xd == 0):
        return 0.0
    if xd == 0 and yd < 1:
        if not is_number(x):  # as in recip: a constant inf would make every further derivative 0
            raise ZeroDivisionError(f"'**': the slope of x**{yd!r} at x = 0{_label(x)} is infinite, so it "
                                    "has no graph to differentiate again (from floats, backward() gives inf)")
        return inf
    try:
        return y * x ** (y - 1)
    except OverflowError:  # floats only (tiny x, y < 1): the slope exceeds a float; give +-inf
        odd = xd < 0 and int(yd - 1) % 2
        return math.copysign(inf, -yd if odd else yd)


def _pow_exponent(x, y, out):
    # d(x**y)/dy = x**y * log(x): defined for x > 0; at x == 0 the limit from y > 0 is 0; for a
    # negative base the real function is not differentiable in y, so nan, never a made-up number.
    # On nodes the nan is out * nan, so that every further derivative is nan too (a constant nan
    # would have derivative 0: a hessian would invent zeros next to it).
    xd = data(x)
    if xd > 0:
        return out * log(x)
    if xd == 0 and data(y) > 0:
        return 0.0
    return nan if is_number(out) else out * nan


class Op:
    """A primitive op: `forward(*floats) -> float` and `derivs(*args, out) -> tuple` of the local
    partial derivatives d(out)/d(arg_i), one per argument. `derivs` is written with arithmetic and the
    helpers of `autograd.ops` so it evaluates on floats and on nodes alike. `math` states the rule.
    """

    __slots__ = ("name", "arity", "forward", "derivs", "math")

    def __init__(self, name, arity, forward, derivs, math):
        self.name, self.arity, self.forward, self.derivs, self.math = name, arity, forward, derivs, math

    def __repr__(self):
        return f"Op({self.name!r}: {self.math})"


# The one table of local derivatives. Adding an op is adding a line here (and its oracle in the tests).
BUILTIN = (
    Op("+", 2, lambda x, y: x + y, lambda x, y, out: (1.0, 1.0), "d(x+y)/dx = 1, d(x+y)/dy = 1"),
    Op("-", 2, lambda x, y: x - y, lambda x, y, out: (1.0, -1.0), "d(x-y)/dx = 1, d(x-y)/dy = -1"),
    Op("*", 2, lambda x, y: x * y, lambda x, y, out: (y, x), "d(xy)/dx = y, d(xy)/dy = x"),
    Op("/", 2, _div, lambda x, y, out: (1.0 / y, -out / y), "d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2"),
    Op("**", 2, _pow, lambda x, y, out: (_pow_base(x, y, out), _pow_exponent(x, y, out)),
       "d(x^y)/dx = y x^(y-1), d(x^y)/dy = x^y ln x"),
    Op("neg", 1, lambda x: -x, lambda x, out: (-1.0,), "d(-x)/dx = -1"),
    Op("relu", 1, _relu, lambda x, out: (1.0 if data(x) > 0 else 0.0,),
       "relu'(x) = 1 if x > 0 else 0 (0 at the kink, as PyTorch)"),
    Op("tanh", 1, math.tanh, lambda x, out: (1.0 - out * out,), "tanh'(x) = 1 - tanh(x)^2"),
    Op("sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),), "sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))"),
    Op("exp", 1, _exp, lambda x, out: (out,), "exp'(x) = exp(x)"),
    Op("log", 1, _log, lambda x, out: (recip(x),), "log'(x) = 1/x"),
    Op("sqrt", 1, _sqrt, lambda x, out: (0.5 * recip(out),), "sqrt'(x) = 1 / (2 sqrt(x))"),
    Op("abs", 1, builtins.abs, lambda x, out: (sign(x),), "abs'(x) = sign(x) (0 at the kink, as PyTorch)"),
    Op("sin", 1, _sin, lambda x, out: (cos(x),), "sin'(x) = cos(x)"),
    Op("cos", 1, _cos, lambda x, out: (-sin(x),), "cos'(x) = -sin(x)"),
)
OPS = {op.name: op for op in BUILTIN}


# --- formula-to-text: an op's formulas read as source, by running them on symbols ---------------
# `OPS['*'].derivs(Sym('x'), Sym('y'), Sym('out'))` returns `(Sym('y'), Sym('x'))`: each symbol records
# the arithmetic done to it, so the table's own formula prints itself. The engine's method template and
# the replay code generator paste these texts into Python source, so the maths stays written once. A
# formula that branches on its input (relu, abs, the domain checks of log and /) or calls a math
# function cannot be read this way; `trace` says so with None and the generator calls the formula.

class Sym:
    """A placeholder that records arithmetic as text: `Sym('x') * 2.0` is `(x * 2.0)`.

    Comparisons and truth tests raise, so a formula that branches on its input is not traced
    (its text would be right for one branch only).
    """

    __slots__ = ("src",)

    def __init__(self, src):
        self.src = src

    def _refuse(self, *_):
        raise TypeError("a traced formula branches on its input")

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __hash__ = None

    def __neg__(self):
        return Sym(f"(-{self.src})")

    def __pos__(self):
        return self

    def __repr__(self):
        return f"Sym({self.src!r})"


def _binop(sym, swap=False):
    def method(self, other):
        a, b = (source(other), self.src) if swap else (self.src, source(other))
        if sym == "**" and a.startswith("-"):  # -3.0 ** x is -(3.0 ** x) in Python: keep the base's sign
            a = f"({a})"
        return Sym(f"({a} {sym} {b})")
    return method


for _name, _sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("pow", "**")):
    setattr(Sym, f"__{_name}__", _binop(_sym))
    setattr(Sym, f"__r{_name}__", _binop(_sym, swap=True))


def source(v):
    """The text of a symbol, or of a number (`inf` and `nan` print as names: define them)."""
    if type(v) is Sym:
        return v.src
    if type(v) in (float, int):
        return repr(float(v))
    raise TypeError(f"cannot write {type(v).__name__} as source")


def trace(op, args, out):
    """(forward text or None, [derivative texts] or None) of `op` on `args` (Syms or numbers)."""
    try:
        fwd = source(op.forward(*args))
    except Exception:  # a branch, a math.* call on a symbol: not expressible as arithmetic text
        fwd = None
    try:
        der = [source(d) for d in op.derivs(*args, out)]
    except Exception:
        der = None
    return fwd, der
