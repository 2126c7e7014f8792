"""Rich display (the HTML Jupyter shows), the explorer widget's kernel side, and `python -m autograd explore`.

Oracles: sympy's exact derivatives and hand-derived numbers of Olah's example (de/da = 2, de/db = 5,
paths of rates 2 and 3); central differences for the network.
"""
import json
import re
import subprocess
import sys

import pytest
import sympy

from autograd import Value, explain, trace_backward
from autograd.explore import explore
from autograd.explore.html import bpcheck_html, explanation_html, ledger_html, mlp_html, value_html
from autograd.explore.names import num, palette
from nn import MLP
from nn.nielsen import check_bp
import _examples


def olah():
    a, b, c, d, e = _examples.olah()
    return e, a, b


def cells(html):
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_value_html_shows_data_grad_and_a_small_drawing():
    e, a, b = olah()
    e.backward()
    out = value_html(b)
    assert cells(out)[:4] == ["b", "leaf", "1", "5"]
    assert "<svg" not in out  # a leaf has no graph below it worth drawing
    out = value_html(e)
    assert cells(out)[:4] == ["e", "*", "6", "1"] and "<svg" in out
    assert e._repr_html_() == out and repr(e) == "Value(data=6.0, grad=1.0, label='e')"


def test_explanation_html_lists_each_path_in_its_colour_and_the_sum_against_backward():
    e, a, b = olah()
    out = explanation_html(explain(e, b))
    colours = re.findall(r'class="pg-sw" style="background:(#[0-9a-fA-F]{6})"', out)
    assert colours == palette()[:2]
    drawn = out[out.index("<svg"):].lower()  # the drawing below the table: each path's edges in its colour
    assert all(f'stroke="{c.lower()}"' in drawn for c in colours)
    assert ["b → c → e", "1 × 2", "2"] == cells(out)[1:4] and ["b → d → e", "1 × 3", "3"] == cells(out)[5:8]
    assert "sum of rates = 5    backward de/db = 5    difference = 0" in out
    assert "<svg" in out


def test_labels_are_text_in_every_table():
    bad = '<script>alert("x")</script> & </svg>'
    x = Value(3.0, label=bad)
    y = x * x
    y.backward()
    for out in (value_html(y), explanation_html(explain(y, x)), ledger_html(trace_backward(y))):
        assert "<script>alert" not in out and "</svg> &" not in out
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;/svg&gt;" in out


def test_ledger_html_has_one_row_per_edge_with_this_backwards_running_totals():
    e, a, b = olah()
    rows = cells(ledger_html(trace_backward(e)))
    steps = [rows[i:i + 6] for i in range(0, 30, 6)]
    assert [s[1] for s in steps] == ["c.grad", "d.grad", "b.grad", "a.grad", "b.grad"]
    assert [s[5] for s in steps] == ["2", "3", "3", "2", "5"]  # b: 3 through d, then 5 in all


def test_bpcheck_and_mlp_html():
    model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=3)
    out = bpcheck_html(check_bp(model, [0.3, -0.2], [1.0, 0.0]))
    assert out.count("<td>BP") == 2 + 3 + (3 + 2) + (6 + 6)
    assert "all four equations hold" in out
    assert "<svg" in mlp_html(model) and "MLP(2 -&gt; 3 sigmoid -&gt; 2 sigmoid)" in mlp_html(model)


def sympy_f(av, bv):
    a, b = sympy.symbols("a b")
    f = (a * b + sympy.exp(b)) * sympy.cos(a)
    at = {a: av, b: bv}
    return float(f.subs(at)), float(sympy.diff(f, a).subs(at)), float(sympy.diff(f, b).subs(at))


