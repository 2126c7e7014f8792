"""BP2 derived by grouping paths, then the four equations of backpropagation (Nielsen, ch. 2) checked.

    python -m demos.backprop [--seed N] [--cost quadratic|cross-entropy] [--all] [--out DIR]

Layers are numbered as in the book: layer 1 is the input. delta^l_j = dC/dz^l_j is the error of
neuron j in layer l. Each row sets backward's number (left side) beside the right side of the equation
computed from the recorded z^l_j, a^l_j, the weights and sigma' from the engine's table:

    BP1  delta^L_j = dC/da^L_j * sigma'(z^L_j)
    BP2  delta^l_j = (sum_k w^(l+1)_kj delta^(l+1)_k) * sigma'(z^l_j)
    BP3  dC/db^l_j = delta^l_j
    BP4  dC/dw^l_jk = a^(l-1)_k delta^l_j
"""
import argparse
import os

from autograd import draw_network
from autograd._files import atomic_write
from nn import MLP
from nn.nielsen import Nielsen, check_bp


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m demos.backprop", description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cost", choices=("quadratic", "cross-entropy"), default="quadratic")
    ap.add_argument("--all", action="store_true", help="print every row of the table, not one per equation")
    ap.add_argument("--out", default="out", help="folder for the picture (default: out)")
    args = ap.parse_args(argv)
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    x, y = [0.5, -1.0], [1.0, 0.0]
    print(f"{model}, x = {x}, y = {y}, {args.cost} cost\n")

    print("Why BP2 is a sum: every path from z^2_1 to C leaves a^2_1 by exactly one of its edges, one to")
    print("each neuron k of layer 3. Group the paths by that first edge (explain(C, a).by_first_edge()):")
    print("each group is (the edge's local derivative w^3_k1) x (the sum over the rest of its paths, delta^3_k).\n")
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y, args.cost)
    net.name_nodes()
    bp2 = net.bp2(C, 2, 1)
    print(bp2)
    C.backward()  # the picture's neurons are filled with their errors
    os.makedirs(args.out, exist_ok=True)
    picture = atomic_write(os.path.join(args.out, "backprop_bp2.svg"), draw_network(model, bp2=bp2).pipe(format="svg"))

    print("\nThe four equations, each beside backward's number (python -m demos.backprop --all for every row):")
    print(__doc__.rstrip().split("\n\n")[-1] + "\n")
    table = check_bp(model, x, y, args.cost)
    print(table if args.all else table.summary())
    print(f"\nwrote {picture} (BP2's three groups on the network)")
    if not table.holds():
        raise SystemExit("the equations do not hold to 1e-12: this is a bug")


if __name__ == "__main__":
    main()
