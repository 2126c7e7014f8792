"""draw(y, highlight=paths): one colour per path (or per group of paths), local derivatives on its edges,
and a legend whose rows and sum are checked against derivatives worked out by hand or by sympy."""
import html
import math
import random
import re
import subprocess

import sympy

from autograd import Value, draw, draw_dot, explain, paths, topo_order
from autograd._drawkit import PALETTE, SPLINE_LIMIT, num


def edge_colours(src):
    """{(tail, head): colour attribute} of every edge in the DOT source."""
    return {(t, h): c for t, h, c in re.findall(r"\t(\w+) -> (\w+) \[[^\]]*?color=\"([^\"]+)\"", src)}


def legend_rows(src):
    """The legend's rows as (colour or None, text), in order."""
    label = src[src.rindex("label=<<TABLE"):]
    return [(c or None, html.unescape(t))
            for c, t in re.findall(r'<FONT POINT-SIZE="\d+"(?: COLOR="([^"]+)")?>([^<]*)</FONT>', label)]


def test_each_path_from_b_has_its_own_colour_on_every_edge_it_uses():
    a, b, c, d, e = olah()
    src = draw(e, highlight=explain(e, b)).source
    colours = edge_colours(src)
    first, second = PALETTE[0], PALETTE[1]
    # paths are listed b -> c -> e (rate 1 * 2) then b -> d -> e (rate 1 * 3); boxes n0..n4 are a, b, c, d, e
    assert colours[("n1", "op2")] == first and colours[("op2", "n2")] == first       # b -> + -> c
    assert colours[("n1", "op3")] == second and colours[("op3", "n3")] == second     # b -> + -> d
    assert colours[("n2", "op4")] == first and colours[("n3", "op4")] == second
    assert colours[("op4", "n4")] == f"{first}:{second}"                             # * -> e: both paths
    assert colours[("n0", "op2")] == "#d0d0d0"                                       # a's edge: faded


def test_path_edges_carry_local_derivatives_not_contributions():
    a, b, c, d, e = olah()
    src = draw(e, highlight=list(paths(e, b))).source
    # de/dc = d = 2 and de/dd = c = 3; dc/db = dd/db = 1
    assert re.search(r"n2 -> op4 \[[^\]]*label=<2>", src) and re.search(r"n3 -> op4 \[[^\]]*label=<3>", src)
    assert re.search(r"n1 -> op2 \[[^\]]*label=<1>", src) and re.search(r"n1 -> op3 \[[^\]]*label=<1>", src)


def test_legend_writes_each_rate_as_a_product_and_the_sum_equal_to_the_derivative():
    a, b, c, d, e = olah()
    rows = legend_rows(draw(e, highlight=explain(e, b)).source)
    # de/db of (a+b)(b+1) is (b+1) + (a+b) = 2 + 3 at a=2, b=1
    assert rows == [(PALETTE[0], "━━ b → c → e: 1 × 2 = 2"), (PALETTE[1], "━━ b → d → e: 1 × 3 = 3"),
                    (None, "de/db = 2 + 3 = 5")]


def test_a_part_of_the_paths_says_how_many_there_are_and_the_whole_derivative():
    x = Value(0.5, label="x")
    y = x * x * x  # three paths, dy/dx = 3 x^2 = 0.75
    y.label = "y"
    one = next(paths(y, x))
    rows = legend_rows(draw(y, highlight=one).source)
    assert "of the 3 paths" in rows[-1][1] and rows[-1][1].endswith("dy/dx = 0.75")


def ladder(n, x0=0.3):
    x = Value(x0, label="x")
    y = x
    for _ in range(n):
        y = y.sin() + y.cos()
    y.label = "y"
    return x, y


def test_past_the_palette_paths_are_coloured_by_group_with_the_groups_sums():
    x, y = ladder(3)  # 8 paths, more than the palette's 7 colours: grouped by first edge, sin or cos
    s = sympy.Symbol("x")
    u = sympy.sin(s) + sympy.cos(s)
    f = lambda t: sympy.sin(t) + sympy.cos(t)
    t = sympy.Symbol("t")
    outer = sympy.diff(f(f(t)), t).subs(t, u)  # dy/du, u the first rung
    via_sin, via_cos = (outer * sympy.cos(s)).subs(s, 0.3), (outer * -sympy.sin(s)).subs(s, 0.3)
    src = draw(y, highlight=explain(y, x)).source
    rows = legend_rows(src)
    assert [c for c, _ in rows] == [PALETTE[0], PALETTE[1], None]
    assert "4 paths" in rows[0][1] and "4 paths" in rows[1][1]
    assert rows[0][1].endswith(num(float(via_sin))) and rows[1][1].endswith(num(float(via_cos)))
    total = float(sympy.diff(f(f(f(s))), s).subs(s, 0.3))
    assert rows[2][1].endswith(f"= {num(total)}")
    assert len(set(edge_colours(src).values()) & set(PALETTE)) == 2


def test_draw_dot_takes_micrograds_format_and_rankdir():
    a, b, c, d, e = olah()
    assert draw_dot is draw
    g = draw_dot(e, format="png", rankdir="TB")
    assert g.format == "png" and "rankdir=TB" in g.source
    assert draw(e).format == "svg" and "rankdir=LR" in draw(e).source


def test_same_graph_same_source_with_paths_highlighted():
    a, b, c, d, e = olah()
    assert draw(e, highlight=explain(e, b)).source == draw(e, highlight=list(paths(e, b))).source


