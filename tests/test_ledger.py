"""The ledger of backward tells the truth: it runs backward as y.backward() does (leaves accumulate), its
running totals count this backward alone, an earlier grad is named, and every printed sum adds up."""
import math
import re

from autograd import Value, trace_backward
from _examples import olah


def test_backward_then_trace_backward_counts_this_backward_from_zero_and_names_the_earlier_grad():
    a, b, c, d, e = olah()
    e.backward()  # the micrograd lecture's order: backward first, then look at what it did
    ledger = trace_backward(e)
    assert (a.grad, b.grad) == (4.0, 10.0)  # leaves accumulate, as in PyTorch and micrograd
    into_b = ledger.into(b)
    assert [s.total for s in into_b] == [3.0, 5.0] and [s.before for s in into_b] == [5.0, 5.0]
    assert into_b[-1].grad_after == 10.0
    assert ledger.held() == {a: 2.0, b: 5.0}
    text = str(ledger)
    assert "b held 5 before; this backward adds 5; b.grad is now 10" in text
    assert "b.grad is now 8" not in text and "b.grad is now 3" not in text  # no totals mixed with old grads


def test_a_fresh_backward_prints_plain_running_totals():
    a, b, c, d, e = olah()
    text = str(trace_backward(e))
    assert "b.grad += 1 * 3  (from d)  = 3;  b.grad is now 3" in text
    assert "b.grad += 1 * 2  (from c)  = 2;  b.grad is now 5" in text
    assert "held" not in text


def test_interior_grads_are_reset_so_their_totals_are_their_grads():
    a, b, c, d, e = olah()
    for _ in range(3):
        ledger = trace_backward(e)
    for s in ledger:
        if s.parent.op:
            assert s.before == 0.0 and s.grad_after == s.total
    assert (c.grad, d.grad, b.grad) == (2.0, 3.0, 15.0)


def test_the_two_edges_of_a_square_are_told_apart():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    lines = str(trace_backward(y)).splitlines()
    assert "(from y, left operand)" in lines[1] and "(from y, right operand)" in lines[2]
    assert [s.position for s in trace_backward(y)] == [0, 1]


def _numbers(s):
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", s)]


def test_every_printed_line_adds_up_to_the_six_digits_it_shows():
    x = Value(0.7, label="x")
    w = Value(-1.3, label="w")
    y = (x * w).tanh() * x + w.exp() * (x * x)
    y.backward()
    y.backward()  # two earlier backwards: the leaves hold twice their gradient
    ledger = trace_backward(y)
    totals = {}
    for line, s in zip(str(ledger).splitlines()[1:], ledger):
        m = re.search(r"\.grad \+= (\S+) \* (\S+) .*\)  = (\S+);", line)
        local, upstream, contribution = map(float, m.groups())
        assert math.isclose(local * upstream, contribution, rel_tol=2e-5, abs_tol=1e-9)
        totals[s.parent] = totals.get(s.parent, 0.0) + contribution
        shown = re.search(r"(?:is now|has added) (\S+)", line).group(1)
        assert math.isclose(float(shown), totals[s.parent], rel_tol=2e-5, abs_tol=1e-9)
    for line in str(ledger).splitlines():
        if " held " in line:
            held, adds, now = _numbers(line.split(" held ", 1)[1])
            assert math.isclose(held + adds, now, rel_tol=2e-5)
            assert math.isclose(held, 2 * adds, rel_tol=2e-5)  # two earlier backwards, each the same
