"""Vectorised tapes compute what eager mode computes: data, summed gradients, errors and training steps.

Oracles: eager pathgrad (every sample built and differentiated on its own), a hand-written numpy
backprop in Nielsen's notation (bench.nielsen), and nn.optim for the buffer optimisers.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from autograd import Op, Tape, Value, register_op, unregister_op
from nn import MLP
from nn.buffered import BufferAdam, BufferSGD
from nn.optim import SGD, Adam
from test_compile import DOMAIN, build, close, recipes


def network(nin, sizes, seed=0, output="sigmoid"):
    """An MLP and one example's quadratic-cost graph, as the digits demo builds it."""
    model = MLP(nin, sizes, activation="sigmoid", output_activation=output, seed=seed)
    x = [Value(0.0, label=f"x{i}") for i in range(nin)]
    y = [Value(0.0, label=f"y{j}") for j in range(sizes[-1])]
    out = model(x)
    cost = sum(((a - t) * (a - t) for a, t in zip(out, y)), Value(0.0)) * 0.5
    return model, x, y, cost


def eager_grads(nin, sizes, X, seed=0):
    """Cost summed over the rows of X (inputs then one-hot targets) and its gradient, one eager graph per row."""
    model, x, y, _ = network(nin, sizes, seed)
    total = 0.0
    for row in X:
        c = sum(((a - t) * (a - t) for a, t in zip(model([Value(v) for v in row[:nin]]), row[nin:])), Value(0.0)) * 0.5
        c.backward()
        total += c.data
    return total, [p.grad for p in model.parameters()]


def rel_close(a, b, tol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))


def batch(nin, nout, n, seed):
    rng = np.random.default_rng(seed)
    return np.hstack([rng.random((n, nin)), np.eye(nout)[rng.integers(0, nout, n)]])


# --- the recognised plan -------------------------------------------------------------------------

def test_plan_of_a_network_reads_as_its_layers():
    model, x, y, cost = network(64, [30, 10])
    vec = Tape(cost).vectorize(x + y, params=model.parameters())
    text = str(vec.plan)
    assert text.splitlines()[0].startswith("in74 → dot30 → σ30 → dot10 → σ10 → ")
    assert text.splitlines()[0].endswith("→ sum → *1")
    # every interior node is computed by exactly one vector op: 30*(64 '*' + 64 '+') + 30 sigmoids + ...
    interior = sum(1 for v in Tape(cost).nodes if v.op)
    assert sum(r[1] for r in vec.plan.rows) == interior
    assert vec.plan.rows[0][:2] == ("dot30", 30 * 128) and vec.plan.rows[2][:2] == ("dot10", 10 * 60)


@pytest.mark.parametrize("nin, sizes, n", [(64, [30, 10], 1), (64, [30, 10], 10), (784, [30, 10], 1), (784, [30, 10], 10)])
def test_network_gradients_equal_eager(nin, sizes, n):
    model, x, y, cost = network(nin, sizes)
    X = batch(nin, sizes[-1], n, seed=n)
    vec = Tape(cost).vectorize(x + y)
    out = vec.forward(X)
    vec.backward()
    total, grads = eager_grads(nin, sizes, X)
    assert out.shape == (n,) and rel_close(cost.data, total)
    assert rel_close([p.grad for p in model.parameters()], grads)


def test_network_gradients_equal_handwritten_backprop():
    from bench.nielsen import Network
    model, x, y, cost = network(64, [30, 10])
    X = batch(64, 10, 10, seed=3)
    vec = Tape(cost).vectorize(x + y)
    vec.forward(*X.T)  # one array per data leaf, as batched takes them
    vec.backward()
    net = Network.from_model(model)
    dW, db = net.gradients(X[:, :64], X[:, 64:])
    for layer, W, b in zip(model.layers, dW, db):
        assert rel_close([[p.grad for p in n.w] for n in layer.neurons], W)
        assert rel_close([n.b.grad for n in layer.neurons], b)


# --- the tests batched passes, on vectorize ------------------------------------------------------

def sum_scales(out):
    """After out.backward(): the sum of |terms| behind each node's data (crudely, every node's |data|) and
    behind each leaf's grad (every |local * upstream| added into it). A sum taken in another order
    (a matmul, np.sum) may differ by about n * eps times these, never by more."""
    from autograd import topo_order
    order = topo_order(out)
    grad_scale = {v: 0.0 for v in order}
    for v in order:
        for p, d in zip(v.parents, v.local_grads):
            grad_scale[p] += abs(d * v.grad)
    return sum(abs(v.data) for v in order if math.isfinite(v.data)), grad_scale


