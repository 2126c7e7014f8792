"""`detect_anomaly()`: stop at the first NaN or inf an op or a gradient produces, and say where.

    with detect_anomaly():
        loss = model(x)          # forward: every new node is checked as it is built
        loss.backward()          # backward: every local derivative and every += is checked

What counts as an anomaly. A value v computed from inputs is anomalous when

    v is NaN and no input is NaN,   or   v is +-inf and every input is finite.

So the op that *creates* a NaN or an inf is reported (1e200 * 1e200 = inf, inf - inf = nan,
sqrt'(0) = inf), while an op that merely passes on a NaN or inf that was already there is not:
non-finite numbers given by the user propagate by IEEE rules, as everywhere else in pathgrad.
Because the first creation raises, nothing non-finite produced inside the block goes unreported.

- Forward: the inputs of a node are its arguments' data; the node's data is checked.
- Backward: for each edge from a node c to its parent p, with g = dL/dc,
      local derivative  d = dc/dp        inputs: the data of c's arguments
      contribution      d * g            inputs: d and g
      new p.grad        p.grad + d * g   inputs: the old p.grad and d * g
  are checked in that order, so a NaN gradient is traced to the edge and the factor that made it.
  With `create_graph=True` the gradients are themselves built from ops, which the forward check covers.

The error is a `FloatingPointError` naming the op, the inputs with their labels (a node gets its own
label only after the op made it, so forward names its inputs, backward the node too) and the line of
your code that created the node (found by walking the stack past pathgrad's own frames). Creation
sites are recorded only while the mode is on, in a map keyed by weak references, so no graph is kept
alive.

Off by default and free when off: the engine's only cost is the test of a flag it makes anyway. On,
building a graph is about five times slower (each node records where it was made). The mode is
thread-local (one thread's block does not switch it on for another) and nestable;
`detect_anomaly(False)` switches it off inside an enclosing block.

What is checked: every op that builds a node, and `Value.backward()`. `grad(f)` checks the ops of f
(its forward) but sums its gradients privately; `Tape` and compiled replays build no nodes and are not
checked: find the anomaly eagerly, then replay.
"""
import linecache
import math
import os
import sys
import threading
import weakref

from . import engine, graph, ops
from .engine import OPS, Value, _state, _Switch

__all__ = ["detect_anomaly"]

# Frames from these packages are pathgrad's own; the creation site shown is the first frame outside.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OWN_DIRS = tuple(os.path.join(_ROOT, pkg) + os.sep for pkg in ("autograd", "nn"))
# The engine's own frames (the op methods, the formulas, the sweep) are never shown as a site.
_ENGINE = tuple(os.path.abspath(m.__file__) for m in (engine, graph, ops)) + (os.path.abspath(__file__),)
_own_cache = {}  # co_filename -> "engine" | "lib" | "" (strings only: no graph is referenced)

# node -> (user frame, innermost library frame or None); weak keys: an entry dies with its node.
_sites = weakref.WeakKeyDictionary()


class _Phase(threading.local):
    where = "in forward"  # or, while backward(create_graph=True) builds gradients, says so


_phase = _Phase()


class detect_anomaly(_Switch):
    """Context manager (and decorator): raise `FloatingPointError` at the first NaN/inf produced.

    `detect_anomaly(False)` switches the checks off inside an enclosing block. The previous state is
    restored on exit, so blocks nest, and the state belongs to the thread that entered the block.
    """

    _setting = "anomaly"

    def __init__(self, enabled=True):
        if not isinstance(enabled, bool):
            raise TypeError(f"detect_anomaly(enabled) takes a bool, got {type(enabled).__name__}: {enabled!r:.60}")
        self.enabled = enabled

    def _value(self):
        return self.enabled


def _nonfinite(v):
    return v != v or v in (math.inf, -math.inf)


def _anomalous(v, inputs):
    """True when v is NaN from NaN-free inputs, or +-inf from finite inputs (see the module docstring)."""
    if v == v:
        if v not in (math.inf, -math.inf):
            return False
        return all(x == x and x not in (math.inf, -math.inf) for x in inputs)
    return all(x == x for x in inputs)


def _arg_data(node):
    return [a.data if type(a) is Value else a for a in node.args]


# --- where a node was made ----------------------------------------------------------------------

def _kind(frame):
    name = frame.f_code.co_filename
    kind = _own_cache.get(name)
    if kind is None:
        path = os.path.abspath(name)
        kind = _own_cache[name] = ("engine" if path in _ENGINE
                                   or name.startswith(engine.GENERATED) else
                                   "lib" if path.startswith(_OWN_DIRS) else "")
    return kind


def _record_site(node):
    # The user's frame is the first one outside pathgrad; `lib` the innermost pathgrad frame above
    # the engine (e.g. the line of nn/layers.py that did the op for model(x)), when there is one.
    frame = sys._getframe(1)
    lib = None
    while frame is not None:
        kind = _kind(frame)
        if not kind:
            break
        if kind == "lib" and lib is None:
            lib = _where(frame)
        frame = frame.f_back
    _sites[node] = (_where(frame) if frame is not None else None, lib)


