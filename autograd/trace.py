"""Read an op's formulas as source text, by running them on symbols.

`OPS['*'].derivs(Sym('x'), Sym('y'), Sym('out'))` returns `(Sym('y'), Sym('x'))`: each symbol records
the arithmetic done to it, so the table's own formula prints itself as `y` and `x`. Code generators
(the eager ops of `engine`, `Tape.compile()`) paste these texts into straight-line Python, so the
maths stays written once, in the table. A formula that branches on its input (relu, abs, the
domain checks of log and /) or calls a math function cannot be read this way; `trace` says so with
None and the generator calls the formula instead. This module imports nothing from the engine.
"""

__all__ = ["Sym", "source", "trace"]


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
