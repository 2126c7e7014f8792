"""Derivatives as functions: `grad(f)`, `value_and_grad(f)`, `jacobian(f)`, `hessian(f)`.

`grad(f)` is a new function: `grad(f)(2.0)` is df/dx at x = 2.0. It is computed by the same reverse
sweep as `backward()` (dL/dv = sum over the children c of v of dL/dc * dc/dv), but the sums are kept in
a local table instead of the nodes' `.grad`, so calling `grad` never changes a grad you can see and never
ties a gradient back into the graph it came from.

Two ways to run the sweep, chosen per call:
- numbers in, not inside another `grad`: the local derivatives are the floats stored on each node, and
  the answer is a float. No Value is built for the gradient (the fast path).
- a Value among the arguments, or inside a function that another `grad` is differentiating: the local
  derivatives are the OPS formulas evaluated on Values (`engine.value_edges`), so the answer is
  a Value with a graph of its own, and can be differentiated again: `grad(grad(f))`,
  `grad(grad(grad(f)))`, ...

Perturbation confusion. In `grad(lambda x: grad(lambda y: x * y)(x))`, the inner derivative d(xy)/dy is
x, so the outer function is x and its derivative 1, not 2. The inner `grad` differentiates with respect
to a new node y = x + 0 made for that call, and its sweep stops at y: paths that reach x without passing
through y belong to the outer derivative, not the inner one.
"""
import numbers
import threading

from .engine import Value, enable_grad, topo_order, value_edges
from .graph import between, sweep

__all__ = ["grad", "value_and_grad", "jacobian", "hessian"]


class _Nesting(threading.local):
    # How many functions being differentiated by grad/jacobian are on this thread's call stack.
    depth = 0


_nesting = _Nesting()


def _argnums(argnums, nargs, who):
    """(tuple of argument positions, whether a single int was given); checks range and duplicates."""
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, tuple) or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {argnums!r}")
    for i in nums:
        if not -nargs <= i < nargs:
            raise IndexError(f"{who}: argnums {i} is out of range for {nargs} positional argument(s)")
    nums = tuple(i % nargs for i in nums)
    if len(set(nums)) != len(nums):
        raise ValueError(f"{who}: argnums {argnums!r} names an argument twice")
    return nums, single


def _evaluate(f, args, kwargs, nums, who):
    """Call f with a fresh node in place of each differentiated argument.

    Returns (output, input nodes, symbolic): symbolic when the gradient must itself be a Value.
    """
    args = list(args)
    symbolic = _nesting.depth > 0
    nodes = []
    with enable_grad():
        for i in nums:
            a = args[i]
            if type(a) is Value:
                symbolic = True
                node = a + 0.0  # a new node to differentiate by; its graph still reaches a
                node.label = a.label  # errors inside f name the argument as the caller knows it
            elif isinstance(a, numbers.Real):
                node = Value(a)
            else:
                raise TypeError(f"{who}: argument {i} must be a real number or a Value, "
                                f"got {type(a).__name__}: {a!r:.60}")
            nodes.append(node)
            args[i] = node
        _nesting.depth += 1
        try:
            out = f(*args, **kwargs)
        finally:
            _nesting.depth -= 1
    return out, nodes, symbolic


def _scalar(out, who):
    if type(out) is Value or (isinstance(out, numbers.Real) and not isinstance(out, bool)):
        return out
    raise TypeError(f"{who}: the function must return a Value or a number, got {type(out).__name__}: {out!r:.60}")


def _sweep(out, nodes, symbolic):
    """[d out / d node for node in nodes] by the one reverse sweep over the nodes between them and out.

    Only nodes that depend on an input get a derivative; the sweep never goes below the inputs.
    """
    if type(out) is not Value:  # a constant does not depend on the inputs
        return [0.0] * len(nodes)
    order = topo_order(out)
    active = set(between(order, nodes))
    if out not in active:
        return [0.0] * len(nodes)
    if not symbolic:  # the stored float local derivatives: the same arithmetic as backward()
        adj = sweep(order, {out: 1.0}, within=active, stop=set(nodes))
    else:
        with enable_grad():
            adj = sweep(order, {out: 1.0}, local=value_edges, within=active, stop=set(nodes))
    return [adj.get(n, 0.0) for n in nodes]


def value_and_grad(f, argnums=0):
    """A function returning (f(*args), df/dargs): `value_and_grad(f)(x) == (f(x), grad(f)(x))`.

    With numbers in, both are floats; with Values in (or inside another grad), both are Values.
    """
    def vg(*args, **kwargs):
        nums, single = _argnums(argnums, len(args), "value_and_grad")
        out, nodes, symbolic = _evaluate(f, args, kwargs, nums, "value_and_grad")
        out = _scalar(out, "value_and_grad")
        grads = _sweep(out, nodes, symbolic)
        value = out if symbolic or type(out) is not Value else out.data
        if type(value) is not Value:
            value = float(value)
        return value, (grads[0] if single else tuple(grads))
    vg.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return vg


def grad(f, argnums=0):
    """The derivative of a scalar function f as a new function.

    `grad(f)(x)` is df/dx: the sum, over every path from x to f's output, of the product of the local
    derivatives along the path. `argnums` picks which positional arguments to differentiate by: an int
    gives one derivative, a tuple gives a tuple (`grad(f, (0, 1))(x, y) == (df/dx, df/dy)`).

    Numbers in give a float out. Values in, or a call inside a function that another grad is
    differentiating, give a Value, so `grad(grad(f))(x)` is f''(x). A function that returns a constant
    (a float, or an int) has derivative 0.0. Users' `.grad` fields are never read or written.
    Outside any grad, numbers in give a plain float even when f closes over other Values (say a
    weight w in w * x): pass Values in to keep the derivative's dependence on them.
    """
    vg = value_and_grad(f, argnums)

    def g(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    g.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return g


def jacobian(f, argnums=None):
    """J[i][j] = d f_i / d x_j for a function returning a list (or tuple) of scalars.

    `argnums=None` differentiates by every positional argument; an int or a tuple picks them. The result
    is always a list of rows, one per output (a scalar output counts as a list of one), each row a list
    with one entry per differentiated argument. Floats with numbers in, Values when nested.
    """
    def jac(*args, **kwargs):
        nums = tuple(range(len(args))) if argnums is None else _argnums(argnums, len(args), "jacobian")[0]
        outs, nodes, symbolic = _evaluate(f, args, kwargs, nums, "jacobian")
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        return [_sweep(_scalar(o, "jacobian"), nodes, symbolic) for o in outs]
    jac.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jac


def hessian(f, argnums=None):
    """H[i][j] = d^2 f / dx_i dx_j for a scalar function of a few variables, as a list of lists.

    It is the jacobian of the gradient: row i is grad(df/dx_i). For smooth f the matrix is symmetric
    (the order of differentiation does not matter). `argnums` as in `jacobian`.
    """
    def hess(*args, **kwargs):
        nums = tuple(range(len(args))) if argnums is None else _argnums(argnums, len(args), "hessian")[0]
        return jacobian(grad(f, nums), nums)(*args, **kwargs)
    hess.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return hess
