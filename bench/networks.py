"""Nielsen's network trained by every pathgrad mode and by two numpy peers, side by side.

`python -m bench.networks` (also run by `python -m bench`): sigmoid [64, 30, 10] on scikit-learn's
digits and [784, 30, 10] on synthetic MNIST-shaped data (10 noisy class prototypes of 784 pixels),
quadratic cost, mini-batch 10, eta 3.0. Every engine starts from the same weights (a pathgrad MLP's)
and sees the examples in the same order. Each (engine, data) runs in its own process; a fast engine
trains whole epochs, a slow one a measured number of examples, its time scaled to an epoch (the
cost of an epoch is linear in its examples). Every engine's parameters after its examples are
compared with network.py's after the same examples: the column "max |Δp| vs network.py".
"""
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

EPOCH = {"digits": 1347, "mnist": 50_000}  # examples per epoch (digits: the demo's 75% split)
MEASURED = 5_000  # MNIST-shaped: a fast engine's epoch is measured on this many examples, then scaled
ENGINES = [  # (key, label, examples measured on digits, on mnist; None = a whole epoch)
    ("network.py", "network.py style (per-example numpy backprop)", None, MEASURED),
    ("matrix", "hand-written mini-batch matrices", None, MEASURED),
    ("vectorized", "pathgrad vectorized", None, MEASURED),
    ("batched", "pathgrad batched", 400, 100),
    ("compiled", "pathgrad compiled", 400, 100),
    ("replay", "pathgrad replay", 200, 50),
    ("eager", "pathgrad eager", 100, 20),
]
ETA, M, SEED = 3.0, 10, 0
ROUNDS = 2


def data(name):
    """(X_train, Y_train, X_test, labels_test): rows are examples, Y one-hot."""
    import numpy as np
    if name == "digits":
        from demos.digits import load
        train, test = load(SEED)
        X = np.array([e[0] for e in train])
        Xt = np.array([e[0] for e in test])
        return X, np.eye(10)[[e[1] for e in train]], Xt, np.array([e[1] for e in test])
    rng = np.random.default_rng(SEED)
    protos = (rng.random((10, 784)) < 0.15) * 1.0  # each class lights its own 15% of the pixels

    def draw(n):
        # Like MNIST, mostly dark (mean about 0.1): a class's pixels lit at random strengths, a few stray ones.
        labels = rng.integers(0, 10, n)
        lit = protos[labels] * rng.random((n, 784)) * 0.6 + (rng.random((n, 784)) < 0.12) * rng.random((n, 784))
        return np.clip(lit, 0.0, 1.0), labels

    X, y = draw(MEASURED)
    Xt, yt = draw(1000)
    return X, np.eye(10)[y], Xt, yt


def model_for(nin):
    from nn import MLP
    return MLP(nin, [30, 10], activation="sigmoid", output_activation="sigmoid", seed=SEED)


def orders(n, epochs):
    rng = random.Random(SEED)
    out = []
    for _ in range(epochs):
        order = list(range(n))
        rng.shuffle(order)
        out.append(order)
    return out


def pathgrad_trainer(engine, nin):
    """(step(X_rows, Y_rows, scale), weights() -> [W1, b1, W2, b2], setup info) for a pathgrad mode."""
    import numpy as np
    from autograd import Tape, Value
    model = model_for(nin)
    params = model.parameters()
    x = [Value(0.0) for _ in range(nin)]
    y = [Value(0.0) for _ in range(10)]

    def cost(out, target):
        return sum(((a - t) * (a - t) for a, t in zip(out, target)), Value(0.0)) * 0.5

    tape = Tape(cost(model(x), y))
    info = {"nodes": len(tape.nodes)}
    t0 = time.perf_counter()
    if engine == "vectorized":
        from nn.buffered import BufferSGD
        vec = tape.vectorize(x + y, params=params)
        info.update(analysis=vec.analysis_seconds, setup=vec.seconds, plan=str(vec.plan).splitlines()[0])
        buf = vec.buffered().__enter__()
        opt = BufferSGD(buf, params, lr=1.0)

        def step(X, Y, scale):
            vec.forward(np.concatenate([X, Y], axis=1))
            vec.backward()
            opt.lr = scale
            opt.step()
            opt.zero_grad()
    else:
        runner = {"batched": lambda: tape.batched(x + y), "compiled": tape.compile,
                  "replay": lambda: tape, "eager": lambda: None}[engine]()
        info["setup"] = time.perf_counter() - t0

        def step(X, Y, scale):
            if engine == "batched":
                runner.forward(*X.T, *Y.T)
                runner.backward()
            else:
                for xr, yr in zip(X.tolist(), Y.tolist()):
                    if engine == "eager":
                        cost(model(xr), yr).backward()
                        continue
                    for leaf, v in zip(x, xr):
                        leaf.data = v
                    for leaf, v in zip(y, yr):
                        leaf.data = v
                    runner.forward()
                    runner.backward()
            for p in params:
                p.data -= scale * p.grad
                p.grad = 0.0
        buf = None

    def weights():
        if buf is not None:
            buf.sync()
        return [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers] + \
               [np.array([n.b.data for n in layer.neurons]) for layer in model.layers]
    return step, weights, info


