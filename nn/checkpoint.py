"""The model file: a Module's architecture and parameters as JSON (loading it never runs code, unlike pickle).

    {
     "format": "pathgrad.nn",
     "version": 2,
     "sha256": "9f2c...",                          (digest of everything else, in canonical form)
     "architecture": {"class": "MLP", "nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.53, ...},
     "meta": {...}                                 (optional, free-form: e.g. the training step)
    }

What a version-2 file guarantees against damage: "sha256" is the SHA-256 of the other entries written
canonically (json.dumps with sorted keys, no spaces, ASCII only), and the file must be byte for byte
what `save` writes for its contents. A damaged file therefore cannot load as a different model:
  - a change that still parses to the same contents (a space, an 'e' become 'E', a changed layout)
    breaks the second rule;
  - any other change (a digit, a sign, a name, the digest itself) breaks the first, unless it happens
    to give a file with the same SHA-256, which no accidental damage does;
  - duplicate keys are refused (json would otherwise keep the last one silently).
So every single-bit flip, every truncation and every edit by hand is a ValueError. To change a model
file, load it, change the model, save it again. Version-1 files (no digest) still load, with every
check but the digest.

Loading checks everything before building anything and raises ValueError saying what and where.
Saving goes through autograd._files.atomic_write: the old file or the new one, never half of one.
"""
import hashlib
import json
import os
import re

from autograd._files import atomic_write

from .module import _CLASSES, Module, _finite

__all__ = ["FORMAT", "VERSION", "save", "load_checkpoint"]

FORMAT = "pathgrad.nn"
VERSION = 2
READS = (1, 2)  # the versions this library loads
MAX_META_DEPTH = 100  # lists and objects inside meta; deeper is refused (json recurses per level)
_ENTRIES = ("format", "version", "sha256", "architecture", "parameters", "meta")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def save(model, path, meta=None):
    """Write `model`'s architecture and parameters to `path` (format version 2, see the module doc).

    `meta`: an optional dict of JSON values (nested at most MAX_META_DEPTH deep), read back by
    load_checkpoint. Non-finite parameters (nan, inf) raise ValueError: JSON has no numbers for them.
    Nothing is written unless the whole file could be made.
    """
    body = {"format": FORMAT, "version": VERSION, "architecture": model.architecture(),
            "parameters": {n: _finite(x, f"save: parameter {n!r}") for n, x in model.state_dict().items()}}
    if meta is not None:
        if not isinstance(meta, dict):
            raise TypeError(f"save: meta must be a dict, got {type(meta).__name__}")
        _check_depth(meta)
        body["meta"] = meta
    try:
        # Round trip first: the digest must be of what a reader will see (tuples become lists,
        # number keys become strings; two keys that JSON writes alike are refused).
        body = _parse(json.dumps(body, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise type(e)(f"save: meta is not JSON-serialisable: {e}") from None
    doc = {"format": FORMAT, "version": VERSION, "sha256": _digest(body), **body}
    atomic_write(path, _text(doc))


def load_checkpoint(path, cls=Module):
    """(model, meta) from a file written by `save` (or `Module.save`); meta is {} when none was saved.

    Raises ValueError naming the file and the offending entry when the file is not JSON, truncated,
    damaged (digest or layout, see the module doc), of another format or version, or its architecture
    and parameters do not fit; FileNotFoundError when it does not exist. Nothing is built until
    everything has been checked.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
        doc = _parse(text)
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
    version = doc.get("version")
    if type(version) is not int or version not in READS:
        raise ValueError(f"{path}: unsupported format version {version!r} "
                         f"(this library reads {' and '.join(map(str, READS))})")
    unknown = [k for k in doc if k not in _ENTRIES or (k == "sha256" and version == 1)]
    if unknown:
        raise ValueError(f"{path}: unexpected entries {sorted(unknown)}")
    if version >= 2:
        _check_integrity(path, doc, text)
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: meta must be an object, got {type(meta).__name__}")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise ValueError(f"{path}: parameters: expected an object {{name: number}}, got {type(params).__name__}")
    model = _build(doc.get("architecture"), cls, f"{path}: architecture", params)
    model.load_state_dict(params, where=f"{path}: parameters")
    return model, meta


def _check_integrity(path, doc, text):
    recorded = doc.get("sha256")
    if not isinstance(recorded, str) or not _HEX64.fullmatch(recorded):
        raise ValueError(f"{path}: damaged model file: \"sha256\" must be 64 lowercase hex digits, "
                         f"got {recorded!r:.80}")
    body = {k: v for k, v in doc.items() if k != "sha256"}
    if _digest(body) != recorded:
        raise ValueError(f"{path}: damaged model file: its contents do not match the sha256 digest "
                         f"recorded in it (a changed number, sign or name)")
    if _text(doc) != text:
        raise ValueError(f"{path}: damaged model file: not byte for byte what save writes for these "
                         f"contents (changed spacing or number spelling; edited by hand?)")


def _digest(body):
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _text(doc):
    return json.dumps(doc, indent=1, ensure_ascii=True, allow_nan=False) + "\n"


def _parse(text):
    return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique)


def _unique(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r:.80} in one object")
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not a number a model can hold")


def _check_depth(meta):
    """Refuse meta nested deeper than MAX_META_DEPTH, without recursing (json.dumps would, and fail)."""
    stack = [(meta, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_META_DEPTH:
            raise ValueError(f"save: meta is nested more than {MAX_META_DEPTH} lists or objects deep "
                             f"(or contains itself)")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, (list, tuple)) else ()
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list, tuple)))


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
        model = found(**kwargs, seed=0)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: {e}") from None
    if model.architecture() != arch:  # e.g. null for an activation: the default would be built instead
        raise ValueError(f"{where}: {arch!r:.120} does not describe a model exactly "
                         f"(it would build {model.architecture()!r:.120})")
    return model
