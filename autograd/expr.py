"""Build a graph from arithmetic in text, safely: `build("c = a+b; d = b+1; c*d", {"a": 2, "b": 1})`.

The text is parsed with `ast` and only a whitelist is accepted: numbers, variable names, the binary
operators + - * / **, unary - and +, and calls of the ops that have names (`FUNCTIONS`: relu tanh sigmoid
exp log sqrt abs sin cos, and any op added with `register_op`, read from `OPS` when the text is checked).
Parts before the last may name intermediate nodes, `c = a+b; d = b+1; c*d`: the node gets the label c.
Everything else (attribute access, subscripts, strings, lambdas, comprehensions, keyword arguments,
imports, comparisons, ...) is refused with an `ExpressionError` naming the construct, with a hint where
the mistake is a common one (`a^2`, `2b`, `tahn(x)`, `e**x`; see autograd/_hints.py).
Nothing is ever passed to eval; the tree is walked with an explicit stack, so deep nesting cannot hit
Python's recursion limit. Each variable becomes one leaf Value labelled with its name; arithmetic on
constants alone is folded with the same forward functions the engine uses (`OPS[name].forward`).
"""
import ast
import math
import operator
import unicodedata
import warnings
from collections.abc import Mapping

from . import _hints
from .engine import Value, topo_order
from .ops import OPS
from .text import num

__all__ = ["FUNCTIONS", "ExpressionError", "build", "parse_assignments"]


class _Functions(Mapping):
    """{name: arity} of the ops an expression calls by name, read from OPS on every use, so an op added
    with register_op is callable at once. An op is callable when its name is a Value method (`neg` is
    an op but is written -x)."""

    def _now(self):
        return {name: op.arity for name, op in OPS.items() if name.isidentifier() and hasattr(Value, name)}

    def __getitem__(self, name):
        return self._now()[name]

    def __iter__(self):
        return iter(self._now())

    def __len__(self):
        return len(self._now())

    def __repr__(self):
        return f"FUNCTIONS({self._now()})"


FUNCTIONS = _Functions()

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
    ast.Import: "import", ast.ImportFrom: "import", ast.AugAssign: "augmented assignment (+= ...)",
    ast.AnnAssign: "annotations", ast.FunctionDef: "def", ast.AsyncFunctionDef: "def", ast.ClassDef: "class",
    ast.Delete: "del", ast.Global: "global", ast.Nonlocal: "nonlocal",
}
_EXAMPLE = "as in 'c = a+b; d = b+1; c*d'"


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
    return _finite(value, f"the number {text:.40} is too large for a float", f"the number {text:.40} is not finite")


def _finite(value, bad, infinite):
    # float(value), refused with `bad` when it is no float (or too large) and `infinite` when not finite
    try:
        x = float(value)
    except (OverflowError, ValueError):
        _refuse(bad)
    if not math.isfinite(x):
        _refuse(infinite)
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
        values[name] = _finite(text, f"{name}={text!r:.40}: the value is not a number",
                               f"{name}={text:.40}: the value must be a finite number")
    return values


def _statements(tree, values, functions):
    """The parts `name = expression; ...; expression`: [(name or None, expression node)], checked."""
    body = tree.body
    if not body:
        _refuse("the expression is empty")
    named = {}
    for k, s in enumerate(body):
        last, t = k == len(body) - 1, type(s)
        if t is ast.Expr and not last:
            _refuse(f"only the last part is the output; name the others, {_EXAMPLE}", s)
        if t is ast.Assign and last:
            _refuse(f"the last part must be the output, an expression, {_EXAMPLE}", s)
        if t not in (ast.Expr, ast.Assign):
            _refuse(f"not allowed in an expression: {_NAMES.get(t, t.__name__.lower())}", s)
        if t is ast.Assign:
            if len(s.targets) != 1 or type(s.targets[0]) is not ast.Name:
                _refuse(f"name one node at a time, {_EXAMPLE}", s)
            name = s.targets[0].id
            if name.startswith("_"):
                _refuse(f"names starting with '_' are not allowed: {name}", s)
            if name in functions:
                _refuse(f"{name} is a function; give the node another name", s)
            if name in values:
                _refuse(f"{name} is given a value ({name}=...) and also named in the expression; drop one", s)
            if name in named:
                _refuse(f"{name} is named twice; give the second node another name", s)
            named[name] = k
    for k, s in enumerate(body):  # a name is used only after the part that defines it
        for node in ast.walk(s.value):
            if type(node) is ast.Name and named.get(node.id, -1) >= k:
                _refuse(f"{node.id} is used before it is named", node)
    return [(s.targets[0].id if type(s) is ast.Assign else None, s.value) for s in body]


