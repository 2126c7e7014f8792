"""The one sympy oracle per op, shared by every suite that checks derivatives against exact maths.

`ORACLES[name](*args)` is the op written in sympy; sympy differentiates it exactly. A new op is one
`Op` line in autograd/ops.py and one line here; `test_every_op_has_an_oracle` fails until it has one,
and the suites that iterate `OPS` (random graphs, every op alone, higher orders) then check it.
relu and abs are not differentiable at 0: the suites pick points away from the kink.
"""
import sympy

ORACLES = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x ** y,
    "neg": lambda x: -x,
    "relu": lambda x: sympy.Max(0, x),
    "tanh": sympy.tanh,
    "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
}


def oracle(name, *args):
    """The op `name` applied to sympy expressions `args`."""
    try:
        fn = ORACLES[name]
    except KeyError:
        raise KeyError(f"op {name!r} has no sympy oracle: add one line for it to tests/_oracles.py") from None
    return fn(*args)


class Mirror:
    """A sympy expression that answers to Value's operators and op methods, so that a function written
    for Values runs on sympy symbols op by op through ORACLES: `mirror(lambda x: (x * x).tanh())(X)` is
    tanh(X**2). A test then states its function once and sympy differentiates the same composition."""

    __slots__ = ("e",)

    def __init__(self, e):
        self.e = e

    def __getattr__(self, name):
        if name in ORACLES:
            return lambda *args: Mirror(oracle(name, self.e, *map(_raw, args)))
        raise AttributeError(f"no op {name!r} in tests/_oracles.py")

    def __neg__(self):
        return Mirror(oracle("neg", self.e))

    def __abs__(self):
        return Mirror(oracle("abs", self.e))


def _raw(v):
    return v.e if type(v) is Mirror else sympy.Float(v) if isinstance(v, float) else v


def _operator(symbol, reflected=False):
    def method(self, other):
        a, b = (_raw(other), self.e) if reflected else (self.e, _raw(other))
        return Mirror(oracle(symbol, a, b))
    return method


for _name, _symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("pow", "**")):
    setattr(Mirror, f"__{_name}__", _operator(_symbol))
    setattr(Mirror, f"__r{_name}__", _operator(_symbol, reflected=True))


def mirror(fn):
    """fn, written for Values, as a function of sympy expressions returning a sympy expression."""
    return lambda *exprs: _raw(fn(*map(Mirror, exprs)))
