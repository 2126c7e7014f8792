"""Teaching pictures: the sum over paths drawn, on small graphs and on Nielsen's networks.

    python -m demos.graphs [--out DIR] [--docs]

Each picture shows one idea: every path from an input in its own colour with its local derivatives, the
rates multiplied out and summed in the legend (eq. 53 of Nielsen's chapter 2); all the network paths of
one weight; BP2 for one neuron with its numbers; a ladder whose paths double at every rung while backward
adds one term per edge; backward as frames, one per +=. --docs also writes the README's pictures to docs/.
"""
import argparse
import os

from autograd import Value, count_paths, draw, draw_network, explain, paths, trace_backward
from autograd._drawkit import render
from autograd.frames import backward_frames
from nn import MLP
from nn.data import moons
from nn.nielsen import Nielsen


def labelled(**named):
    for name, v in named.items():
        v.label = name
    return named


def neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), with b chosen so that o = 1/sqrt(2)."""
    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    s = x1w1 + x2w2
    n = s + b
    o = n.tanh()
    labelled(x1w1=x1w1, x2w2=x2w2, **{"x1w1 + x2w2": s}, n=n, o=o)
    o.backward()
    return o, [w1, x1, b]


def square():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    y.backward()
    return y, [a]


def fanout():
    """Olah's example: e = (a+b)*(b+1) at a=2, b=1. b reaches e along two paths."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c, d = a + b, b + 1
    e = c * d
    labelled(c=c, d=d, e=e)
    e.backward()
    return e, [a, b]


def ladder(n, x0=0.5):
    """Olah's factoring picture: y <- sin(y) + cos(y), n times. Each rung doubles the paths from x."""
    x = Value(x0, label="x")
    y = x
    for _ in range(n):
        y = y.sin() + y.cos()
    y.label = "y"
    return x, y


def nielsen(sizes, x, y, seed=1):
    """A sigmoid network with Nielsen's quadratic cost at one point, named as in the book, after backward."""
    model = MLP(len(x), sizes, activation="sigmoid", output_activation="sigmoid", seed=seed)
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    net.name_nodes()
    C.backward()
    return model, net, C


def moons_model():
    """MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2 (micrograd's recipe), one backward."""
    model = MLP(2, [16, 16, 1], seed=0)
    xs, ys = moons(100, 0.1, seed=0)
    scores = [model(x) for x in xs]
    hinge = sum(((1 - (2 * y - 1) * s).relu() for y, s in zip(ys, scores)), Value(0.0)) * (1.0 / len(xs))
    loss = hinge + 1e-4 * sum((p * p for p in model.parameters()), Value(0.0))
    loss.label = "C"
    loss.backward()
    return model, xs, loss


class Writer:
    def __init__(self, out, docs):
        self.out, self.docs, self.files = out, docs, []

    def __call__(self, graph, name, doc=False):
        folders = [self.out] + (["docs"] if doc and self.docs else [])
        data = render(graph, "svg")
        for folder in folders:
            path = os.path.join(folder, name + ".svg")
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
            print(f"  wrote {path}")
            self.files.append(path)


def small_graphs(write):
    for name, build, labels in [("neuron", neuron, "local"), ("square", square, "contribution"),
                                ("fanout", fanout, "contribution")]:
        root, inputs = build()
        print(f"\n== {name}: edges labelled with the {labels} "
              + ("derivative d(child)/d(parent)" if labels == "local" else "each edge added in backward"))
        write(draw(root, edge_labels=labels), name, doc=name == "neuron")
        for x in inputs:
            print(explain(root, x))
    e, (a, b) = fanout()
    print("\n== the two paths from b, each in its colour, with the sum de/db = 2 + 3 in the legend")
    write(draw(e, highlight=explain(e, b)), "paths_olah", doc=True)
    write(draw(e, color_by_grad=True), "fanout_grads")


def factoring(write, n=3):
    x, y = ladder(n)
    k, steps = count_paths(y, x), len(trace_backward(y))
    print(f"\n== the ladder y <- sin(y) + cos(y), {n} rungs: {k} paths from x to y, backward makes {steps} +=")
    longer = []
    for m in (10, 50):
        xm, ym = ladder(m)
        longer.append(f"{m} rungs: {count_paths(ym, xm):,} paths, {len(trace_backward(ym))} +=")
    write(draw(y, highlight=explain(y, x), caption=[
        f"{n} rungs: count_paths(y, x) = {k} = 2^{n} paths; backward makes {steps} += (4 per rung, one per edge)",
        "; ".join(longer),
        "backward never lists the paths: each grad is a sum over outgoing edges, so shared tails are added once"]),
        "ladder", doc=True)
    e, _ = fanout()
    frames = backward_frames(e)
    files = frames.save(os.path.join(write.out, "backward"))
    print(f"\n== backward as frames: {len(frames)} pictures, the seed and one per += ({files[0]} ...)")
    if write.docs:
        write.files.append(frames.gif(os.path.join("docs", "backward.gif")))
    write.files.append(frames.gif(os.path.join(write.out, "backward.gif")))
    print(f"  wrote {write.files[-1]}")


def networks(write):
    model, net, C = nielsen([4, 4, 4, 2], [0.5, -1.0, 0.25], [1.0, 0.0])
    w = net.w(2, 1, 2)
    print(f"\n== {model}: every network path of w^2_12, {count_paths(C, w)} of them, coloured by a^3_q")
    write(draw_network(model, highlight=w, cost="Nielsen's quadratic cost at one point"), "network_paths", doc=True)

    model, net, C = nielsen([3, 3, 2], [0.5, -1.0], [1.0, 0.0])
    w = net.w(2, 1, 2)
    r = explain(C, w, through=net.waypoints())
    print(f"\n== {model}: the 6 paths of w^2_12 seen at the neurons, their rates and the sum dC/dw = {r.total:.6g}")
    print(r)
    write(draw_network(model, highlight=r, cost="Nielsen's quadratic cost at one point"), "network_rates", doc=True)
    bp2 = net.bp2(C, 2, 1)
    print("\n== BP2 for neuron 1 of layer 2, with its numbers")
    print(bp2)
    write(draw_network(model, bp2=bp2, cost="Nielsen's quadratic cost at one point"), "network_bp2", doc=True)
    print("\n== the same network's computation graph, each neuron's sum drawn as one Σ, the 6 paths in colour")
    write(draw(C, highlight=explain(C, w)), "network_graph")

    print("\n== the moons network MLP(2, [16, 16, 1]) after one backward of its loss")
    model, xs, loss = moons_model()
    cost = ("(1/100) × the hinge losses summed over 100 points + 1e-4 L2:\nso each fill and width is a sum over "
            "the 100 points (each point's term weighted 1/100) plus the L2 term's")
    write(draw_network(model, cost=cost), "moons_network")
    w = model.layers[0].neurons[3].w[1]
    n = count_paths(loss, w)
    print(f"  dC/dw for w^2_42 (layers[0].neurons[3].w[1]) is {w.grad:.6f}, a sum over {n:,} paths: 16 for each of "
          f"the {len(xs)} points (one through each neuron of layer 3) and {n - 16 * len(xs)} through the L2 term w*w")
    write(draw_network(model, highlight=w, cost=cost), "moons_paths")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out", help="folder for the pictures (default: out)")
    ap.add_argument("--docs", action="store_true", help="also write the README's pictures to docs/")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    write = Writer(args.out, args.docs)
    small_graphs(write)
    factoring(write)
    networks(write)


if __name__ == "__main__":
    main()
