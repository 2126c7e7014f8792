"""Backward, step by step, as pictures: one frame per `+=` of `trace_backward`.

Frame 0 is the graph as backward starts: every grad 0 but the output's, seeded with 1. Frame s shows the
s-th step parent.grad += (d child/d parent) * child.grad: that edge in colour, and every box's grad as it
stands after the step (the ledger's running totals of this backward). The last frame shows the grads
backward leaves: each node's grad is the sum of what its outgoing edges added, one `+=` per edge.
"""
import os

from . import _drawkit as kit
from .draw import draw
from .ledger import trace_backward

__all__ = ["backward_frames", "Frames"]

STEP_COLOUR = kit.PALETTE[3]


class _Edge:
    # One edge of the graph for draw's highlight: its two nodes and which operand of the child it is.
    def __init__(self, parent, child, position):
        self.nodes, self.positions = (parent, child), (position,)


def _position(step):
    known = getattr(step, "position", None)
    if known is not None:
        return known
    return next(k for k, p in enumerate(step.child.parents) if p is step.parent)


class Frames(list):
    """The frames of one backward: `graphviz.Digraph`s, frame 0 first; `.grads[s]` is {Value: grad} as
    frame s shows it. save(folder) writes frame_000.svg ...; gif(path) an animated GIF (needs Pillow)."""

    def __init__(self, graphs, grads):
        super().__init__(graphs)
        self.grads = grads

    def save(self, folder, format="svg"):
        os.makedirs(folder, exist_ok=True)
        out = []
        for s, g in enumerate(self):
            path = os.path.join(folder, f"frame_{s:03d}.{format}")
            data = kit.render(g, format)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
            out.append(path)
        return out

    def gif(self, path, ms=1200, last_ms=4000):
        """An animated GIF of the frames (each `ms` milliseconds, the last `last_ms`), looping."""
        try:
            from PIL import Image
        except ImportError:
            raise ImportError("an animated GIF needs Pillow: pip install pathgrad[draw]") from None
        import io
        images = [Image.open(io.BytesIO(kit.render(g, "png"))).convert("RGB") for g in self]
        w, h = max(i.width for i in images), max(i.height for i in images)
        frames = []
        for im in images:  # one canvas size for all: a caption a little longer must not resize the GIF
            canvas = Image.new("RGB", (w, h), "white")
            canvas.paste(im, (0, 0))
            frames.append(canvas)
        tmp = path + ".tmp"
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                       duration=[ms] * (len(frames) - 1) + [last_ms])
        os.replace(tmp, path)
        return path


def backward_frames(root, max_steps=200, **draw_args):
    """Run backward from `root` (as trace_backward does: leaves accumulate) and return its `Frames`:
    frame 0 before the first `+=`, then one frame per step with the edge it used highlighted and each
    box's grad after it (this backward's running total: a leaf's earlier grad is not counted).
    `draw_args` go to `draw` (edge_labels="local" by default). More than `max_steps` steps raise ValueError."""
    steps = trace_backward(root)
    if len(steps) > max_steps:
        raise ValueError(f"backward_frames: backward from this node takes {len(steps)} steps, more than "
                         f"max_steps={max_steps}; pass max_steps={len(steps)} or draw a smaller graph")
    names = kit.names(root)
    now = {root: 1.0}
    grads = [dict(now)]
    for s in steps:
        now[s.parent] = getattr(s, "total", s.grad_after)
        grads.append(dict(now))
    longest = max(len(kit.num(g)) for shown in grads for g in shown.values())
    width = 12 + 7 * (len("grad ") + longest)  # points: wide enough for every grad of every frame
    draw_args.setdefault("edge_labels", "local")
    graphs = [draw(root, grads=grads[0], _width=width, _fade=False,
                   caption=[f"backward starts: {names[root]}.grad = 1, every other grad 0", " "], **draw_args)]
    for n, s in enumerate(steps, 1):
        say = (f"step {n} of {len(steps)}: {names[s.parent]}.grad += {kit.num(s.local)} × {kit.num(s.upstream)}"
               f" (from {names[s.child]}) = {kit.num(s.contribution)}")
        graphs.append(draw(root, grads=grads[n], _width=width, _fade=False, highlight=[_Edge(s.parent, s.child, _position(s))],
                           caption=[say, f"{names[s.parent]}.grad is now {kit.num(grads[n][s.parent])}"], **draw_args))
    return Frames(graphs, grads)
