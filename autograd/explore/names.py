"""The one way nodes are named, numbers printed and paths coloured, shared with tables and drawings."""
from .. import draw as _draw

try:
    from ..text import node_names, num
except ImportError:  # until autograd.text lands: its format, to 6 significant digits
    from ..paths import node_names

    def num(x):
        x = x.data if hasattr(x, "data") else float(x)
        x += 0.0
        if x != x or x in (float("inf"), float("-inf")):
            return str(x)
        if x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.6g}".replace("e-0", "e-").replace("e+0", "e+")

__all__ = ["node_names", "num", "palette"]

# Path i gets colour i (cycling), in the HTML tables, the explorer and the drawings alike.
_FALLBACK = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def palette():
    """The path colours, "#rrggbb" strings: the drawings' (draw.PALETTE) when they define one."""
    return list(getattr(_draw, "PALETTE", _FALLBACK))
