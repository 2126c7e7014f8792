"""The engine: `Value`, `backward`, `no_grad`.

Every primitive op is written once, in the table `autograd.ops.OPS`: its forward value on floats and its
local partial derivatives d(out)/d(input_i). The derivative formulas use only arithmetic and the public
helpers of `autograd.ops`, so the same line evaluates on floats (eager backward, path rates, drawings)
and on `Value`s (`backward(create_graph=True)`, higher-order derivatives).

A node stores its parents (duplicates kept: `a*a` has two edges to `a`) and the float value of each
local derivative, computed once in the forward pass. No node holds a closure or a reference to
itself, so a graph has no reference cycles and is freed by reference counting.

Every op's method is made from ONE source template (`_TEMPLATE`), for the built-in ops and for ops
added with `register_op` alike. Where an op's formula can be read as arithmetic (`trace`: d(xy)/dx = y
reads `y`) it is pasted in as an expression; where it branches (relu, the domain checks of / and log)
the template calls it. The generated source is registered with `linecache`, so tracebacks and
`inspect.getsource(Value.__mul__)` show the code that runs.

Why this module is longer than the others (a measured speed constraint): the generated methods are the
hottest code of the library (65,000 nodes per moons training step, most of them made by
`weighted_sum`, a neuron's b + sum w_i x_i, generated from the same formulas), and they read `Value`, the
grad-mode flag `_changed` and `_state`, `_as_float`, `_fail` and the anomaly checks as globals of this
one module, the cheapest lookup Python has. Calling two formula functions per node instead of pasting
them cost a quarter of graph building, and reading the thread-local state twice per op a fifth; so the
template, the class it builds methods for, and the grad-mode state live together here.
"""
import linecache
import math
import numbers
import threading
from operator import mul as _mul  # noqa: F401  (read by weighted_sum's generated source)
import unicodedata
from math import inf, nan  # noqa: F401  (pasted formulas write these constants by name)
from numbers import Real  # noqa: F401  (read by the generated methods)

from .graph import accumulators, sweep, topo
from .ops import OPS, Op
from .ops import Sym, trace

__all__ = ["Value", "Op", "OPS", "no_grad", "enable_grad", "is_grad_enabled", "topo_order", "register_op",
           "unregister_op", "install_checks"]


class _State(threading.local):
    # Thread-local: one thread inside no_grad() must not switch graph recording off for another.
    grad_enabled = True
    anomaly = False

    def __setattr__(self, name, value):
        # `_changed` counts the settings, over all threads, that differ from the defaults above.
        # While it is 0 the ops need not read this thread-local at all: reading it twice per op
        # cost about a fifth of building a graph.
        global _changed
        default = getattr(_State, name, None)
        with _changed_lock:
            was = getattr(self, name, default) != default
            super().__setattr__(name, value)
            _changed += (value != default) - was


_changed = 0
_changed_lock = threading.Lock()
_state = _State()


_checks = None  # detect_anomaly's checks, wired in by install_checks(); used only while the mode is on


def install_checks(checks):
    """Wire in detect_anomaly's checks (autograd.anomaly calls this once). While the mode is on:
    `checks.node(node)` sees every new node, `checks.unrecorded(op, inputs, out, args)` every op run
    under no_grad, `checks.edge` is backward's edge hook (see graph.sweep), and `checks.building()`
    is a context manager around backward(create_graph=True)."""
    global _checks
    _checks = checks


def _as_float(data, what="Value"):
    t = type(data)
    if t is float:
        return data
    if isinstance(data, Value):
        raise TypeError(f"{what} takes a real number, got a Value ({data!r}); use .data or .detach()")
    if t is int or t is bool or isinstance(data, numbers.Real):  # numpy floats, fractions.Fraction, ...
        try:
            return float(data)
        except OverflowError:  # its digits can exceed what str() may print: name its size instead
            raise OverflowError(f"{what}: the {type(data).__name__} {_size(data)} is too large for a float "
                                "(largest about 1.8e308)") from None
    raise TypeError(f"{what} takes a real number (int, float or bool), got {type(data).__name__}: {data!r:.60}")


