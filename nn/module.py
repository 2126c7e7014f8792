"""`Module`: the parameters of a model, by name and in a fixed order, and their gradients.

A model's parameters are the leaves of every graph it builds: the weights w^l_jk and biases b^l_j.
Training reads dC/dp from each leaf's `.grad` and moves `.data`; nothing else in a model changes.
"""
from autograd import Value

__all__ = ["Module"]


class Module:
    """Base class of Neuron, Layer and MLP.

    A subclass says what it owns by overriding `named_parameters()`, a list of (name, Value) pairs in a
    fixed order; `parameters()` is the same list without the names. Names are dotted paths from the
    model to the leaf, e.g. `layers.0.neurons.3.w.1` is w[1] of neuron 3 of layer 0.
    """

    def named_parameters(self):
        """[(name, Value), ...] in the order of `parameters()`; names are stable across runs."""
        return []

    def parameters(self):
        """The parameter leaves, in the order of `named_parameters()`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        """Set every parameter's grad to 0 (grads accumulate across backward() calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self):
        """How many scalar parameters the model has (MLP(2, [16, 16, 1]) has 337)."""
        return len(self.parameters())


def _prefixed(prefix, children):
    """named_parameters of each child, with `prefix.i.` in front of each name."""
    return [(f"{prefix}.{i}.{name}", p) for i, child in enumerate(children)
            for name, p in child.named_parameters()]


def _check_value(p, where):
    if type(p) is not Value:
        raise TypeError(f"{where}: a parameter must be a Value, got {type(p).__name__}: {p!r:.60}")
    return p
