"""One name per node and one number format in every view: show, explain, trace_backward, draw and the
command line call the same node the same thing, so a learner can match a table row to a picture's box."""
import html
import io

import pytest

from autograd import Value, draw, explain, node_names, paths, show, trace_backward
from autograd.__main__ import main
from autograd.text import graph_text, num

# The rule, by hand, for tanh(x*x' + w) * x with two leaves labelled x, an unlabelled leaf w and the
# output labelled y: 1-based positions in the topological order (inputs first), labels used twice get #i.
EXPECTED = ["x#1", "x#2", "(*)#3", "leaf#4", "(+)#5", "(tanh)#6", "y"]


def graph():
    """The nodes of tanh(x*x' + w) * x in the order the rule numbers them, the output y last."""
    x1, x2, w = Value(2.0, label="x"), Value(3.0, label="x"), Value(0.5)
    s = x1 * x2
    t = s + w
    u = t.tanh()
    y = u * x1
    y.label = "y"
    return [x1, x2, s, w, t, u, y]


def test_node_names_follow_the_rule():
    nodes = graph()
    names = node_names(nodes[-1])
    assert [names[v] for v in nodes] == EXPECTED


def test_show_explain_trace_and_the_cli_call_every_node_by_the_same_name(capsys):
    nodes = graph()
    y, w = nodes[-1], nodes[3]
    want = dict(zip(nodes, EXPECTED))
    ledger = trace_backward(y)

    # show: row i is the node at position i, under its name; contributions name the child they come from
    out = io.StringIO()
    show(y, file=out)
    rows = out.getvalue().splitlines()[2:]
    assert [r.split()[:2] for r in rows] == [[str(i), n] for i, n in enumerate(EXPECTED, 1)]
    assert rows[3].endswith("from (+)#5")  # w's only edge goes into (+)#5

    # explain: w's one path, node by node
    (p,) = paths(y, w)
    assert " -> ".join(want[v] for v in p.nodes) == "leaf#4 -> (+)#5 -> (tanh)#6 -> y"
    assert "leaf#4 -> (+)#5 -> (tanh)#6 -> y " in str(explain(y, w)) and "dy/dleaf#4" in str(explain(y, w))

    # trace_backward: every += step names its parent and its child
    lines = str(ledger).splitlines()[1:]
    assert len(lines) == len(ledger) == 7  # one += per edge: y 2, tanh 1, + 2, * 2
    for line, s in zip(lines, ledger):
        assert f" {want[s.parent]}.grad += " in line and f"(from {want[s.child]})" in line

    # the command line: the same expression, variables labelled by name (constants are not nodes)
    code = main(["show", "tanh(x*z + w) * x", "x=2", "z=3", "w=0.5", "--name", "y"])
    rows = capsys.readouterr().out.splitlines()[2:]
    assert code == 0
    assert [r.split()[:2] for r in rows] == [["1", "x"], ["2", "z"], ["3", "(*)#3"], ["4", "w"], ["5", "(+)#5"],
                                             ["6", "(tanh)#6"], ["7", "y"]]
    assert main(["trace", "tanh(x*z + w) * x", "x=2", "z=3", "w=0.5", "--name", "y"]) == 0
    assert "(tanh)#6.grad += " in capsys.readouterr().out
    assert main(["explain", "tanh(x*z + w) * x", "x=2", "z=3", "w=0.5", "--name", "y", "--wrt", "w"]) == 0
    assert "w -> (+)#5 -> (tanh)#6 -> y " in capsys.readouterr().out


def test_draw_calls_every_node_by_the_same_name():
    source = html.unescape(draw(graph()[-1]).source)
    for name in EXPECTED:
        assert f">{name}<" in source, name


def test_show_prints_one_row_per_node_and_the_contributions_that_make_each_grad():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c, d = a + b, b + 1
    c.label, d.label = "c", "d"
    e = c * d
    e.label = "e"
    e.backward()
    out = io.StringIO()
    assert show(e, file=out) is None
    lines = out.getvalue().splitlines()
    assert lines[0] == "5 nodes below e, inputs first" and len(lines) == 2 + 5
    rows = {ln.split()[1]: ln for ln in lines[2:]}
    assert rows["b"].endswith("2 from c + 3 from d")  # de/db = (b+1) + (a+b) = 2 + 3: one term per path
    assert "b, 1" in rows["d"] and rows["e"].endswith("seed")


def test_show_before_backward_says_grads_are_zero(capsys):
    x = Value(2.0, label="x")
    (x * x).show()
    assert "call backward()" in capsys.readouterr().out


HOSTILE = ["|", "{a|b}", "<b>", '"', "\\", "a\nb", "x\\ny", "&amp; &#60;", "δC/δw 日本 🙂", "a\u2028b", "\r\n",
           "\x1b[31m", "x" * 100]


def test_show_keeps_one_line_per_node_whatever_the_labels_and_writes_them_whole():
    leaves = [Value(float(i), label=lab) for i, lab in enumerate(HOSTILE)]
    root = sum(leaves[1:], leaves[0])
    root.backward()
    out = io.StringIO()
    show(root, file=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 + 2 * len(leaves) - 1  # heading, column names, the leaves and the + nodes
    assert "a\\nb" in out.getvalue() and "a\\u2028b" in out.getvalue() and "\\x0d\\n" in out.getvalue()
    assert "\\x1b[31m" in out.getvalue() and "x" * 100 in out.getvalue()  # spelled out, never cut


@pytest.mark.parametrize("x,text", [
    (2.0, "2"), (-3.0, "-3"), (0.0, "0"), (-0.0, "0"), (1e6, "1000000"), (0.5, "0.5"), (1 / 3, "0.333333"),
    (-2 / 3, "-0.666667"), (1.5e-7, "1.5e-7"), (123456.7, "123457"), (1234567.8, "1.23457e+6"),
    (1e300, "1e+300"), (float("inf"), "inf"), (float("-inf"), "-inf"), (float("nan"), "nan"),
    (Value(4.0), "4"), (True, "1"),
])
def test_num_writes_whole_numbers_plainly_and_the_rest_to_six_digits(x, text):
    assert num(x) == text
    if text not in ("inf", "-inf", "nan") and not isinstance(x, Value):
        assert abs(float(text) - float(x)) <= 5e-6 * abs(float(x))  # the text reads back as the number


def test_a_paths_repr_names_its_nodes_as_explain_does():
    nodes = graph()
    y, w = nodes[-1], nodes[3]
    (p,) = paths(y, w)
    assert repr(p).startswith("Path(leaf#4 -> (+)#5 -> (tanh)#6 -> y; rate=")
    assert repr(p) == f"Path(leaf#4 -> (+)#5 -> (tanh)#6 -> y; rate={num(p.rate)})"
    assert " -> ".join(node_names(y)[v] for v in p.nodes) in str(explain(y, w))
