"""The algorithms over a graph's nodes, each written once: topological order, the nodes between an
input and an output, and the one reverse sweep (the chain rule) that every consumer runs.

This module reads nodes only through their slots (`_a`, `_da`, `_b`, `_db`: an argument and the
float local derivative d(node)/d(argument), None for a constant operand; `op`, '' for a leaf; `grad`) and imports nothing
of the package, so the engine can call it without an import circle. What the sweep must build on
Values (the local derivatives as nodes) it is handed by its caller.
"""

__all__ = ["topo", "accumulators", "between", "sweep"]


def topo(root, reset=False):
    """All nodes reachable from `root`, each after its parents (inputs first, `root` last).

    Post-order depth-first search with an explicit stack, so a 10^6-node chain needs no recursion:
    a node is pushed, then a None marker above it, then its unseen parents; popping the marker means
    every parent is emitted, so the node is emitted next. `reset` zeroes the grads of computed nodes
    on the way (backward's fresh accumulators), saving a pass.
    """
    order = []
    seen = set()
    stack = [root]
    push, pop, add, emit = stack.append, stack.pop, seen.add, order.append
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


def accumulators(root):
    """The computed nodes reachable from `root` (leaves left out), each after its computed parents,
    with each one's grad set to 0.0: the order and the fresh accumulators of backward's float sweep,
    which has nothing to do at a leaf.

    The same depth-first search as `topo`, but a node's state is kept in its grad itself: two floats
    0.0 made for this call, `opened` (its parents are being visited) and `done` (emitted), so no set
    of 65,000 nodes is built and hashed and the grad ends as the accumulator's start. Leaves, about
    half of a network's edges, are never pushed; the first unvisited parent is entered at once, and
    a node with parents to visit is pushed back under them once: when it comes up again `opened`, they
    are all emitted (in a graph without cycles no node is reached again while its parents are open).
    """
    done, opened = float(0), float(0)  # new objects: no other live grad is either of these floats
    if not root.op:
        return []
    order = []
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        g = node.grad
        if g is done:  # pushed twice (a shared input, a*a) and emitted already
            continue
        if g is opened:
            node.grad = done
            emit(node)
            continue
        while True:
            a, b = node._a, node._b
            pa = node._da is not None and a.op and a.grad is not done
            pb = node._db is not None and b.op and b.grad is not done
            if not (pa or pb):
                node.grad = done
                emit(node)
                break
            node.grad = opened
            push(node)
            if pa:
                if pb:
                    push(b)
                node = a
            else:
                node = b
    return order


def between(order, sources):
    """The nodes of `order` (a topological order) that depend on some node of `sources`, sources
    included, in that order. With `order = topo(y)` these are the nodes on some path source -> y:
    the part of the graph that dy/dsource depends on."""
    on = set(sources)
    add = on.add
    for node in order:
        if (node._da is not None and node._a in on) or (node._db is not None and node._b in on):
            add(node)
    return [v for v in order if v in on]


def _stored(node):
    # The float local derivatives the forward pass stored, one per parent edge, with its position.
    if node._da is not None:
        yield 0, node._a, node._da
    if node._db is not None:
        yield 1, node._b, node._db


def sweep(order, grads=None, *, local=None, edge=None, within=None, stop=None):
    """Reverse accumulation, the chain rule over `order` (a topological order, output last):

        for each node c, output first, and each parent edge (p, c), with d = dc/dp and g = dL/dc:
            grad[p] += d * g

    Every child of p comes before p in that visit, so g is complete when it is passed on, and
    grad[p] ends as the sum over the edges out of p of (local derivative * child's grad): unrolled,
    the sum over every path p -> ... -> L of the product of the local derivatives along it.

    - `grads`: None accumulates into each node's `.grad` (the caller has seeded the output's grad
      and zeroed the others: `backward`); a dict accumulates there instead, seeded by the caller with
      {output: 1.0}, and is returned (`grad`, `explain`), so no `.grad` is read or written.
    - `local`: None uses the floats stored on each node; else a function node -> [(position, parent,
      d as a Value)], and the sums are Values that can be differentiated again (`create_graph`,
      `grad(grad(f))`). A factor 1.0 is not multiplied in (d * 1.0 == d exactly).
    - `edge(child, position, parent, d, g, contribution, new grad)` is called before each += is
      stored: `trace_backward` records it, `detect_anomaly` checks it.
    - `within`: only parents in this set receive; `stop`: nodes whose grad is not passed on.
    """
    if grads is None and local is None and edge is None and within is None and stop is None:
        # backward()'s hot loop, written out on the slots: one `+=` per edge.
        for node in reversed(order):
            g = node.grad
            d = node._da
            if d is not None:
                node._a.grad += d * g
            d = node._db
            if d is not None:
                node._b.grad += d * g
        return None
    table = grads is not None
    values = local is not None
    edges = _stored if local is None else local
    for node in reversed(order):
        g = grads.get(node) if table else node.grad
        if g is None or (stop is not None and node in stop) or not node.op:
            continue
        for i, p, d in edges(node):
            if within is not None and p not in within:
                continue
            old = grads.get(p, 0.0) if table else p.grad
            if not values:
                c = d * g
                new = old + c
            else:
                # In a dict the shortcut c = g may be shared by two entries harmlessly; in `.grad` two
                # leaves would hold one Value, so there only the float 1.0 seed is skipped.
                c = (d if type(g) is float and g == 1.0 else
                     g if table and type(d) is float and d == 1.0 else d * g)
                new = c if type(old) is float and old == 0.0 else old + c
            if edge is not None:
                edge(node, i, p, d, g, c, new)
            if table:
                grads[p] = new
            else:
                p.grad = new
    return grads
