"""The engine: `Value`, `backward`, `no_grad`.

Every primitive op is written once, in the table `autograd.ops.OPS`: its forward value on floats and its
local partial derivatives d(out)/d(input_i). The derivative formulas use only arithmetic and the public
helpers of `autograd.ops`, so the same line evaluates on floats (eager backward, path rates, drawings)
and on `Value`s (`backward(create_graph=True)`, higher-order derivatives).

A node stores its parents (duplicates kept: `a*a` has two edges to `a`) and the float value of each
local derivative, computed once in the forward pass. No node holds a closure or a reference to
itself, so a graph has no reference cycles and is freed by reference counting.
"""
import math
import numbers
import sys
import threading

from .ops import OPS, Op
from .trace import Sym, trace

__all__ = ["Value", "Op", "OPS", "no_grad", "enable_grad", "is_grad_enabled", "topo_order", "register_op",
           "unregister_op"]


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


def _as_float(data, what="Value"):
    t = type(data)
    if t is float:
        return data
    if t is int or t is bool:
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"{what}: the integer {data} is too large for a float") from None
    if isinstance(data, Value):
        raise TypeError(f"{what} takes a real number, got a Value ({data!r}); use .data or .detach()")
    if isinstance(data, numbers.Real):  # numpy floats, fractions.Fraction, ...
        return float(data)
    raise TypeError(f"{what} takes a real number (int, float or bool), got {type(data).__name__}: {data!r:.60}")


def _named(node):
    return f" (node {node.label!r})" if type(node) is Value and node.label else ""


_new = object.__new__


def _anomaly_hook(node):  # autograd.anomaly installs the checks; called only under detect_anomaly()
    pass


_anomaly_backward = None  # autograd.anomaly installs the checked backward loop


def _fail(err, args):
    names = "".join(_named(a) for a in args)
    return type(err)(f"{err}{names}" if names else str(err))


