"""The explorer as a Jupyter widget: anywidget running the same explorer.js as the saved page.

The front end sends slider moves as `values` ({node index: new data}); the kernel sets those leaves'
data, replays the recorded graph (Tape.forward: every node's data and local derivatives from the ops
table) and sends the exported graph back as `data`, which the front end redraws. The widget holds the
graph it shows (that is what the sliders move); it lets go of it when the widget is closed or dropped.
"""
import anywidget
import traitlets

from ..replay import Tape
from .export import graph_data
from .names import palette
from .page import asset


class ExploreWidget(anywidget.AnyWidget):
    """anywidget with traits `data` (the exported graph or network), `live` (True: recompute in the
    kernel) and `values` (slider moves from the front end)."""

    _esm = asset("explorer.js")
    _css = asset("explorer.css")
    data = traitlets.Dict().tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    values = traitlets.Dict().tag(sync=True)

    def __init__(self, data, root=None):
        self._tape = Tape(root) if root is not None else None
        super().__init__(data=data, live=root is not None)

    @traitlets.observe("values")
    def _moved(self, change):
        if self._tape is None or not change["new"]:
            return
        nodes = self._tape.nodes
        for i, v in change["new"].items():
            node = nodes[int(i)]
            if node.op:
                raise ValueError(f"explore: node {i} is not a leaf; only leaves have sliders")
            node.data = float(v)
        self._tape.forward()
        data = graph_data(self._tape.output, max_nodes=len(nodes))
        data["palette"] = palette()
        self.data = data