def _size(x):
    """`of about 1e5000` for a huge int or Fraction, without converting it to a string."""
    try:
        e = (math.log10(abs(x.numerator)) - math.log10(x.denominator)) if isinstance(x, numbers.Rational) else None
    except (ValueError, OverflowError):
        e = None
    return "of unknown size" if e is None else f"of about {'-' if x < 0 else ''}1e{int(e)}"


def _named(node):
    return f" (node {node.label!r})" if type(node) is Value and node.label else ""


def _fail(err, args):
    # One parenthesis for all the labelled operands, "(nodes 'x' and 'y')", not one per operand.
    labels = list(dict.fromkeys(a.label for a in args if type(a) is Value and a.label))
    if not labels:
        return type(err)(str(err))
    return type(err)(f"{err} (node{'s' if len(labels) > 1 else ''} {' and '.join(map(repr, labels))})")


def _unrecorded(op, inputs, out, args):
    # An op under no_grad: a plain number, checked when detect_anomaly is on.
    if _state.anomaly and _checks is not None:
        _checks.unrecorded(op, inputs, out, args)
    return Value(out)


_new = object.__new__
GENERATED = "<autograd generated"  # how the file names of the generated methods begin

# The one template. {load}: where the op's arguments x (and y) come from; {fwd}: the forward value,
# an expression or a call; {derivs}: the node's arguments and local derivatives, pasted or called. A
# constant operand sits in _a/_b with derivative None: it is not a parent.
_TEMPLATE = '''\
def _make(_forward, _derivs):
    def {method}({params}):
        {doc!r}
{load}
        try:
            out = {fwd}
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise _fail(e, ({args})) from None
        if _changed and not _state.grad_enabled:
            return _unrecorded({name!r}, ({inputs}), out, ({args}))
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node.op = {name!r}
{derivs}
        if _changed and _state.anomaly:
            _checks.node(node)
        return node
    return {method}
'''

_LOAD_BINARY = '''\
        to = type(other)
        if to is Value:
            x = {a}.data
            y = {b}.data
        else:
            if to is not float:
                if to is not int and not isinstance(other, Real):
                    return NotImplemented
                other = _as_float(other)
            x = {xc}
            y = {yc}'''

_DERIVS_BINARY = '''\
        node._a = {a}
        node._b = {b}
{call}        if to is Value:
            node._da = {da}
            node._db = {db}
        else:
            node._da = {ca}
            node._db = {cb}'''


def _source(op, method, reflected):
    """The text of the method `method` for `op`: formulas pasted where `trace` can read them."""
    fwd, der = trace(op, [Sym("x"), Sym("y")][:op.arity], Sym("out"))
    xy = "x, y" if op.arity == 2 else "x"
    fwd = fwd or f"_forward({xy})"
    doc = f"{'other ' + op.name + ' self' if reflected else 'self ' + op.name + ' other'}: {op.math}" \
        if op.arity == 2 else f"{op.name}(self) as one primitive node: {op.math}"
    if op.arity == 1:
        derivs = (f"        node._a = self\n        node._da = {der[0]}\n" if der else
                  f"        node._a = self\n        (node._da,) = _derivs(x, out)\n")
        derivs += "        node._b = node._db = None"
        return _TEMPLATE.format(method=method, params="self", doc=doc, load="        x = self.data", fwd=fwd,
                                args="self,", name=op.name, inputs="x,", derivs=derivs)
    a, b = ("other", "self") if reflected else ("self", "other")
    load = _LOAD_BINARY.format(a=a, b=b, xc="other" if reflected else "self.data",
                               yc="self.data" if reflected else "other")
    da, db = der if der else ("da", "db")
    derivs = _DERIVS_BINARY.format(a=a, b=b, call="" if der else "        da, db = _derivs(x, y, out)\n",
                                   da=da, db=db, ca="None" if reflected else da, cb=db if reflected else "None")
    return _TEMPLATE.format(method=method, params="self, other", doc=doc, load=load, fwd=fwd,
                            args=f"{a}, {b}", name=op.name, inputs="x, y", derivs=derivs)