def test_a_neurons_chain_of_plus_is_one_sigma_whose_edges_keep_the_rates():
    xs = [Value(float(i), label=f"x{i}") for i in range(1, 5)]
    ws = [Value(0.05 * i, label=f"w{i}") for i in range(1, 5)]
    z = Value(0.1, label="b")
    for w, xi in zip(ws, xs):
        z = z + w * xi
    a = z.tanh()
    a.label = "a"
    a.backward()
    src = draw(a, edge_labels="local").source
    assert len(re.findall(r"\top\d+ \[label=\"?Σ", src)) == 1 and "label=\"&#43;\"" not in src
    boxes = re.findall(r"\tn\d+ \[label=<<TABLE", src)
    assert len(boxes) == 4 + 4 + 1 + 4 + 1 + 1  # x, w, b, the products, z, a: no partial sums
    rows = legend_rows(draw(a, highlight=explain(a, ws[2])).source)
    z = 0.1 + sum(0.05 * i * i for i in range(1, 5))
    assert rows[1][1] == f"da/dw3 = {num(3 * (1 - math.tanh(z) ** 2))}"  # x3 tanh'(z): one path
    assert rows[2][1].startswith("Σ: a chain of +")


def random_graph(n, seed):
    """A random graph of n Values whose edges jump far back: the shape that made dot route for minutes."""
    rng = random.Random(seed)
    vals, used = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(8)], set()
    while len(vals) + sum(id(v) not in used for v in vals) < n:
        a, b = rng.choice(vals), rng.choice(vals)
        used.update((id(a), id(b)))
        vals.append(rng.choice([a + b, a * b, a - b, a.tanh(), 0.5 * a + 3]))
    tops = [v for v in vals if id(v) not in used]
    return sum(tops[1:], tops[0])


def test_big_graphs_get_straight_edges_and_capped_effort_and_dot_lays_them_out():
    small, big = random_graph(60, 1), random_graph(460, 2)
    big.backward()
    assert 480 < len(topo_order(big)) <= 500  # draw's max_nodes
    assert "splines" not in draw(small).source
    for sums in (True, False):
        src = draw(big, edge_labels="contribution", sums=sums).source
        assert "splines=line" in src and "nslimit=1" in src and "mclimit=0.1" in src
        # 492 Values took dot 117 s with curved edges and about 4 s of CPU with these settings
        subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=src.encode(), check=True)
    assert SPLINE_LIMIT <= 150


def test_waypoint_paths_mark_their_neurons_and_write_nielsens_rate_factors():
    from nn import MLP
    from nn.nielsen import Nielsen
    model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    net = Nielsen(model)
    net.forward([0.5, -1.0])
    C = net.cost([1.0, 0.0])
    net.name_nodes()
    C.backward()
    w = net.w(2, 1, 2)
    r = explain(C, w, through=net.waypoints())
    rows = legend_rows(draw(C, highlight=r).source)
    assert [c for c, _ in rows[:2]] == list(PALETTE[:2])  # two paths: through a^3_1 and a^3_2
    assert rows[0][1].startswith("━━ w²₁₂ → a²₁ → a³₁ → C: ")
    h = 1e-6
    def cost(t):
        old, w.data = w.data, t
        try:
            return 0.5 * sum((a.data - y) ** 2 for a, y in zip(model([0.5, -1.0]), [1.0, 0.0]))
        finally:
            w.data = old
    central = (cost(w.data + h) - cost(w.data - h)) / (2 * h)
    assert math.isclose(float(rows[2][1].split(" = ")[-1]), central, rel_tol=1e-5)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from _examples import olah_after_backward as olah


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("+*t"), st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=14))
def test_with_sums_every_value_outside_a_chain_keeps_its_box_and_dot_renders_it(program):
    vals = [Value(0.5, label="x"), Value(-1.25, label="y")]
    for op, i, j in program:
        a, b = vals[i % len(vals)], vals[j % len(vals)]
        vals.append(a + b if op == "+" else a * b if op == "*" else a.tanh())
    root = vals[-1]
    root.backward()
    order = topo_order(root)
    uses = {}
    for v in order:
        for p in v.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    # folded: an unlabelled + used once, by another +
    folded = sum(1 for v in order if v.op == "+" and not v.label and uses.get(id(v)) == 1
                 and any(c.op == "+" and any(p is v for p in c.parents) for c in order))
    g = draw(root, highlight=explain(root, vals[0]) if any(v is vals[0] for v in order) else None)
    assert len(re.findall(r"\tn\d+ \[label=<<TABLE", g.source)) == len(order) - folded
    subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=g.source.encode(), check=True)


def test_past_explains_limit_the_groups_come_from_the_sweep_and_still_sum_to_the_derivative():
    x, y = ladder(12)  # 4096 paths, 64 listed
    s = sympy.Symbol("x")
    f = s
    for _ in range(12):
        f = sympy.sin(f) + sympy.cos(f)
    total = float(sympy.diff(f, s).subs(s, 0.3))
    rows = legend_rows(draw(y, highlight=explain(y, x)).source)
    assert "2048 paths" in rows[0][1] and "2048 paths" in rows[1][1]  # through sin(x) and through cos(x)
    assert math.isclose(float(rows[2][1].split(" = ")[-1].split()[0]), total, rel_tol=1e-5)
    assert "all 4096 paths" in rows[2][1]
