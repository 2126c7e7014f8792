"""Train an MLP on a toy dataset: circles, xor or spiral (or moons), with the plots of demos.moons.

    python -m demos.classify [--dataset spiral] [--arms 3] [--steps N] [--activation relu|tanh] ...

Each dataset has its own defaults (change any with its flag):
  circles  2-16-16-1 tanh, hinge loss + L2, SGD
  xor      2-16-16-1 tanh, hinge loss + L2, SGD
  spiral   2-16-16-K relu, softmax cross-entropy over K = --arms classes, Adam
Writes out/<dataset>_boundary.png and out/<dataset>_curves.png.
"""
import argparse
import sys

from ._train import main as _main

PRESETS = {
    "spiral": dict(n=150, noise=0.2, loss="ce", optimizer="adam", steps=200, lr=0.05, alpha=0.0),
    "circles": dict(activation="tanh", noise=0.05),
    "xor": dict(activation="tanh", noise=0.0, steps=150),
    "moons": dict(),
}


def main(argv=None):
    # --dataset picks the defaults of every other flag, so it is read first.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--dataset", default="spiral")
    known, _ = pre.parse_known_args(argv)
    preset = PRESETS.get(known.dataset, {})  # an unknown name is reported by the full parser
    return _main(argv, "python -m demos.classify", __doc__, datasets=tuple(PRESETS), dataset=known.dataset, **preset)


if __name__ == "__main__":
    sys.exit(main())
