"""micrograd's demo: a 2-16-16-1 ReLU network learns to separate two moons.

    python -m demos.moons [--steps 100] [--seed 0] [--hidden 16,16] [--optimizer sgd|adam] [--out DIR]
                          [--save PATH] [--resume PATH]

The recipe of micrograd's notebook: 100 points of two interleaving half circles (noise 0.1),
MLP(2, [16, 16, 1]) with 337 parameters, the max-margin loss mean(relu(1 - y * score)) over the
points plus 1e-4 * sum p^2, and 100 full-batch SGD steps with learning rate 1.0 - 0.9 k/100 at
step k. Every step builds the whole graph (about 70 000 nodes), runs backward through it and moves
each parameter by -lr * dC/dp. Writes out/moons_boundary.png and out/moons_curves.png.
"""
import sys

from ._train import main as _main


def main(argv=None):
    return _main(argv, "python -m demos.moons", __doc__, dataset="moons", loss="hinge")


if __name__ == "__main__":
    sys.exit(main())
