"""Drawings rendered for real by Graphviz's `dot` (and `neato` for networks): what the SVG shows is
checked against hand-computed values, and its node and edge elements against the graph's structure."""
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, draw, draw_network, node_names, paths, show
from nn import MLP
from _examples import olah_after_backward as olah

SVG = "{http://www.w3.org/2000/svg}"
ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def svg(graph):
    return graph.pipe(format="svg").decode("utf-8")


def texts(svg_source):
    """Every piece of text the SVG shows, with dot's non-breaking spaces read as spaces."""
    tree = ET.fromstring(svg_source)
    return ["".join(t.itertext()).replace("\xa0", " ") for t in tree.iter(f"{SVG}text")]


def count(svg_source, kind):
    return len(re.findall(rf'<g id="[^"]*" class="{kind}">', svg_source))


def expected_elements(root):
    """(nodes, edges) the drawing should have: a box per Value, an op node per computed Value with an
    edge to it, an edge per parent edge, and a node and an edge per constant operand."""
    order, nodes, edges, seen, stack = [], 0, 0, set(), [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        nodes += 1
        if v.op:
            consts = sum(type(a) is not Value for a in v.args)
            nodes += 1 + consts
            edges += 1 + consts + len(v.parents)
        stack.extend(v.parents)
    return nodes, edges


def test_svg_shows_every_label_data_and_grad_of_the_fanout_example():
    *_, e = olah()
    shown = texts(svg(draw(e)))
    for label, data, grad in [("a", "2", "2"), ("b", "1", "5"), ("c", "3", "2"),
                              ("d", "2", "3"), ("e", "6", "1")]:
        assert label in shown
        assert f"data {data}" in shown and f"grad {grad}" in shown
    assert "1" in shown  # the constant of b + 1 is drawn


def test_show_grad_false_draws_no_grads():
    *_, e = olah()
    assert not [t for t in texts(svg(draw(e, show_grad=False))) if t.startswith("grad")]


def test_a_times_a_draws_two_edges_each_with_its_local_derivative():
    a = Value(3.0, label="a")
    y = a * a
    y.backward()
    s = svg(draw(y, edge_labels="local"))
    assert (count(s, "node"), count(s, "edge")) == (3, 3)  # a, *, y; a->* twice, *->y
    assert texts(s).count("3") == 2  # d(a*a)/da along each edge is the other factor, a = 3
    assert "grad 6" in texts(s)


def test_contribution_labels_are_what_each_edge_added_and_sum_to_the_fanout_grad():
    *_, e = olah()
    shown = texts(svg(draw(e, edge_labels="contribution")))
    # b -> c adds 1 * de/dc = 2 and b -> d adds 1 * de/dd = 3: de/db = 5, one contribution per path.
    assert shown.count("+2") == 3 and shown.count("+3") == 2  # a->c, b->c, c->e; b->d, d->e


def test_a_constant_operand_is_a_small_node_and_not_a_parent():
    x = Value(1.5, label="x")
    y = 2 * x
    src = draw(y).source
    assert re.search(r'c1_0 \[label=2 ', src)
    assert "c1_0 -> op1" in src and "style=dashed" in src


@pytest.mark.parametrize("build", [
    lambda: olah()[-1],
    lambda: (lambda a: a * a)(Value(3.0)),
    lambda: (lambda x, w, b: (x[0] * w[0] + x[1] * w[1] + b).tanh())(
        [Value(2.0), Value(0.0)], [Value(-3.0), Value(1.0)], Value(6.8813735870195432)),
    lambda: (lambda x: (2 * x - 1) ** 2 / 3 + x.exp().log().relu() - (1 / x))(Value(0.7)),
    lambda: Value(4.0),
])
def test_svg_has_one_element_per_node_and_edge_of_the_graph(build):
    root = build()
    root.backward()
    s = svg(draw(root, edge_labels="local", sums=False))
    assert (count(s, "node"), count(s, "edge")) == expected_elements(root)


OPS = ["+", "*", "-", "tanh", "const"]


@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_random_graphs_render_with_one_element_per_node_and_edge(program):
    vals = [Value(0.5, label="x"), Value(-1.25, label="y")]
    for op, i, j in program:
        a, b = vals[i % len(vals)], vals[j % len(vals)]
        vals.append({"+": lambda: a + b, "*": lambda: a * b, "-": lambda: a - b,
                     "tanh": lambda: a.tanh(), "const": lambda: 0.5 * a + 3}[op]())
    root = vals[-1]
    root.backward()
    s = svg(draw(root, edge_labels="contribution", sums=False))
    assert (count(s, "node"), count(s, "edge")) == expected_elements(root)


HOSTILE = ["|", "{a|b}", "<b>", '"', "\\", "a\nb", "x\\ny", "</TD></TR></TABLE>>]; n0 -> n1 [",
           '"]; evil [label="x', "&amp; &#60;", "{ } < > \" \\ | \n", "δC/δw 日本 🙂", "\\N \\G \\L", "<<>>", "]", "]]", "[", "--", "-&gt;"]


def test_hostile_labels_render_verbatim_and_cannot_change_the_graph():
    leaves = [Value(float(i), label=lab) for i, lab in enumerate(HOSTILE)]
    root = sum(leaves[1:], leaves[0])
    root.label = HOSTILE[3]
    root.backward()
    s = svg(draw(root, sums=False))
    shown = [t.strip() for t in texts(s)]
    for v, name in node_names(root).items():  # a label used twice is told apart by #i, as in text views
        for line in name.split("\n"):
            assert not line.strip() or line.strip() in shown, (v.label, line)
    assert (count(s, "node"), count(s, "edge")) == expected_elements(root)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp")) | st.sampled_from("\n\r"),
               max_size=30))
