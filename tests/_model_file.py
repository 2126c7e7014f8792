"""The model file's integrity rules written out independently of nn.checkpoint, for tests that need a
file whose digest is right but whose contents are wrong (what a writer with a bug could produce)."""
import hashlib
import json


def resign(doc):
    """The text `save` would write for `doc`: the SHA-256 of the canonical form of every entry but
    "sha256" (sorted keys, no spaces, ASCII), placed after format and version, indent 1, newline."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    doc = {"format": body.pop("format", None), "version": body.pop("version", None),
           "sha256": hashlib.sha256(canonical.encode()).hexdigest(), **body}
    return json.dumps(doc, indent=1) + "\n"
