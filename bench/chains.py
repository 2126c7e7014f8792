"""Deep and wide graphs, and memory: the workloads besides the moons step.

deep_chain(n):   y = x * c * c * ... * c (n links, c = 1.0001); dy/dx = c^n. Recursive graph walks
                 (micrograd's topological sort) hit Python's recursion limit here.
wide_fanout(n):  y = sum_i c_i * x, summed as a balanced tree (depth log2 n): one input with n
                 uses, so dy/dx = sum_i c_i arrives along n paths.
bytes_per_op:    tracemalloc's peak while recording a 100,000-link chain, divided by the links.
freed_by_refcount: with the cycle collector disabled, is a graph freed when its output is dropped?
"""
import gc
import tracemalloc
import weakref

C = 1.0001


def _coeffs(n):
    return [1.0 + (i % 7) * 1e-3 for i in range(n)]


def chain(x, n):
    for _ in range(n):
        x = x * C
    return x


def fanout(x, n):
    terms = [x * c for c in _coeffs(n)]
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


BUILD = {"deep_chain": chain, "wide_fanout": fanout}


def pathgrad(workload, n, mode="eager"):
    """Returns a timed callable giving (y, dy/dx); recording and compiling happen before, untimed."""
    from autograd import Tape, Value
    build = BUILD[workload]
    if mode == "eager":
        def run():
            x = Value(1.0)
            y = build(x, n)
            y.backward()
            return y.data, x.grad
        return run
    x = Value(1.0)
    y = build(x, n)
    tape = Tape(y)
    runner = tape if mode == "replay" else tape.compile()

    def run():
        x.grad = 0.0
        runner.forward()
        runner.backward()
        return y.data, x.grad
    return run


def micrograd(workload, n):
    from micrograd.engine import Value

    def run():
        x = Value(1.0)
        y = BUILD[workload](x, n)
        y.backward()
        return y.data, x.grad
    return run


def torch(workload, n):
    import torch
    torch.set_num_threads(1)

    def run():
        x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        y = BUILD[workload](x, n)
        y.backward()
        return y.item(), x.grad.item()
    return run


def floats(workload, n):
    """The same sums written by hand: forward and the derivative in one loop."""
    if workload == "deep_chain":
        def run():
            y, g = 1.0, 1.0
            for _ in range(n):
                y *= C
                g *= C
            return y, g
        return run

    def run():
        cs = _coeffs(n)
        return fanout(1.0, n), sum(cs)  # y at x = 1, and dy/dx = sum_i c_i
    return run


def bytes_per_op(engine, n=100_000):
    """Peak bytes tracemalloc sees while recording an n-link chain, per link."""
    Value = _value_class(engine)
    x = Value(1.0)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    y = chain(x, n)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del y
    return (peak - base) / n


def freed_by_refcount(engine, n=1000):
    """Drop the output of an n-link chain with the collector off: is the graph gone?"""
    Value = _value_class(engine)
    gc.disable()
    try:
        x = Value(1.0)
        y = chain(x, n)
        mid = weakref.ref(y)
        del y
        return mid() is None
    finally:
        gc.enable()


def _value_class(engine):
    if engine == "micrograd":
        from micrograd.engine import Value
        return Value
    from autograd import Value
    return Value