def peer(engine, nin):
    from bench.nielsen import MatrixNetwork, Network
    net = (Network if engine == "network.py" else MatrixNetwork).from_model(model_for(nin))

    def step(X, Y, scale):
        if engine == "network.py":
            net.update([(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)], scale * len(X))
        else:
            net.update_rows(X, Y, scale * len(X))

    def weights():
        return [w.copy() for w in net.weights] + [b.ravel().copy() for b in net.biases]
    return step, weights, net


def worker(spec):
    """Train one engine on one data set as `spec` says; a JSON-able dict of what was measured."""
    import numpy as np
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    X, Y, Xt, yt = data(spec["data"])
    nin = X.shape[1]
    if spec["engine"] in ("network.py", "matrix"):
        step, weights, _ = peer(spec["engine"], nin)
        info = {}
    else:
        step, weights, info = pathgrad_trainer(spec["engine"], nin)
    count, epochs = spec["examples"] or len(X), spec["epochs"]
    seconds, accuracy, first = [], [], None
    for order in orders(len(X), epochs):
        order = order[:count]
        t0 = time.perf_counter()
        for k in range(0, len(order), M):
            idx = order[k:k + M]
            step(X[idx], Y[idx], ETA / len(idx))
        seconds.append(time.perf_counter() - t0)
        W1, W2, b1, b2 = now = weights()
        first = first or now
        guess = (1 / (1 + np.exp(-(1 / (1 + np.exp(-(Xt @ W1.T + b1))) @ W2.T + b2)))).argmax(axis=1)
        accuracy.append(float((guess == yt).mean()))
    # network.py on the same first examples in the same order: the reference every engine must reproduce
    ref_step, ref_weights, _ = peer("network.py", nin)
    order = orders(len(X), 1)[0][:count]
    for k in range(0, len(order), M):
        idx = order[k:k + M]
        ref_step(X[idx], Y[idx], ETA / len(idx))
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(first, ref_weights()))
    per_epoch = statistics.median(seconds) * EPOCH[spec["data"]] / count
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024  # KiB on Linux -> MiB
    return {**info, "epoch_seconds": per_epoch, "best_seconds": min(seconds) * EPOCH[spec["data"]] / count,
            "examples": count, "accuracy": accuracy, "diff": diff, "peak_mib": rss}


