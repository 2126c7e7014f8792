"""The training loop shared by demos.moons and demos.classify: data, model, loss, optimiser, plots,
checkpoints. Each step is micrograd's: forward on every point, loss, zero_grad, backward, update.
"""
import argparse
import math
import os
import sys
import time

from nn import MLP, SGD, Adam, binary_cross_entropy, cross_entropy, hinge, l2, load_checkpoint
from nn.data import DATASETS

LOSSES = ("hinge", "bce", "ce")


def parser(prog, doc, datasets=(), **defaults):
    """The command line common to the training demos; `defaults` overrides the flags' defaults.
    With `datasets`, --dataset chooses among them and --arms sets the spiral's arms."""
    d = dict(dataset="moons", n=100, noise=0.1, data_seed=None, steps=100, seed=0, hidden="16,16",
             activation="relu", loss="hinge", optimizer="sgd", lr=None, alpha=1e-4, out="out", arms=3)
    d.update(defaults)
    ap = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--steps", type=int, default=d["steps"], help="total number of full-batch training steps")
    ap.add_argument("--seed", type=int, default=d["seed"],
                    help="seed of the weight initialisation and (unless --data-seed) of the points")
    ap.add_argument("--hidden", default=d["hidden"], help="hidden layer sizes, comma-separated")
    ap.add_argument("--activation", choices=("relu", "tanh", "sigmoid"), default=d["activation"])
    ap.add_argument("--optimizer", choices=("sgd", "adam"), default=d["optimizer"])
    ap.add_argument("--lr", type=float, default=d["lr"],
                    help="initial learning rate lr0, decayed linearly to 10%% at step 100 (default: 1.0 for sgd, 0.05 for adam)")
    ap.add_argument("--alpha", type=float, default=d["alpha"], help="weight of the L2 term alpha * sum p^2")
    ap.add_argument("--n", type=int, default=d["n"], help="number of points")
    ap.add_argument("--noise", type=float, default=d["noise"])
    ap.add_argument("--data-seed", type=int, default=d["data_seed"], help="seed of the points (default: --seed)")
    ap.add_argument("--out", default=d["out"], help="directory for the plots")
    ap.add_argument("--save", metavar="PATH", help="write the trained model (and optimiser state) here")
    ap.add_argument("--resume", metavar="PATH", help="continue training from a checkpoint written by --save")
    if datasets:
        ap.add_argument("--dataset", choices=datasets, default=d["dataset"])
        ap.add_argument("--arms", type=int, default=d["arms"], help="arms (classes) of the spiral")
    ap.set_defaults(dataset=d["dataset"], loss=d["loss"], arms=d["arms"])
    return ap


def load_data(args):
    if args.data_seed is None:  # one seed for points and weights, as micrograd's notebook seeds both
        args.data_seed = args.seed
    make = DATASETS[args.dataset]
    extra = {"arms": args.arms} if args.dataset == "spiral" else {}
    X, y = make(args.n, args.noise, seed=args.data_seed, **extra)
    return X, y, max(y) + 1


def build_model(args, classes):
    try:
        hidden = [int(h) for h in args.hidden.split(",") if h.strip()]
    except ValueError:
        raise ValueError(f"--hidden must be comma-separated sizes such as 16,16, got {args.hidden!r}") from None
    nout = classes if args.loss == "ce" else 1
    return MLP(2, hidden + [nout], activation=args.activation, seed=args.seed)


def loss_and_accuracy(model, X, y, loss_kind, alpha):
    """Forward every point; return (loss Value, accuracy, predicted classes)."""
    outs = [model(x) for x in X]
    if loss_kind == "ce":
        data_loss = cross_entropy(outs, y)
        pred = [max(range(len(o)), key=lambda k: o[k].data) for o in outs]
    else:
        data_loss = hinge(outs, [2 * c - 1 for c in y]) if loss_kind == "hinge" else binary_cross_entropy(outs, y)
        pred = [1 if o.data > 0 else 0 for o in outs]
    loss = data_loss + l2(model.parameters(), alpha) if alpha else data_loss
    return loss, sum(p == c for p, c in zip(pred, y)) / len(y), pred


def make_optimizer(name, params, lr):
    """micrograd's schedule lr0 * (1 - 0.9 k/100) at step k, kept at 10% of lr0 after step 100.
    It depends on k alone (not on --steps), so a resumed run takes the steps an unbroken one would."""
    lr0 = lr if lr is not None else (1.0 if name == "sgd" else 0.05)
    schedule = lambda k: lr0 * max(0.1, 1.0 - 0.9 * k / 100)
    return (SGD if name == "sgd" else Adam)(params, lr=schedule), lr0


