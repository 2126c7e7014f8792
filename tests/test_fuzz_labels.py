"""Fuzzing labels: any string (unicode of every category, lone surrogates, control characters, DOT
and HTML metacharacters) renders with the real `dot`, shows every letter it has, and cannot add or
remove a node or an edge; the text rendering keeps one line per node."""
import xml.etree.ElementTree as ET

from hypothesis import given, strategies as st

from autograd import Value, draw
from autograd.text import graph_text as text

METAS = ['|', '{', '}', '<', '>', '"', "'", '\\', '[', ']', ';', '=', '&', '#', ':', '-', '\n', '\r', '\t',
         '\\N', '\\G', '\\l', '\\n', '</TD>', '<B>', '&amp;', '"];', 'node', 'digraph', '->', '--', '\x00',
         '\x85', '\u2028', '\u2029', '\x0b']
SVG = "{http://www.w3.org/2000/svg}"

labels = st.one_of(
    st.text(max_size=16),
    st.lists(st.sampled_from(METAS), max_size=10).map("".join),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Mn"]), max_size=8),
    st.text(st.characters(min_codepoint=0x10000), max_size=6),
)


def _graph(la, lb, lc):
    a, b = Value(1.5, label=la), Value(-2.0, label=lb)
    c = a * b + 2.0 * a
    c.label = lc
    c.backward()
    return c


def _count(svg, kind):
    return sum(1 for g in svg.iter(f"{SVG}g") if g.get("class") == kind)


@given(labels, labels, labels, st.sampled_from([None, "local", "contribution"]))
def test_any_labels_render_with_dot_and_cannot_change_the_graph(la, lb, lc, edge_labels):
    c = _graph(la, lb, lc)
    svg = ET.fromstring(draw(c, edge_labels=edge_labels).pipe(format="svg"))
    # 3 Values with an op each (a*b, 2*a, +) and 2 leaves: 5 boxes, 3 op nodes, 1 constant node;
    # edges: 3 op -> box, 5 parent edges (a*b: 2, 2*a: 1, +: 2), 1 dashed constant edge.
    assert (_count(svg, "node"), _count(svg, "edge")) == (9, 9)
    shown = "".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    for label in (la, lb, lc):
        for ch in label:
            if ch.isalnum() and ch.isprintable():
                assert ch in shown, f"{ch!r} of {label!r} is not in the picture"


@given(labels, labels, labels)
def test_any_labels_keep_one_text_line_per_node(la, lb, lc):
    lines = text(_graph(la, lb, lc)).splitlines()
    assert len(lines) == 2 + 5, lines  # heading, column titles, one row per Value
