"""`python -m bench`: every engine on every workload, each in its own process, repeats interleaved.

Prints tables of medians and ratios (ratios are what to quote: absolute times drift on a shared
machine) and writes them to bench/RESULTS.md. Every engine must compute the same loss and gradients
as the hand-written float code; a mismatch is reported and makes the run fail.
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOL = 1e-9

MLP = [  # (key, label, engine, gc enabled)
    ("eager", "pathgrad eager", "eager", True),
    ("eager-nogc", "pathgrad eager, gc off", "eager", False),
    ("replay", "pathgrad replay (Tape)", "replay", True),
    ("compiled", "pathgrad compiled", "compiled", True),
    ("batched", "pathgrad batched (numpy)", "batched", True),
    ("micrograd", "micrograd 0.1.0", "micrograd", True),
    ("micrograd-nogc", "micrograd 0.1.0, gc off", "micrograd", False),
    ("torch", "PyTorch 0-d tensors (float64)", "torch", True),
    ("floats", "hand-written floats", "floats", True),
]
GRAPH_ENGINES = ["eager", "replay", "compiled", "micrograd", "torch", "floats"]
LABELS = {"eager": "pathgrad eager", "replay": "replay", "compiled": "compiled", "micrograd": "micrograd",
          "torch": "PyTorch 0-d", "floats": "floats"}


def available(engine):
    name = {"micrograd": "micrograd", "torch": "torch", "batched": "numpy"}.get(engine)
    return name is None or importlib.util.find_spec(name) is not None


def run(spec, timeout=600):
    """Run one worker process; its JSON answer, or {"error": ...}."""
    cmd = [sys.executable, "-m", "bench.worker", json.dumps(spec)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout ({timeout} s)"}
    if done.returncode:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {done.returncode}: {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def collect(jobs, rounds):
    """Run every job `rounds` times, rotating the order each round; pool the timings per job."""
    results = {key: {"times": []} for key, _ in jobs}
    for r in range(rounds):
        for key, spec in jobs[r % len(jobs):] + jobs[:r % len(jobs)]:
            print(f"  round {r + 1}/{rounds}: {key}", file=sys.stderr, flush=True)
            out = run(spec)
            if "error" in out:
                results[key] = out
                continue
            if "error" not in results[key]:
                times = results[key]["times"] + out.pop("times")
                results[key].update(out, times=times)
    return results


def median_ms(res):
    return statistics.median(res["times"]) * 1000 if res.get("times") else None


def fmt(ms):
    return "—" if ms is None else f"{ms:,.1f}" if ms >= 10 else f"{ms:.2f}"


def mlp_section(rounds, failures):
    jobs = [(k, {"engine": e, "workload": "mlp_step", "repeats": 3, "gc": g}) for k, _, e, g in MLP if available(e)]
    res = collect(jobs, rounds)
    ref = res["floats"]
    med = {k: median_ms(r) for k, r in res.items()}
    rows = ["| engine | median ms per step | × floats | micrograd ÷ engine | micrograd (gc off) ÷ engine "
            "| one-off setup s | max abs diff vs floats |", "|---|---:|---:|---:|---:|---:|---:|"]
    for key, label, engine, _ in MLP:
        r = res.get(key)
        if r is None or "error" in (r or {}):
            rows.append(f"| {label} | {'not installed' if r is None else r['error']} | | | | | |")
            continue
        diff = max([abs(r["loss"] - ref["loss"])] + [abs(a - b) for a, b in zip(r["grads"], ref["grads"])])
        if diff > TOL:
            failures.append(f"mlp_step: {label} differs from floats by {diff:.3g}")
        ratio = lambda other: f"{med[other] / med[key]:.1f}" if med.get(other) else "—"
        setup = f"{r['setup']:.2f}" if engine in ("replay", "compiled", "batched") else ""
        rows.append(f"| {label} | {fmt(med[key])} | {med[key] / med['floats']:.2f} | {ratio('micrograd')} "
                    f"| {ratio('micrograd-nogc')} | {setup} | {diff:.1e} |")
    return rows, med, res["eager"].get("nodes")


def graph_section(workload, sizes, failures):
    rows = [f"| {'links' if workload == 'deep_chain' else 'terms'} | "
            + " | ".join(LABELS[e] for e in GRAPH_ENGINES) + " |", "|---" + "|---:" * len(GRAPH_ENGINES) + "|"]
    for n in sizes:
        cells, ref = [], None
        jobs = []
        for e in GRAPH_ENGINES:
            if not available(e):
                continue
            if e == "micrograd" and workload == "deep_chain" and n > sizes[0]:
                continue  # its recursive sort already failed at the smallest size
            if e in ("torch", "compiled") and n > 100_000:
                continue  # minutes of setup (compile ~30 us per node) or of 0-d tensor ops
            jobs.append((e, {"engine": e, "workload": workload, "n": n, "repeats": 3 if n <= 10_000 else 1}))
        res = collect(jobs, 2 if n <= 100_000 else 1)
        ref = res.get("floats")
        for e in GRAPH_ENGINES:
            r = res.get(e)
            if r is None:
                cells.append("fails (RecursionError)" if e == "micrograd" and available(e) and workload == "deep_chain"
                             else "not run" if available(e) else "not installed")
            elif "error" in r:
                cells.append(f"fails ({r['error']})")
            else:
                bad = [v for v, w in ((r["y"], ref["y"]), (r["grad"], ref["grad"])) if abs(v - w) > TOL * abs(w)]
                if bad:
                    failures.append(f"{workload} {n}: {e} gives {r['y']}, {r['grad']}; floats {ref['y']}, {ref['grad']}")
                cells.append(fmt(median_ms(r)) + (" WRONG" if bad else ""))
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return rows


def main():
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds for the moons step (default 3)")
    ap.add_argument("--max-links", type=int, default=10 ** 6, help="longest deep_chain (default 10^6)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="where to write the tables")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error(f"--rounds must be at least 1, got {args.rounds}")
    if args.max_links < 10 ** 3:  # the shortest chain measured has 10^3 links
        ap.error(f"--max-links must be at least 1000, got {args.max_links}")
    try:  # the tables are written at the very end: a missing folder must not cost the whole run
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    except OSError as e:
        ap.error(f"--out {args.out}: cannot make the folder {e.filename}: {e.strerror}")
    failures = []
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("moons mlp_step", file=sys.stderr)
    mlp_rows, med, nodes = mlp_section(args.rounds, failures)
    print("deep_chain, wide_fanout", file=sys.stderr)
    sizes = [n for n in (10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6) if n <= args.max_links]
    deep = graph_section("deep_chain", sizes, failures)
    wide = graph_section("wide_fanout", [10 ** 5], failures)
    mem = {e: run({"engine": e, "workload": "memory"}) for e in ("pathgrad", "micrograd") if available(e)}
    paths = run({"engine": "eager", "workload": "deep_paths", "n": max(sizes)})
    targets = _targets(med, mem, paths, max(sizes))
    print("Nielsen's network: every mode against network.py", file=sys.stderr)
    from bench import networks
    network_rows, network_failures = networks.section()
    failures += network_failures
    lines = [
        "# Benchmark results", "",
        f"Written by `make bench` (`python -m bench`) on {started:%Y-%m-%d %H:%M} UTC. "
        f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at the start. Every engine runs in its own process; rounds are "
        "interleaved and each cell is the median. Quote the ratios: absolute times drift on a shared machine.",
        "", f"## moons `mlp_step` (MLP 2-16-16-1, 100 points, hinge + 1e-4 L2, forward + backward + SGD; "
        f"{nodes:,} nodes)" if nodes else "## moons `mlp_step`", "", *mlp_rows, "",
        "## Targets", "", "| target | measured | |", "|---|---|---|", *targets, "",
        "## `deep_chain`: y = x * 1.0001 * ... (ms for forward + backward; replay and compiled after recording)",
        "", *deep, "", "## `wide_fanout`: one input in 10^5 terms, summed as a tree (ms)", "", *wide, "",
        "## Memory", "", "| engine | bytes per recorded op (tracemalloc, 100,000-op chain) "
        "| graph freed by reference counting alone (gc disabled) |", "|---|---:|---|",
        *[f"| {e} | {m.get('bytes_per_op', 0):,.0f} | {'yes' if m.get('freed') else 'no'} |" for e, m in mem.items()],
        "", *network_rows, "", "Failures: " + ("; ".join(failures) if failures else "none: every engine gives the floats' loss and "
                            f"gradients to {TOL:g}."), ""]
    text = "\n".join(lines)
    print(text)
    with open(args.out + ".tmp", "w") as f:
        f.write(text)
    os.replace(args.out + ".tmp", args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _targets(med, mem, paths, links):
    def row(what, value, ok):
        return f"| {what} | {value} | {'met' if ok else 'NOT MET'} |"
    out = []
    if med.get("micrograd"):
        r = med["micrograd"] / med["eager"]
        out.append(row("eager ≥ 10× micrograd (defaults)", f"{r:.1f}×", r >= 10))
    if med.get("micrograd-nogc"):
        r = med["micrograd-nogc"] / med["eager"]
        out.append(row("eager ≥ 2× micrograd with its collector disabled", f"{r:.2f}×", r >= 2))
        r = med["micrograd-nogc"] / med["eager-nogc"]
        out.append(row("(like for like: the collector disabled in both processes)", f"{r:.2f}×", r >= 2))
    b = mem.get("pathgrad", {}).get("bytes_per_op", float("inf"))
    out.append(row("≤ 300 B per recorded op", f"{b:.0f} B", b <= 300))
    for key, limit, what in (("replay", 4, "replay within 4× floats"), ("compiled", 1.5, "compiled within 1.5× floats"),
                             ("batched", 1.0, "batched faster than floats")):
        if med.get(key):
            r = med[key] / med["floats"]
            out.append(row(what, f"{r:.2f}× floats", r <= limit if key != "batched" else r < 1))
    out.append(row(f"{links:,}-link chain: backward, replay, count_paths without recursion",
                   paths.get("error", "count_paths = 1, grads match"), paths.get("ok", False)))
    return out


if __name__ == "__main__":
    sys.exit(main())