def _where(frame):
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def _describe_site(node):
    user, lib = _sites.get(node, (None, None))
    if user is None:
        return "  created outside detect_anomaly(), so its creation site was not recorded"
    lines = [f'  created at File "{user[0]}", line {user[1]}, in {user[2]}']
    code = linecache.getline(user[0], user[1]).strip()
    if code:
        lines.append(f"    {code}")
    if lib is not None:
        lines.append(f'  (inside pathgrad at File "{lib[0]}", line {lib[1]}, in {lib[2]})')
    return "\n".join(lines)


def _name(v):
    if type(v) is not Value:
        return repr(v)
    return v.label if v.label else repr(v.data)


def _call(node):
    """`x * y with x = 1e+200, y = 1e+200`: the op on its inputs, labels resolved to values."""
    args = node.args
    names = [_name(a) for a in args]
    expr = f"{names[0]} {node.op} {names[1]}" if len(args) == 2 else f"{node.op}({names[0]})"
    known = dict.fromkeys(f"{a.label} = {a.data!r}" for a in args if type(a) is Value and a.label)
    return expr + (" with " + ", ".join(known) if known else "")


# --- the checks ---------------------------------------------------------------------------------

def _forward_hook(node):
    """Called by the engine for every new node while the mode is on (in this thread)."""
    if not _state.anomaly:  # a stale call from another thread's switch: nothing to check here
        return
    _record_site(node)
    data = node.data
    if _nonfinite(data) and _anomalous(data, _arg_data(node)):
        what = "nan from inputs with no NaN" if data != data else f"{data!r} from finite inputs"
        raise FloatingPointError(
            f"detect_anomaly: op {node.op!r} produced {what} {_phase.where}\n"
            f"  {_call(node)} gives {data!r}\n{_describe_site(node)}")


def _backward_error(node, i, parent, what, value, detail):
    """The message: what went non-finite, on which edge (argument i of node), and where node was made."""
    name = f"node {node.label!r}" if node.label else "a node"
    pname = f"{parent.label!r}, " if parent.label else ""
    return FloatingPointError(
        f"detect_anomaly: backward produced {value!r} in {what}\n"
        f"  {detail}\n"
        f"  on the edge from {name} = {_call(node)} to its argument {i} ({pname}data {parent.data!r})\n"
        f"  op {node.op!r}: {OPS[node.op].math}\n{_describe_site(node)}")


def _check_edge(node, i, p, d, g, c, new):
    """backward's edge hook: raise if the local derivative d, the contribution c = d*g or the sum
    new = p.grad + c is the first non-finite number on this edge (checked in that order); else it
    merely propagates."""
    # x - x is 0.0 for a finite x and nan (truthy) for inf or nan: only an edge with some
    # non-finite number is looked at closely.
    if not ((d - d) or (c - c) or (new - new)):
        return
    if _nonfinite(d) and _anomalous(d, _arg_data(node)):
        raise _backward_error(node, i, p, "a local derivative", d, f"the local derivative is {d!r} at finite inputs")
    if _nonfinite(c) and _anomalous(c, (d, g)):
        raise _backward_error(node, i, p, "a contribution", c,
                              f"local derivative {d!r} * upstream grad {g!r} = {c!r}")
    if _nonfinite(new) and _anomalous(new, (p.grad, c)):
        raise _backward_error(node, i, p, "an accumulated grad", new,
                              f"the argument's grad {p.grad!r} + contribution {c!r} = {new!r}")


def _unrecorded_check(op, inputs, out, args):
    """An op run under no_grad builds no node, but its number is checked all the same."""
    if _nonfinite(out) and _anomalous(out, inputs):
        what = "nan from inputs with no NaN" if out != out else f"{out!r} from finite inputs"
        names = [_name(a) for a in args]
        expr = f"{names[0]} {op} {names[1]}" if len(args) == 2 else f"{op}({names[0]})"
        raise FloatingPointError(f"detect_anomaly: op {op!r} produced {what} {_phase.where} (inside no_grad)\n"
                                 f"  {expr} gives {out!r}")


class _Building:
    """While backward(create_graph=True) builds gradients, the forward check says so in its message."""

    def __enter__(self):
        _phase.where = "in backward(create_graph=True), building a gradient"

    def __exit__(self, *exc):
        _phase.where = "in forward"
        return False


class _Checks:
    """What the engine calls while the mode is on (see engine.install_checks)."""

    node = staticmethod(_forward_hook)
    unrecorded = staticmethod(_unrecorded_check)
    edge = staticmethod(_check_edge)
    building = _Building


def install():
    """Wire the checks into the engine; `autograd` does this once, on import."""
    engine.install_checks(_Checks)
