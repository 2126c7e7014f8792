"""Neuron, Layer and MLP: micrograd's three classes, in Nielsen's notation.

Neuron j of layer l computes

    z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j        a^l_j = sigma(z^l_j)

with one `*` node per weight and one `+` node per term, so the graph drawn for a network is the
network: every weight is a leaf with exactly one edge into the sum of its neuron.
"""
import math
import numbers
import random

from autograd import Value
from autograd.engine import weighted_sum

from .module import Module, _prefixed

__all__ = ["Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS"]

# Activation name -> the Value method applying it (None: the identity, no node).
ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "linear": None}


# How the starting weights are drawn (see init_bound): "scaled" to the fan-in (the default);
# "uniform", micrograd's package: w ~ U(-1, 1), b = 0; "uniform_bias", micrograd's lecture: b ~ U(-1, 1) too.
INITS = ("scaled", "uniform", "uniform_bias")


def _activation(owner, activation, nonlin=None, default="relu"):
    """The activation's name, from `activation=` or micrograd's `nonlin=` (True: relu, False: linear)."""
    if nonlin is not None:
        if not isinstance(nonlin, bool):
            raise TypeError(f"{owner}: nonlin must be True (relu) or False (linear), as in micrograd, "
                            f"got {type(nonlin).__name__}: {nonlin!r:.60}")
        name = "relu" if nonlin else "linear"
        if activation is not None and activation != name:
            raise ValueError(f"{owner}: nonlin={nonlin} means activation={name!r}, but activation="
                             f"{activation!r:.60} was given too")
        return name
    if activation is None:
        return default
    if not isinstance(activation, str):
        raise TypeError(f"{owner}: activation must be a name, one of {', '.join(ACTIVATIONS)}; "
                        f"got {type(activation).__name__}: {activation!r:.60}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{owner}: unknown activation {activation!r:.60}; known: {', '.join(ACTIVATIONS)}")
    return activation


def _init(owner, init):
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"{owner}: init must be one of {', '.join(map(repr, INITS))}, got {init!r:.60}")
    return init


def _rng(seed):
    """A random.Random from an int seed, the given Random itself, or the `random` module for None."""
    if seed is None or seed is random:
        return random  # the module's functions share its hidden Random: random.seed(1337) applies
    if isinstance(seed, random.Random):
        return seed
    if type(seed) is not int:
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r:.60}")
    return random.Random(seed)


def _count(n, what):
    if type(n) is not int or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r:.60}")
    return n


def _check_inputs(module, x, n):
    """len(x) == n, else an error a user can act on (a bare number is not a list of inputs)."""
    try:
        got = len(x)
    except TypeError:
        raise TypeError(f"{module!r}: expected a list of {n} inputs (floats or Values), "
                        f"got {type(x).__name__}: {x!r:.60}") from None
    if got != n:
        raise ValueError(f"{module!r}: expected {n} inputs, got {got}")


def _name_bad_input(module, x, error):
    """After a forward failed with TypeError: name the input that is not a number, else re-raise."""
    for i, v in enumerate(x):
        if type(v) is not Value and not isinstance(v, numbers.Real):
            raise TypeError(f"{module!r}: input {i} must be a float or a Value, "
                            f"got {type(v).__name__}: {v!r:.60}") from None
    raise error