def test_any_printable_label_renders_line_by_line(label):
    v = Value(1.0, label=label) * 2.0
    v.label = label
    s = svg(draw(v))
    shown = {t.strip() for t in texts(s)}
    for name in node_names(v).values():  # the label twice: `label#1` and `label#2`
        for line in name.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").split("\n"):
            assert not line.strip() or line.strip() in shown
    assert (count(s, "node"), count(s, "edge")) == (4, 3)


def test_control_characters_are_spelled_out_not_passed_to_dot():
    v = Value(1.0, label="a\x00b\tc\x1b[31m\ufffe\u2028")
    assert "a\\x00b\\x09c\\x1b[31m\\ufffe\\u2028" in texts(svg(draw(v)))


def test_past_max_nodes_draw_and_show_raise_saying_how_many_and_what_to_do():
    x = Value(1.0, label="x")
    for _ in range(20):
        x = x + 1.0
    for fn in (draw, show):
        with pytest.raises(ValueError, match=r"21 nodes.*max_nodes=10") as err:
            fn(x, max_nodes=10)
        assert "max_nodes=21" in str(err.value) and "sub-graph" in str(err.value)
    with pytest.raises(ValueError, match="draw_network"):
        draw(x, max_nodes=10)
    assert draw(x, max_nodes=21) is not None


def test_a_million_node_chain_raises_max_nodes_without_recursing():
    x = Value(0.0)
    for _ in range(10 ** 6):
        x = x + 1.0
    with pytest.raises(ValueError, match="1000001 nodes"):
        draw(x)


DETERMINISM = textwrap.dedent("""
    import random, sys
    junk = [object() for _ in range(random.randrange(1, 5000))]  # shift every id()
    from autograd import Value, draw
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    e = c * (b + 1) + (a * a).tanh() * 3
    e.backward()
    sys.stdout.write(draw(e, edge_labels="contribution", color_by_grad=True, highlight=[b, (a, c)]).source)
""")


