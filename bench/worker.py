"""One engine on one workload, in a process of its own: `python -m bench.worker '<json spec>'`.

Prints one JSON line: the timings in seconds, and what the engine computed (loss and gradients, or
y and dy/dx) so the caller can check every engine against the others. A process per engine keeps
one engine's garbage (and its collector settings) from slowing another.
"""
import gc
import json
import sys
import time

from . import chains, moons


def mlp_step(engine, repeats):
    X, Y, w = moons.problem()
    t = time.perf_counter()
    step = moons.ENGINES[engine](X, Y, list(w))
    setup = time.perf_counter() - t
    loss, grads = step()  # warm-up, and the numbers to check
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    out = {"times": times, "setup": setup, "loss": loss, "grads": grads}
    if engine == "eager":
        from autograd import topo_order
        out["nodes"] = len(topo_order(moons.hinge_l2(moons._model(w), X, Y)))
    return out


def graph(engine, workload, n, repeats):
    t = time.perf_counter()
    if engine in ("eager", "replay", "compiled"):
        run = chains.pathgrad(workload, n, engine)
    else:
        run = getattr(chains, engine)(workload, n)
    setup = time.perf_counter() - t
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t)
    return {"times": times, "setup": setup, "y": result[0], "grad": result[1]}


def deep_paths(n):
    """An n-link chain through backward, Tape replay and count_paths: no recursion anywhere."""
    from autograd import Tape, Value, count_paths
    x = Value(1.0)
    y = chains.chain(x, n)
    y.backward()
    eager = x.grad
    x.grad = 0.0
    tape = Tape(y)
    tape.forward()
    tape.backward()
    ok = x.grad == eager and count_paths(y, x) == 1
    return {"ok": ok, "grad": x.grad}


def main(spec):
    if not spec.get("gc", True):
        gc.disable()  # a peer measurement: the collector's share of micrograd's time
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    engine, workload = spec["engine"], spec["workload"]
    try:
        if workload == "mlp_step":
            return mlp_step(engine, spec["repeats"])
        if workload == "deep_paths":
            return deep_paths(spec["n"])
        if workload == "memory":
            return {"bytes_per_op": chains.bytes_per_op(engine), "freed": chains.freed_by_refcount(engine)}
        return graph(engine, workload, spec["n"], spec["repeats"])
    except RecursionError:
        return {"error": "RecursionError"}
    except MemoryError:
        return {"error": "MemoryError"}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