def _binary(name, reflected=False):
    """Build the method for binary primitive `name` (reflected: `number op Value`).

    Forward value and local derivatives come from OPS[name]; the node is built inline because this
    is the hottest code in the library (one call per op instead of four).
    """
    op = OPS[name]
    fwd, derivs = op.forward, op.derivs

    def method(self, other):
        to = type(other)
        if to is Value:
            x, y = self, other
            xd, yd = self.data, other.data
        else:
            if to is not float:
                if to is not int and not isinstance(other, numbers.Real):
                    return NotImplemented
                other = _as_float(other)
            x, y = (other, self) if reflected else (self, other)
            xd, yd = (other, self.data) if reflected else (self.data, other)
        try:
            data = fwd(xd, yd)
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise _fail(e, (self, other)) from None
        if _changed and not _state.grad_enabled:
            return Value(data)
        da, db = derivs(xd, yd, data)
        out = _new(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out.op = name
        # A constant operand sits in _a/_b with derivative None: it is not a parent.
        out._a = x
        out._da = da if x is self or to is Value else None
        out._b = y
        out._db = db if y is self or to is Value else None
        if _changed and _state.anomaly:
            _anomaly_hook(out)
        return out

    method = _inlined(name, reflected) or method
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    method.__doc__ = f"{'other ' + name + ' self' if reflected else 'self ' + name + ' other'}: {op.math}"
    return method


def _inlined(name, reflected):
    """The same method with the OPS formulas pasted in as expressions, or None if they branch.

    `trace` reads the table's own formulas as text (d(xy)/dx = y becomes `y`), so the maths is still
    written once; calling two lambdas per node was a quarter of the time spent building a graph.
    Ops whose formulas branch on their input (/, **) keep the generic method.
    """
    fwd, der = trace(OPS[name], [Sym("x"), Sym("y")], Sym("out"))
    if fwd is None or der is None:
        return None
    a, b = ("other", "self") if reflected else ("self", "other")
    line = sys._getframe().f_lineno + 1  # the template's first line: tracebacks show the template
    src = f"""def method(self, other):
    to = type(other)
    if to is Value:
        x = {a}.data
        y = {b}.data
    else:
        if to is not float:
            if to is not int and not isinstance(other, numbers.Real):
                return NotImplemented
            other = _as_float(other)
        x = {a if reflected else "self.data"}
        y = {"self.data" if reflected else b}
    try:
        out = {fwd}
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        raise _fail(e, (self, other)) from None
    if _changed and not _state.grad_enabled:
        return Value(out)
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.op = {name!r}
    node._a = {a}
    node._b = {b}
    if to is Value:
        node._da = {der[0]}
        node._db = {der[1]}
    else:  # a constant operand sits in _a/_b with derivative None: it is not a parent
        node._da = {"None" if reflected else der[0]}
        node._db = {der[1] if reflected else "None"}
    if _changed and _state.anomaly:
        _anomaly_hook(node)
    return node
"""
    scope = {}
    exec(compile("\n" * (line - 1) + src, __file__, "exec"), globals(), scope)
    return scope["method"]


def _unary_method(name):
    op = OPS[name]
    fwd, derivs = op.forward, op.derivs

    def method(self):
        xd = self.data
        try:
            out = fwd(xd)
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise _fail(e, (self,)) from None
        if _changed and not _state.grad_enabled:
            return Value(out)
        (d,) = derivs(xd, out)
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node.op = name
        node._a = self
        node._da = d
        node._b = node._db = None
        if _changed and _state.anomaly:
            _anomaly_hook(node)
        return node

    method.__name__ = name
    method.__doc__ = f"{name}(self) as one primitive node: {op.math}"
    return method


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

    # Binary ops: numbers on either side. Each reads its forward and derivatives from OPS.
    __add__ = _binary("+")
    __radd__ = _binary("+", reflected=True)
    __sub__ = _binary("-")
    __rsub__ = _binary("-", reflected=True)
    __mul__ = _binary("*")
    __rmul__ = _binary("*", reflected=True)
    __truediv__ = _binary("/")
    __rtruediv__ = _binary("/", reflected=True)
    __pow__ = _binary("**")
    __rpow__ = _binary("**", reflected=True)

    __neg__ = _unary_method("neg")
    relu = _unary_method("relu")
    tanh = _unary_method("tanh")
    sigmoid = _unary_method("sigmoid")
    exp = _unary_method("exp")
    log = _unary_method("log")
    sqrt = _unary_method("sqrt")
    abs = _unary_method("abs")
    __abs__ = abs
    sin = _unary_method("sin")
    cos = _unary_method("cos")

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
        if _state.anomaly:
            return _anomaly_backward(self, create_graph)
        order = _topo(self, True)
        if create_graph:
            return _backward_graph(self, order)
        self.grad = 1.0
        _backprop(order)

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
        order = _topo(self, False)
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


for _attr, _method in list(vars(Value).items()):
    # The ops' methods were made by factories: name them as the class does ("__add__", not "__+__"),
    # so that help() reads well and pickle finds them (`Value.tanh` as a layer's stored activation).
    if callable(_method) and not _method.__qualname__.startswith("Value."):
        _method.__name__, _method.__qualname__ = _attr, f"Value.{_attr}"
del _attr, _method


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


def _backprop(order):
    # The chain rule over a topological order, outputs first: one `+=` per edge. The caller has
    # zeroed the interior grads and seeded the output's.
    for node in reversed(order):
        g = node.grad
        d = node._da
        if d is not None:
            node._a.grad += d * g
        d = node._db
        if d is not None:
            node._b.grad += d * g


_BUILTIN = frozenset(OPS)


def register_op(op, *, replace=False):
    """Add a primitive to the table and a method of the same name to Value; return the method.

    `op = Op("cube", 1, lambda x: x ** 3, lambda x, out: (3 * x * x,), "cube'(x) = 3 x^2")`;
    `register_op(op)` makes `x.cube()` one node whose local derivative is read from the table by
    backward, paths, drawings and replay. Write the derivative with arithmetic on its arguments and
    the public helpers of `autograd.ops` (`ops.cos`, `ops.log`, `ops.recip`, `ops.sign`, `ops.data`,
    ...), which take a float or a Value: then it also runs on Values, and higher orders work too.
    A binary op becomes `x.name(y)` with `y` a Value or a number. Check it with `gradcheck` and
    `gradgradcheck`; `unregister_op("cube")` removes it.
    """
    if not isinstance(op, Op):
        raise TypeError(f"register_op takes an Op, got {type(op).__name__}")
    if not isinstance(op.name, str) or not op.name.isidentifier() or op.name.startswith("_"):
        raise ValueError(f"register_op: the name {op.name!r} must be a public identifier, as it becomes a method")
    if op.arity not in (1, 2):
        raise ValueError(f"register_op: op {op.name!r} has arity {op.arity!r}; a node has 1 or 2 inputs")
    if op.name not in OPS and hasattr(Value, op.name):  # replace=True must not overwrite backward, data, ...
        raise ValueError(f"register_op: {op.name!r} is already defined as an attribute of Value; "
                         "choose another name")
    if op.name in _BUILTIN or (not replace and op.name in OPS):
        raise ValueError(f"register_op: {op.name!r} is already defined; choose another name"
                         + ("" if op.name in _BUILTIN else " or pass replace=True"))
    OPS[op.name] = op
    method = _unary_method(op.name) if op.arity == 1 else _binary(op.name)
    method.__name__, method.__qualname__ = op.name, f"Value.{op.name}"
    setattr(Value, op.name, method)
    return method


def unregister_op(name):
    """Remove an op added by `register_op` (the built-in ops stay)."""
    if name in _BUILTIN:
        raise ValueError(f"unregister_op: {name!r} is a built-in op")
    if name not in OPS:
        raise KeyError(f"unregister_op: no op named {name!r}")
    del OPS[name]
    delattr(Value, name)


def symbolic_local_grads(node):
    """The local derivatives of `node` as Values (for create_graph): the OPS formula on Value inputs."""
    op = OPS[node.op]
    args = node.args
    d = op.derivs(*args, node)
    return tuple(di for di, a in zip(d, args) if type(a) is Value)


def _backward_graph(root, order):
    # Same loop as backward, with grads as Values so the result can be differentiated again.
    before = [(v, v.grad) for v in order if not v.op]
    try:
        with enable_grad():
            root.grad = Value(1.0)
            for node in reversed(order):
                g = node.grad
                if not node.op or (type(g) is float and g == 0.0):
                    continue
                for p, d in zip(node.parents, symbolic_local_grads(node)):
                    pg = p.grad
                    p.grad = d * g if type(pg) is float and pg == 0.0 else pg + d * g
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
    return _topo(root, False)


def _topo(root, reset):
    order = []
    seen = set()
    stack = [root]
    push, pop, add, emit = stack.append, stack.pop, seen.add, order.append
    # Post-order without recursion: a node is pushed, then a None marker above it, then its unseen
    # parents; popping the marker means every parent is emitted, so the node is emitted next.
    # `reset` zeroes interior grads on the way (backward's fresh accumulators), saving a pass.
    while stack:
        node = pop()
        if node is None:
            node = pop()
            if reset and node.op:
                node.grad = 0.0
            emit(node)
            continue
        if node in seen:
            continue
        add(node)
        push(node)
        push(None)
        b = node._b
        if node._db is not None and b not in seen:
            push(b)
        a = node._a
        if node._da is not None and a not in seen:
            push(a)
    return order


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