def _method(op, method, reflected=False):
    """Compile `_source(op, ...)` into a function; its text goes to linecache under its own file name."""
    src = _source(op, method, reflected)
    filename = f"{GENERATED} Value.{method} for op {op.name!r}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    scope = {}
    exec(compile(src, filename, "exec"), globals(), scope)
    fn = scope["_make"](op.forward, op.derivs)
    fn.__qualname__ = f"Value.{method}"
    return fn


# The Python names of the built-in ops' methods; an op added by register_op gets its own name.
_METHODS = {"+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
            "/": ("__truediv__", "__rtruediv__"), "**": ("__pow__", "__rpow__"), "neg": ("__neg__",),
            "abs": ("abs", "__abs__")}
_BUILTIN = frozenset(OPS)


def _define(op):
    """Give Value the method(s) of `op`, made from the one template; return the first."""
    names = _METHODS.get(op.name, (op.name,))
    reflected = op.arity == 2 and len(names) == 2
    first = _method(op, names[0])
    setattr(Value, names[0], first)
    for name in names[1:]:
        setattr(Value, name, _method(op, name, reflected) if reflected else first)
    return first


class Value:
    """A scalar node in a computation graph.

    `data` is the float value, `grad` the derivative dL/d(this node) after `L.backward()`, `label` a name
    used in drawings and errors, `op` the primitive that made it ('' for a leaf), `parents` the tuple of
    input nodes (an input used twice appears twice: `a*a` has two edges to `a`).
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_da", "_b", "_db", "__weakref__")

    def __init__(self, data, label=""):
        self.data = _as_float(data)
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r:.60}")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._da = self._b = self._db = None

    @property
    def parents(self):
        """The input nodes of the op that made this node, one entry per edge (duplicates kept)."""
        if self._da is None:
            return () if self._db is None else (self._b,)
        return (self._a,) if self._db is None else (self._a, self._b)

    @property
    def local_grads(self):
        """d(self)/d(parent) for each entry of `parents`: the local derivatives ("rate factors")."""
        if self._da is None:
            return () if self._db is None else (self._db,)
        return (self._da,) if self._db is None else (self._da, self._db)

    @property
    def args(self):
        """The op's full argument list, parents and constant operands (plain floats), in order."""
        if not self.op:
            return ()
        return (self._a, self._b) if OPS[self.op].arity == 2 else (self._a,)

    def __pos__(self):
        return self

    def __format__(self, spec):
        """f"{loss:.4f}" formats the data (printing cuts no graph); an empty spec gives the repr."""
        return format(self.data, spec) if spec else repr(self)

    def __float__(self):
        # float(v) -- and so math.exp(v), math.tanh(v), ... -- would hand back a bare number and
        # silently cut the graph there: the gradient through it would be 0 with no error.
        raise TypeError(f"a Value{_named(self)} is not converted to float implicitly: that would cut the graph "
                        "and lose its gradient; use .data for the number, or the Value's own ops "
                        "(v.exp(), v.tanh(), ...) to stay differentiable")

    def backward(self, *, create_graph=False):
        """Compute dL/dv for every node v of the graph below L = self, and add it into v.grad.

        The chain rule says dL/dv = sum over the children c of v of dL/dc * dc/dv. Visiting nodes in
        reverse topological order, every child's grad is complete before it is passed down, and each
        edge (c, v) does `v.grad += dc/dv * c.grad` once. Unrolling that recursion, dL/dv is the sum,
        over every path v -> ... -> L, of the product of the local derivatives along the path: a node
        that fans out into k edges receives k `+=`, one per edge, and each carries the sum over all
        paths through that edge. The number of paths can grow exponentially; this loop stays linear.

        Leaves accumulate across calls (as in micrograd and PyTorch); interior nodes are reset so they
        show this call's dL/dv. With `create_graph=True`, the leaves' grads are Values built from the
        same derivative formulas, so they can be differentiated again (interior nodes keep the number).
        Such a grad refers back to its leaf, as in PyTorch: set it to 0.0 when done with it, or use
        `grad(f)`, which stores nothing, so that the graph is freed by reference counting alone.
        """
        if type(self) is not Value:
            raise TypeError("backward() needs a Value")
        _run_backward(self, create_graph)

    def backward_step(self):
        """One node's chain-rule step, the lesson of micrograd's lecture: for each parent edge of this
        node (an input used twice counts twice), parent.grad += d(self)/d(parent) * self.grad.
        `backward()` is this step on every node, output first."""
        sweep((self,))

    # micrograd's names, for code written against micrograd (see parents, op and backward_step).
    _backward = backward_step

    @property
    def _prev(self):
        """micrograd's name: the set of parent nodes (a set, so the two edges of a*a are one entry)."""
        return set(self.parents)

    @property
    def _op(self):
        """micrograd's symbol for the op: '+', '*', 'ReLU', '**k' for a constant power k, 'tanh',
        'exp'; pathgrad's own op name for ops micrograd lacks ('' for a leaf)."""
        if self.op == "relu":
            return "ReLU"
        if self.op == "**" and self._db is None and self._da is not None:
            k = self._b
            return f"**{int(k) if k.is_integer() else k}"
        return self.op

    def show(self, **kwargs):
        """Print the graph below this node as text (see `autograd.text.show`)."""
        from .text import show  # text imports engine: a lazy import breaks the circle
        return show(self, **kwargs)

    def zero_grad(self):
        """Reset this node's grad to 0."""
        self.grad = 0.0

    def detach(self):
        """A new leaf with this node's data and label, cut from the graph."""
        return Value(self.data, self.label)

    def __reduce__(self):
        """Pickle and copy without recursion, at any depth. A leaf is saved as itself (so it stays
        one object with every other reference to it in the same pickle); a computed node as the flat
        list of its graph in topological order, each argument by its position in the list. (Two
        computed nodes of one graph pickled together each bring their own copy of what they share.)
        """
        if not self.op:  # grad as state, set after the leaf exists: it may be a Value built on the leaf
            return Value, (self.data, self.label), (None, {"grad": self.grad})
        order = topo(self)
        at = {v: i for i, v in enumerate(order)}
        flat = [(v.data, v.grad, v.label, v.op, at.get(v._a, v._a), v._da, at.get(v._b, v._b), v._db)
                if v.op else v for v in order]
        return _rebuild, (flat,)

    def __repr__(self):
        g = self.grad
        g = f"Value({g.data!r})" if type(g) is Value else g  # a numpy float's .data is a memoryview
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={g}{lab})"

    def _repr_html_(self):  # Jupyter's rich display; lazy, so the REPL never loads the HTML code
        from .explore.html import value_html
        return value_html(self)


