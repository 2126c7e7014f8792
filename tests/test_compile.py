"""Tape replay, compiled tapes and batched tapes compute what eager mode computes, node for node."""
import gc
import math
import operator
import weakref

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Tape, Value
from autograd.replay.batched import Batched
from autograd.replay.compiled import Compiled

UNARY = ["neg", "relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "sin", "cos"]
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
DOMAIN = (ValueError, ZeroDivisionError, OverflowError)


def close(a, b, scale=1.0):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-12 * max(scale, abs(a), abs(b))


# --- random graphs: a recipe of ops replayed on Values -------------------------------------------

def apply(name, args):
    if name in UNARY:
        return -args[0] if name == "neg" else getattr(args[0], name)()
    return BINARY[name](*args)  # a number on the left goes through Value's reflected method


def build(recipe, leaf_values):
    """Build the recipe's graph on fresh leaves; each step is (op, [refs]), a ref an index or a float.
    The output is the last step plus every leaf and every other step, so all are in the graph."""
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(leaf_values)]
    nodes = list(leaves)
    for name, refs in recipe:
        args = [nodes[r] if type(r) is int else r for r in refs]
        if all(type(a) is float for a in args):
            args[0] = nodes[-1]
        nodes.append(apply(name, args))
    out = nodes[-1]
    for v in nodes[:-1]:  # every leaf and step feeds the output: no dead branches
        out = out + v
    return leaves, out


@st.composite
def recipes(draw):
    n_leaves = draw(st.integers(1, 4))
    values = [draw(st.floats(-3, 3)) for _ in range(n_leaves)]
    recipe, size = [], n_leaves
    ref = lambda: st.one_of(st.integers(0, size - 1), st.integers(0, size - 1),
                            st.sampled_from([2.0, -0.5, 3.0]))
    for _ in range(draw(st.integers(1, 12))):
        name = draw(st.sampled_from(UNARY + list(BINARY) + ["*", "+"]))
        if name in UNARY:
            recipe.append((name, [draw(st.integers(0, size - 1))]))
        else:
            recipe.append((name, [draw(ref()), draw(ref())]))
        size += 1
    new_values = [draw(st.floats(-3, 3)) for _ in range(n_leaves)]
    return recipe, values, new_values


def eager(recipe, values):
    """Output data and leaf grads by building the graph anew and calling backward()."""
    leaves, out = build(recipe, values)
    out.backward()
    return out.data, [x.grad for x in leaves]


def check_mode(make, recipe, values, new_values):
    """Record on `values`, move the leaves to `new_values`, replay with `make(tape)`; compare with eager."""
    try:
        leaves, out = build(recipe, values)
        expected = eager(recipe, new_values)
    except DOMAIN:
        assume(False)
    runner = make(Tape(out))
    for x, v in zip(leaves, new_values):
        x.data = v
    runner.forward()
    runner.backward()
    assert close(out.data, expected[0])
    for x, g in zip(leaves, expected[1]):
        assert close(x.grad, g)


@given(recipes())
def test_replay_matches_eager_on_random_graphs(case):
    check_mode(lambda tape: tape, *case)


@given(recipes())
def test_compiled_matches_eager_on_random_graphs(case):
    check_mode(lambda tape: tape.compile(), *case)


@given(recipes(), st.integers(1, 4))
def test_compiled_in_small_chunks_matches_eager(case, chunk):
    # Tiny chunks put nearly every edge across a function boundary: values and grads cross via lists.
    check_mode(lambda tape: tape.compile(chunk=chunk), *case)


@pytest.mark.parametrize("make, bad, error", [
    (lambda x: x.log() * 2, -1.0, ValueError),
    (lambda x: (x + 1).sqrt(), -3.0, ValueError),
    (lambda x: 1.0 / x + x, 0.0, ZeroDivisionError),
    (lambda x: (x * 2).exp(), 1000.0, OverflowError),
    (lambda x: (x - 3) ** 0.5, 1.0, ValueError),
])
@pytest.mark.parametrize("mode", ["replay", "compiled", "batched"])
def test_replay_raises_the_domain_error_eager_raises(make, bad, error, mode):
    with pytest.raises(error):
        make(Value(bad))
    x = Value(5.0)
    tape = Tape(make(x))
    runner = {"replay": tape, "compiled": tape.compile(), "batched": tape.batched([x])}[mode]
    x.data = bad
    with pytest.raises(error):
        runner.forward(*([[5.0, bad]] if mode == "batched" else []))


def batch_case(case, batch):
    """The recipe's graph with leaf 0 as the batch input, and eager's (output, grads) per sample."""
    recipe, values, _ = case
    try:
        leaves, out = build(recipe, values)
        per_sample = [eager(recipe, [b] + values[1:]) for b in batch]
    except DOMAIN:
        assume(False)
    return leaves, out, per_sample