# two sqrt nodes of one 0, one upstream cancelled to 0: eager's inf*0 + inf*1 = nan, not inf*(0 + 1)
@example(([("neg", [0]), ("neg", [0]), ("neg", [0]), ("neg", [0]), ("sqrt", [5]), ("neg", [3]), ("neg", [1]),
           ("neg", [6]), ("neg", [1]), ("sqrt", [5]), ("neg", [7])], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]))
@given(recipes())
def test_vectorized_matches_eager_on_random_graphs(case):
    recipe, values, new_values = case
    try:
        leaves, out = build(recipe, values)
        ref_leaves, ref = build(recipe, new_values)
        ref.backward()
    except DOMAIN:
        assume(False)
    data_scale, grad_scale = sum_scales(ref)
    runner = Tape(out).vectorize([])
    for x, v in zip(leaves, new_values):
        x.data = v
    runner.forward()
    runner.backward()
    assert close(out.data, ref.data, data_scale)
    for x, r in zip(leaves, ref_leaves):
        assert close(x.grad, r.grad, grad_scale[r])


# a domain check on a constant operand (x / 2.0) gives a plain bool, not an array
@example(([("/", [0, 2.0])] + [("neg", [0])] * 7 + [("/", [0, 2.0])], [0.0], [0.0]), [0.0])
@given(recipes(), st.lists(st.floats(-3, 3), min_size=1, max_size=5))
def test_vectorized_sums_the_eager_results_over_samples(case, samples):
    recipe, values, _ = case
    try:
        leaves, out = build(recipe, values)
        refs = [build(recipe, [b] + values[1:]) for b in samples]
        for _, r in refs:
            r.backward()
    except DOMAIN:
        assume(False)
    scales = [sum_scales(r) for _, r in refs]
    fast = Tape(out).vectorize([leaves[0]])
    outs = fast.forward(samples)
    fast.backward()
    assert all(close(o, r.data, s[0]) for o, (_, r), s in zip(outs, refs, scales))
    assert close(out.data, sum(r.data for _, r in refs), sum(s[0] for s in scales))
    for k, x in enumerate(leaves[1:], 1):
        grads = [ls[k].grad for ls, _ in refs]
        assert close(x.grad, sum(grads), sum(abs(g) + s[1][ls[k]] for g, (ls, _), s in zip(grads, refs, scales)))
    assert leaves[0].grad == 0.0


@pytest.mark.parametrize("make, bad, error", [
    (lambda x: x.log() * 2, -1.0, ValueError),
    (lambda x: (x + 1).sqrt(), -3.0, ValueError),
    (lambda x: 1.0 / x + x, 0.0, ZeroDivisionError),
    (lambda x: (x * 2).exp(), 1000.0, OverflowError),
    (lambda x: (x - 3) ** 0.5, 1.0, ValueError),
])
@pytest.mark.parametrize("width", [1, 3])
def test_domain_errors_are_eagers(make, bad, error, width):
    # width 3: three copies of the op side by side become one numpy call, checked for the engine's domain
    with pytest.raises(error) as eager_error:
        make(Value(bad, label="x"))
    xs = [Value(5.0, label="x") for _ in range(width)]
    out = sum((make(x) for x in xs), Value(0.0))
    fast = Tape(out).vectorize(xs)
    with pytest.raises(error) as ours:
        fast.forward(*[[5.0, bad]] * width)
    assert str(ours.value) == str(eager_error.value)


def test_moons_step_matches_eager():
    from nn.data import moons
    X, y = moons(20, noise=0.1, seed=0)
    Y = [2.0 * t - 1.0 for t in y]
    model, twin = MLP(2, [16, 16, 1], seed=0), MLP(2, [16, 16, 1], seed=0)
    x0, x1, t = Value(0.0, "x0"), Value(0.0, "x1"), Value(0.0, "y")
    n = len(X)
    sample = (1 + -t * model([x0, x1])).relu() * (1.0 / n) + 1e-4 * sum(p * p for p in model.parameters()) * (1.0 / n)
    fast = Tape(sample).vectorize([x0, x1, t])
    fast.forward([p[0] for p in X], [p[1] for p in X], Y)
    fast.backward()
    losses = [(1 + -yi * twin(xi)).relu() for xi, yi in zip(X, Y)]
    reference = sum(losses) * (1.0 / n) + 1e-4 * sum(p * p for p in twin.parameters())
    reference.backward()
    assert close(sample.data, reference.data)
    assert all(close(p.grad, q.grad, 1.0) for p, q in zip(model.parameters(), twin.parameters()))


