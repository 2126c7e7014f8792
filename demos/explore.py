"""The explorer pages: Olah's example and Nielsen's network, each one self-contained HTML file.

    python -m demos.explore [--out DIR]

out/explore_olah.html: e = (a+b)(b+1) at a = 2, b = 1. Click b: its two paths, of rates 2 and 3, are
drawn in their colours and summed (5) beside backward's de/db; press step to watch backward add one
term per edge; move the sliders and everything is recomputed in the page.
out/explore_network.html: a 2-3-3-2 sigmoid network with the quadratic cost. Click a weight for its
paths (Nielsen's eq. 53), a neuron for its error delta as BP1 or BP2, term by term.
The pages need no server and make no network request: mail them, or put them on a course page.
"""
import argparse
import os

from autograd import Value, explore
from nn import MLP


def olah():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c, d = a + b, b + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    return e


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="out", help="folder for the pages (default: out)")
    out = p.parse_args(argv).out
    os.makedirs(out, exist_ok=True)
    pages = [explore(olah()).save(os.path.join(out, "explore_olah.html"))]
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    pages.append(explore(model, [0.5, -1.0], [1.0, 0.0]).save(os.path.join(out, "explore_network.html")))
    for path in pages:
        print(f"wrote {path} ({os.path.getsize(path):,} bytes): open it in a browser, no server needed")


if __name__ == "__main__":
    main()