def init_bound(activation, nin, nout=1):
    """Half-width of the uniform distribution the weights are drawn from.

    Weights w ~ U(-r, r), biases 0. Var U(-r, r) = r^2 / 3, so r = sqrt(3 * target variance):
      relu: He, Var w = 2 / nin, so r = sqrt(6 / nin): relu zeroes half of z, which halves the
            variance of a; 2/nin puts it back, so Var z stays put layer after layer;
      tanh, sigmoid: Glorot/Xavier, Var w = 2 / (nin + nout), so r = sqrt(6 / (nin + nout)): keeps z
            in the steep middle of the S, where sigma'(z) is not small, forwards and backwards;
      linear: LeCun, Var w = 1 / nin, so r = sqrt(3 / nin).
    micrograd draws every weight from U(-1, 1) whatever the fan-in: fine for 2 or 16 inputs, but a
    sigmoid neuron with 784 inputs of size ~1 would start with z of standard deviation ~16, deep in
    saturation, where sigma' is ~0 and learning stalls.
    micrograd's moons recipe (100 SGD steps at lr 1.0 -> 0.1) still works with the scaled weights: with
    --seed s drawing both points and weights, 9 of the seeds 0-9 reach 100% training accuracy, as
    with U(-1, 1) (see demos.moons).
    """
    if activation == "relu":
        return math.sqrt(6.0 / nin)
    if activation == "linear":
        return math.sqrt(3.0 / nin)
    return math.sqrt(6.0 / (nin + nout))


