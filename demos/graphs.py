"""Teaching pictures: a neuron, a*a, a fan-out, and the moons network after one backward, as SVG.

    python -m demos.graphs [--out DIR]

Each small graph is drawn with its gradient flow on the edges and its paths are printed: the grad of
an input is the sum, over every path from it to the output, of the product of the local derivatives.
"""
import argparse
import os

from autograd import Value, count_paths, draw, draw_network, explain, paths
from nn import MLP
from nn.data import moons


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


def write(graph, out, name):
    path = graph.render(os.path.join(out, name), format="svg", cleanup=True)
    print(f"  wrote {path}")
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out", help="folder for the SVG files (default: out)")
    out = ap.parse_args(argv).out
    os.makedirs(out, exist_ok=True)

    for name, build, labels in [("neuron", neuron, "local"), ("square", square, "contribution"),
                                ("fanout", fanout, "contribution")]:
        root, inputs = build()
        print(f"\n== {name}: edges labelled with the {labels} "
              + ("derivative d(child)/d(parent)" if labels == "local" else "each edge added in backward"))
        write(draw(root, edge_labels=labels), out, name)
        for x in inputs:
            print(explain(root, x))
        if name == "fanout":
            b = inputs[1]
            longer = max(paths(root, b), key=lambda p: p.rate)
            print(f"  highlighted: {longer}")
            write(draw(root, edge_labels="local", highlight=longer), out, "fanout_path")
            write(draw(root, color_by_grad=True), out, "fanout_grads")

    print("\n== the moons network MLP(2, [16, 16, 1]) after one backward of the hinge loss")
    model, xs, loss = moons_model()
    print(f"  loss C = {loss.data:.4f}; {len(model.parameters())} parameters")
    write(draw_network(model), out, "moons_network")
    w = model.layers[0].neurons[3].w[1]
    n = count_paths(loss, w)
    print(f"  dC/dw for w = layers[0].neurons[3].w[1] is {w.grad:.6f}, a sum over {n:,} paths: 16 for each of the "
          f"{len(xs)} points (one through each neuron of the next layer) and {n - 16 * len(xs)} through the L2 term w*w")
    one = max(paths(model(xs[0]), w), key=lambda p: abs(p.rate))
    print(f"  for the first point, the path with the largest |rate| ({one.rate:.4g}) crosses 3 weights of the network"
          f" and {len(one)} edges of its computation graph")
    write(draw_network(model, highlight=one), out, "moons_path")


if __name__ == "__main__":
    main()