def resume(path, args):
    """Model, optimiser state and history from a checkpoint; ValueError says what is wrong with it."""
    model, meta = load_checkpoint(path, MLP)
    want = {"dataset": str, "data": dict, "loss": str, "optimizer": str, "lr": float, "alpha": float,
            "optimizer_state": dict, "history": dict}
    for key, kind in want.items():
        if not isinstance(meta.get(key), kind):
            raise ValueError(f"{path}: meta: {key!r} missing or not a {kind.__name__} (not a training checkpoint?)")
    for key, known in (("loss", LOSSES), ("optimizer", ("sgd", "adam"))):
        if meta[key] not in known:
            raise ValueError(f"{path}: meta: unknown {key} {meta[key]!r}; known: {', '.join(known)}")
    if meta["dataset"] != args.dataset:
        raise ValueError(f"{path}: a checkpoint of the {meta['dataset']} demo, not of {args.dataset}")
    hist = meta["history"]
    if set(hist) != {"loss", "acc"} or not all(isinstance(v, list) and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in v) for v in hist.values()):
        raise ValueError(f"{path}: meta: history must hold the lists of numbers 'loss' and 'acc'")
    steps, losses, accs = meta["optimizer_state"].get("steps"), len(hist["loss"]), len(hist["acc"])
    if type(steps) is not int or not 0 <= steps <= 2 ** 53:
        steps = None  # the optimiser's own check says what is wrong with it
    if losses != accs or steps not in (None, losses):
        raise ValueError(f"{path}: meta: history has {losses} losses and {accs} accuracies"
                         f"{'' if steps is None else f' for {steps} steps'}: one of each per step")
    _check_data(path, meta["data"])
    return model, meta


def _check_data(path, data):
    """The data settings of a checkpoint, checked as the command line checks its flags."""
    kinds = {"n": (int, 2), "noise": ((int, float), 0), "data_seed": (int, None), "arms": (int, 2)}
    for key, (kind, low) in kinds.items():
        if key not in data:
            continue
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, kind) or (low is not None and not v >= low) or (
                isinstance(v, float) and not math.isfinite(v)):
            want = "an int" if kind is int else "a number"
            raise ValueError(f"{path}: meta: data: {key} must be {want}{'' if low is None else f' >= {low}'}, "
                             f"got {v!r:.60}")


