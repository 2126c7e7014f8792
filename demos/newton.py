"""Second derivatives at work: Newton's method with grad(grad(f)), a Hessian, and tanh''.

    python -m demos.newton [--out DIR]

Newton's method steps to the minimum of the quadratic that matches f at x to second order:
x <- x - f'(x) / f''(x) in one variable, x <- x - H^-1 grad f in two. Both derivatives come from
the same engine: grad(f) is a reverse sweep over f's graph, and grad(grad(f)) differentiates that
sweep again, because the local derivative formulas were evaluated on Values instead of floats.
"""
import argparse
import math
import os

from autograd import Value, grad, hessian


def section(title):
    print(f"\n--- {title} " + "-" * max(0, 70 - len(title)))


def f(x):
    return x ** 4 - 3 * x ** 2 + x


def newton_1d(x, steps=7):
    """Minimise f by Newton's method; print each iterate."""
    df, d2f = grad(f), grad(grad(f))
    print("f(x) = x^4 - 3x^2 + x;  x <- x - f'(x)/f''(x)")
    print("{:>4} {:>20} {:>12} {:>12} {:>12}".format("step", "x", "f(x)", "f'(x)", "f''(x)"))
    for step in range(steps + 1):
        g, h = df(x), d2f(x)
        print(f"{step:>4} {x:>20.15f} {f(Value(x)).data:>12.8f} {g:>12.3e} {h:>12.6f}")
        x = x - g / h
    return x


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def newton_2d(x, y, steps=7):
    """Minimise Rosenbrock's function by Newton steps with the 2x2 Hessian."""
    g = grad(rosenbrock, argnums=(0, 1))
    print("f(x, y) = (1 - x)^2 + 100 (y - x^2)^2;  [x, y] <- [x, y] - H^-1 grad f")
    for step in range(steps + 1):
        (gx, gy), ((a, b), (c, d)) = g(x, y), hessian(rosenbrock)(x, y)
        print(f"{step:>4}  x = {x:+.12f}  y = {y:+.12f}  f = {rosenbrock(Value(x), Value(y)).data:.3e}")
        det = a * d - b * c
        x, y = x - (d * gx - b * gy) / det, y - (a * gy - c * gx) / det
    return x, y


def plot_tanh(out):
    """tanh, tanh' and tanh'' from nested grad, against the closed forms."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tanh = lambda x: x.tanh()  # noqa: E731
    d1, d2 = grad(tanh), grad(grad(tanh))
    xs = [-4 + 8 * i / 400 for i in range(401)]
    # tanh' = 1 - tanh^2, so tanh'' = -2 tanh tanh' = -2 tanh (1 - tanh^2) = 2 tanh^3 - 2 tanh
    closed = [2 * math.tanh(x) ** 3 - 2 * math.tanh(x) for x in xs]
    auto = [d2(x) for x in xs]
    worst = max(abs(a - c) for a, c in zip(auto, closed))
    marks = xs[::16]

    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.plot(xs, [math.tanh(x) for x in xs], color="0.75", lw=1.5, label="tanh(x)")
    ax.plot(xs, [d1(x) for x in xs], color="tab:blue", lw=1.5, label="grad(tanh)(x)")
    ax.plot(xs, closed, color="tab:red", lw=2.5, label="closed form 2 tanh(x)^3 - 2 tanh(x)")
    ax.plot(marks, [d2(x) for x in marks], "o", color="black", ms=4, label="grad(grad(tanh))(x)")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("x")
    ax.set_title(f"tanh'' by nested grad against the closed form (largest difference {worst:.1e})")
    ax.set_ylim(-1.1, 1.55)  # room above the curves for the legend
    ax.legend(loc="upper center", ncol=2, frameon=False)
    fig.tight_layout()
    path = os.path.join(out, "tanh_second_derivative.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path, worst


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m demos.newton", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="out", help="folder for the picture (default: out)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    section("1. Newton's method in one variable with grad(grad(f))")
    x = newton_1d(2.0)
    print(f"minimum near x = {x:.15f}, where f'' = {grad(grad(f))(x):.6f} > 0;")
    print("near it |f'| roughly squares at each step: Newton's quadratic convergence")

    section("2. the Hessian of a function of two variables")
    h = hessian(rosenbrock)(1.0, 1.0)
    print(f"hessian(rosenbrock)(1, 1) = {h}")
    print("by hand: d2f/dx2 = 2 - 400 (y - 3x^2) = 802, d2f/dxdy = -400 x = -400, d2f/dy2 = 200")

    section("3. Newton's method in two variables with grad and hessian")
    x, y = newton_2d(-1.2, 1.0)
    print(f"minimum at ({x:.12f}, {y:.12f}); the true minimum is (1, 1)")

    section("4. tanh'' = 2 tanh^3 - 2 tanh, by nested grad")
    path, worst = plot_tanh(args.out)
    print(f"largest |grad(grad(tanh)) - (2 tanh^3 - 2 tanh)| on [-4, 4]: {worst:.2e}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
