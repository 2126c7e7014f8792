"""The standalone explorer page, opened in a real (headless) Chromium: clicks, steps, sliders, labels.

Oracles: sympy's exact derivatives for the sums and grads the page shows, the engine's trace_backward
for each `+=` step, the graph's own structure for which edges are lit, and central differences for a
network's dC/dw and delta. Screenshots go to out/ (look at them).
"""
import math
import random

import pytest
import sympy

from autograd import Value, paths, topo_order, trace_backward
from autograd.explore import explore
from autograd.explore.names import num, palette
from nn import MLP

from _browser import Browser, screenshot
import _examples


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


def olah():
    a, b, c, d, e = _examples.olah()
    return e, a, b


def curly(av=0.7, bv=-1.3):
    """f = (a b + tanh b) sin a + a a / b, with a used four times and b three: many paths, two edges a*a."""
    a, b = Value(av, label="a"), Value(bv, label="b")
    f = (a * b + b.tanh()) * a.sin() + a * a / b
    f.label = "f"
    return f, a, b


def sympy_grads(av, bv):
    a, b = sympy.symbols("a b")
    f = (a * b + sympy.tanh(b)) * sympy.sin(a) + a * a / b
    at = {a: av, b: bv}
    return float(f.subs(at)), float(sympy.diff(f, a).subs(at)), float(sympy.diff(f, b).subs(at))


def edge_ids(root):
    """{(child, position in child.parents): 'e{k}'} numbering edges as the page does: nodes in
    topological order, each node's parent edges in order."""
    ids, k = {}, 0
    for v in topo_order(root):
        for pos in range(len(v.parents)):
            ids[id(v), pos] = f"e{k}"
            k += 1
    return ids


def node_id(root, v):
    return f"v{[id(u) for u in topo_order(root)].index(id(v))}"


def save(root, tmp_path, name):
    return explore(root).save(str(tmp_path / name))


def lit(page, selector):
    return set(page.eval_on_selector_all(selector, "els => els.map(e => e.id)"))


def value(page, selector):
    return float(page.get_attribute(selector, "data-value"))


def test_clicking_a_leaf_lights_exactly_its_paths_and_sums_to_the_exact_derivative(browser, tmp_path):
    f, a, b = curly()
    _, dfa, dfb = sympy_grads(0.7, -1.3)
    page, _, errors = browser.open(save(f, tmp_path, "curly.html"))
    ids = edge_ids(f)
    for x, exact in ((a, dfa), (b, dfb)):
        page.click(f"#{node_id(f, x)}")
        found = list(paths(f, x))
        on_paths = {ids[id(child), pos] for p in found for (_, child, pos) in p.edges}
        assert lit(page, "g.edge.pg-on") == on_paths
        assert page.locator("tr.pg-path").count() == len(found)
        striped = page.eval_on_selector_all(".pg-stripe", "ss => ss.map(s => [s.dataset.of, s.getAttribute('stroke')])")
        assert {e for e, _ in striped} == on_paths
        assert {c for _, c in striped} <= set(palette())
        assert value(page, ".pg-total") == pytest.approx(exact, rel=1e-12)
        assert value(page, ".pg-grad") == pytest.approx(exact, rel=1e-12)
        assert num(exact) in page.text_content(".pg-grad")
    assert errors == []


def test_olah_page_shows_two_paths_of_rates_2_and_3_and_screenshots(browser, tmp_path):
    e, a, b = olah()
    page, requests, errors = browser.open(save(e, tmp_path, "olah.html"))
    page.click(f"#{node_id(e, b)}")
    rows = [r.split("\t") for r in page.eval_on_selector_all(
        "tr.pg-path", "rs => rs.map(r => [...r.cells].slice(1).map(c => c.textContent).join('\\t'))")]
    assert rows == [["b → c → e", "1 × 2", "2"], ["b → d → e", "1 × 3", "3"]]
    assert value(page, ".pg-total") == 5 and value(page, ".pg-grad") == 5
    screenshot(page, "explore_olah_click.png")
    page.click(".pg-reset")
    for _ in range(3):
        page.click(".pg-step")
    assert page.get_attribute(".pg-said", "data-step") == "3"
    screenshot(page, "explore_olah_steps.png")
    assert errors == []


