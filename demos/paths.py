"""Why does backprop sum over paths? Olah's example, one weight of a small network, and the count.

    python -m demos.paths [--out DIR]

1. e = (a+b)(b+1) at a=2, b=1: b reaches e along two paths, of rates 2 and 3; de/db = 5.
2. A 2-3-3-2 sigmoid network with the quadratic cost: every path from w^2_12 to C, each with its
   rate factors (Nielsen's eq. 53), summed, beside backward's dC/dw and a central difference.
3. The number of paths doubles with every rung of a ladder; backward's work grows by a constant.
Pictures: out/paths_olah.svg, out/paths_network.svg, out/paths_graph.svg.
"""
import argparse
import os
import time

from autograd import Value, count_paths, draw, draw_network, explain, nodes_between, paths, trace_backward
from nn import MLP
from nn.nielsen import Nielsen


def section(title):
    print(f"\n=== {title} " + "=" * max(0, 72 - len(title)))


def render(dot, out, name):
    path = os.path.join(out, name)
    with open(path + ".tmp", "wb") as f:
        f.write(dot.pipe(format="svg"))
    os.replace(path + ".tmp", path)
    return path


def olah(out):
    section("1. Olah's example: e = (a+b)(b+1) at a = 2, b = 1")
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    d = b + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    print("c = a+b = 3 and d = b+1 = 2; e = c*d = 6. Every edge carries its local derivative:")
    print("dc/db = 1, dd/db = 1, de/dc = d = 2, de/dd = c = 3. A path's rate is the product along it.\n")
    print(explain(e, b))
    print()
    print(explain(e, a))
    print("\nBackward does not list paths. It visits e, then d and c, and adds one term per edge:")
    print(trace_backward(e))
    print("b is used twice, so b.grad receives two +=: 3 (the path through d) and 2 (through c).")
    hi = [(p, q) for q in nodes_between(e, b) for p in q.parents if p in nodes_between(e, b)]
    return [render(draw(e, edge_labels="contribution", highlight=hi), out, "paths_olah.svg")]


def cost_at(model, w, t, x, y):
    """C with the weight w set to t (floats only: the recorded graph is left as it was)."""
    old, w.data = w.data, t
    try:
        return 0.5 * sum((a.data - yj) ** 2 for a, yj in zip(model(x), y))
    finally:
        w.data = old


def network(out):
    section("2. A 2-3-3-2 sigmoid network, quadratic cost C = 1/2 sum_j (a^4_j - y_j)^2")
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    x, y = [0.5, -1.0], [1.0, 0.0]
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    net.name_nodes()
    C.backward()
    w = net.w(2, 1, 2)
    print(f"{model}; x = {x}, y = {y}; layers numbered as in the book: layer 1 is the input.")
    print(f"The weight w^2_12 (neuron 2 of layer 1 -> neuron 1 of layer 2) = {w.data:.6f}.")
    n = count_paths(C, w)
    print(f"count_paths(C, w^2_12) = {n} = 3 neurons in layer 3 x 2 neurons in layer 4.\n")
    print("Seen at the neurons, each path is w^2_12 -> a^2_1 -> a^3_q -> a^4_m -> C, and its rate is")
    print("Nielsen's product  da^2_1/dw^2_12 * da^3_q/da^2_1 * da^4_m/da^3_q * dC/da^4_m")
    print("                 = a^1_2 s'(z^2_1) * w^3_q1 s'(z^3_q) * w^4_mq s'(z^4_m) * (a^4_m - y_m).")
    print("Each factor below is the product of the graph's local derivatives between two neurons:\n")
    acts = {net.a(l, j) for l in range(2, net.L + 1) for j in range(1, net.sizes[l - 1] + 1)}
    found = list(paths(C, w))
    rows = []
    for p in found:
        nodes, factors = p.grouped(lambda v: v in acts)
        rows.append((" -> ".join(v.label for v in nodes), " * ".join(f"{f:+.6f}" for f in factors), p.rate))
    wide = max(len(r[0]) for r in rows)
    print(f"  {'path':<{wide}}  {'rate factors':<47}  rate")
    for path, factors, rate in rows:
        print(f"  {path:<{wide}}  {factors}  {rate:+.6e}")
    total = sum(p.rate for p in found)
    h = 1e-6
    numeric = (cost_at(model, w, w.data + h, x, y) - cost_at(model, w, w.data - h, x, y)) / (2 * h)
    print(f"\n  sum of the {len(found)} rates      = {total:+.15e}")
    print(f"  backward: w^2_12.grad    = {w.grad:+.15e}")
    print(f"  central difference       = {numeric:+.15e}   (h = {h:g})")
    print(f"  BP4: a^1_2 * delta^2_1   = {x[1] * net.delta(2, 1):+.15e}")
    first = found[0]
    print(f"\nIn the graph itself each path has {len(first)} edges: the extra nodes are the + and * of the")
    print("weighted sums, with local derivatives 1 or a weight. explain() shows them (first path only):\n")
    print(explain(C, w, limit=1))
    files = [render(draw_network(model, highlight=first), out, "paths_network.svg"),
             render(draw(C, edge_labels="contribution", highlight=first), out, "paths_graph.svg")]
    return files


def ladder():
    section("3. Paths multiply; backward stays linear")
    print("A ladder: y <- sin(y) + cos(y), n times. Each rung doubles the paths from x to y.\n")
    print(f"  {'n':>4}  {'nodes':>6}  {'paths (count_paths)':>24}  {'list them all':>14}  {'count_paths':>12}"
          f"  {'backward':>9}")
    for n in (4, 8, 12, 16, 50, 200):
        x = Value(0.3, label="x")
        y = x
        for _ in range(n):
            y = y.sin() + y.cos()
        t = time.perf_counter()
        k = count_paths(y, x)
        t_count = time.perf_counter() - t
        t = time.perf_counter()
        y.backward()
        t_back = time.perf_counter() - t
        if n <= 16:
            t = time.perf_counter()
            listed = sum(1 for _ in paths(y, x))
            per_path = (time.perf_counter() - t) / listed / n  # seconds per path per rung
            t_list = f"{per_path * listed * n:.4f} s"
            assert listed == k
        else:
            secs = per_path * k * n
            t_list = f"~{secs / 3.15e7:.0e} years"
        shown = str(k) if k < 10 ** 15 else f"2^{k.bit_length() - 1}"
        print(f"  {n:>4}  {3 * n + 1:>6}  {shown:>24}  {t_list:>14}  {t_count * 1e3:>9.3f} ms"
              f"  {t_back * 1e3:>6.3f} ms")
    print("(beyond n = 16 the time to list them is extrapolated from the measured time per path)")
    print("\nBackward adds one term per edge: each node's grad is the sum over its outgoing edges of")
    print("(local derivative x the child's grad). The child's grad already sums all the paths beyond it,")
    print("so the common tails are added once, not once per path: the sum over paths, factored.")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m demos.paths", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="out", help="folder for the pictures (default: out)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    files = olah(args.out) + network(args.out)
    ladder()
    print("\nwrote " + ", ".join(files))


if __name__ == "__main__":
    main()