@given(recipes(), st.lists(st.floats(-3, 3), min_size=1, max_size=5))
def test_batched_sums_the_eager_results_over_samples(case, batch):
    leaves, out, per_sample = batch_case(case, batch)
    fast = Tape(out).batched([leaves[0]])
    outs = fast.forward(batch)
    fast.backward()
    assert all(close(o, e[0]) for o, e in zip(outs, per_sample))
    assert close(out.data, sum(e[0] for e in per_sample), sum(abs(e[0]) for e in per_sample))
    for k, x in enumerate(leaves[1:], 1):
        grads = [e[1][k] for e in per_sample]
        assert close(x.grad, sum(grads), sum(abs(g) for g in grads))
    assert leaves[0].grad == 0.0  # the input leaf's per-sample grads are not summed into it


# --- the moons training step: MLP 2-16-16-1, hinge loss + L2, SGD ---------------------------------

def moons_setup(n=20, seed=0):
    from nn import MLP
    from nn.data import moons
    X, y = moons(n, noise=0.1, seed=seed)
    return MLP(2, [16, 16, 1], seed=seed), X, [2.0 * t - 1.0 for t in y]


def moons_loss(model, X, Y):
    losses = [(1 + -yi * model(xi)).relu() for xi, yi in zip(X, Y)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + 1e-4 * sum(p * p for p in model.parameters())


def sgd(params, lr=0.5):
    for p in params:
        p.data -= lr * p.grad
        p.grad = 0.0


@pytest.mark.parametrize("mode", ["replay", "compiled"])
def test_moons_training_steps_match_eager(mode):
    model, X, Y = moons_setup()
    twin, _, _ = moons_setup()
    params, twin_params = model.parameters(), twin.parameters()
    loss = moons_loss(model, X, Y)
    tape = Tape(loss)
    runner = tape if mode == "replay" else tape.compile()
    for _ in range(3):
        runner.forward()
        runner.backward()
        reference = moons_loss(twin, X, Y)
        reference.backward()
        assert close(loss.data, reference.data)
        assert all(close(p.grad, q.grad) for p, q in zip(params, twin_params))
        sgd(params)
        sgd(twin_params)


def test_batched_moons_step_matches_eager():
    model, X, Y = moons_setup()
    twin, _, _ = moons_setup()
    n = len(X)
    x0, x1, y = Value(0.0, "x0"), Value(0.0, "x1"), Value(0.0, "y")
    # One sample's share of the loss: hinge/n + L2/n, so the sum over the batch is the full loss.
    sample = (1 + -y * model([x0, x1])).relu() * (1.0 / n) + 1e-4 * sum(p * p for p in model.parameters()) * (1.0 / n)
    fast = Tape(sample).batched([x0, x1, y])
    fast.forward([p[0] for p in X], [p[1] for p in X], Y)
    fast.backward()
    reference = moons_loss(twin, X, Y)
    reference.backward()
    assert close(sample.data, reference.data)
    assert all(close(p.grad, q.grad, 1e-3) for p, q in zip(model.parameters(), twin.parameters()))


def test_moons_gradients_match_pytorch_float64():
    torch = pytest.importorskip("torch")
    model, X, Y = moons_setup(n=8)
    fast = Tape(moons_loss(model, X, Y)).compile()
    fast.forward()
    fast.backward()
    params = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in model.parameters()]
    it = iter(params)
    layers = [[([next(it) for _ in n.w], next(it)) for n in layer.neurons] for layer in model.layers]
    losses = []
    for xi, yi in zip(X, Y):
        a = [torch.tensor(v, dtype=torch.float64) for v in xi]
        for depth, layer in enumerate(layers):
            z = [sum((w * v for w, v in zip(ws, a)), b) for ws, b in layer]
            a = z if depth == len(layers) - 1 else [t.relu() for t in z]
        losses.append((1 - yi * a[0]).relu())
    loss = sum(losses) / len(losses) + 1e-4 * sum(p * p for p in params)
    loss.backward()
    assert close(fast.output.data, loss.item())
    assert all(close(p.grad, t.grad.item()) for p, t in zip(model.parameters(), params))


# --- long graphs, memory, the generated source -----------------------------------------------------

def test_tape_replays_a_million_node_chain_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(10 ** 6):
        y = y * 1.0000001
    tape = Tape(y)
    x.data = 2.0
    tape.forward()
    tape.backward()
    assert math.isclose(y.data, 2.0 * 1.0000001 ** 10 ** 6, rel_tol=1e-9)
    assert math.isclose(x.grad, 1.0000001 ** 10 ** 6, rel_tol=1e-9)