# --- graphs the recognition cannot fully vectorise: the per-node fallback -----------------------

def per_sample_eager(make, leaves_values, samples):
    """Sum over samples of the output and of the leaf grads, each sample a fresh eager graph."""
    total, grads = 0.0, None
    for s in samples:
        leaves = [Value(v) for v in leaves_values]
        out = make(leaves, [Value(v) for v in s])
        out.backward()
        total += out.data
        g = [p.grad for p in leaves]
        grads = g if grads is None else [a + b for a, b in zip(grads, g)]
    return total, grads


def vectorized_and_eager(make, params, samples):
    """The graph make(params, data leaves) run vectorised over `samples`, and eager's sums sample by
    sample: (output, parameter leaves, the vectorised tape, eager's summed output, eager's summed grads)."""
    ps = [Value(v) for v in params]
    xs = [Value(0.0, label=f"x{i}") for i in range(len(samples[0]))]
    out = make(ps, xs)
    vec = Tape(out).vectorize(xs)
    vec.forward(*np.array(samples).T)
    vec.backward()
    return (out, ps, vec) + per_sample_eager(make, params, samples)


def check_against_eager(make, params, samples):
    out, ps, vec, total, grads = vectorized_and_eager(make, params, samples)
    assert rel_close(out.data, total) and rel_close([p.grad for p in ps], grads)
    return vec


def test_a_registered_op_with_arithmetic_formulas_is_vectorised():
    register_op(Op("cube", 1, lambda x: x * x * x, lambda x, out: (3.0 * x * x,), "cube'(x) = 3 x^2"))
    try:
        make = lambda ps, xs: sum((p * x for p, x in zip(ps, xs)), Value(0.0)).cube() + sum(x.cube() * p for p, x in zip(ps, xs))
        vec = check_against_eager(make, [0.5, -1.5, 2.0], [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]])
        assert "cube3" in str(vec.plan)
    finally:
        unregister_op("cube")


def test_an_op_with_no_numpy_form_runs_element_by_element():
    # A branch on the value: numpy has no form of it, so each element runs the op's own Python.
    register_op(Op("clip1", 1, lambda x: min(max(x, -1.0), 1.0),
                   lambda x, out: (1.0 if -1.0 < x < 1.0 else 0.0,), "clip to [-1, 1]"))
    try:
        make = lambda ps, xs: sum(((p * x).clip1() for p, x in zip(ps, xs)), Value(0.0))
        vec = check_against_eager(make, [0.5, -1.5, 2.0], [[1.0, 2.0, 3.0], [-1.0, 0.25, 0.25]])
        assert "clip13" in str(vec.plan)
    finally:
        unregister_op("clip1")


def test_a_loss_mixing_two_samples_gives_eagers_numbers():
    # A ranking loss: two examples per row of data, and a term that compares them.
    def make(ps, xs):
        fa = (ps[0] * xs[0] + ps[1] * xs[1]).tanh()
        fb = (ps[0] * xs[2] + ps[1] * xs[3]).tanh()
        return (1.0 - (fa - fb) * xs[4]).relu() + (fa * fb).exp()
    check_against_eager(make, [0.3, -0.7], [[1.0, 2.0, -1.0, 0.5, 1.0], [0.2, -0.3, 0.4, 0.1, -1.0],
                                             [3.0, 1.0, 1.0, 3.0, 1.0]])


def test_irregular_wiring_gives_eagers_numbers():
    # Neurons reading different, overlapping subsets of the inputs, a skip connection, a weight used twice.
    def make(ps, xs):
        h0 = (ps[0] + ps[1] * xs[0] + ps[2] * xs[2]).sigmoid()
        h1 = (ps[3] + ps[4] * xs[1] + ps[5] * xs[0] + ps[1] * xs[2]).sigmoid()
        h2 = (ps[6] * xs[2] + ps[7] * h0).tanh()
        return (h0 * h1 + h2 * xs[1] - ps[7] * ps[7]) ** 2
    check_against_eager(make, [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, -0.7, 0.8],
                        [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25], [0.0, 0.0, 0.0]])


# --- IEEE special values: a 0 upstream times an inf local is nan, as in eager (and inf times 0) ---

