"""The four equations of backpropagation (Nielsen, ch. 2), checked number by number on a network.

    python -m demos.backprop [--seed N] [--cost quadratic|cross-entropy]

Layers are numbered as in the book: layer 1 is the input. delta^l_j = dC/dz^l_j is the error of
neuron j in layer l. Each row sets backward's number (left side) beside the right side of the equation
computed from the recorded z^l_j, a^l_j, the weights and sigma' from the engine's table:

    BP1  delta^L_j = dC/da^L_j * sigma'(z^L_j)
    BP2  delta^l_j = (sum_k w^(l+1)_kj delta^(l+1)_k) * sigma'(z^l_j)
    BP3  dC/db^l_j = delta^l_j
    BP4  dC/dw^l_jk = a^(l-1)_k delta^l_j
"""
import argparse

from nn import MLP
from nn.nielsen import check_bp


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m demos.backprop", description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cost", choices=("quadratic", "cross-entropy"), default="quadratic")
    args = ap.parse_args(argv)
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    x, y = [0.5, -1.0], [1.0, 0.0]
    print(__doc__.split("\n\n", 2)[2].rstrip())
    print(f"\n{model}, x = {x}, y = {y}, {args.cost} cost\n")
    table = check_bp(model, x, y, args.cost)
    print(table)
    print("\nBP2 is the 'sum over the next layer's errors': delta^l_j collects one term per edge out of")
    print("neuron j, just as backward's += does. BP3 and BP4 then read dC/db and dC/dw off the errors.")
    if not table.holds():
        raise SystemExit("the equations do not hold to 1e-12: this is a bug")


if __name__ == "__main__":
    main()