def test_widget_sliders_recompute_in_the_kernel():
    a, b = Value(0.4, label="a"), Value(-0.3, label="b")
    f = (a * b + b.exp()) * a.cos()
    f.label = "f"
    w = explore(f).widget()
    assert w.live and "export default" in w._esm
    w.values = {"0": 1.25}  # node 0 is a, the first leaf in topological order
    fv, _, _ = sympy_f(1.25, -0.3)
    assert w.data["nodes"][-1]["data"] == pytest.approx(fv, rel=1e-13)
    assert a.data == 1.25 and w.data["nodes"][0]["data"] == 1.25
    # the local derivative on the edge a -> cos(a) is -sin(a) at the new a
    cos = next(i for i, n in enumerate(w.data["nodes"]) if n["op"] == "cos")
    edge = next(e for e in w.data["edges"] if e["child"] == cos)
    assert edge["local"] == pytest.approx(-float(sympy.sin(1.25)), rel=1e-13)
    with pytest.raises(ValueError, match="not a leaf"):
        w.values = {str(cos): 2.0}


def test_explorer_displays_as_the_widget_and_saves_a_page(tmp_path):
    e, a, b = olah()
    view = explore(e)
    data, _ = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    page = open(view.save(str(tmp_path / "p.html")), encoding="utf-8").read()
    blob = re.search(r'<script id="pathgrad-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert [n["name"] for n in json.loads(blob)["nodes"]] == ["a", "b", "c", "d", "e"]
    assert repr(view) == "Explorer(de: 5 nodes, 5 edges)"


def test_cli_explore_writes_one_page_and_refuses_other_suffixes(tmp_path):
    out = tmp_path / "olah.html"
    run = [sys.executable, "-m", "autograd", "explore", "(a+b)*(b+1)", "a=2", "b=1"]
    done = subprocess.run(run + ["-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"wrote {out}"
    assert "<script src" not in out.read_text() and "pathgrad-data" in out.read_text()
    bad = subprocess.run(run + ["-o", str(tmp_path / "x.svg")], capture_output=True, text=True)
    assert bad.returncode == 2 and "name it .html" in bad.stderr and not (tmp_path / "x.svg").exists()
    assert num(5.0) == "5"


def test_groups_nudge_and_through_explanations_display_as_tables():
    from autograd import nudge
    e, a, b = olah()
    r = explain(e, b)
    groups = cells(r.by_first_edge()._repr_html_())
    assert groups[1:5] == ["b → c", "1", "2", "2"] and groups[7:11] == ["b → d", "1", "3", "3"]
    assert "sum of subtotals = 5" in r.by_first_edge()._repr_html_()
    assert r._repr_html_() == explanation_html(r) and trace_backward(e)._repr_html_().count("<tr>") == 6
    n = nudge(e, b, hs=(0.1,))
    row = cells(n._repr_html_())[:6]
    # e(b + h) - e(b) = (3 + h)(2 + h) - 6 = 5h + h^2 at h = 0.1: 0.51; h*rates 0.2 and 0.3; leftover h^2
    assert [float(c) for c in row] == pytest.approx([0.1, 0.51, 0.5, 0.2, 0.3, 0.01], rel=1e-9)


def test_a_networks_bp2_and_waypoint_paths_display_with_central_difference_numbers():
    from nn.nielsen import Nielsen
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    x, y = [0.5, -1.0], [1.0, 0.0]
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y)
    net.name_nodes()
    C.backward()

    def central(p):
        return _examples.central_difference(lambda: _examples.quadratic_cost(model, x, y), p)

    out = net.bp2(C, 3, 2)._repr_html_()
    assert out.count('class="pg-sw"') == 2  # one term per neuron of layer 4
    delta = float(re.search(r"= (\S+)    backward dC/dz\^3_2", out).group(1))
    assert delta == pytest.approx(central(net.b(3, 2)), rel=1e-5)
    w = net.w(2, 1, 2)
    out = explain(C, w, through=net.waypoints())._repr_html_()
    rows = re.findall(r"<td>(w\^2_12 → [^<]*)</td>", out)
    assert len(rows) == 6 and all(r.endswith("→ C") for r in rows)
    assert "<svg" not in out  # waypoint paths are not graph edges: no graph drawing
    assert model._repr_html_().count("<svg") == 1
