"""Interactive views of a graph or a network: `explore(y)`, `explore(model, x, target)`; rich display.

    view = explore(y)            # in Jupyter: click a node, step through backward, move the sliders
    view.save("olah.html")       # the same view as one self-contained page (no server, no network)
    explore(model, x, target)    # Nielsen's picture of a network: a weight's paths, a neuron's BP2 terms

One front end (explorer.js and explorer.css, package data) serves both: the Jupyter widget is an
anywidget whose sliders recompute in the kernel; the saved page inlines the same script and
recomputes in the browser from the exported graph (its ops' forward values and local derivatives).
"""
from ..engine import Value
from .export import MAX_NODES, graph_data
from .names import palette

__all__ = ["explore", "Explorer"]


def explore(obj, x=None, target=None, *, cost="quadratic", max_nodes=MAX_NODES):
    """An `Explorer` of the graph below the Value `obj`, or of the network `obj` (an MLP, read as
    model.layers[i].neurons[j].w[k]) on input x with target `target` and cost "quadratic"
    (C = 1/2 sum_j (a^L_j - y_j)^2) or "cross-entropy". Exploring a network runs its forward and
    backward: the model's grads are dC/dparam afterwards. Graphs above `max_nodes` nodes are refused."""
    if type(obj) is Value:
        if x is not None or target is not None:
            raise TypeError("explore(y) of a Value takes no input or target; those are for explore(model, x, target)")
        return Explorer(graph_data(obj, max_nodes), obj)
    if hasattr(obj, "layers") and hasattr(obj, "parameters"):
        if x is None or target is None:
            raise TypeError(f"explore(model, x, target): a network needs an input x and a target, "
                            f"got x={x!r:.40}, target={target!r:.40}")
        from .network import network_data
        return Explorer(network_data(obj, x, target, cost), None)
    raise TypeError(f"explore takes a Value (explore(y)) or an MLP with an input and a target "
                    f"(explore(model, x, target)), got {type(obj).__name__}: {obj!r:.60}")


class Explorer:
    """What `explore` returns: displays itself in Jupyter as the interactive widget, `.save(path)`
    writes the standalone page, `.html()` returns it, `.data` is the exported graph (plain data)."""

    def __init__(self, data, root):
        data["palette"] = palette()
        self.data, self._root = data, root

    def html(self):
        """The standalone page as a str: every script and style inlined, no network request."""
        from .page import page
        what = f"d{self.data['output']}" if self.data["kind"] == "graph" else "a network's paths"
        return page(self.data, f"pathgrad explorer: {what}")

    def save(self, path):
        """Write the standalone page to `path` (atomically: a failure leaves no half-written file)."""
        from .._files import atomic_write
        return atomic_write(path, self.html())

    def widget(self):
        """The Jupyter widget (anywidget); its sliders recompute the graph in the kernel."""
        from .widget import ExploreWidget
        return ExploreWidget(self.data, self._root)

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            w = self.widget()
        except ImportError:  # no anywidget: the page itself, in an iframe-free HTML block
            return {"text/plain": repr(self), "text/html": self.html()}
        return w._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self):
        d = self.data
        if d["kind"] == "graph":
            return f"Explorer(d{d['output']}: {len(d['nodes'])} nodes, {len(d['edges'])} edges)"
        return f"Explorer(network {'-'.join(map(str, d['sizes']))}, {d['costname']} cost)"
