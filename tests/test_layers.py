"""Neuron, Layer, MLP: micrograd's structure and parameter order, Nielsen's sums, seeds, init, errors."""
import gc
import math
import random
import statistics

import pytest

from autograd import Value
from autograd.engine import topo_order
from nn import MLP, Layer, Neuron
from nn.layers import init_bound


def test_mlp_2_16_16_1_has_337_parameters_in_micrograd_order():
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    assert len(params) == 337 == model.num_parameters()
    expected = []
    for layer in model.layers:
        for n in layer.neurons:
            expected += n.w + [n.b]
    assert all(p is q for p, q in zip(params, expected))
    assert len({id(p) for p in params}) == 337


def test_named_parameters_are_dotted_paths_to_the_leaf():
    model = MLP(2, [16, 16, 1], seed=0)
    named = dict(model.named_parameters())
    assert named["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].w[1]
    assert named["layers.2.neurons.0.b"] is model.layers[2].neurons[0].b
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_repr_reads_like_the_architecture():
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2 -> 16 relu -> 16 relu -> 1)"
    assert repr(MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid")) == \
        "MLP(2 -> 3 sigmoid -> 2 sigmoid)"
    assert repr(Layer(2, 16)) == "Layer(2 -> 16 relu)"
    assert repr(Neuron(3, "tanh")) == "Neuron(3, tanh)"


def test_neuron_computes_sigma_of_weighted_sum_plus_bias():
    n = Neuron(3, "tanh", seed=1)
    x = [0.5, -1.0, 2.0]
    z = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    assert n(x).data == pytest.approx(math.tanh(z), abs=1e-15)


@pytest.mark.parametrize("name,fn", [("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh),
                                     ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("linear", lambda z: z)])
def test_every_activation_is_applied_by_name(name, fn):
    n = Neuron(2, name, seed=3)
    n.b.data = 0.3
    for x in ([1.0, 2.0], [-1.0, -2.0]):
        z = n.w[0].data * x[0] + n.w[1].data * x[1] + 0.3
        assert n(x).data == pytest.approx(fn(z), abs=1e-14)


def test_graph_has_one_mul_node_per_weight_and_float_inputs_are_not_nodes():
    n = Neuron(3, "relu", seed=0)
    out = n([1.0, 2.0, 3.0])
    nodes = topo_order(out)
    muls = [v for v in nodes if v.op == "*"]
    assert len(muls) == 3
    assert sorted(v.op for v in nodes).count("+") == 3  # b + w0x0, + w1x1, + w2x2
    leaves = [v for v in nodes if not v.op]
    assert set(map(id, leaves)) == set(map(id, n.w + [n.b]))


def test_value_inputs_receive_gradients_through_every_neuron():
    model = MLP(2, [4, 1], activation="tanh", seed=2)
    x = [Value(0.3), Value(-0.7)]
    out = model(x)
    out.backward()
    # dout/dx0 by central differences on the float model
    h = 1e-6
    f = lambda a: model([a, -0.7]).data
    assert x[0].grad == pytest.approx((f(0.3 + h) - f(0.3 - h)) / (2 * h), rel=1e-6)


def test_matches_micrograd_bit_for_bit_with_the_same_weights():
    mg = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=0)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.data = q.data
    for x in ([0.5, -0.25], [2.0, 1.0], [-1.5, 0.75]):
        assert ours(x).data == theirs(x).data


def test_output_is_a_value_for_one_neuron_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    # a hidden layer of one neuron still feeds a list to the next layer
    assert len(MLP(2, [1, 3], seed=0)([1.0, 2.0])) == 3


def test_same_seed_same_model_and_global_random_state_when_no_seed():
    a, b = MLP(2, [5, 1], seed=7), MLP(2, [5, 1], seed=7)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in MLP(2, [5, 1], seed=8).parameters()]
    random.seed(42)
    c = MLP(2, [5, 1])
    random.seed(42)
    d = MLP(2, [5, 1])
    assert [p.data for p in c.parameters()] == [p.data for p in d.parameters()]


def test_a_seed_does_not_touch_the_global_random_state():
    random.seed(5)
    before = random.random()
    random.seed(5)
    MLP(2, [8, 1], seed=0)
    assert random.random() == before


@pytest.mark.parametrize("act,nin,nout,bound", [("relu", 16, 16, math.sqrt(6 / 16)),
                                                 ("tanh", 16, 4, math.sqrt(6 / 20)),
                                                 ("sigmoid", 3, 3, 1.0),
                                                 ("linear", 12, 1, 0.5)])