def run(spec, timeout=900):
    cmd = [sys.executable, "-m", "bench.networks", "--worker", json.dumps(spec)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def scaling(sizes=(4, 42, 296)):
    """Analysis time and memory of `vectorize` on [784, h, 10] graphs of about 10^4, 10^5, 7x10^5 nodes."""
    import tracemalloc
    from autograd import Tape, Value
    from nn import MLP
    rows = []
    for h in sizes:
        model = MLP(784, [h, 10], activation="sigmoid", output_activation="sigmoid", seed=SEED)
        x = [Value(0.0) for _ in range(784)]
        y = [Value(0.0) for _ in range(10)]
        c = sum(((a - t) * (a - t) for a, t in zip(model(x), y)), Value(0.0)) * 0.5
        tape = Tape(c)
        runs = [tape.vectorize(x + y, params=model.parameters()) for _ in range(3)]
        analysis, setup = min(v.analysis_seconds for v in runs), min(v.seconds for v in runs)
        del runs
        tracemalloc.start()
        vec = tape.vectorize(x + y, params=model.parameters())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append({"hidden": h, "nodes": len(tape.nodes), "analysis": analysis, "setup": setup, "peak": peak})
        del vec, tape, c, model
    return rows


HEADING = "## Nielsen's network: pathgrad against network.py"


def section():
    """The markdown lines of this benchmark, and a list of the targets it missed."""
    results, failures = {}, []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    jobs = []
    for name in ("digits", "mnist"):
        for key, label, on_digits, on_mnist in ENGINES:
            examples = on_digits if name == "digits" else on_mnist
            epochs = 2 if examples and examples < MEASURED else (5 if name == "digits" else 2)
            jobs.append(((name, key), {"engine": key, "data": name, "examples": examples, "epochs": epochs}))
    for r in range(ROUNDS):  # interleaved, in another order each round, so a busy moment hits every engine
        for job, spec in (jobs if r % 2 == 0 else jobs[::-1]):
            print(f"  round {r + 1}/{ROUNDS}: {job[0]} {job[1]}", file=sys.stderr, flush=True)
            out = run(spec)
            if "error" in out or job not in results:
                results[job] = {**out, "times": [out.get("epoch_seconds")], "bests": [out.get("best_seconds")]}
            elif "error" not in results[job]:
                results[job]["times"].append(out["epoch_seconds"])
                results[job]["bests"].append(out["best_seconds"])
    for r in results.values():
        if "error" not in r:
            r["epoch_seconds"], r["best_seconds"] = statistics.median(r["times"]), min(r["bests"])
    lines = [HEADING, "",
             f"Sigmoid [64, 30, 10] on the digits ({EPOCH['digits']:,} training images an epoch) and [784, 30, 10] on "
             f"synthetic MNIST-shaped data ({EPOCH['mnist']:,} an epoch; fast engines measured on {MEASURED:,}), "
             f"quadratic cost, mini-batch {M}, eta {ETA}; same starting weights and order of examples for all. "
             "Time per epoch is training only (the median over epochs and over 2 interleaved runs), scaled from the examples measured "
             "(the targets also give the ratio of each engine's fastest epoch, the one least slowed by the machine's other work); "
             "÷ network.py below 1 is faster than network.py. Peak memory is the growth of the process's "
             "maximum resident set after its imports (data, graph, compiled code and training). "
             f"Load average at the start: {load:.1f} on {os.cpu_count()} CPUs.", "",
             "| engine | digits s/epoch | ÷ network.py | [784, 30, 10] s/epoch | ÷ network.py | measured on "
             "(digits, 784) | max abs Δp vs network.py | peak MiB (digits, 784) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label, *_ in ENGINES:
        cells = []
        for name in ("digits", "mnist"):
            r, ref = results[name, key], results[name, "network.py"]
            if "error" in r or "error" in ref:
                cells.append(("fails: " + r.get("error", ref.get("error")), "", "", "", ""))
                continue
            cells.append((f"{r['epoch_seconds']:.3g}", f"{r['epoch_seconds'] / ref['epoch_seconds']:.3g}",
                          f"{r['examples']:,}", f"{r['diff']:.1e}", f"{r['peak_mib']:.0f}"))
            if r["diff"] > 1e-9:
                failures.append(f"{name}: {key} ends {r['diff']:.2g} away from network.py's parameters")
        d, m = cells
        lines.append(f"| {label} | {d[0]} | {d[1]} | {m[0]} | {m[1]} | {d[2]}, {m[2]} | {d[3]}, {m[3]} | {d[4]}, {m[4]} |")
    lines += ["", "Test accuracy after each epoch (engines trained on whole epochs; the others' parameters match "
              "network.py's after the same examples, column above):", "",
              "| engine | digits (450 test images) | [784, 30, 10] (1,000 test images) |", "|---|---|---|"]
    for key, label, *_ in ENGINES[:3]:
        accs = [results[name, key].get("accuracy", []) for name in ("digits", "mnist")]
        lines.append(f"| {label} | " + " | ".join(", ".join(f"{a:.1%}" for a in acc) for acc in accs) + " |")
    targets = []
    for name, floor in (("digits", 3.0), ("mnist", 5.0)):
        v, ref = results[name, "vectorized"], results[name, "network.py"]
        if "error" in v or "error" in ref:
            failures.append(f"{name}: {v.get('error') or ref.get('error')}")
            continue
        speedup = ref["epoch_seconds"] / v["epoch_seconds"]
        best = ref["best_seconds"] / v["best_seconds"]
        ok = speedup >= floor
        what = "digits [64, 30, 10]" if name == "digits" else "[784, 30, 10]"
        targets.append(f"| {what}: vectorized ≥ {floor:g}x faster than network.py | {speedup:.1f}x "
                       f"(fastest epochs: {best:.1f}x) | {'met' if ok else 'NOT MET'} |")
        if not ok:
            failures.append(f"{what}: vectorized only {speedup:.1f}x faster than network.py")
    scale = scaling()
    lines += ["", "| target | measured | |", "|---|---|---|", *targets, "",
              "One-off cost of `tape.vectorize` on [784, h, 10] graphs (best of 3; analysis is the recognition "
              "pass, setup adds the numpy plan and buffers; memory is tracemalloc's peak during the call):", "",
              "| h | nodes | analysis s | µs per node | setup s | µs per node | peak bytes per node |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in scale:
        n = r["nodes"]
        lines.append(f"| {r['hidden']} | {n:,} | {r['analysis']:.3f} | {r['analysis'] / n * 1e6:.2f} | "
                     f"{r['setup']:.3f} | {r['setup'] / n * 1e6:.2f} | {r['peak'] / n:.0f} |")
    worst = max(r["analysis"] / r["nodes"] for r in scale) * 1e6
    lines += ["", f"Plan of the [784, 30, 10] graph ({results['mnist', 'vectorized'].get('nodes', 0):,} nodes): "
              f"`{results['mnist', 'vectorized'].get('plan', '')}`", ""]
    if worst >= 2.0:
        failures.append(f"analysis takes {worst:.2f} us per node (target: under 2)")
    return lines, failures


def write(lines, path):
    """Put this section into the results file, replacing an older copy of it (the rest is kept)."""
    old = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    head, sep, tail = old.partition(HEADING)
    rest = tail[tail.find("\n## "):] if sep and "\n## " in tail else ""
    text = head.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n" + rest
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main(argv):
    if argv[:1] == ["--worker"]:
        print(json.dumps(worker(json.loads(argv[1]))))
        return 0
    lines, failures = section()
    print("\n".join(lines))
    write(lines, os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md"))
    for f in failures:
        print(f"FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
