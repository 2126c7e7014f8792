"""What every drawing shares: the graphviz import, escaping, colours, node names, numbers, and the
layout settings chosen by size so that `dot` finishes in seconds on every graph `draw` accepts."""
import re

from .engine import Value, topo_order
from .text import node_names, num, plain, visible  # noqa: F401 (one name, one number format)

FONT = "Helvetica"
FADED, FADED_TEXT = "#d0d0d0", "#a8a8a8"
POSITIVE, NEGATIVE = (33, 102, 172), (178, 24, 43)       # blue, red: the sign of a weight or grad
BLUES = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]
# Okabe & Ito's colour-blind-safe palette, without its yellow (unreadable as a line on white).
PALETTE = ("#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000")

# dot's slow phase on big graphs is routing curved edges around the boxes: a random 492-node graph
# took 117 s with curved edges and 2 s with straight ones; 150 nodes took 1.7 s curved. So graphs past
# SPLINE_LIMIT Values get straight edges, and past EFFORT_LIMIT a capped rank and crossing search.
SPLINE_LIMIT, EFFORT_LIMIT = 100, 150


def layout(n):
    """dot's graph attributes for a drawing of n Values: curved edges while that stays fast."""
    attrs = {}
    if n > SPLINE_LIMIT:
        attrs["splines"] = "line"
    if n > EFFORT_LIMIT:
        attrs.update(nslimit="1", nslimit1="1", mclimit="0.1")
    return attrs


def graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("drawing needs the graphviz Python package and Graphviz's dot program: "
                          "pip install pathgrad[draw] (dot: apt-get install graphviz, or brew install "
                          "graphviz); show(root) prints the graph as text without them") from None
    return graphviz


def names(root):
    """The name of every node below root, as text views call it: its label, `(op)#i` or `leaf#i`."""
    return node_names(root)


def grad(v):
    g = v.grad
    return g.data if type(g) is Value else g


def checked_order(root, max_nodes, who):
    if type(root) is not Value:
        raise TypeError(f"{who}: expected a Value, got {type(root).__name__}: {root!r:.60}")
    order = topo_order(root)
    if len(order) > max_nodes:
        name = f"{root.label!r}" if root.label else "this node"
        raise ValueError(
            f"{who}: the graph below {name} has {len(order)} nodes, more than max_nodes={max_nodes} "
            f"(dot would take minutes to lay it out). Raise the limit ({who}(root, max_nodes={len(order)})), "
            f"{who} a sub-graph (an intermediate node as root), or for a network use draw_network(model)")
    return order


def html(label):
    """A label inside an HTML-like graphviz label: escaped, so no string can change the graph.
    ASCII punctuation becomes numeric entities (dot's lexer trips on some, such as a lone "]"), and
    backslashes are doubled because graphviz reads \\N, \\G, \\E in labels as the node's name etc."""
    lines = label.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<BR/>".join("".join(_entity(ch) for ch in "".join(map(visible, line))) for line in lines)


def _entity(ch):
    if ch == "\\":
        return "&#92;&#92;"
    return f"&#{ord(ch)};" if ch < "\x7f" and not ch.isalnum() and ch != " " else ch


def hexcolour(rgb, alpha=None):
    return "#%02x%02x%02x" % rgb + ("" if alpha is None else "%02x" % round(255 * alpha))


def ratio(x, top):
    """|x| / top in [0, 1] for colour scales: NaN counts as 0, and an infinite top puts only inf at 1."""
    x = abs(x)
    if x != x or top == 0:
        return 0.0
    if top == float("inf"):
        return 1.0 if x == top else 0.0
    return min(x / top, 1.0)


def scale(stops, t):
    """Linear interpolation through colour stops, t in [0, 1]."""
    t = t * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    return tuple(round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1]))


def legend(rows, size=11):
    """An HTML-like table of caption rows, each (text already escaped, colour or None), left-aligned."""
    cells = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="{size}"'
                    f'{f" COLOR={chr(34)}{c}{chr(34)}" if c else ""}>{t}</FONT></TD></TR>' for t, c in rows)
    return f'<<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="0">{cells}</TABLE>>'


DOT_TIMEOUT = 60  # seconds; layout settings keep every graph draw accepts far below it


def render(graph, fmt, timeout=DOT_TIMEOUT):
    """The picture as bytes in format fmt (svg, png, pdf...), from Graphviz run with a time bound:
    TimeoutError, saying what to do, instead of a process that runs on for minutes."""
    import subprocess
    try:
        done = subprocess.run([graph.engine, f"-T{fmt}"], input=graph.source.encode("utf-8"),
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"Graphviz's {graph.engine} took more than {timeout} s to lay out the graph; "
                           f"draw a smaller part of it (an intermediate node as root)") from None
    except FileNotFoundError:
        raise FileNotFoundError(f"Graphviz's {graph.engine} program is not installed "
                                f"(apt-get install graphviz, or brew install graphviz)") from None
    if done.returncode:
        raise ValueError(f"Graphviz's {graph.engine} failed: {done.stderr.decode('utf-8', 'replace')[:300]}")
    return done.stdout


_SCRIPT = re.compile(r"([A-Za-zδσ]+)\^(\d+|\(l\+1\)|l|m)_(\{[^}]*\}|[0-9a-z]+(?:,[0-9a-z]+)*)")
_UP = dict(zip("0123456789lm()+", "⁰¹²³⁴⁵⁶⁷⁸⁹ˡᵐ⁽⁾⁺"))
_DOWN = dict(zip("0123456789jklmn,", "₀₁₂₃₄₅₆₇₈₉ⱼₖₗₘₙ,"))


def script(sym, up, down):
    """Nielsen's a^2_1 as one would write it, a²₁, in Unicode (SVG viewers draw graphviz's <SUB> apart)."""
    if all(c in _UP for c in up) and all(c in _DOWN for c in down):
        return sym + "".join(_UP[c] for c in up) + "".join(_DOWN[c] for c in down)
    return f"{sym}^{up}_{down}"


def rich(text):
    """html(text) with Nielsen's a^2_1, w^3_12 and delta^l_j written with super- and subscripts."""
    return html(_SCRIPT.sub(lambda m: script(m.group(1), m.group(2), m.group(3).strip("{}")), text))
