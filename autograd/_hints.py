"""What to write instead, for the mistakes people make most when they type maths for a program:
`a^2` (Python's ^ is exclusive or), `2b` and `2(a+b)` (no implied product), `tahn(x)` (a near miss),
`e**x` (e is not Euler's number here). Each function returns the end of an error message ("; did you
mean tanh?"), or "" when it has nothing useful to say. expr.py raises the error; nothing here runs the text.
"""
import ast
import difflib
import re

# A number glued to a name, where Python's tokenizer says "invalid decimal literal": 2b, 0.5x, 1e3y.
# The look-behind starts a match only at the beginning of a token, so the scan stays linear.
_GLUED = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)((?!_)[^\W\d]\w*)")
_PREFIXED = re.compile(r"0[xXoObB]\w*")  # 0x1g is a bad hex literal, not 0 times x1g
_SUPERSCRIPTS = {"²": "2", "³": "3"}
_ALIASES = {"ln": "log", "sigma": "sigmoid"}
_MODULES = ("math", "np", "numpy", "torch", "cmath")


def _src(node, text):
    return (ast.get_source_segment(text, node) or "...")[:40]


def _operand(node, text):
    # ast leaves out the brackets of (a+b)^3: put them back
    return f"({_src(node, text)})" if type(node) in (ast.BinOp, ast.UnaryOp) else _src(node, text)


def syntax(text, msg):
    """For text Python cannot parse (msg is the parser's message)."""
    if msg.startswith("multiple statements"):
        return "; separate the parts with ';', as in 'c = a+b; c*2'"
    for ch, n in _SUPERSCRIPTS.items():
        if ch in text:
            return f"; for a power write **{n} (a{ch} is a**{n})"
    m = _GLUED.search(text)
    if m and not _PREFIXED.fullmatch(m.group(0)):
        return f"; write {m.group(1)}*{m.group(2)} (there is no implied product)"
    return ""


def operator(node, text):
    """For a binary operator outside + - * / **: what to write instead of the usual list."""
    if type(node.op) is ast.BitXor:
        return f"for a power write {_operand(node.left, text)}**{_operand(node.right, text)} (in Python ^ is not a power)"
    return ""


def euler(node, text, values):
    """`e**x` with no value for e: the message to refuse it with, else None."""
    if type(node.op) is ast.Pow and type(node.left) is ast.Name and node.left.id == "e" and "e" not in values:
        x = _src(node.right, text)
        return f"e**{x}: e is not Euler's number here; use exp({x}) (or give e a value, e=VALUE)"
    return None


def call(node, text, values, functions):
    """For a call of something that is not a function: a near miss, a product, a module's function."""
    f = node.func
    args = ", ".join(_src(a, text) for a in node.args)
    if type(f) is ast.Name:
        guess = _guess(f.id, functions)
        if guess:
            return f"; did you mean {guess}?"
        if f.id in values:
            return f"; to multiply, write {f.id}*({args})"
    elif type(f) is ast.Constant:
        return f"; to multiply, write {_src(f, text)}*({args})"
    elif type(f) in (ast.BinOp, ast.UnaryOp, ast.Call):
        return f"; to multiply, write ({_src(f, text)})*({args})"
    elif type(f) is ast.Attribute and type(f.value) is ast.Name and f.value.id in _MODULES and f.attr in functions:
        return f"; write {f.attr}({args}), without {f.value.id}."
    return f"; the functions are {', '.join(functions)}"


def no_value(name, values, functions):
    """For a name that has no value."""
    if name == "e":
        return "; e is not Euler's number here: for e**x write exp(x)"
    if name in functions:
        return f"; {name} is a function: write {name}(x)"
    guess = difflib.get_close_matches(name, list(values), n=1, cutoff=0.75)
    return f"; did you mean {guess[0]}?" if guess else ""


def _guess(name, functions):
    if _ALIASES.get(name) in functions:
        return _ALIASES[name]
    guess = difflib.get_close_matches(name.lower(), list(functions), n=1, cutoff=0.6)
    return guess[0] if guess else None