def _rebuild(flat):
    # The inverse of Value.__reduce__: leaves arrive as Values, computed nodes as tuples whose
    # arguments are positions in `flat` (ints) or constant operands (floats) or None.
    nodes = []
    for r in flat:
        if type(r) is not Value:
            data, grad, label, op, a, da, b, db = r
            r = _new(Value)
            r.data, r.grad, r.label, r.op, r._da, r._db = data, grad, label, op, da, db
            r._a = nodes[a] if type(a) is int else a
            r._b = nodes[b] if type(b) is int else b
        nodes.append(r)
    return nodes[-1]


for _op in OPS.values():
    _define(_op)
del _op


# A neuron's pre-activation b + w0*x0 + w1*x1 + ..., the hottest loop of training, as one function
# that makes the chain's * and + nodes itself: the very nodes, floats and order of
# sum(map(mul, ws, xs), b), without two method calls per term. The formulas are the table's,
# pasted as the op methods paste them; anything else (a weight that is not a Value, an input that is
# neither a Value nor a float, no_grad or detect_anomaly on) takes the ops' own methods.
_SUM_TEMPLATE = '''\
def weighted_sum(ws, xs, b):
    """b + w0*x0 + w1*x1 + ... as the chain ((b + w0*x0) + w1*x1) + ...: one * node per term and
    one + node per term, exactly the nodes of sum(map(mul, ws, xs), b)."""
    if _changed or type(b) is not Value:
        return sum(map(_mul, ws, xs), b)
    s = b
    sd = b.data
    for w, v in zip(ws, xs):
        tv = type(v)
        if type(w) is not Value or (tv is not Value and tv is not float):
            s = s + w * v
            sd = s.data
            continue
        x = w.data
        if tv is Value:
            y = v.data
            vdb = {mul_db}
        else:  # a constant operand: no edge to it
            y = v
            vdb = None
{mul_node}
{add_node}
        s = n
    return s
'''


