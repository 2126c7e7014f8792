"""The one way nodes are named, numbers printed and paths coloured, shared with tables and drawings."""
from .. import _drawkit as kit
from .._drawpaths import _edges, _groups
from ..text import node_names, num

__all__ = ["node_names", "num", "palette", "path_colours"]


def palette():
    """The drawings' path colours ("#rrggbb"), in order."""
    return list(kit.PALETTE)


def path_colours(paths, root):
    """The colour of each path (from one input to `root`) as `draw(root, highlight=paths)` gives it:
    one colour each while the palette lasts; past it, one per group of paths that part at the same edge."""
    p = kit.PALETTE
    if len(paths) <= len(p):
        return [p[i] for i in range(len(paths))]
    index = {v: i for i, v in enumerate(kit.topo_order(root))}
    colour = {}
    for g, (_, members) in enumerate(_groups(paths, index.__getitem__, kit.names(root))):
        for q in members:
            colour[id(q)] = p[min(g, len(p) - 1)]
    return [colour[id(q)] for q in paths]
