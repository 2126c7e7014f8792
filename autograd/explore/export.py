"""The graph below an output, exported as plain data for the explorer's front end.

The page needs, per node, its name (the one every table and drawing uses), op, data and the op's
arguments (node or constant), and per edge the local derivative d(child)/d(parent). From those the
front end enumerates the paths from any node to the output, sums their rates, and replays backward
one `+=` at a time (the same reverse sweep as `trace_backward`: nodes from the output down, each
node's parent edges in order). The drawing is graphviz's SVG, with `id`s the script can find: `v{i}`
for the i-th node in topological order (0-based), `e{k}` for the k-th edge in the order listed here.
Nothing returned keeps a reference to the graph.
"""
import math

from .. import _drawkit as kit
from ..engine import Value
from . import names as _names

MAX_NODES = 200  # past this a page is unreadable and dot takes long to lay it out


def number(x):
    """A float as JSON can carry it: finite numbers as themselves, nan/inf as strings."""
    x = x.data if type(x) is Value else float(x)
    return x if math.isfinite(x) else str(x)


def ordered(root, max_nodes):
    """topo_order(root), refused with a clear ValueError past `max_nodes` nodes (as draw refuses)."""
    return kit.checked_order(root, max_nodes, "explore")


def graph_data(root, max_nodes=MAX_NODES):
    """{"kind": "graph", "nodes", "edges", "root", "svg"} for the graph below `root` (see the module doc).
    nodes[i] = {"name", "label", "op", "data", "args"}, args as ["n", node index] or ["c", constant];
    edges[k] = {"parent", "child", "pos", "local"}: the pos-th parent edge of node `child`."""
    order = ordered(root, max_nodes)
    names = _names.node_names(root)
    index = {id(v): i for i, v in enumerate(order)}
    nodes, edges = [], []
    for i, v in enumerate(order):
        args = [["n", index[id(a)]] if type(a) is Value else ["c", number(a)] for a in v.args]
        nodes.append({"name": names[v], "label": v.label, "op": v.op, "data": number(v.data), "args": args})
        for pos, (p, d) in enumerate(zip(v.parents, v.local_grads)):
            edges.append({"parent": index[id(p)], "child": i, "pos": pos, "local": number(d)})
    return {"kind": "graph", "nodes": nodes, "edges": edges, "root": len(order) - 1,
            "output": names[root], "svg": graph_svg(order, names, edges)}


def graph_svg(order, names, edges):
    """graphviz's SVG of the graph: one box per node (name, op, data, grad), one edge per parent edge
    labelled with its local derivative. Labels go through the drawings' own escaping (_drawkit.html)."""
    g = kit.graphviz().Digraph("explore", graph_attr={"rankdir": "LR", "nodesep": "0.3", "fontname": kit.FONT,
                                                      **kit.layout(len(order))},
                            node_attr={"shape": "plain", "fontname": "Helvetica", "fontsize": "11"},
                            edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.6"})
    for i, v in enumerate(order):
        head = f"<B>{kit.html(names[v])}</B>" + (f" ({kit.html(v.op)})" if v.op and v.label else "")
        rows = [head, f"data {_names.num(v.data)}", "grad ?"]
        cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in rows)
        g.node(f"v{i}", f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="white">{cells}</TABLE>>',
               id=f"v{i}")
    for k, e in enumerate(edges):
        g.edge(f"v{e['parent']}", f"v{e['child']}", id=f"e{k}", label=_names.num(_float(e["local"])))
    svg = kit.render(g, "svg").decode()
    return svg[svg.index("<svg"):]  # the XML prolog and DOCTYPE are not allowed inside HTML


def _float(x):
    return float(x) if type(x) is str else x