def test_stepping_shows_each_box_grad_as_trace_backward_has_it(browser, tmp_path):
    f, a, b = curly()
    path = save(f, tmp_path, "steps.html")  # before trace_backward: the page does not read any .grad
    ledger = trace_backward(f)
    order = topo_order(f)
    page, _, errors = browser.open(path)
    page.click(".pg-reset")
    grads = {id(v): 0.0 for v in order}
    grads[id(f)] = 1.0
    for n, step in enumerate(ledger, 1):
        page.click(".pg-step")
        grads[id(step.parent)] = step.grad_after
        shown = page.eval_on_selector_all(
            "g.node", "gs => gs.map(g => { const t = g.querySelectorAll('text'); const x = t[t.length - 1];"
                      " return [g.id, x.textContent, x.getAttribute('data-value')]; })")
        for i, (vid, text, raw) in enumerate(shown):
            want = grads[id(order[int(vid[1:])])]
            assert float(raw) == want, (n, vid)
            assert text == f"grad {num(want)}"
        assert lit(page, "g.edge.pg-current") == {edge_ids(f)[id(step.child), step.child.parents.index(step.parent)]} \
            or step.child.parents.count(step.parent) > 1
    assert errors == []


def test_the_page_makes_no_network_request(browser, tmp_path):
    f, a, b = curly()
    path = save(f, tmp_path, "offline.html")
    page, requests, errors = browser.open(path)
    page.click(f"#{node_id(f, a)}")
    page.click(".pg-play")
    page.wait_for_timeout(800)
    page.fill("input[type=range]", "0.25")
    assert requests == ["file://" + path]
    html = open(path, encoding="utf-8").read()
    assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html
    assert errors == []


def test_moving_a_slider_recomputes_as_sympy_does(browser, tmp_path):
    f, a, b = curly()
    page, _, errors = browser.open(save(f, tmp_path, "slider.html"))
    slider = page.locator(f"input[data-node='{node_id(f, a)[1:]}']")
    slider.fill("1.1")
    page.click(f"#{node_id(f, b)}")
    fv, _, dfb = sympy_grads(1.1, -1.3)
    texts = page.eval_on_selector(f"#{node_id(f, f)}", "g => [...g.querySelectorAll('text')].map(t => t.textContent)")
    assert f"data {num(fv)}" in texts
    assert value(page, ".pg-grad") == pytest.approx(dfb, rel=1e-12)
    assert value(page, ".pg-total") == pytest.approx(dfb, rel=1e-12)
    assert errors == []


def test_labels_are_shown_as_text_and_run_no_script(browser, tmp_path):
    bad = ['<script>window.pwned = 1</script>', '</svg><img src=x onerror="window.pwned=2">',
           '"quotes" & \'amps\' </script><!--']
    x, y, z = (Value(float(i + 1), label=s) for i, s in enumerate(bad))
    out = x * y + z
    out.label = "</title><b>out</b>"
    page, requests, errors = browser.open(save(out, tmp_path, "labels.html"))
    page.click(f"#{node_id(out, x)}")
    assert page.evaluate("window.pwned") is None
    assert page.locator("img").count() == 0 and page.locator("b").count() == 0
    boxes = page.eval_on_selector_all("g.node", "gs => gs.map(g => g.querySelector('text').textContent)")
    for s in bad + ["</title><b>out</b>"]:
        assert s in boxes
    assert bad[0] in page.text_content("table.pg-paths")
    assert len(requests) == 1 and errors == []


