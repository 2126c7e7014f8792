"""`Module`: a model's parameters by name and in a fixed order, their gradients, and saving them.

A model's parameters are the leaves of every graph it builds: the weights w^l_jk and biases b^l_j.
Training reads dC/dp from each leaf's `.grad` and moves `.data`; nothing else in a model changes.

Saving and loading (the JSON model file, its versions and its integrity check) live in nn.checkpoint.
"""
import math
import numbers

__all__ = ["Module"]

_CLASSES = {}  # class name -> Module subclass: the only classes a file can ask to build


class Module:
    """Base class of Neuron, Layer and MLP.

    A subclass says what it owns by overriding `named_parameters()`, a list of (name, Value) pairs in a
    fixed order; `parameters()` is the same list without the names. Names are dotted paths from the
    model to the leaf, e.g. `layers.0.neurons.3.w.1` is w[1] of neuron 3 of layer 0. To be saved, it
    lists in `_arch_fields` the constructor arguments that rebuild it (its architecture).
    """

    _arch_fields = ()

    @staticmethod
    def _size(**architecture):
        """How many parameters the model with this architecture has (checked before building one)."""
        raise ValueError("this class cannot be rebuilt from a file")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _CLASSES[cls.__name__] = cls

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


    def architecture(self):
        """The constructor arguments that rebuild this model (without its parameter values)."""
        return {"class": type(self).__name__, **{f: getattr(self, f) for f in self._arch_fields}}

    def state_dict(self):
        """{name: float} for every parameter, in order: the numbers a saved file holds."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state, where="state_dict"):
        """Set every parameter's data from `state` ({name: number}), as returned by `state_dict()`.

        Every name must be present, none extra, every value a finite real number; all of this is
        checked before any parameter changes, so a bad `state` raises ValueError and changes nothing.
        """
        named = self.named_parameters()
        if not isinstance(state, dict):
            raise ValueError(f"{where}: expected an object {{name: number}}, got {type(state).__name__}")
        expected = {name for name, _ in named}
        missing = [n for n, _ in named if n not in state]
        extra = [n for n in state if n not in expected]
        if missing or extra:
            raise ValueError(f"{where}: parameters do not fit {self!r}: " + "; ".join(
                f"{what} {len(ns)} ({', '.join(map(str, ns[:3]))}{', ...' if len(ns) > 3 else ''})"
                for what, ns in (("missing", missing), ("unexpected", extra)) if ns))
        values = [_finite(state[name], f"{where}[{name!r}]") for name, _ in named]
        for (_, p), x in zip(named, values):
            p.data = x

    def save(self, path, meta=None):
        """Write the architecture and parameters to `path` as JSON, atomically: see nn.checkpoint.

        `meta`: an optional dict of JSON values stored alongside (read back by load_checkpoint).
        """
        from .checkpoint import save  # checkpoint imports this module: the one honest lazy import
        save(self, path, meta)

    @classmethod
    def load(cls, path):
        """Build the model saved at `path` (the class named in the file, which must be `cls` or a subclass)."""
        from .checkpoint import load_checkpoint
        return load_checkpoint(path, cls)[0]


def _finite(x, where):
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where}: expected a number, got {type(x).__name__}: {x!r:.60}")
    try:
        x = float(x)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


def _prefixed(prefix, children):
    """named_parameters of each child, with `prefix.i.` in front of each name."""
    return [(f"{prefix}.{i}.{name}", p) for i, child in enumerate(children)
            for name, p in child.named_parameters()]
