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