def test_compiled_chain_split_into_chunks_matches_closed_form():
    x = Value(0.5)
    y = x
    for i in range(20_000):
        y = (y * 1.0001 if i % 2 else y + 0.25)
    fast = Tape(y).compile(chunk=3_000)
    assert fast.source.count("def forward_") == 7
    x.data = 1.5
    fast.forward()
    fast.backward()
    expected, d = 1.5, 1.0
    for i in range(20_000):
        expected, d = (expected * 1.0001, d * 1.0001) if i % 2 else (expected + 0.25, d)
    assert y.data == expected and x.grad == d


def test_tape_and_compiled_do_not_keep_the_graph_alive():
    gc.disable()
    try:
        x = Value(1.0)
        y = (x * x).tanh() + x
        ref = weakref.ref(y)
        tape = Tape(y)
        fast = tape.compile()
        del y
        assert ref() is not None  # the tape holds its graph while it lives
        del tape, fast
        assert ref() is None  # and nothing else does: freed by reference counting alone
    finally:
        gc.enable()


def tiny():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    return x * y + x


def test_generated_source_is_the_chain_rule_summed_over_paths():
    assert Tape(tiny()).compile().source == (
        "def forward(L, V, saved, X):\n"
        "    v0 = L[0].data  # 'x'\n"
        "    v1 = L[1].data  # 'y'\n"
        "    v2 = (v0 * v1)\n"
        "    v3 = (v2 + v0)\n"
        "    saved[0] = (v0, v1)\n"
        "    return v3\n"
        "\n\n"
        "def backward(L, G, saved, seed):\n"
        "    v0, v1 = saved[0]\n"
        "    g3 = seed\n"
        "    g0 = g3 + v1 * g3\n"  # x reaches the output along two paths: + directly, and through *
        "    g1 = v0 * g3\n"
        "    L[1].grad += g1\n"
        "    L[0].grad += g0\n")


def test_compiled_output_is_deterministic():
    sources = []
    for _ in range(2):
        model, X, Y = moons_setup(n=5)
        sources.append(Tape(moons_loss(model, X, Y)).compile().source)
    assert sources[0] == sources[1]


def test_compiled_updates_leaves_and_output_only():
    out = tiny()
    inner = out._a
    fast = Tape(out).compile()
    out._a.data = -1.0
    fast.forward()
    fast.backward()
    assert out.data == 8.0 and inner.data == -1.0 and inner.grad == 0.0
    assert [x.grad for x in Tape(out).leaves] == [4.0, 2.0]
    fast.backward()
    assert [x.grad for x in Tape(out).leaves] == [8.0, 4.0]  # leaves accumulate


def test_errors_name_what_is_wrong():
    with pytest.raises(TypeError, match="Tape needs a Value"):
        Tape(1.0)
    with pytest.raises(RuntimeError, match="forward"):
        Tape(tiny()).compile().backward()
    with pytest.raises(ValueError, match="not a leaf"):
        out = tiny()
        Tape(out).batched([out])
    x = Value(4.0, label="w")
    tape = Tape(x.log())
    x.data = -1.0
    with pytest.raises(ValueError, match="'w'"):
        tape.forward()
    with pytest.raises(ValueError, match=r"log of -1\.0.*'w'"):
        tape.compile().forward()
    assert isinstance(Tape(tiny()).batched([]), Batched) and issubclass(Batched, Compiled)


@pytest.mark.parametrize("mode", ["compiled", "batched"])
def test_an_op_registered_as_div_does_not_replace_division_in_compiled_code(mode):
    from autograd import Op, register_op, unregister_op
    register_op(Op("div", 2, lambda x, y: x / y / 2, lambda x, y, out: (0.5 / y, -out / y), "half of x/y"))
    try:
        x, w = Value(3.0), Value(2.0)
        y = x / w + x.div(4.0)  # 3/2 + 3/8; d/dx = 1/2 + 1/8, d/dw = -3/4 (by hand)
        runner = Tape(y).compile() if mode == "compiled" else Tape(y).batched([])
        runner.forward()
        runner.backward()
        assert (y.data, x.grad, w.grad) == (1.875, 0.625, -0.75)
    finally:
        unregister_op("div")


def test_a_negative_constant_base_keeps_its_sign_in_compiled_code():
    from autograd import Op, register_op, unregister_op
    from autograd.ops import Sym
    assert ((-3.0) ** Sym("x")).src == "((-3.0) ** x)"  # not -(3 ** x)
    register_op(Op("ipow", 2, lambda x, y: y ** x, lambda x, y, out: (0.0, x * y ** (x - 1)), "y^x, integer x"))
    try:
        x = Value(2.0)
        z = x.ipow(-3.0)  # (-3)^2 = 9
        assert Tape(z).compile().forward() == z.data == 9.0
    finally:
        unregister_op("ipow")