def test_initial_weights_are_uniform_within_the_scaled_bound_and_biases_zero(act, nin, nout, bound):
    assert init_bound(act, nin, nout) == pytest.approx(bound)
    layer = Layer(nin, nout, act, seed=0)
    ws = [w.data for n in layer.neurons for w in n.w]
    assert all(-bound <= w <= bound for w in ws)
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_relu_init_keeps_the_size_of_activations_through_depth():
    # He initialisation: E[z^2] stays of the same order from layer to layer instead of growing or dying.
    rng = random.Random(0)
    model = MLP(32, [64, 64, 64, 64, 1], seed=1)
    rms = []
    xs = [[rng.gauss(0, 1) for _ in range(32)] for _ in range(20)]
    for layer_count in range(1, 5):
        sq = []
        for x in xs:
            a = x
            for layer in model.layers[:layer_count]:
                a = [n(a) for n in layer.neurons]
            sq += [v.data ** 2 for v in a]
        rms.append(math.sqrt(statistics.fmean(sq)))
    assert 0.3 < rms[-1] / rms[0] < 3


def test_unknown_activation_raises_value_error_listing_the_known_ones():
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, linear"):
        MLP(2, [3, 1], activation="softplus")
    with pytest.raises(ValueError, match="'gelu'"):
        Neuron(2, "gelu")


def test_wrong_input_length_raises_value_error():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        Layer(2, 3, seed=0)([1.0])
    with pytest.raises(ValueError, match="expected 3 inputs"):
        Neuron(3, seed=0)([1.0])


@pytest.mark.parametrize("make", [lambda: MLP(1, [3, 1], seed=0), lambda: Layer(1, 2, seed=0),
                                  lambda: Neuron(1, seed=0)])
def test_an_input_that_is_not_a_list_of_numbers_raises_type_error_naming_it(make):
    model = make()
    with pytest.raises(TypeError, match=r"expected a list of 1 inputs .*got float: 3\.0"):
        model(3.0)
    with pytest.raises(TypeError, match=r"input 0 must be a float or a Value, got str: 'a'"):
        model(["a"])
    with pytest.raises(TypeError, match=r"input 0 must be a float or a Value, got NoneType"):
        model([None])
    assert make()([True]) is not None  # bool is a number, as in Value(True)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", None])
def test_bad_sizes_raise_value_error(bad):
    with pytest.raises(ValueError):
        MLP(2, [bad, 1])
    with pytest.raises(ValueError):
        Layer(bad, 2)


def test_bad_seed_raises_type_error():
    with pytest.raises(TypeError, match="seed"):
        MLP(2, [1], seed="zero")


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [4, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- micrograd's keywords and draws (micrograd 0.1.0 itself is the oracle) -----------------------

def test_init_uniform_from_micrograds_seed_gives_micrograds_exact_weights():
    mg = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1], init="uniform")
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]
    # and both consumed the same draws from the random module:
    random.seed(1337)
    mg.MLP(2, [16, 16, 1])
    after_theirs = random.random()
    random.seed(1337)
    MLP(2, [16, 16, 1], init="uniform")
    assert random.random() == after_theirs


def test_init_uniform_bias_draws_each_neurons_weights_then_its_bias_as_the_lecture():
    rng = random.Random(7)
    expected = []
    for nin, nout in ((3, 4), (4, 4), (4, 1)):
        for _ in range(nout):
            expected += [rng.uniform(-1, 1) for _ in range(nin)] + [rng.uniform(-1, 1)]
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", init="uniform_bias", seed=7)
    assert [p.data for p in model.parameters()] == expected
    assert repr(model) == "MLP(3 -> 4 tanh -> 4 tanh -> 1 tanh)"


def test_micrograds_nonlin_keyword_maps_to_relu_or_linear():
    mg = pytest.importorskip("micrograd.nn")
    assert Neuron(3, nonlin=False).activation == "linear" and Neuron(3, nonlin=True).activation == "relu"
    assert Layer(3, 2, nonlin=False).activation == "linear"
    assert MLP(2, [3, 1], nonlin=False).activation == "linear"
    random.seed(5)
    theirs = mg.Neuron(3, nonlin=False)
    random.seed(5)
    ours = Neuron(3, nonlin=False, init="uniform")
    x = [2.0, -0.5, -1.5]  # z < 0 here: relu would give 0
    assert ours(x).data == theirs(x).data < 0
    with pytest.raises(ValueError, match="Neuron: nonlin=True means activation='relu', but activation='tanh'"):
        Neuron(3, "tanh", nonlin=True)
    with pytest.raises(TypeError, match="Layer: nonlin must be True \\(relu\\) or False \\(linear\\)"):
        Layer(3, 2, nonlin="yes")


