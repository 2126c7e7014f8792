"""Nielsen's chapter-1 experiment in miniature: a sigmoid [64, 30, 10] network learns handwritten digits.

scikit-learn's bundled 8x8 digits (1,797 images, no download), 75% to train and 25% to test, mini-batch
SGD on the quadratic cost C = 1/2 sum_j (a_j - y_j)^2 or the cross-entropy cost
C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)], computed from the logits z_j by nn.binary_cross_entropy
(same value and gradient dC/dz_j = a_j - y_j, without ln 0 or overflow at any z).

Speed: the graph of ONE example is recorded once (`Tape(cost)`). In the default mode, vectorized,
`tape.vectorize(inputs)` finds the layers in that scalar graph (each neuron's chain
b + w0*x0 + w1*x1 + ... is a row of a matrix) and runs every mini-batch as numpy matrix products,
with the parameters in flat buffers that an SGD step updates in one expression; the grads come out
summed over the batch, what backward() on each example would add. The other modes (compiled,
batched, replay, eager) train the same network with the same numbers, more slowly.

    python -m demos.digits [--epochs 30] [--batch 10] [--lr 3.0] [--cost quadratic|cross-entropy]
                           [--mode vectorized|compiled|batched|replay|eager] [--limit N] [--out out]
"""
import argparse
import os
import random
import time

from autograd import Tape, Value
from nn import MLP, binary_cross_entropy, quadratic


def load(seed):
    """(train, test) lists of (64 pixel values in [0, 1], label), split 75/25 after a seeded shuffle."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    data = [([v / 16.0 for v in img], int(t)) for img, t in zip(digits.data, digits.target)]
    random.Random(seed).shuffle(data)
    cut = len(data) * 3 // 4
    return data[:cut], data[cut:]


def build(cost, seed):
    """The network, and one example's graph: pixel leaves x, one-hot target leaves y, cost, outputs."""
    model = MLP(64, [30, 10], activation="sigmoid",
                output_activation="sigmoid" if cost == "quadratic" else "linear", seed=seed)
    x = [Value(0.0, label=f"x{i}") for i in range(64)]
    y = [Value(0.0, label=f"y{j}") for j in range(10)]
    out = model(x)
    return model, x, y, cost_of(out, y, cost), out


def cost_of(out, y, cost):
    """C for one example: out are the activations a_j (quadratic) or the logits z_j (cross-entropy)."""
    if cost == "quadratic":
        return quadratic(out, y)
    # the cross-entropy of sigmoid(z_j), summed over j, from the logits (no overflow at any z)
    return binary_cross_entropy(out, y, reduction="sum")


def columns(examples):
    """The examples as 64 pixel columns and 10 one-hot target columns (one entry per example)."""
    import numpy as np
    X = np.array([e[0] for e in examples]).T
    Y = np.eye(10)[[e[1] for e in examples]].T
    return list(X), list(Y)


MODES = {
    "vectorized": "the graph's dot products and maps as numpy matrix products over the mini-batch, "
                  "parameters in flat buffers (fastest)",
    "compiled": "one example at a time through straight-line float code",
    "batched": "the mini-batch as numpy arrays, one array op per scalar node",
    "replay": "one example at a time, replaying the recorded tape",
    "eager": "one example at a time, building its graph anew (as micrograd)",
}