def _node_src(var, fwd, op, a, da, b, db):
    # The lines that make one node, as the op methods make it; the template builds its * and + with them.
    lines = (f"{var} = _new(Value)", f"{var}.data = {fwd}", f"{var}.grad = 0.0", f'{var}.label = ""',
             f'{var}.op = "{op}"', f"{var}._a = {a}", f"{var}._da = {da}", f"{var}._b = {b}", f"{var}._db = {db}")
    return "\n".join("        " + line for line in lines)


def _weighted_sum():
    (mul_fwd, (mul_da, mul_db)), (add_fwd, (add_da, add_db)) = (
        trace(OPS["*"], [Sym("x"), Sym("y")], Sym("mo")), trace(OPS["+"], [Sym("sd"), Sym("mo")], Sym("out")))
    src = _SUM_TEMPLATE.format(mul_db=mul_db,
                               mul_node=_node_src("m", f"mo = {mul_fwd}", "*", "w", mul_da, "v", "vdb"),
                               add_node=_node_src("n", f"sd = {add_fwd}", "+", "s", add_da, "m", add_db))
    filename = f"{GENERATED} weighted_sum>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    scope = {}
    exec(compile(src, filename, "exec"), globals(), scope)
    return scope["weighted_sum"]


weighted_sum = _weighted_sum()


def register_op(op, *, replace=False):
    """Add a primitive to the table and a method of the same name to Value; return the method.

    `op = Op("cube", 1, lambda x: x ** 3, lambda x, out: (3 * x * x,), "cube'(x) = 3 x^2")`;
    `register_op(op)` makes `x.cube()` one node whose local derivative is read from the table by
    backward, paths, drawings and replay. Write the derivative with arithmetic on its arguments and
    the public helpers of `autograd.ops` (`ops.cos`, `ops.log`, `ops.recip`, `ops.sign`, `ops.data`,
    ...), which take a float or a Value: then it also runs on Values, and higher orders work too.
    A binary op becomes `x.name(y)` with `y` a Value or a number. Check it with `gradcheck` and
    `gradgradcheck`; `unregister_op("cube")` removes it. The built-in ops are defined by the same path.
    A formula that reads as arithmetic is pasted into the method as text, so a number it takes from
    outside (a global k in `k * x`) is read once, here; register again with replace=True to change it.
    """
    if not isinstance(op, Op):
        raise TypeError(f"register_op takes an Op, got {type(op).__name__}")
    name = op.name
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"register_op: the name {name!r} must be a public identifier, as it becomes a method")
    if unicodedata.normalize("NFKC", name) != name:  # Python reads such a name as another one
        raise ValueError(f"register_op: the name {name!r} changes under Unicode NFKC normalisation (Python "
                         f"reads it as {unicodedata.normalize('NFKC', name)!r}); use that spelling")
    if op.arity not in (1, 2):
        raise ValueError(f"register_op: op {name!r} has arity {op.arity!r}; a node has 1 or 2 inputs")
    if name not in OPS and hasattr(Value, name):  # replace=True must not overwrite backward, data, ...
        raise ValueError(f"register_op: {name!r} is already defined as an attribute of Value; choose another name")
    if name in _BUILTIN or (not replace and name in OPS):
        raise ValueError(f"register_op: {name!r} is already defined; choose another name"
                         + ("" if name in _BUILTIN else " or pass replace=True"))
    OPS[name] = op
    return _define(op)


