"""Graphs that several suites build: one definition each, so every suite tests the same example."""
from autograd import Value


def olah():
    """Olah's fan-out example e = (a+b)*(b+1) at a = 2, b = 1, every node labelled: de/da = 2,
    de/db = 2 + 3 (b reaches e through c and through d). Returns a, b, c, d, e."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c, d = a + b, b + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    return a, b, c, d, e


def olah_after_backward():
    """`olah()` after e.backward()."""
    a, b, c, d, e = olah()
    e.backward()
    return a, b, c, d, e


def central_difference(cost, p, h=1e-6):
    """(cost(p + h) - cost(p - h)) / 2h with p.data moved and put back: the slope dC/dp, error O(h^2),
    computed without backward. `cost()` recomputes the cost on floats from the current data."""
    old = p.data
    p.data = old + h
    up = cost()
    p.data = old - h
    down = cost()
    p.data = old
    return (up - down) / (2 * h)


def quadratic_cost(model, x, y):
    """Nielsen's quadratic cost C = 1/2 sum_j (a_j - y_j)^2 of `model` at x, on floats."""
    return 0.5 * sum((o.data - t) ** 2 for o, t in zip(model(x), y))