class Trainer:
    """One mode's way of adding sum over a mini-batch of dC_x/dp into the parameters' grads."""

    def __init__(self, mode, model, x, y, cost, cost_name):
        import numpy as np
        self.mode, self.model, self.x, self.y, self.cost_name = mode, model, x, y, cost_name
        self.params = model.parameters()
        self.tape = Tape(cost)
        self.eye = np.eye(10)
        self.buffers = None
        if mode == "vectorized":
            from nn.buffered import BufferSGD
            self.vec = self.tape.vectorize(x + y, params=self.params)
            self.buffers = self.vec.buffered().__enter__()
            self.opt = BufferSGD(self.buffers, self.params, lr=1.0)
        elif mode == "batched":
            self.runner = self.tape.batched(x + y)
        elif mode in ("compiled", "replay"):
            self.runner = self.tape.compile() if mode == "compiled" else self.tape

    def step(self, batch, scale):
        """Gradient of the batch's summed cost, then p <- p - scale * dC/dp for every parameter."""
        import numpy as np
        if self.mode == "vectorized":
            self.vec.forward(np.hstack([[e[0] for e in batch], self.eye[[e[1] for e in batch]]]))
            self.vec.backward()
            self.opt.lr = scale
            self.opt.step()
            self.opt.zero_grad()
            return
        if self.mode == "batched":
            X, Y = columns(batch)
            self.runner.forward(*X, *Y)
            self.runner.backward()  # p.grad = sum over the batch of dC_x/dp
        else:
            for pixels, label in batch:
                if self.mode == "eager":
                    target = [1.0 if j == label else 0.0 for j in range(10)]
                    cost_of(self.model(pixels), target, self.cost_name).backward()
                    continue
                for leaf, v in zip(self.x, pixels):
                    leaf.data = v
                for j, leaf in enumerate(self.y):
                    leaf.data = 1.0 if j == label else 0.0
                self.runner.forward()
                self.runner.backward()  # leaves accumulate: p.grad sums over the batch
        for p in self.params:  # w -> w - (eta/m) sum_x dC_x/dw
            p.data -= scale * p.grad
            p.grad = 0.0

    def sync(self):
        """Bring the parameter Values up to date (vectorized mode trains on numpy buffers)."""
        if self.buffers is not None:
            self.buffers.sync()

    def close(self):
        if self.buffers is not None:
            self.buffers.__exit__(None, None, None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=10, help="mini-batch size m (default 10, as Nielsen)")
    ap.add_argument("--lr", type=float, default=None, help="eta (default 3.0 quadratic, 0.5 cross-entropy)")
    ap.add_argument("--cost", choices=["quadratic", "cross-entropy"], default="quadratic")
    ap.add_argument("--mode", choices=list(MODES), default="vectorized",
                    help="; ".join(f"{k}: {v}" for k, v in MODES.items()))
    ap.add_argument("--limit", type=int, default=None, help="train on the first N training images only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="out")
    args = ap.parse_args(argv)
    if args.epochs < 1:
        ap.error(f"--epochs must be at least 1, got {args.epochs}")
    if args.batch < 1:
        ap.error(f"--batch must be at least 1, got {args.batch}")
    if args.limit is not None and args.limit < 1:
        ap.error(f"--limit must be at least 1, got {args.limit}")
    if args.lr is not None and not args.lr > 0:  # also refuses nan, which would train silently to nothing
        ap.error(f"--lr must be a positive number, got {args.lr}")
    import statistics

    import numpy as np
    from tqdm import tqdm

    lr = args.lr if args.lr is not None else (3.0 if args.cost == "quadratic" else 0.5)
    start = time.perf_counter()
    train, test = load(args.seed)
    train = train[:args.limit]
    model, x, y, cost, _ = build(args.cost, args.seed)
    trainer = Trainer(args.mode, model, x, y, cost, args.cost)
    if args.mode == "vectorized":
        print(trainer.vec.plan)
    evaluate = trainer.tape.batched(x + y)  # the whole test set at once, in every mode
    test_x, _ = columns(test)
    labels = np.array([e[1] for e in test])
    onehot = list(np.eye(10)[:, :, None] * np.ones(len(test)))  # class c as the target of every test image
    compiled = time.perf_counter() - start
    rng = random.Random(args.seed)
    accuracy, seconds = [], []
    bar = tqdm(range(args.epochs), desc="epochs", unit="epoch")
    try:
        for epoch in bar:
            rng.shuffle(train)
            t0 = time.perf_counter()
            for k in range(0, len(train), args.batch):
                batch = train[k:k + args.batch]
                trainer.step(batch, lr / len(batch))
            seconds.append(time.perf_counter() - t0)
            trainer.sync()
            # The guess is the class whose one-hot target would cost least: for both costs that is the
            # output neuron with the largest activation (C = const - a_c, or const - z_c, in class c).
            costs = np.stack([evaluate.forward(*test_x, *onehot[c]) for c in range(10)])
            guesses = costs.argmin(axis=0)
            wrong = np.flatnonzero(guesses != labels)
            accuracy.append(1.0 - len(wrong) / len(test))
            bar.set_postfix(test_accuracy=f"{accuracy[-1]:.1%}")
            tqdm.write(f"epoch {epoch + 1:2d}: test accuracy {accuracy[-1]:.1%} "
                       f"({len(test) - len(wrong)}/{len(test)})")
    finally:
        trainer.close()
    wall = time.perf_counter() - start
    print(f"seconds per epoch: {statistics.median(seconds):.3f} (--mode {args.mode}, training only, "
          f"median of {len(seconds)})")
    print(f"final test accuracy {accuracy[-1]:.1%} (best {max(accuracy):.1%}) after {args.epochs} epochs; "
          f"wall time {wall:.1f} s ({compiled:.1f} s of it recording and compiling)")
    path = plot(test, wrong, guesses, args.out)
    print(f"wrote {path}")
    return accuracy


def plot(test, wrong, guesses, out):
    """A few misclassified test digits, each titled with its label and the network's guess."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(out, exist_ok=True)
    shown = list(wrong[:8])
    fig, axes = plt.subplots(1, max(1, len(shown)), figsize=(1.6 * max(1, len(shown)), 2.2))
    axes = axes if len(shown) > 1 else [axes]
    for ax, i in zip(axes, shown):
        ax.imshow([test[i][0][r * 8:(r + 1) * 8] for r in range(8)], cmap="gray_r")
        ax.set_title(f"label {test[i][1]}\nguess {guesses[i]}", fontsize=9)
    for ax in axes:
        ax.axis("off")
    fig.suptitle("misclassified test digits", fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "digits_misclassified.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


if __name__ == "__main__":
    main()
