"""Build a graph from an arithmetic expression in text, safely: `build("(a+b)*(b+1)", {"a": 2, "b": 1})`.

The text is parsed with `ast` and only a whitelist is accepted: numbers, variable names, the binary
operators + - * / **, unary - and +, and calls of the unary ops relu tanh sigmoid exp log sqrt abs sin
cos with one argument. Everything else (attribute access, subscripts, strings, lambdas, comprehensions,
keyword arguments, imports, comparisons, ...) is refused with an `ExpressionError` naming the construct.
Nothing is ever passed to eval; the tree is walked with an explicit stack, so deep nesting cannot hit
Python's recursion limit. Each variable becomes one leaf Value labelled with its name; arithmetic on
constants alone is folded with the same forward functions the engine uses (`OPS[name].forward`).
"""
import ast
import math
import operator
import unicodedata
import warnings

from .engine import OPS, Value

__all__ = ["FUNCTIONS", "ExpressionError", "build", "parse_assignments"]

FUNCTIONS = ("relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "sin", "cos")

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "neg", ast.UAdd: None}

# What a refused construct is called in the error message.
_NAMES = {
    ast.Attribute: "attribute access (x.y)", ast.Subscript: "subscripts (x[i])", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.Starred: "starred arguments", ast.NamedExpr: "assignment expressions (:=)",
    ast.JoinedStr: "strings", ast.FormattedValue: "strings", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "slices", ast.keyword: "keyword arguments",
}


class ExpressionError(ValueError):
    """The expression or a VAR=VALUE assignment was refused; the message says why."""


def _refuse(msg, node=None):
    where = f" (column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
    raise ExpressionError(msg + where)


def _number(value, text):
    if type(value) not in (int, float):
        what = {str: "strings", bytes: "strings", bool: "True/False", complex: "complex numbers"}
        _refuse(f"not allowed in an expression: {what.get(type(value), type(value).__name__)} ({text:.40});"
                " numbers must be real")
    try:
        x = float(value)
    except OverflowError:
        _refuse(f"the number {text:.40} is too large for a float")
    if not math.isfinite(x):
        _refuse(f"the number {text:.40} is not finite")
    return x


def parse_assignments(items):
    """`["a=2", "b=-1.5"]` -> {"a": 2.0, "b": -1.5}; refuses bad names, bad numbers and repeats."""
    values = {}
    for item in items:
        name, eq, text = item.partition("=")
        # Python's parser reads names in the expression in NFKC form ("ª" is "a"): so do we here.
        name, text = unicodedata.normalize("NFKC", name.strip()), text.strip()
        if not eq or not name.isidentifier() or name.startswith("_"):
            _refuse(f"expected VAR=VALUE with VAR a name not starting with '_', got {item!r:.60}")
        if name in values:
            _refuse(f"the variable {name} is given twice")
        try:
            x = float(text)
        except ValueError:
            _refuse(f"{name}={text!r:.40}: the value is not a number")
        if not math.isfinite(x):
            _refuse(f"{name}={text:.40}: the value must be a finite number")
        values[name] = x
    return values


def _check(tree, text):
    """Refuse anything outside the whitelist before evaluating anything."""
    for node in ast.walk(tree):  # breadth-first with a queue: no recursion
        t = type(node)
        if t in (ast.Expression, ast.Load) or t in _BINARY or t in _UNARY:
            continue
        if t is ast.BinOp:
            if type(node.op) not in _BINARY:
                _refuse(f"the operator {_op_text(node.op)} is not allowed; use + - * / **", node)
        elif t is ast.UnaryOp:
            if type(node.op) not in _UNARY:
                _refuse(f"the unary operator {_op_text(node.op)} is not allowed; use - or +", node)
        elif t is ast.Constant:
            try:
                _number(node.value, "")
            except ExpressionError:  # the source text only for the message: finding it rescans the text
                _number(node.value, ast.get_source_segment(text, node) or repr(node.value))
        elif t is ast.Name:
            if node.id.startswith("_"):
                _refuse(f"names starting with '_' are not allowed: {node.id}", node)
        elif t is ast.Call:
            f = node.func
            if type(f) is not ast.Name or f.id not in FUNCTIONS:
                # not ast.unparse: it recurses, and `a.b.b...b()` can be thousands of levels deep
                name = f.id if type(f) is ast.Name else (ast.get_source_segment(text, f) or "an expression")[:40]
                _refuse(f"calling {name} is not allowed; the functions are {', '.join(FUNCTIONS)}", node)
            if node.keywords:
                _refuse(f"keyword arguments are not allowed: {f.id}() takes one argument", node)
            if len(node.args) != 1:
                _refuse(f"{f.id}() takes exactly one argument, got {len(node.args)}", node)
        else:
            _refuse(f"not allowed in an expression: {_NAMES.get(t, t.__name__)}", node)


def _op_text(op):
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not"}.get(
                type(op), type(op).__name__)


_PYTHON_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "**": operator.pow}


def _apply(name, args):
    # With a Value among the arguments the Value's own method builds the node; otherwise fold the
    # constants with the engine's forward function (same domain checks and messages).
    if any(type(a) is Value for a in args):
        if len(args) == 2:
            return _PYTHON_OPS[name](*args)
        return -args[0] if name == "neg" else getattr(args[0], name)()
    return OPS[name].forward(*args)


def build(text, values):
    """Evaluate `text` with the variables in `values` (name -> number); returns (output, leaves) where
    `output` is a Value and `leaves` maps each variable used to its leaf Value (labelled by its name).

    Raises ExpressionError for anything outside the whitelist or a variable without a value, and the
    engine's ValueError / ZeroDivisionError / OverflowError when a value is out of an op's domain.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, got {type(text).__name__}")
    try:
        text = text.strip()
        with warnings.catch_warnings():  # Python's parser would print e.g. "SyntaxWarning" for `1if`
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        _refuse(f"not a valid expression: {e.msg}")
    except (RecursionError, MemoryError):
        _refuse("the expression is nested too deeply for Python's parser")
    _check(tree, text)
    leaves = {}
    results = []
    stack = [(tree.body, False)]
    while stack:
        node, ready = stack.pop()
        t = type(node)
        if not ready:
            kids = ((node.left, node.right) if t is ast.BinOp else (node.operand,) if t is ast.UnaryOp
                    else tuple(node.args) if t is ast.Call else ())
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
        elif t is ast.Constant:
            results.append(float(node.value))
        elif t is ast.Name:
            if node.id not in values:
                _refuse(f"the variable {node.id} has no value: add {node.id}=VALUE")
            if node.id not in leaves:
                leaves[node.id] = Value(values[node.id], label=node.id)
            results.append(leaves[node.id])
        elif t is ast.BinOp:
            y = results.pop()
            results.append(_apply(_BINARY[type(node.op)], (results.pop(), y)))
        elif t is ast.UnaryOp:
            name = _UNARY[type(node.op)]
            if name:
                results.append(_apply(name, (results.pop(),)))
        else:
            results.append(_apply(node.func.id, (results.pop(),)))
    out = results.pop()
    return (out if type(out) is Value else Value(out)), leaves
