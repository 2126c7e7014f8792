"""Why is dC/dw a sum over paths? Olah's example, nudged for real, then one weight of a network.

    python -m demos.paths [--out DIR]

1. e = (a+b)(b+1) at a=2, b=1: b reaches e along two paths, of rates 2 and 3; de/db = 5.
2. Why add? Nudge b by h and recompute e: the change is 5h + h^2. The two paths give 2h + 3h; the
   leftover h^2 is the cross term of the product, second order, gone in the limit. (docs/why-sum.md)
3. Backward does the same sum with the common parts factored out: one += per edge.
4. A 2-3-3-2 sigmoid network: every path from w^2_12 to C, seen at the neurons (Nielsen's eq. 53).
5. The number of paths doubles with every rung of a ladder; backward's work grows by a constant.
Pictures: out/paths_olah.svg, out/paths_network.svg, out/paths_graph.svg.
"""
import argparse
import os
import time

from autograd import Value, count_paths, draw, draw_network, explain, nudge, paths, trace_backward
from autograd._files import atomic_write
from nn import MLP
from nn.nielsen import Nielsen


def section(title):
    print(f"\n=== {title} " + "=" * max(0, 72 - len(title)))


def render(dot, out, name):
    return atomic_write(os.path.join(out, name), dot.pipe(format="svg"))


def olah(out):
    section("1. Olah's example: e = (a+b)(b+1) at a = 2, b = 1")
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    d = b + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    print("c = a+b = 3, d = b+1 = 2, e = c*d = 6. Local derivatives: dc/db = 1, dd/db = 1, de/dc = d = 2,")
    print("de/dd = c = 3. A path's rate is the product of the local derivatives along it:\n")
    print(explain(e, b))

    section("2. Why add the paths? Nudge b by h and recompute e")
    print(nudge(e, b, hs=(0.1, 0.01, 0.001)))
    print("So e(b+h) - e(b) = 5h + h^2 exactly: delta/h = 5 + h -> 5 = 2 + 3, the sum of the path rates.")

    section("3. Backward: the same sum, one += per edge")
    print(trace_backward(e))
    print()
    print(explain(e, b).by_first_edge())
    print("When b's turn comes, c and d already hold de/dc and de/dd (the sum over every path above them),")
    print("so each edge out of b passes all of its paths on in one multiplication.")
    return [render(draw(e, edge_labels="contribution", highlight=explain(e, b)), out, "paths_olah.svg")]


def network(out):
    section("4. A 2-3-3-2 sigmoid network, quadratic cost C = 1/2 sum_j (a^4_j - y_j)^2")
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    x, y = [0.5, -1.0], [1.0, 0.0]
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    net.name_nodes()
    C.backward()
    w = net.w(2, 1, 2)
    print(f"{model}; x = {x}, y = {y}; layer 1 is the input, as in the book.")
    print(f"count_paths(C, w^2_12) = {count_paths(C, w)}: 3 neurons in layer 3 x 2 in layer 4. Seen at the neurons")
    print("(explain(C, w, through=net.waypoints())), each factor is a neuron-to-neuron rate:")
    print("a^1_2 s'(z^2_1), w^3_q1 s'(z^3_q), w^4_mq s'(z^4_m), a^4_m - y_m.\n")
    r = explain(C, w, through=net.waypoints())
    print(r)
    print(f"  backward: w^2_12.grad = {w.grad:+.15e};  BP4: a^1_2 * delta^2_1 = {x[1] * net.delta(2, 1):+.15e}")
    first = next(paths(C, w))
    return [render(draw_network(model, highlight=r), out, "paths_network.svg"),
            render(draw(C, edge_labels="contribution", highlight=first), out, "paths_graph.svg")]


def ladder():
    section("5. Paths multiply; backward stays linear")
    print("A ladder y <- sin(y) + cos(y), n rungs: each rung doubles the paths from x to y.\n")
    print(f"  {'n':>4}  {'paths (count_paths)':>22}  {'listing them':>13}  {'backward':>9}")
    per_path = None
    for n in (8, 12, 200):
        x = Value(0.3, label="x")
        y = x
        for _ in range(n):
            y = y.sin() + y.cos()
        k = count_paths(y, x)
        t = time.perf_counter()
        y.backward()
        t_back = time.perf_counter() - t
        if n <= 12:
            t = time.perf_counter()
            listed = sum(1 for _ in paths(y, x))
            per_path = (time.perf_counter() - t) / listed / n  # seconds per path per rung
            t_list = f"{per_path * listed * n:.3f} s"
            assert listed == k
        else:
            t_list = f"~{per_path * k * n / 3.15e7:.0e} years"  # extrapolated from the time per path
        shown = str(k) if k < 10 ** 15 else f"2^{k.bit_length() - 1}"
        print(f"  {n:>4}  {shown:>22}  {t_list:>13}  {t_back * 1e3:>6.3f} ms")
    print("Backward adds each edge's share once: the common tails of the paths are factored out.")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m demos.paths", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="out", help="folder for the pictures (default: out)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    # The docstring is the answer in five lines: say it first, then show each step with its numbers.
    lines = __doc__.strip().splitlines()
    print(lines[0].split("?")[0] + "? In short:\n")
    print("\n".join(line for line in lines[1:] if line.strip() and not line.lstrip().startswith("python -m")))
    files = olah(args.out) + network(args.out)
    ladder()
    print("\nThe proof, step by step: docs/why-sum.md.  Pictures: " + ", ".join(files))


if __name__ == "__main__":
    main()