def test_dot_source_is_identical_in_two_separate_processes():
    outs = [subprocess.run([sys.executable, "-c", DETERMINISM], capture_output=True, text=True, check=True,
                           cwd=ROOT_DIR, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert outs[0] == outs[1] and "digraph" in outs[0]


def highlighted(svg_source, kind):
    """How many node or edge elements of the SVG are drawn in the highlight colour."""
    groups = [g for g in ET.fromstring(svg_source).iter(f"{SVG}g") if g.get("class") == kind]
    return sum(any(x.get("stroke") == "#e6550d" for x in g.iter()) for g in groups)


def test_highlighting_nodes_colours_them_and_the_edges_between_them_only():
    a, b, c, d, e = olah()
    s = svg(draw(e, highlight=[b, d, e, (b, d), (d, e)]))
    assert highlighted(s, "node") == 3 + 2  # boxes b, d, e; the op nodes + of d and * of e
    assert highlighted(s, "edge") == 4  # b -> +, + -> d, d -> *, * -> e
    assert 'stroke="#d0d0d0"' in s


def test_highlight_tells_apart_the_two_edges_of_a_times_a():
    a = Value(3.0, label="a")
    y = a * a
    first = next(paths(y, a))
    src = draw(y, highlight=first).source
    assert len(re.findall(r"n0 -> op1 \[[^]]*penwidth=2.5", src)) == 1
    assert len(re.findall(r"n0 -> op1 \[[^]]*penwidth=1\b", src)) == 1


def test_highlight_takes_a_single_value_as_a_list_of_one():
    a, b, c, d, e = olah()
    assert draw(e, highlight=b).source == draw(e, highlight=[b]).source
    assert draw(e, highlight=paths(e, b)).source == draw(e, highlight=list(paths(e, b))).source
    with pytest.raises(TypeError, match="highlight"):
        draw(e, highlight=3)


def test_highlight_of_a_node_outside_the_graph_or_a_non_edge_raises():
    a, b, c, d, e = olah()
    with pytest.raises(ValueError, match="not a node"):
        draw(e, highlight=[Value(1.0, label="stranger")])
    with pytest.raises(ValueError, match="not a parent"):
        draw(e, highlight=[(a, d)])


def test_color_by_grad_fills_by_size_and_adds_a_legend_up_to_the_largest_grad():
    *_, e = olah()
    src = draw(e, color_by_grad=True).source
    assert "|grad|" in src and ">5<" in src  # legend runs from 0 to max |grad| = de/db = 5
    assert 'BGCOLOR="#08306b"' in src  # the darkest fill: b, with the largest |grad|


def test_bad_arguments_raise_builtin_errors():
    with pytest.raises(TypeError, match="expected a Value"):
        draw(2.0)
    with pytest.raises(ValueError, match="edge_labels"):
        draw(Value(1.0), edge_labels="rates")
    with pytest.raises(TypeError, match="expected an MLP"):
        draw_network(Value(1.0))


def test_import_autograd_works_without_graphviz_and_drawing_says_how_to_install_it():
    code = ("import sys; sys.modules['graphviz'] = None\n"
            "from autograd import Value, draw, show\n"
            "x = Value(1.0); show(x)\n"
            "try:\n    draw(x)\nexcept ImportError as e:\n    print('IMPORTERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT_DIR)
    assert "IMPORTERROR" in out.stdout and "pip install pathgrad[draw]" in out.stdout


def moons_model():
    return MLP(2, [16, 16, 1], seed=0)


def test_draw_network_draws_one_edge_per_weight_of_the_moons_model():
    model = moons_model()
    assert len(model.parameters()) == 337
    s = svg(draw_network(model))
    assert count(s, "edge") == 2 * 16 + 16 * 16 + 16 * 1
    assert count(s, "node") == 2 + 16 + 16 + 1 + 4  # the neurons, and a caption per layer


def test_nan_and_inf_grads_still_draw():
    x = Value(float("inf"), label="x")
    y = Value(float("nan"), label="y")
    root = x * 2.0 + y
    root.backward()
    shown = texts(svg(draw(root, color_by_grad=True, edge_labels="contribution")))
    assert "data inf" in shown and "data nan" in shown
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].w[0].grad = float("nan")
    model.layers[0].neurons[1].w[1].grad = float("inf")
    assert count(svg(draw_network(model, deltas={(0, 0): float("inf"), (0, 1): float("nan")})), "edge") == 6