def ieee_close(a, b):
    """Equal nan patterns and infinities, and relatively close finite numbers."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    finite = np.isfinite(a) & np.isfinite(b)
    return np.array_equal(a[~finite], b[~finite], equal_nan=True) and rel_close(a[finite], b[finite])


IEEE_GRAPHS = [
    # sqrt'(0) = inf read by two sqrt nodes, one of whose upstream is 0: inf*0 + inf*1 = nan
    ("sqrt(0) twice, one upstream 0", lambda ps, xs: ps[0].sqrt() * 0.0 + ps[0].sqrt() + xs[0], [0.0], [[1.0]],
     [math.nan]),
    # relu'(-1) = 0 read twice, upstreams 1e308 each: 0*1e308 + 0*1e308 = 0, not 0*(1e308 + 1e308) = 0*inf
    ("relu' = 0 twice, upstreams 1e308", lambda ps, xs: (ps[0].relu() * 1e308 + ps[0].relu() * 1e308) * xs[0],
     [-1.0], [[1.0]], [0.0]),
    # abs'(0) = 0 with an inf upstream: 0*inf = nan
    ("abs'(0) times inf", lambda ps, xs: ps[0].abs() * 1e308 * 1e308 + ps[1] * xs[0], [0.0, 1.0], [[1.0]],
     [math.nan, 1.0]),
    # x*x at x = 1e308 with a 0 upstream: x*0 + x*0 = 0 (plus 1 from the second term), not (x + x)*0 = nan
    ("x*x at 1e308, upstream 0", lambda ps, xs: (ps[0] * ps[0]) * 0.0 + ps[0] * xs[0], [1e308], [[1.0]], [1.0]),
    # a dot over a vector shared by the samples (p*p = inf) whose upstream is 0 in one sample:
    # dw = inf*0 + inf*1 summed over samples = nan, not inf*(0 + 1)
    ("dot over a shared inf, one sample's upstream 0",
     lambda ps, xs: (xs[0] + ps[1] * (ps[0] * ps[0]) + ps[2] * ps[0]) * xs[0], [1e200, 1.0, 1.0], [[0.0], [1.0]],
     [2e200, math.nan, 1e200]),
]


@pytest.mark.parametrize("name, make, params, samples, expected", IEEE_GRAPHS, ids=[g[0] for g in IEEE_GRAPHS])
def test_special_values_in_gradients_are_eagers(name, make, params, samples, expected):
    out, ps, vec, total, grads = vectorized_and_eager(make, params, samples)
    assert ieee_close(grads, expected)  # the oracle says what IEEE arithmetic says, case by case
    assert ieee_close(out.data, total) and ieee_close([p.grad for p in ps], grads)


def test_a_deep_chain_needs_no_recursion():
    x = Value(0.5, label="x")
    w = Value(1.0, label="w")
    y = x
    for _ in range(20_000):
        y = y * 0.9999 + w * 0.0001
    vec = Tape(y).vectorize([x])
    out = vec.forward([0.5, 1.0])
    vec.backward()
    assert out.shape == (2,) and math.isfinite(w.grad)


# --- bad input ------------------------------------------------------------------------------------

def test_bad_arrays_name_the_data_leaf():
    model, x, y, cost = network(4, [3, 2])
    vec = Tape(cost).vectorize(x + y)
    cols = [np.zeros(5)] * 6
    with pytest.raises(ValueError, match="no array for data leaf 'y1'"):
        vec.forward(*cols[:5])
    with pytest.raises(ValueError, match="data leaf 'x2' has shape \\(4,\\)"):
        vec.forward(*cols[:2], np.zeros(4), *cols[3:])
    with pytest.raises(ValueError, match="data leaf 'x0' has shape \\(5, 1\\)"):
        vec.forward(np.zeros((5, 1)), *cols[1:])
    with pytest.raises(ValueError, match="shape \\(samples, 6\\).*'x0', 'x1'"):
        vec.forward(np.zeros((5, 7)))
    with pytest.raises(ValueError, match="not a leaf"):
        Tape(cost).vectorize([cost])


def test_nan_in_the_data_gives_eagers_ieee_result():
    model, x, y, cost = network(4, [3, 2])
    X = batch(4, 2, 3, seed=1)
    X[1, 2] = math.nan
    vec = Tape(cost).vectorize(x + y)
    out = vec.forward(X)
    vec.backward()
    total, grads = eager_grads(4, [3, 2], X)
    assert math.isnan(out[1]) and not math.isnan(out[0]) and math.isnan(cost.data) and math.isnan(total)
    ours = [p.grad for p in model.parameters()]
    assert [math.isnan(g) for g in ours] == [math.isnan(g) for g in grads]
    assert rel_close([g for g in ours if not math.isnan(g)], [g for g in grads if not math.isnan(g)])


def test_buffers_and_values_agree_after_an_error():
    model, x, y, cost = network(4, [3, 2])
    params = model.parameters()
    vec = Tape(cost).vectorize(x + y, params=params)
    X = batch(4, 2, 3, seed=2)
    with pytest.raises(ValueError, match="lr schedule"):
        with vec.buffered() as buf:
            opt = BufferSGD(buf, params, lr=lambda k: 0.5 if k < 2 else -1.0)
            for _ in range(3):
                vec.forward(X)
                vec.backward()
                opt.step()
    assert opt.steps == 2
    assert [p.data for p in vec.params] == buf.data.tolist() and [p.grad for p in vec.params] == buf.grad.tolist()
    with pytest.raises(ValueError, match="no array"):
        with vec.buffered() as buf:
            buf.data += 1.0
            vec.forward()
    assert [p.data for p in vec.params] == buf.data.tolist()


# --- buffer mode: optimisers against nn.optim, saving and resuming --------------------------------

@pytest.mark.parametrize("make, ours", [
    (lambda ps: SGD(ps, lr=0.1), lambda b, ps: BufferSGD(b, ps, lr=0.1)),
    (lambda ps: SGD(ps, lr=lambda k: 0.1 / (k + 1), momentum=0.9, weight_decay=0.01),
     lambda b, ps: BufferSGD(b, ps, lr=lambda k: 0.1 / (k + 1), momentum=0.9, weight_decay=0.01)),
    (lambda ps: Adam(ps, lr=0.01), lambda b, ps: BufferAdam(b, ps, lr=0.01)),
    (lambda ps: Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6), lambda b, ps: BufferAdam(b, ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
])
@pytest.mark.parametrize("ordered", [True, False])
def test_buffer_optimisers_step_as_nn_optim(make, ours, ordered):
    # From the same gradients, every step moves every parameter to the same float as nn.optim.
    model, x, y, cost = network(4, [3, 2])
    twin = MLP(4, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    params, twins = model.parameters(), twin.parameters()
    vec = Tape(cost).vectorize(x + y, params=params if ordered else None)
    rng = np.random.default_rng(0)
    reference = make(twins)
    with vec.buffered() as buf:
        opt = ours(buf, params)
        for _ in range(5):
            g = rng.normal(size=len(params))
            for p, q, gi in zip(params, twins, g):
                p.grad = q.grad = float(gi)
            buf.load()
            opt.step()
            reference.step()
            buf.sync()
            assert [p.data for p in params] == [q.data for q in twins]
    assert opt.state_dict() == reference.state_dict()


def test_training_in_buffers_saves_and_resumes_like_eager(tmp_path):
    X = batch(4, 2, 12, seed=4)

    def train(model, opt_state, steps, path=None):
        x = [Value(0.0) for _ in range(4)]
        y = [Value(0.0) for _ in range(2)]
        cost = sum(((a - t) * (a - t) for a, t in zip(model(x), y)), Value(0.0)) * 0.5
        params = model.parameters()
        vec = Tape(cost).vectorize(x + y, params=params)
        with vec.buffered() as buf:
            opt = BufferAdam(buf, params, lr=0.05)
            if opt_state:
                opt.load_state_dict(opt_state)
            for k in range(steps):
                vec.forward(X[4 * (k % 3):4 * (k % 3) + 4])
                vec.backward()
                opt.step()
                opt.zero_grad()
        return opt.state_dict()

    straight = MLP(4, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    train(straight, None, 6)
    first = MLP(4, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    state = train(first, None, 3)
    first.save(tmp_path / "model.json")
    resumed = MLP.load(tmp_path / "model.json")
    after = train(resumed, state, 3)
    assert [p.data for p in resumed.parameters()] == [p.data for p in straight.parameters()]
    eager_opt = Adam(resumed.parameters(), lr=0.05)  # and eager training can take over from here
    eager_opt.load_state_dict(after)
    assert eager_opt.steps == 6 and eager_opt.m == after["m"]


# --- the digits demo: every mode trains the same network ------------------------------------------

def test_digits_modes_agree_with_eager(tmp_path, capsys):
    from demos import digits
    flags = ["--epochs", "2", "--limit", "40", "--out", str(tmp_path)]
    reference = digits.main(flags + ["--mode", "eager"])
    for mode in ["vectorized", "compiled", "batched", "replay"]:
        assert digits.main(flags + ["--mode", mode]) == reference, mode
    out = capsys.readouterr().out
    assert out.count("seconds per epoch: ") == 5
    assert "in74 → dot30 → σ30 → dot10 → σ10" in out


def test_readme_shows_the_plan_vectorize_prints():
    import pathlib
    model, x, y, cost = network(64, [30, 10])
    vec = Tape(cost).vectorize(x + y, params=model.parameters())
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    assert str(vec.plan) in readme