def train(args, prog):
    from tqdm import tqdm
    if args.resume:
        model, meta = resume(args.resume, args)
        for key in ("n", "noise", "data_seed", "arms"):
            setattr(args, key, meta["data"].get(key, getattr(args, key)))
        args.loss, args.optimizer, args.alpha = meta["loss"], meta["optimizer"], meta["alpha"]
        X, y, classes = load_data(args)
        opt, lr0 = make_optimizer(args.optimizer, model.parameters(), meta["lr"])
        opt.load_state_dict(meta["optimizer_state"], where=f"{args.resume}: meta: optimizer_state")
        history = meta["history"]
        print(f"resumed {model!r} at step {opt.steps} from {args.resume}")
    else:
        X, y, classes = load_data(args)
        model = build_model(args, classes)
        opt, lr0 = make_optimizer(args.optimizer, model.parameters(), args.lr)
        history = {"loss": [], "acc": []}
    print(f"{args.dataset}: {len(X)} points, {classes} classes; {model!r}, {model.num_parameters()} parameters; "
          f"{args.loss} loss + {args.alpha:g} * L2; {args.optimizer} from lr {lr0:g}")
    start, cpu = time.perf_counter(), time.process_time()
    bar = tqdm(range(opt.steps, args.steps), initial=opt.steps, total=args.steps, desc=args.dataset,
               file=sys.stderr, mininterval=0.5, dynamic_ncols=True)
    try:
        for k in bar:
            loss, acc, _ = loss_and_accuracy(model, X, y, args.loss, args.alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            history["loss"].append(loss.data)
            history["acc"].append(acc)
            bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{acc:.0%}")
    except KeyboardInterrupt:
        bar.close()
        print(f"\ninterrupted at step {opt.steps}")
    bar.close()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    loss, acc, pred = loss_and_accuracy(model, X, y, args.loss, args.alpha)
    print(f"final: step {opt.steps}, loss {loss.data:.4f}, training accuracy {acc:.0%} "
          f"({sum(p == c for p, c in zip(pred, y))}/{len(y)}), {seconds:.1f} s ({cpu:.1f} s CPU)")
    if args.save:
        meta = {"dataset": args.dataset, "loss": args.loss, "optimizer": args.optimizer, "lr": float(lr0),
                "alpha": float(args.alpha), "optimizer_state": opt.state_dict(), "history": history,
                "data": {"n": args.n, "noise": args.noise, "data_seed": args.data_seed, "arms": args.arms}}
        model.save(args.save, meta=meta)
        print(f"wrote {args.save}")
    return model, X, y, history, acc, loss.data


def main(argv, prog, doc, datasets=(), **defaults):
    """Parse, train, plot. Returns the exit code: 2 for an unusable checkpoint or bad flags."""
    args = parser(prog, doc, datasets, **defaults).parse_args(argv)
    if args.steps < 0 or args.n < 2 or args.noise < 0 or args.arms < 2:
        print(f"{prog}: error: --steps must be >= 0, --n >= 2, --noise >= 0 and --arms >= 2", file=sys.stderr)
        return 2
    for flag, folder in (("--out", args.out), ("--save", args.save and os.path.dirname(os.path.abspath(args.save)))):
        try:  # before training, so that a typo does not cost a whole run
            if folder:
                os.makedirs(folder, exist_ok=True)
        except OSError as e:
            print(f"{prog}: error: {flag} {getattr(args, flag[2:])}: cannot make the folder {e.filename}: "
                  f"{e.strerror}", file=sys.stderr)
            return 2
    try:
        model, X, y, history, acc, loss = train(args, prog)
    except (ValueError, TypeError, OSError) as e:  # a checkpoint's settings reach the data and optimiser
        where = f"cannot resume from {args.resume}" if args.resume else "cannot train"
        print(f"{prog}: error: {where}: {e}", file=sys.stderr)
        return 2
    name = args.dataset if args.dataset != "spiral" else f"spiral{args.arms}"
    boundary = plot_boundary(model, X, y, os.path.join(args.out, f"{name}_boundary.png"),
                             title=f"{name}: {model!r}\ntraining accuracy {acc:.0%}, loss {loss:.4f}")
    curves = plot_curves(history, os.path.join(args.out, f"{name}_curves.png"), title=f"{name}: {model!r}")
    print(f"wrote {boundary}\nwrote {curves}")
    return 0


# --- pictures -------------------------------------------------------------------------------------

def numpy_forward(model, P):
    """The model's outputs for every row of the (N, 2) array P, with numpy (for plotting a dense grid:
    the graph-building forward would take minutes). Returns an (N, nout) array."""
    import numpy as np
    acts = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "linear": lambda z: z,
            "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))}  # = 1/(1+e^-z), without overflow
    A = np.asarray(P, dtype=float)
    for layer in model.layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        A = acts[layer.activation](A @ W.T + b)
    return A


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_boundary(model, X, y, path, title):
    """Colour the plane by the predicted class and draw the training points on top."""
    import numpy as np
    plt = _pyplot()
    X, y = np.asarray(X), np.asarray(y)
    pad = 0.25 * (X.max(axis=0) - X.min(axis=0))
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    out = numpy_forward(model, np.c_[xx.ravel(), yy.ravel()])
    pred = (out[:, 0] > 0).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    k = int(max(y.max(), pred.max())) + 1
    from matplotlib.colors import ListedColormap
    cmap = plt.get_cmap("coolwarm", 2) if k == 2 else ListedColormap(plt.get_cmap("tab10").colors[:k])
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=110)
    ax.contourf(xx, yy, pred.reshape(xx.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
    if out.shape[1] == 1:  # the decision boundary itself: score = 0
        ax.contour(xx, yy, out[:, 0].reshape(xx.shape), levels=[0.0], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=28, edgecolors="k", linewidths=0.6)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_curves(history, path, title):
    """Loss (log scale) and training accuracy against the step."""
    plt = _pyplot()
    steps = range(len(history["loss"]))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=110)
    a1.plot(steps, history["loss"], color="tab:red")
    a1.set_yscale("log")
    a1.set_xlabel("step")
    a1.set_ylabel("loss (data + L2)")
    a2.plot(steps, [100 * a for a in history["acc"]], color="tab:blue")
    a2.set_ylim(min([50] + [100 * a for a in history["acc"]]) - 2, 101)
    a2.set_xlabel("step")
    a2.set_ylabel("training accuracy (%)")
    for a in (a1, a2):
        a.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