def _check(expr, text, values, functions):
    """Refuse anything outside the whitelist before evaluating anything."""
    for node in ast.walk(expr):  # breadth-first with a queue: no recursion
        t = type(node)
        if t is ast.Load or t in _BINARY or t in _UNARY:
            continue
        if t is ast.BinOp:
            if type(node.op) not in _BINARY:
                _refuse(f"the operator {_op_text(node.op)} is not allowed; "
                        + (_hints.operator(node, text) or "use + - * / **"), node)
            euler = _hints.euler(node, text, values)
            if euler:
                _refuse(euler, node)
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
            if type(f) is not ast.Name or f.id not in functions:
                # not ast.unparse: it recurses, and `a.b.b...b()` can be thousands of levels deep
                name = f.id if type(f) is ast.Name else (ast.get_source_segment(text, f) or "an expression")[:40]
                _refuse(f"calling {name} is not allowed" + _hints.call(node, text, values, functions), node)
            if node.keywords:
                _refuse(f"keyword arguments are not allowed: {f.id}() takes {_args(functions[f.id])}", node)
            if len(node.args) != functions[f.id]:
                _refuse(f"{f.id}() takes {_args(functions[f.id])}, got {len(node.args)}", node)
        else:
            _refuse(f"not allowed in an expression: {_NAMES.get(t, t.__name__)}", node)


def _args(n):
    return "exactly one argument" if n == 1 else f"exactly {n} arguments"


def _op_text(op):
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not"}.get(
                type(op), type(op).__name__)


_PYTHON_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "**": operator.pow}


def _apply(name, args):
    # With a Value among the arguments the Value's own method builds the node; otherwise fold the
    # constants with the engine's forward function (same domain checks and messages).
    if not any(type(a) is Value for a in args):
        return OPS[name].forward(*args)
    if name in _PYTHON_OPS:
        return _PYTHON_OPS[name](*args)
    if name == "neg":
        return -args[0]
    first = args[0] if type(args[0]) is Value else Value(args[0])  # a registered binary op, 2-first
    return getattr(first, name)(*args[1:])


def _evaluate(expr, values, leaves, named, functions):
    """The Value (or folded number) of one expression, with an explicit stack instead of recursion."""
    results = []
    stack = [(expr, False)]
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
            if node.id in named:
                results.append(named[node.id])
                continue
            if node.id not in values:
                _refuse(f"the variable {node.id} has no value: add {node.id}=VALUE"
                        + _hints.no_value(node.id, values, functions))
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
            n = len(node.args)
            args = tuple(results[-n:])
            del results[-n:]
            results.append(_apply(node.func.id, args))
    return results.pop()


def build(text, values, warn=None):
    """Evaluate `text` with the variables in `values` (name -> number); returns (output, nodes) where
    `output` is a Value and `nodes` maps each variable used to its leaf Value and each named part
    (`c = a+b; ...`) to its node, every one labelled with its name.

    `warn(message)`, when given, hears of a value no part uses and of a named node the output does
    not use. Raises ExpressionError for anything outside the whitelist or a variable without a value,
    and the engine's ValueError / ZeroDivisionError / OverflowError when a value is out of an op's domain.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, got {type(text).__name__}")
    try:
        text = text.strip()
        with warnings.catch_warnings():  # Python's parser would print e.g. "SyntaxWarning" for `1if`
            warnings.simplefilter("ignore")
            # "single", not "exec": on a syntax error, exec mode opens the file "<unknown>" to quote it
            tree = ast.parse(text, mode="single")
    except SyntaxError as e:
        _refuse(f"not a valid expression: {e.msg}" + _hints.syntax(text, e.msg))
    except (RecursionError, MemoryError):
        _refuse("the expression is nested too deeply for Python's parser")
    functions = dict(FUNCTIONS)
    parts = _statements(tree, values, functions)
    for _, expr in parts:
        _check(expr, text, values, functions)
    leaves, named = {}, {}
    for name, expr in parts:
        v = _evaluate(expr, values, leaves, named, functions)
        if name is None:
            out = v if type(v) is Value else Value(v)
        elif type(v) is not Value:
            _refuse(f"{name} = {(ast.get_source_segment(text, expr) or '...')[:40]} is a constant; "
                    f"give it as a value, {name}={num(v)}", expr)
        elif v.label:
            _refuse(f"{name} would be another name for {v.label}; write {v.label}", expr)
        else:
            v.label = name
            named[name] = v
    if warn is not None:
        for name in values:
            if name not in leaves:
                warn(f"{name}={values[name]!r} is not used: the expression has no variable {name}")
        used = {id(v) for v in topo_order(out)} if named else set()
        for name, v in named.items():
            if id(v) not in used:
                warn(f"{name} is named but the output does not use it")
    return out, {**leaves, **named}