class Neuron(Module):
    """One neuron: `a = sigma(sum_k w[k] * x[k] + b)` with sigma the named activation (default relu).

    `w` is a list of `nin` leaf Values, `b` a leaf Value. `nonlin=`: micrograd's switch (True: relu,
    False: linear), instead of `activation=`. `init=`: how the starting values are drawn:
      "scaled" (default): w ~ U(-bound, bound) with bound = init_bound(activation, nin, nout), b = 0;
      "uniform": micrograd's package, w ~ U(-1, 1) drawn as random.uniform(-1, 1), b = 0;
      "uniform_bias": micrograd's lecture, w ~ U(-1, 1) and then b ~ U(-1, 1).
    `seed`: an int, a random.Random, or None to draw from the `random` module's state
    (so `random.seed(1337)` then init="uniform" gives micrograd's exact weights).
    """

    __slots__ = ("w", "b", "activation", "_act")
    _arch_fields = ("nin", "activation")

    def __init__(self, nin, activation=None, *, seed=None, nout=1, nonlin=None, init="scaled"):
        _count(nin, "Neuron: nin")
        activation = _activation("Neuron", activation, nonlin)
        self._act = ACTIVATIONS[activation]
        self.activation = activation
        rng = _rng(seed)
        if _init("Neuron", init) == "scaled":
            r = init_bound(activation, nin, nout)
            self.w = [Value(rng.uniform(-r, r)) for _ in range(nin)]
            self.b = Value(0.0)
        else:  # micrograd's own draws, in its order: the weights, then (lecture) the bias
            self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
            self.b = Value(rng.uniform(-1, 1) if init == "uniform_bias" else 0.0)

    @property
    def nin(self):
        return len(self.w)

    @staticmethod
    def _size(nin, activation):
        return _count(nin, "nin") + 1

    def __call__(self, x):
        _check_inputs(self, x, len(self.w))
        try:
            return self._forward(x)
        except TypeError as e:
            _name_bad_input(self, x, e)

    def _forward(self, x):
        # The hot path of training. z = ((b + w0*x0) + w1*x1) + ...: the same nodes, in the same
        # order, as micrograd's sum(wi*xi, b), so both give bit-identical floats; weighted_sum makes
        # them without two method calls per term.
        z = weighted_sum(self.w, x, self.b)
        act = self._act
        return z if act is None else act(z)

    def named_parameters(self):
        """[("w.0", w[0]), ..., ("w.{nin-1}", ...), ("b", b)]: w then b, as micrograd."""
        return [(f"w.{k}", w) for k, w in enumerate(self.w)] + [("b", self.b)]

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, {self.activation})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; `a^l = sigma(w^l a^(l-1) + b^l)`.

    Calling a layer returns a list of `nout` Values, or the Value itself when `nout == 1`; it calls a
    Neuron subclass's own __call__. `activation`, `nonlin`, `init`, `seed`: as for Neuron, for every neuron of the layer.
    """

    __slots__ = ("neurons", "nin", "activation")
    _arch_fields = ("nin", "nout", "activation")

    def __init__(self, nin, nout, activation=None, *, seed=None, nonlin=None, init="scaled"):
        _count(nin, "Layer: nin")
        _count(nout, "Layer: nout")
        activation = _activation("Layer", activation, nonlin)
        _init("Layer", init)
        rng = _rng(seed)
        self.nin, self.activation = nin, activation
        self.neurons = [Neuron(nin, activation, seed=rng, nout=nout, init=init) for _ in range(nout)]

    @property
    def nout(self):
        return len(self.neurons)

    @staticmethod
    def _size(nin, nout, activation):
        return _count(nout, "nout") * (_count(nin, "nin") + 1)

    def __call__(self, x):
        _check_inputs(self, x, self.nin)
        try:
            # A Neuron subclass gets its own __call__; plain neurons skip the input check done above.
            out = [n._forward(x) if type(n) is Neuron else n(x) for n in self.neurons]
        except TypeError as e:
            _name_bad_input(self, x, e)
        return out[0] if len(out) == 1 else out

    def named_parameters(self):
        return _prefixed("neurons", self.neurons)

    def parameters(self):
        return [p for n in self.neurons for p in n.w + [n.b]]

    def __repr__(self):
        return f"Layer({self.nin} -> {len(self.neurons)} {self.activation})"


class MLP(Module):
    """A multilayer perceptron: `nin` inputs, then one Layer per entry of `nouts`.

    Hidden layers use `activation`, the last layer `output_activation` (micrograd: relu, linear);
    `nonlin=True/False` sets the hidden layers to relu/linear as micrograd's Neuron flag does, and
    `init=`, `seed=` are as for Neuron. micrograd's package network from its seed:
    `random.seed(1337); MLP(2, [16, 16, 1], init="uniform")`. The lecture's (all tanh, biases drawn):
    `MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", init="uniform_bias")`.
    Calling an MLP calls each of its layers in turn (a Layer subclass's own __call__ is honoured).
    `MLP(2, [16, 16, 1])` has 2*16+16 + 16*16+16 + 16+1 = 337 parameters. Calling it on a list of
    `nin` floats or Values returns a Value when the last layer has one neuron, else a list of Values.
    Floats given as inputs become constant operands of the `*` nodes, not nodes of their own.
    """

    __slots__ = ("layers", "nin", "nouts", "activation", "output_activation")
    _arch_fields = ("nin", "nouts", "activation", "output_activation")

    def __init__(self, nin, nouts, activation=None, output_activation="linear", *, seed=None, nonlin=None,
                 init="scaled"):
        self._size(nin, nouts)
        activation = _activation("MLP", activation, nonlin)
        output_activation = _activation("MLP: output_activation", output_activation)
        _init("MLP", init)
        rng = _rng(seed)
        self.nin, self.nouts = nin, list(nouts)
        self.activation, self.output_activation = activation, output_activation
        sizes = [nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, seed=rng,
                             init=init) for i in range(len(self.nouts))]

    @staticmethod
    def _size(nin, nouts, activation="relu", output_activation="linear"):
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r:.60}")
        sizes = [_count(nin, "MLP: nin")] + [_count(n, "MLP: each layer size") for n in nouts]
        return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))

    def __call__(self, x):
        _check_inputs(self, x, self.nin)
        for layer in self.layers:
            x = layer(x)
            if type(x) is Value:  # a layer of one neuron returns its Value; the next layer wants a list
                x = [x]
        return x[0] if len(x) == 1 else x

    def named_parameters(self):
        return _prefixed("layers", self.layers)

    def parameters(self):
        return [p for layer in self.layers for n in layer.neurons for p in n.w + [n.b]]

    def __repr__(self):
        sizes = [str(self.nin)]
        for layer in self.layers:
            act = layer.activation
            sizes.append(f"{len(layer.neurons)}" + ("" if act == "linear" else f" {act}"))
        return f"MLP({' -> '.join(sizes)})"

    def _repr_html_(self):  # Jupyter's rich display (the network picture), loaded only there
        from autograd.explore.html import mlp_html
        return mlp_html(self)