def test_network_page_lights_a_weights_paths_and_a_neurons_bp2_terms(browser, tmp_path):
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    x, y = [0.5, -1.0], [1.0, 0.0]
    path = explore(model, x, y).save(str(tmp_path / "network.html"))
    page, requests, errors = browser.open(path)

    def central(p):
        return _examples.central_difference(lambda: _examples.quadratic_cost(model, x, y), p)

    w = model.layers[0].neurons[0].w[1]  # w^2_12: neuron 2 of layer 1 -> neuron 1 of layer 2
    click_line(page, "w2_1_2")
    want = {"w2_1_2"} | {f"w3_{q}_1" for q in (1, 2, 3)} | {f"w4_{m}_{q}" for m in (1, 2) for q in (1, 2, 3)}
    assert lit(page, "g.weight.pg-on") == want
    assert page.locator("tr.pg-path").count() == 6
    assert value(page, ".pg-grad") == pytest.approx(central(w), rel=1e-6)
    assert value(page, ".pg-total") == pytest.approx(central(w), rel=1e-6)
    screenshot(page, "explore_network_click.png")
    page.click("#n3_2")  # a neuron of layer 3: BP2 over the two neurons of layer 4
    delta = central(model.layers[1].neurons[1].b)  # BP3: dC/db = delta
    assert page.locator("tr.pg-path").count() == 2
    assert value(page, ".pg-total") == pytest.approx(delta, rel=1e-6)
    assert value(page, ".pg-grad") == pytest.approx(delta, rel=1e-6)
    assert lit(page, "g.weight.pg-on") == {"w4_1_2", "w4_2_2"}
    screenshot(page, "explore_network_neuron.png")
    assert len(requests) == 1 and errors == []


def click_line(page, wid, at=0.2):
    """Click a weight's line a fifth of the way along it (its middle crosses other lines)."""
    x1, y1, x2, y2 = (float(page.get_attribute(f"#{wid} .ink", k)) for k in ("x1", "y1", "x2", "y2"))
    svg = page.locator("svg").bounding_box()
    scale = svg["width"] / float(page.get_attribute("svg", "width"))
    page.mouse.click(svg["x"] + scale * (x1 + at * (x2 - x1)), svg["y"] + scale * (y1 + at * (y2 - y1)))


def test_a_graph_too_big_is_refused_with_a_clear_error():
    y = Value(1.0, label="x")
    for _ in range(300):
        y = y * 1.0001
    with pytest.raises(ValueError, match="max_nodes=200"):
        explore(y)
    assert math.isclose(explore(y, max_nodes=301).data["nodes"][-1]["data"], 1.0001 ** 300)


def test_explore_of_something_else_says_what_it_takes():
    with pytest.raises(TypeError, match="explore takes a Value .* or an MLP"):
        explore(3.0)
    with pytest.raises(TypeError, match="needs an input x and a target"):
        explore(MLP(2, [1]))


def test_the_widget_front_end_is_the_same_module_and_sends_slider_moves_to_the_kernel(browser, tmp_path):
    """explorer.js loaded as anywidget loads it (an ES module, its default export's render) with a
    model whose `live` is on: a slider move goes to the kernel as `values`, and new `data` redraws."""
    from autograd.explore.page import asset
    from autograd.explore.widget import ExploreWidget
    f, a, b = curly()
    w = ExploreWidget(explore(f).data, f)
    host = tmp_path / "widget.html"
    host.write_text("<!DOCTYPE html><div id=host></div><script id=esm type=text/plain>" + asset("explorer.js")
                    + "</script><script>window.sent = [];</script>", encoding="utf-8")
    page, requests, errors = browser.open(str(host))
    page.evaluate("""data => import(URL.createObjectURL(new Blob([document.getElementById('esm').textContent],
        {type: 'text/javascript'}))).then(m => {
      const state = {data, live: true, values: {}}, handlers = {};
      window.model = {get: k => state[k], set: (k, v) => { state[k] = v; }, save_changes() { window.sent.push(state.values); },
                      on: (e, h) => { handlers[e] = h; }, push: d => { state.data = d; handlers['change:data'](); }};
      m.default.render({model: window.model, el: document.getElementById('host')});
    })""", w.data)
    page.locator("input[data-node='0']").fill("1.1")
    sent = page.evaluate("window.sent")
    assert sent and float(sent[-1]["0"]) == 1.1
    w.values = sent[-1]  # what anywidget would deliver to the kernel
    page.evaluate("d => window.model.push(d)", w.data)
    page.click(f"#{node_id(f, b)}")
    fv, _, dfb = sympy_grads(1.1, -1.3)
    assert value(page, ".pg-grad") == pytest.approx(dfb, rel=1e-12)
    assert f"data {num(fv)}" in page.text_content(f"#{node_id(f, f)}")
    assert len(requests) == 1 and errors == []


