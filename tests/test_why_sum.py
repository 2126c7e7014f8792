"""docs/why-sum.md cannot drift from the engine: every block marked `<!-- check: NAME -->` is regenerated
here from the engine and must match the page character for character, and every other number in the
page's prose must be one of the numbers of those checked blocks (or a structural number: an equation
or chapter number, a list index)."""
import math
import pathlib
import re

from autograd import Value, count_paths, explain, nudge, trace_backward
from nn import MLP
from nn.nielsen import Nielsen
from _examples import olah

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "why-sum.md"
STRUCTURAL = {"53", "2"}  # Nielsen's eq. (53), chapter 2
MATHS = {"0"}  # h -> 0, r(h)/h -> 0: limits, not numbers the engine computed


def values():
    a, b, c, d, e = olah()
    rows = [("node", "made by", "value", "local derivatives on its edges")]
    rows.append(("a", "input", f"{a.data:g}", ""))
    rows.append(("b", "input", f"{b.data:g}", ""))
    rows.append(("c", "a + b", f"{c.data:g}", f"dc/da = {c.local_grads[0]:g}, dc/db = {c.local_grads[1]:g}"))
    rows.append(("d", "b + 1", f"{d.data:g}", f"dd/db = {d.local_grads[0]:g}"))
    rows.append(("e", "c * d", f"{e.data:g}", f"de/dc = d = {e.local_grads[0]:g}, de/dd = c = {e.local_grads[1]:g}"))
    return _md(rows)


def chain():
    # e as a function of b along b -> d -> e alone, with c held at its value
    a, b, c, d, e = olah()
    rows = [("h", "d(b+h) - d(b)", "e with c held, minus e", "ratio to h")]
    for h in (0.5, 0.25, 0.125):
        dd = (b.data + h + 1) - d.data
        de = c.data * (d.data + dd) - e.data
        rows.append((f"{h:g}", f"{dd:g}", f"{de:g}", f"{de / h:g}"))
    return _md(rows)


def nudge_b():
    a, b, c, d, e = olah()
    return str(nudge(e, b, hs=(0.1, 0.01, 0.001)))


def induction():
    a, b, c, d, e = olah()
    g = explain(e, b).by_first_edge()
    return str(g)


def ledger():
    a, b, c, d, e = olah()
    return str(trace_backward(e))


def ladder():
    rows = [("rungs n", "paths from x to y (count_paths)", "+= steps of backward (trace_backward)")]
    for n in (1, 2, 4, 8, 16, 32):
        x = Value(0.3, label="x")
        y = x
        for _ in range(n):
            y = y.sin() + y.cos()
        rows.append((str(n), str(count_paths(y, x)), str(len(trace_backward(y)))))
    return _md(rows)


def bp2():
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    net = Nielsen(model)
    net.forward([0.5, -1.0])
    C = net.cost([1.0, 0.0])
    net.name_nodes()
    return str(net.bp2(C, 2, 1))


def network():
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    net = Nielsen(model)
    net.forward([0.5, -1.0])
    C = net.cost([1.0, 0.0])
    net.name_nodes()
    return str(explain(C, net.w(2, 1, 2), through=net.waypoints()))


GENERATORS = {f.__name__: f for f in (values, chain, nudge_b, induction, ledger, ladder, bp2, network)}


def _md(rows):
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def blocks(text):
    """[(name, block text, (start, end) line numbers)] for every marked block of the page."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = re.fullmatch(r"<!-- check: (\w+) -->", line.strip())
        if not m:
            continue
        j = i + 1
        if lines[j].startswith("```"):
            k = next(k for k in range(j + 1, len(lines)) if lines[k].startswith("```"))
            found.append((m.group(1), "\n".join(lines[j + 1:k]), (i, k)))
        else:
            k = next((k for k in range(j, len(lines)) if not lines[k].startswith("|")), len(lines))
            found.append((m.group(1), "\n".join(lines[j:k]), (i, k - 1)))
    return found


NUMBER = re.compile(r"(?<![\w^.\d#])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\d.]\d)")


def numbers(s):
    return {float(t) for t in NUMBER.findall(s)}


def test_every_marked_block_is_what_the_engine_prints():
    text = PAGE.read_text(encoding="utf-8")
    found = blocks(text)
    assert {name for name, _, _ in found} == set(GENERATORS), "each generator's block appears on the page"
    for name, block, _ in found:
        assert block == GENERATORS[name](), f"block {name!r} drifted; the engine prints:\n{GENERATORS[name]()}"


def test_every_number_in_the_prose_is_one_the_engine_printed():
    text = PAGE.read_text(encoding="utf-8")
    lines = text.splitlines()
    checked, inside = set(), set()
    for _, block, (i, k) in blocks(text):
        checked |= numbers(block)
        inside |= set(range(i, k + 1))
    for i, line in enumerate(lines):
        if i in inside or line.startswith("<!--"):
            continue
        prose = re.sub(r"\[[^\]]*\]\([^)]*\)", "", line)  # link targets are not claims
        for t in NUMBER.findall(prose):
            if t in MATHS:
                continue
            if t in STRUCTURAL and ("(53)" in prose or "ch. 2" in prose or "chapter 2" in prose):
                continue
            assert any(math.isclose(float(t), v, rel_tol=1e-9) for v in checked), (
                f"line {i + 1}: the number {t} is not one the engine printed on this page:\n{line}")


def test_the_page_is_linked_from_the_top_of_the_readme():
    readme = (PAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/why-sum.md" in "\n".join(readme.splitlines()[:30])


def test_the_readmes_network_table_is_what_the_engine_prints():
    # (its nudge table is a CLI transcript, checked by test_readme)
    readme = (PAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    for name in ("network",):
        assert f"```\n{GENERATORS[name]()}\n```" in readme, f"README's {name} table drifted"
