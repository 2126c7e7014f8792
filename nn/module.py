"""`Module`: a model's parameters by name and in a fixed order, their gradients, and saving them.

A model's parameters are the leaves of every graph it builds: the weights w^l_jk and biases b^l_j.
Training reads dC/dp from each leaf's `.grad` and moves `.data`; nothing else in a model changes.

A saved model is a JSON file (loading it never runs code, unlike pickle):

    {"format": "pathgrad.nn", "version": 1,
     "architecture": {"class": "MLP", "nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.53, ...},
     "meta": {...}}                                   (optional, free-form: e.g. the training step)

It is written to a temporary file in the same directory, flushed to disk, then renamed over the
target: a crash or a full disk leaves either the old file or the new one, never half of one.
Loading checks everything before building anything and raises ValueError saying what and where.
"""
import json
import math
import numbers
import os

from autograd._files import atomic_write

__all__ = ["Module", "FORMAT", "VERSION", "load_checkpoint"]

FORMAT = "pathgrad.nn"
VERSION = 1
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
        """Write the architecture and parameters to `path` as JSON, atomically (see the module doc).

        `meta`: an optional JSON-serialisable dict stored alongside (read back by load_checkpoint).
        Non-finite parameters (nan, inf) raise ValueError: JSON has no numbers for them.
        """
        doc = {"format": FORMAT, "version": VERSION, "architecture": self.architecture(),
               "parameters": {n: _finite(x, f"save: parameter {n!r}") for n, x in self.state_dict().items()}}
        if meta is not None:
            if not isinstance(meta, dict):
                raise TypeError(f"save: meta must be a dict, got {type(meta).__name__}")
            doc["meta"] = meta
        try:
            text = json.dumps(doc, indent=1, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise type(e)(f"save: meta is not JSON-serialisable: {e}") from None
        atomic_write(path, text + "\n")

    @classmethod
    def load(cls, path):
        """Build the model saved at `path` (the class named in the file, which must be `cls` or a subclass)."""
        return load_checkpoint(path, cls)[0]


def load_checkpoint(path, cls=Module):
    """(model, meta) from a file written by `Module.save`; meta is {} when none was saved.

    Raises ValueError naming the file and the offending entry when the file is not JSON, truncated,
    of another format or version, or its architecture and parameters do not fit; FileNotFoundError
    when it does not exist. Nothing is built until everything has been checked.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a model file: not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a model file: invalid or truncated JSON at line {e.lineno} "
                         f"column {e.colno}: {e.msg}") from None
    except RecursionError:  # json's decoder recurses into nested lists and objects
        raise ValueError(f"{path}: not a model file: JSON nested too deeply") from None
    except ValueError as e:
        raise ValueError(f"{path}: not a model file: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a model file: expected a JSON object with \"format\": \"{FORMAT}\"")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise ValueError(f"{path}: unsupported format version {doc.get('version')!r} (this library reads {VERSION})")
    unknown = set(doc) - {"format", "version", "architecture", "parameters", "meta"}
    if unknown:
        raise ValueError(f"{path}: unexpected entries {sorted(unknown)}")
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: meta must be an object, got {type(meta).__name__}")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise ValueError(f"{path}: parameters: expected an object {{name: number}}, got {type(params).__name__}")
    model = _build(doc.get("architecture"), cls, f"{path}: architecture", params)
    model.load_state_dict(params, where=f"{path}: parameters")
    return model, meta


def _build(arch, cls, where, params):
    if not isinstance(arch, dict) or not isinstance(arch.get("class"), str) or arch["class"] not in _CLASSES:
        raise ValueError(f"{where}: expected an object whose \"class\" is one of {sorted(_CLASSES)}, got {arch!r:.80}")
    found = _CLASSES[arch["class"]]
    if not issubclass(found, cls):
        raise ValueError(f"{where}: the file holds a model of class {found.__name__}, not {cls.__name__}")
    fields = set(found._arch_fields)
    if set(arch) != fields | {"class"}:
        raise ValueError(f"{where}: a {found.__name__} needs exactly the fields {sorted(fields)}, "
                         f"got {sorted(k for k in arch if k != 'class')}")
    kwargs = {f: arch[f] for f in found._arch_fields}
    try:
        # Count before building, so a file cannot make us build a model far larger than it holds.
        size = found._size(**kwargs)
        if size != len(params):
            raise ValueError(f"{found.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) has "
                             f"{size} parameters but the file holds {len(params)}")
        # seed=0: rebuilding must not draw from the global random state; the file overwrites every value
        return found(**kwargs, seed=0)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: {e}") from None


def _no_constant(name):
    raise ValueError(f"{name} is not a number a model can hold")


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
