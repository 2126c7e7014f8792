"""A five-minute tour of the engine: values, ops, backward as a sum over paths.

    python -m demos.tour
"""
import time

from autograd import OPS, Value, no_grad


def section(title):
    print(f"\n--- {title} " + "-" * max(0, 70 - len(title)))


def main():
    section("1. a Value records the op that made it and its parents")
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    print(f"y = x*x + 3*x at x = 2        -> {y}")
    print(f"y.op = {y.op!r}, y.parents = {[p.op or p.label for p in y.parents]}")
    y.backward()
    print(f"y.backward(); x.grad = {x.grad}   (dy/dx = 2x + 3 = 7)")

    section("2. every op is one line of a table: forward value and local derivatives")
    for op in OPS.values():
        print(f"  {op.name:>8}  {op.math}")

    section("3. a node used twice receives two contributions")
    a = Value(3.0, label="a")
    sq = a * a
    print(f"a*a has parents {[p.label for p in sq.parents]} (two edges, one node)")
    print(f"local derivatives on those edges: {sq.local_grads}")
    sq.backward()
    print(f"a.grad = 3.0 + 3.0 = {a.grad}: one += per edge")

    section("4. Olah's example: e = (a+b)(b+1) at a=2, b=1")
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c, d = a + b, b + 1
    e = c * d
    e.backward()
    print("b reaches e along two paths:")
    print(f"  b -> c=a+b -> e : rate 1 * d = 1 * {d.data} = {d.data}")
    print(f"  b -> d=b+1 -> e : rate 1 * c = 1 * {c.data} = {c.data}")
    print(f"sum of the rates = {d.data + c.data};  backward gives de/db = {b.grad}")

    section("5. paths multiply, backward stays linear")
    x = Value(1.0, label="x")
    y = x
    for _ in range(40):
        y = y * 1.0 + y * 1.0   # each rung doubles the number of paths from x
    y.backward()
    print(f"40 rungs: 2**40 = {2**40:,} paths from x, each of rate 1; x.grad = {x.grad:,.0f}")

    section("6. deep graphs: no recursion limit")
    x = Value(0.5, label="x")
    y = x
    t = time.perf_counter()
    for _ in range(200_000):
        y = y * 1.000001
    y.backward()
    print(f"200,000-link chain: forward+backward in {time.perf_counter() - t:.2f} s, x.grad = {x.grad:.6f}")

    section("7. bad input says what was wrong")
    for expr, fn in [("Value('1')", lambda: Value("1")),
                     ("Value(-1.0, label='w').log()", lambda: Value(-1.0, label="w").log())]:
        try:
            fn()
        except (TypeError, ValueError) as err:
            print(f"{expr:32} -> {type(err).__name__}: {err}")

    with no_grad():
        z = Value(2.0) * 3
    print(f"\ninside no_grad() ops record nothing: (2*3).parents = {z.parents}")
    print("\nWhy the sum over paths is the derivative: docs/why-sum.md and python -m demos.paths;")
    print("next, training: python -m demos.moons, second derivatives: demos.newton, a real dataset: demos.digits")


if __name__ == "__main__":
    main()
