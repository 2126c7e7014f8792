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
