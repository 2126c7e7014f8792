"""The moons training step (micrograd's demo recipe) on every engine.

MLP 2-16-16-1 (relu, linear output, 337 parameters), 100 moons points, loss = mean hinge
relu(1 - y * score) + 1e-4 * sum p^2, then backward and one SGD step. Every engine starts from the
same weights and must report the same loss and gradients.
"""
import random

N, ALPHA, LR, SIZES = 100, 1e-4, 0.05, [2, 16, 16, 1]


def problem(n=N, seed=0):
    """Points, labels in {-1, +1}, and initial weights (layer by layer, neuron by neuron, w then b)."""
    from nn.data import moons
    X, y = moons(n, noise=0.1, seed=seed)
    rng = random.Random(seed)
    params = []
    for nin, nout in zip(SIZES, SIZES[1:]):
        for _ in range(nout):
            params += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    return X, [2.0 * t - 1.0 for t in y], params


def hinge_l2(model, inputs, Y):
    """micrograd's loss, written once for any scalar engine (its Value or pathgrad's)."""
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + ALPHA * sum(p * p for p in model.parameters())


def _sgd_step(params, result):
    """Record (loss, grads) once, then the SGD update every engine does the same way."""
    grads = [p.grad for p in params]
    for p in params:
        p.data -= LR * p.grad
        p.grad = 0.0
    return result, grads


def _model(values):
    from nn import MLP
    model = MLP(2, SIZES[1:], seed=0)  # the weights are then set to the shared ones
    for p, v in zip(model.parameters(), values):
        p.data = v
    return model


def eager(X, Y, w):
    model = _model(w)
    params = model.parameters()

    def step():
        loss = hinge_l2(model, X, Y)
        loss.backward()
        return _sgd_step(params, loss.data)
    return step


def _taped(X, Y, w, how):
    from autograd import Tape
    model = _model(w)
    params = model.parameters()
    loss = hinge_l2(model, X, Y)
    tape = Tape(loss)
    runner = tape if how == "replay" else tape.compile()

    def step():
        runner.forward()
        runner.backward()
        return _sgd_step(params, loss.data)
    return step


def replay(X, Y, w):
    return _taped(X, Y, w, "replay")


def compiled(X, Y, w):
    return _taped(X, Y, w, "compiled")


def batched(X, Y, w):
    from autograd import Tape, Value
    model = _model(w)
    params = model.parameters()
    x0, x1, y = Value(0.0, "x0"), Value(0.0, "x1"), Value(0.0, "y")
    n = len(X)
    # One sample's share: hinge/n + L2/n; summed over the batch it is the full loss.
    sample = ((1 + -y * model([x0, x1])).relu() * (1.0 / n)
              + ALPHA * sum(p * p for p in model.parameters()) * (1.0 / n))
    fast = Tape(sample).batched([x0, x1, y])
    cols = [[p[0] for p in X], [p[1] for p in X], Y]

    def step():
        fast.forward(*cols)
        fast.backward()
        return _sgd_step(params, sample.data)
    return step


def micrograd(X, Y, w):
    from micrograd.engine import Value
    from micrograd.nn import MLP
    model = MLP(2, SIZES[1:])
    params = model.parameters()
    for p, v in zip(params, w):
        p.data = v
    inputs = [list(map(Value, x)) for x in X]  # as micrograd's demo notebook

    def step():
        loss = hinge_l2(model, inputs, Y)
        model.zero_grad()
        loss.backward()
        return _sgd_step(params, loss.data)
    return step


def torch(X, Y, w):
    import torch
    torch.set_num_threads(1)
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in w]
    it = iter(params)
    layers = [[([next(it) for _ in range(nin)], next(it)) for _ in range(nout)]
              for nin, nout in zip(SIZES, SIZES[1:])]
    inputs = [[torch.tensor(v, dtype=torch.float64) for v in x] for x in X]

    def model(x):
        for depth, layer in enumerate(layers):
            z = [sum((wi * xi for wi, xi in zip(ws, x)), b) for ws, b in layer]
            x = z if depth == len(layers) - 1 else [t.relu() for t in z]
        return x[0]
    model.parameters = lambda: params

    def step():
        loss = hinge_l2(model, inputs, Y)
        loss.backward()
        grads = [p.grad.item() for p in params]
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return loss.item(), grads
    return step


def floats(X, Y, w):
    """Forward and backpropagation written out by hand with Python floats: the floor."""
    shapes = list(zip(SIZES, SIZES[1:]))

    def step():
        layers, k = [], 0  # unpack w into [(weights rows, biases)] per layer
        for nin, nout in shapes:
            rows, bs = [], []
            for _ in range(nout):
                rows.append(w[k:k + nin])
                bs.append(w[k + nin])
                k += nin + 1
            layers.append((rows, bs))
        grads = [[[0.0] * nin for _ in range(nout)] for nin, nout in shapes]
        gbs = [[0.0] * nout for _, nout in shapes]
        total, scale, last = 0.0, 1.0 / len(X), len(layers) - 1
        for x, yi in zip(X, Y):
            acts, a = [x], x
            for depth, (rows, bs) in enumerate(layers):
                z = []
                for row, b in zip(rows, bs):
                    s = b
                    for wi, ai in zip(row, a):
                        s += wi * ai
                    z.append(s)
                a = z if depth == last else [v if v > 0 else 0.0 for v in z]
                acts.append(a)
            m = 1.0 - yi * a[0]
            total += m if m > 0 else 0.0
            delta = [-yi * scale if m > 0 else 0.0]
            for depth in range(last, -1, -1):  # BP2 and BP4: delta^(l-1) = (w^l)^T delta^l * relu'(z)
                rows, prev = layers[depth][0], acts[depth]
                g, gb = grads[depth], gbs[depth]
                for j, dj in enumerate(delta):
                    gb[j] += dj
                    gj = g[j]
                    for i, ai in enumerate(prev):
                        gj[i] += dj * ai
                if depth:
                    delta = [sum(rows[j][i] * delta[j] for j in range(len(delta))) if prev[i] > 0 else 0.0
                             for i in range(len(prev))]
        flat = []
        for (nin, nout), g, gb in zip(shapes, grads, gbs):
            for j in range(nout):
                flat += g[j] + [gb[j]]
        flat = [gi + 2 * ALPHA * wi for gi, wi in zip(flat, w)]
        loss = total * scale + ALPHA * sum(wi * wi for wi in w)
        for i, gi in enumerate(flat):
            w[i] -= LR * gi
        return loss, flat
    return step


ENGINES = {"eager": eager, "replay": replay, "compiled": compiled, "batched": batched,
           "micrograd": micrograd, "torch": torch, "floats": floats}