def unregister_op(name):
    """Remove an op added by `register_op` (the built-in ops stay)."""
    if name in _BUILTIN:
        raise ValueError(f"unregister_op: {name!r} is a built-in op")
    if name not in OPS:
        raise KeyError(f"unregister_op: no op named {name!r}")
    del OPS[name]
    delattr(Value, name)


def value_edges(node):
    """[(position, parent, d(node)/d(parent) as a Value)]: the OPS formula evaluated on the op's own
    arguments and output, so the local derivative can be differentiated again (create_graph, grad)."""
    args = node.args
    d = OPS[node.op].derivs(*args, node)
    return [(i, a, di) for i, (a, di) in enumerate(zip(args, d)) if type(a) is Value]


def _run_backward(root, create_graph):
    # Value.backward: the one sweep, on floats (with detect_anomaly's edge check when it is on) or on Values.
    checks = _checks if _state.anomaly else None
    if not create_graph:  # the float sweep does nothing at a leaf: its order leaves them out
        order = accumulators(root)
        root.grad = 1.0
        sweep(order, edge=None if checks is None else checks.edge)
        return
    order = topo(root, True)
    before = [(v, v.grad) for v in order if not v.op]
    try:
        with enable_grad():
            root.grad = Value(1.0)
            if checks is None:
                sweep(order, local=value_edges)
            else:  # the gradients are built by ops, which the node check covers
                with checks.building():
                    sweep(order, local=value_edges)
    except BaseException:  # e.g. an infinite slope half way down: the leaves get back what they had
        for v, g in before:
            v.grad = g
        raise
    finally:
        # Interior grads keep only their numbers: as Values they would refer to the node's children
        # (exp' is exp's own output), which refer back to the node: a reference cycle per node.
        for node in order:
            if node.op and type(node.grad) is Value:
                node.grad = node.grad.data


def topo_order(root):
    """All nodes reachable from `root`, each after its parents (inputs first, `root` last).

    Iterative depth-first search with an explicit stack, so a 10^6-node chain needs no recursion.
    """
    if type(root) is not Value:
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    return topo(root)


class _Switch:
    """A context manager and decorator that sets one thread-local setting of `_state`, then restores it.

    The previous values are kept on a stack per thread, so one object may be entered again inside
    itself, used as a decorator on a recursive function, or shared by several threads.
    """

    _setting = ""

    def _value(self):
        raise NotImplementedError

    def __enter__(self):
        stacks = self.__dict__.setdefault("_stacks", {})
        stacks.setdefault(threading.get_ident(), []).append(getattr(_state, self._setting))
        setattr(_state, self._setting, self._value())
        return self

    def __exit__(self, *exc):
        stacks, me = self._stacks, threading.get_ident()
        setattr(_state, self._setting, stacks[me].pop())
        if not stacks[me]:
            del stacks[me]
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with self:
                return fn(*a, **k)
        return wrapper


class no_grad(_Switch):
    """Context manager (and decorator): ops inside it compute data but record no graph."""

    _setting = "grad_enabled"
    _enabled = False

    def _value(self):
        return self._enabled


class enable_grad(no_grad):
    """Context manager: record graphs again inside an enclosing `no_grad`."""

    _enabled = True


def is_grad_enabled():
    """True when ops record a graph in this thread."""
    return _state.grad_enabled