@pytest.mark.parametrize("make", [lambda: MLP(2, [1], init="he"), lambda: Neuron(2, init=None),
                                  lambda: Layer(2, 1, init=["uniform"])])
def test_an_unknown_init_is_refused_naming_the_known_ones(make):
    with pytest.raises(ValueError, match="init must be one of 'scaled', 'uniform', 'uniform_bias'"):
        make()


@pytest.mark.parametrize("make,owner", [(lambda a: MLP(2, [3, 1], activation=a), "MLP"),
                                        (lambda a: Layer(2, 3, a), "Layer"), (lambda a: Neuron(2, a), "Neuron"),
                                        (lambda a: MLP(2, [3, 1], output_activation=a), "MLP: output_activation")])
def test_an_activation_that_is_not_a_name_is_a_type_error_naming_the_class(make, owner):
    with pytest.raises(TypeError, match=f"{owner}: activation must be a name, one of relu, tanh, sigmoid, "
                                        f"linear; got list: \\['relu'\\]"):
        make(["relu"])


# --- MLP calls its layers ------------------------------------------------------------------------

def test_mlp_calls_each_layers_own_call_so_a_subclass_is_honoured():
    calls = []

    class Halving(Layer):
        def __call__(self, x):
            out = super().__call__(x)
            calls.append(len(self.neurons))
            return [o * 0.5 for o in out] if isinstance(out, list) else out * 0.5

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    plain = model([0.3, -0.8]).data
    for i, layer in enumerate(model.layers):
        halved = Halving.__new__(Halving)
        halved.neurons, halved.nin, halved.activation = layer.neurons, layer.nin, layer.activation
        model.layers[i] = halved
    out = model([0.3, -0.8])
    assert calls == [3, 1]
    # the oracle: the same network written out on floats
    a = [0.5 * math.tanh(sum(w.data * x for w, x in zip(n.w, [0.3, -0.8])) + n.b.data)
         for n in model.layers[0].neurons]
    n = model.layers[1].neurons[0]
    expected = 0.5 * (sum(w.data * x for w, x in zip(n.w, a)) + n.b.data)
    assert out.data == pytest.approx(expected, rel=1e-15) and out.data != plain


def test_a_hidden_layer_of_one_neuron_feeds_the_next_layer():
    model = MLP(2, [1, 2], seed=0)
    out = model([0.5, 1.0])
    assert isinstance(out, list) and len(out) == 2


def test_micrograds_demo_notebook_cells_give_micrograds_losses_with_init_uniform():
    # demo.ipynb's setup verbatim (numpy and random seeded with 1337, make_moons, MLP(2, [16, 16, 1])),
    # run on micrograd 0.1.0 and on pathgrad with init="uniform": the first steps' losses agree.
    mg = pytest.importorskip("micrograd.nn")
    np = pytest.importorskip("numpy")
    datasets = pytest.importorskip("sklearn.datasets")
    from micrograd.engine import Value as MgValue
    from nn import hinge, l2

    def setup(make_model):
        np.random.seed(1337)
        random.seed(1337)
        X, y = datasets.make_moons(n_samples=100, noise=0.1)
        return X, y * 2 - 1, make_model()

    X, y, theirs = setup(lambda: mg.MLP(2, [16, 16, 1]))
    X2, y2, ours = setup(lambda: MLP(2, [16, 16, 1], init="uniform"))
    assert (X == X2).all()
    gc.disable()  # micrograd's graph is full of cycles: with the collector on it takes seconds per step
    try:
        _two_demo_steps(theirs, ours, X, y, MgValue, hinge, l2)
    finally:
        gc.enable()
        gc.collect()


def _two_demo_steps(theirs, ours, X, y, MgValue, hinge, l2):
    for k in range(2):
        scores = [theirs(list(map(MgValue, row))) for row in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum((p * p for p in theirs.parameters()))
        loss = hinge([ours(list(row)) for row in X], y) + l2(ours.parameters(), 1e-4)
        assert loss.data == pytest.approx(total.data, rel=1e-12, abs=0)
        if k == 1:
            return
        for model, value in ((theirs, total), (ours, loss)):
            model.zero_grad()
            value.backward()
            for p in model.parameters():
                p.data -= (1.0 - 0.9 * k / 100) * p.grad


def test_a_layer_calls_a_neuron_subclass_own_call():
    class Clipped(Neuron):
        def __call__(self, x):
            return super().__call__(x).tanh()

    layer = Layer(2, 2, "linear", seed=0)
    plain = [v.data for v in layer([0.5, 2.0])]
    layer.neurons[1].__class__ = Clipped
    out = [v.data for v in layer([0.5, 2.0])]
    assert out[0] == plain[0] and out[1] == math.tanh(plain[1]) != plain[1]