def test_a_graph_with_a_billion_paths_lists_64_and_sums_the_rest_by_factoring(browser, tmp_path):
    """Olah's ladder y <- sin(y) + cos(y): 2^30 paths from x after 30 rungs. The page lists the first
    64, counts all of them exactly and sums them by dynamic programming, as explain does, without hanging."""
    import math as m
    x = Value(0.3, label="x")
    y, exact, v = x, 1.0, 0.3
    for _ in range(30):
        exact *= m.cos(v) - m.sin(v)  # d/dv (sin v + cos v), the chain rule rung by rung (independent)
        v = m.sin(v) + m.cos(v)
        y = y.sin() + y.cos()
    page, requests, errors = browser.open(save(y, tmp_path, "ladder.html"))
    page.click(f"#{node_id(y, x)}")
    assert page.locator("tr.pg-path").count() == 64
    assert f"{2 ** 30} paths" in page.text_content(".pg-head")
    assert value(page, ".pg-total") == pytest.approx(exact, rel=1e-9)
    assert value(page, ".pg-grad") == pytest.approx(exact, rel=1e-9)
    assert len(requests) == 1 and errors == []


def test_the_page_writes_numbers_as_text_num_does(browser, tmp_path):
    e, a, b = olah()
    page, _, errors = browser.open(save(e, tmp_path, "numbers.html"))
    xs = [0.0, -0.0, 1.0, -3.0, 1e15, 1e16, 0.1, 1 / 3, -2.5e-5, 1e-7, 123456.5, 999999.5, 1234567.0 + 0.5,
          6.02214076e23, 5e-324, 1.7976931348623157e308, 0.00012345678, -987.654321]
    rng = random.Random(0)  # and 3000 more: any magnitude, and dyadic numbers, where ties live
    xs += [rng.choice((-1, 1)) * rng.random() * 10.0 ** rng.randint(-12, 22) for _ in range(2000)]
    xs += [rng.randint(-10 ** 9, 10 ** 9) / 2.0 ** rng.randint(0, 30) for _ in range(1000)]
    shown = page.evaluate("xs => xs.map(num)", xs)
    assert [(x, s) for x, s in zip(xs, shown) if s != num(x)] == []
    assert page.evaluate("[num(NaN), num(Infinity), num(-Infinity)]") == [num(float(s)) for s in ("nan", "inf", "-inf")]
    assert errors == []


def test_ties_round_to_even_on_the_page_as_in_python(browser, tmp_path):
    e, a, b = olah()
    page, _, errors = browser.open(save(e, tmp_path, "ties.html"))
    xs = [1.015625, 1.046875, -1.015625, 123456.5, 123457.5, 1234565e9, 1234575e9, 0.1015625, 2.5, 1234567.5]
    assert page.evaluate("xs => xs.map(num)", xs) == [num(x) for x in xs]
    assert errors == []


def test_past_the_palette_the_page_colours_paths_by_group_as_the_tables_and_drawings_do(browser, tmp_path):
    """A 4-rung ladder has 16 paths from x, more than the palette's colours: paths that part from the
    common start at the same edge share a colour, on the page as in explanation_html and draw."""
    from autograd.explore.names import path_colours
    x = Value(0.3, label="x")
    y = x
    for _ in range(4):
        y = y.sin() + y.cos()
    found = list(paths(y, x))
    want = path_colours(found, y)
    assert len(found) == 16 and len(set(want)) == 2  # the first step splits them: through sin, through cos
    page, _, errors = browser.open(save(y, tmp_path, "groups.html"))
    page.click(f"#{node_id(y, x)}")
    got = page.eval_on_selector_all("tr.pg-path .pg-swatch", "ss => ss.map(s => s.style.background)")
    rgb = ["rgb({}, {}, {})".format(*(int(c[i:i + 2], 16) for i in (1, 3, 5))) for c in want]
    assert got == rgb and errors == []