def test_formulas_are_read_from_the_table_as_text():
    from autograd import OPS
    from autograd.ops import Sym, trace
    sym = [Sym("x"), Sym("y")]
    assert trace(OPS["*"], sym, Sym("out")) == ("(x * y)", ["y", "x"])
    assert trace(OPS["+"], sym, Sym("out")) == ("(x + y)", ["1.0", "1.0"])
    assert trace(OPS["tanh"], sym[:1], Sym("out")) == (None, ["(1.0 - (out * out))"])
    assert trace(OPS["relu"], sym[:1], Sym("out")) == (None, None)  # it branches on x: called, not pasted
    assert trace(OPS["*"], [Sym("x"), 2.0], Sym("out")) == ("(x * 2.0)", ["2.0", "x"])


# --- no reference cycles: dropped backends are freed by reference counting alone -----------------

@pytest.mark.parametrize("make", [
    lambda tape, x: tape.compile(),
    lambda tape, x: tape.compile(chunk=2),
    lambda tape, x: tape.batched([x]),
    lambda tape, x: tape.batched([x], chunk=2),
], ids=["compiled", "compiled-chunks", "batched", "batched-chunks"])
def test_compiled_and_batched_tapes_are_freed_with_the_collector_off(make):
    # The generated functions' globals are their namespace: if that namespace still held the
    # functions, every dropped tape would be a cycle only the collector frees (11 MB for 20 tapes).
    gc.disable()
    try:
        x, w = Value(1.0, "x"), Value(0.5, "w")
        y = (x * w).tanh() + x.log() * w
        fast = make(Tape(y), x)
        fast.forward(*([[1.0, 2.0]] if fast.inputs else []))
        fast.backward()
        refs = [weakref.ref(o) for o in (y, fast, *fast._fwd, *fast._bwd)]
        namespace = fast._fwd[0].__globals__
        assert not any(getattr(getattr(v, "__code__", None), "co_filename", "").startswith("<tape")
                       for v in namespace.values())  # the generated functions are not in their own globals
        del y, fast, namespace
        assert [r() for r in refs] == [None] * len(refs)
    finally:
        gc.enable()


# --- batched gives eager's numbers and eager's errors, sample by sample ---------------------------

def eager_error(make, value):
    with pytest.raises(DOMAIN) as info:
        make(Value(value, "x"))
    return info.type, str(info.value)


@pytest.mark.parametrize("make, bad", [
    (lambda x: 2.0 ** x, 2000.0),          # overflows a float: numpy's power gives inf
    (lambda x: 0.0 ** x, -1.0),            # zero to a negative power: numpy gives inf
    (lambda x: x ** -1.0, 0.0),
    (lambda x: (-8.0) ** x, 0.5),          # not a real number: numpy gives nan
    (lambda x: 1.0 / x, 0.0),
    (lambda x: (x - 2.0) / (x - 2.0), 2.0),  # 0/0: numpy gives nan
    (lambda x: x.log(), -1.0),
], ids=["2**2000", "0**-1", "x**-1", "(-8)**0.5", "1/0", "0/0", "log-1"])
def test_batched_raises_eagers_error_with_eagers_message(make, bad):
    kind, message = eager_error(make, bad)
    x = Value(1.0, "x")
    fast = Tape(make(x)).batched([x])
    with pytest.raises(kind) as info:
        fast.forward([1.0, bad, 1.0])
    assert str(info.value) == message


def exact(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


# Inputs where numpy's power and Python's differ in the last bit (found by search, numpy 2.4).
ULP_CASES = [(1.8551069900259949, -1.4969619518253567), (2.2247231322319907, -0.9845006731592365),
             (1.9121982033879008, -0.7281115780614336), (2.176663066383937, 2.920928881230769)]


@pytest.mark.parametrize("base, power", ULP_CASES)
def test_batched_power_is_pythons_power_to_the_last_bit(base, power):
    x = Value(power, "x")
    fast = Tape(base ** x + x ** 2.0).batched([x])
    eager_out = base ** Value(power) + Value(power) ** 2.0
    assert fast.forward([power])[0] == eager_out.data == base ** power + power ** 2.0


@given(recipes(), st.lists(st.floats(-3, 3), min_size=1, max_size=4))
def test_batched_gives_eagers_numbers_exactly_on_random_graphs(case, batch):
    # Each sample's output bit for bit as eager's; one sample's batch gives eager's grads bit for bit.
    leaves, out, per_sample = batch_case(case, batch)
    fast = Tape(out).batched([leaves[0]])
    assert all(exact(o, e[0]) for o, e in zip(fast.forward(batch), per_sample))
    for b, (_, grads) in zip(batch, per_sample):
        for x in leaves:
            x.grad = 0.0
        fast.forward([b])
        fast.backward()
        assert all(exact(x.grad, g) for x, g in zip(leaves[1:], grads[1:]))
