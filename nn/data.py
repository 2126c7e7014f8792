"""Deterministic toy datasets for two-dimensional classification, with the standard library only.

Each generator takes `(n, noise, seed)` and returns `(X, y)`: `X` a list of n `[x1, x2]` float pairs,
`y` a list of n int class labels 0, 1, ... (for the hinge loss, map them to -1/+1 with `2*y - 1`).
The same arguments always give the same points: all randomness comes from `random.Random(seed)`,
never from the global `random` state. Points are shuffled so that classes are interleaved.
"""
import math
import numbers
import random

__all__ = ["moons", "circles", "xor", "spiral", "DATASETS"]


def _check(name, n, noise, seed, minimum=2):
    """The arguments every generator takes; returns the random.Random that draws its points."""
    if type(n) is not int or n < minimum:
        raise ValueError(f"{name}: n must be an int >= {minimum}, got {n!r:.60}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0 or math.isinf(noise):
        raise ValueError(f"{name}: noise must be a finite number >= 0, got {noise!r:.60}")
    # An int only: random.Random would also take None (a different set of points every run), text or
    # bytes, and its error for anything else names neither the generator nor the argument.
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name}: seed must be an int, got {type(seed).__name__}: {seed!r:.60}")
    return random.Random(int(seed))


def _linspace(a, b, n):
    if n == 1:
        return [a]
    return [a + (b - a) * i / (n - 1) for i in range(n)]


def _finish(points, labels, noise, rng):
    """Add Gaussian noise of standard deviation `noise` to every coordinate, then shuffle."""
    X = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] for x1, x2 in points]
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [labels[i] for i in order]


def moons(n=100, noise=0.1, seed=0):
    """Two interleaving half circles (the shape of scikit-learn's make_moons).

    Class 0: (cos t, sin t), t in [0, pi]; class 1: (1 - cos t, 1/2 - sin t). n//2 points in class 0,
    the rest in class 1, evenly spaced in t, then noise and shuffle.
    """
    rng = _check("moons", n, noise, seed)
    n0 = n // 2
    outer = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n0)]
    inner = [(1.0 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n - n0)]
    return _finish(outer + inner, [0] * n0 + [1] * (n - n0), noise, rng)


def circles(n=100, noise=0.05, seed=0, factor=0.5):
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor` (0 < factor < 1)."""
    rng = _check("circles", n, noise, seed)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
        raise TypeError(f"circles: factor must be a number in (0, 1), got {type(factor).__name__}: {factor!r:.60}")
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must lie in (0, 1), got {factor!r:.60}")
    n0 = n // 2
    # endpoint excluded so that the first and last point of a circle do not coincide
    outer = [(math.cos(2 * math.pi * i / n0), math.sin(2 * math.pi * i / n0)) for i in range(n0)]
    n1 = n - n0
    inner = [(factor * math.cos(2 * math.pi * i / n1), factor * math.sin(2 * math.pi * i / n1)) for i in range(n1)]
    return _finish(outer + inner, [0] * n0 + [1] * n1, noise, rng)


def xor(n=100, noise=0.0, seed=0):
    """Points uniform in the square [-1, 1]^2; class 1 where x1 * x2 < 0 (the signs differ), else 0.

    Labels come from the clean points, then noise moves them, so noise > 0 blurs the two axes.
    """
    rng = _check("xor", n, noise, seed)
    points = [(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)) for _ in range(n)]
    labels = [1 if x1 * x2 < 0 else 0 for x1, x2 in points]
    return _finish(points, labels, noise, rng)


def spiral(n=150, noise=0.2, seed=0, arms=3):
    """`arms` interleaved spiral arms, one class each: the spiral of Stanford's CS231n notes.

    Arm c has about n/arms points; point i of m sits at radius r = i/(m-1) and angle
    t = 4c + 4r + N(0, noise) radians, i.e. (r sin t, r cos t). Here `noise` jitters the angle
    (radians), not the coordinates.
    """
    rng = _check("spiral", n, noise, seed)
    if type(arms) is not int or arms < 2:
        raise ValueError(f"spiral: arms must be an int >= 2, got {arms!r:.60}")
    if n < arms * 2:
        raise ValueError(f"spiral: n must be at least 2 points per arm, got n={n} for {arms} arms")
    points, labels = [], []
    for c in range(arms):
        m = n // arms + (1 if c < n % arms else 0)
        for r in _linspace(0.0, 1.0, m):
            t = 4.0 * c + 4.0 * r + rng.gauss(0.0, noise)
            points.append((r * math.sin(t), r * math.cos(t)))
            labels.append(c)
    return _finish(points, labels, 0.0, rng)


DATASETS = {"moons": moons, "circles": circles, "xor": xor, "spiral": spiral}
