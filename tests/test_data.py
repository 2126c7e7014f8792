"""Toy datasets: deterministic, the right shapes and classes, scikit-learn's geometry, bad arguments."""
import math
import random

import pytest

from nn.data import DATASETS, circles, moons, spiral, xor


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_arguments_same_points_and_other_seeds_other_points(name):
    make = DATASETS[name]
    X, y = make(60, 0.1, seed=3)
    assert (X, y) == make(60, 0.1, seed=3)
    assert X != make(60, 0.1, seed=4)[0]
    assert len(X) == len(y) == 60
    assert all(len(p) == 2 and all(type(c) is float and math.isfinite(c) for c in p) for p in X)
    assert all(type(c) is int for c in y)


@pytest.mark.parametrize("name", list(DATASETS))
def test_generators_leave_the_global_random_state_alone(name):
    random.seed(1)
    expected = random.random()
    random.seed(1)
    DATASETS[name](40, 0.1, seed=0)
    assert random.random() == expected


def test_moons_without_noise_are_scikit_learns_moons():
    sklearn = pytest.importorskip("sklearn.datasets")
    for n in (10, 101):
        X, y = moons(n, 0.0, seed=0)
        Xs, ys = sklearn.make_moons(n, noise=0.0, shuffle=False)
        ours = sorted((round(a, 12), round(b, 12), c) for (a, b), c in zip(X, y))
        theirs = sorted((round(a, 12), round(b, 12), int(c)) for (a, b), c in zip(Xs.tolist(), ys))
        assert ours == theirs


def test_circles_without_noise_are_scikit_learns_circles():
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = circles(50, 0.0, seed=0, factor=0.8)
    Xs, ys = sklearn.make_circles(50, noise=0.0, shuffle=False, factor=0.8)
    ours = sorted((round(a, 12), round(b, 12), c) for (a, b), c in zip(X, y))
    theirs = sorted((round(a, 12), round(b, 12), int(c)) for (a, b), c in zip(Xs.tolist(), ys))
    assert ours == theirs


def test_moons_are_shuffled_and_balanced():
    X, y = moons(100, 0.1, seed=0)
    assert y.count(0) == y.count(1) == 50
    assert y != sorted(y)


def test_noise_is_gaussian_with_the_given_standard_deviation():
    clean, _ = circles(2000, 0.0, seed=0)
    noisy, _ = circles(2000, 0.2, seed=0)
    radii = [math.hypot(*p) for p in noisy]
    # points of the outer circle (radius 1) scatter radially with sd about 0.2
    outer = [r for r in radii if r > 0.75]
    sd = math.sqrt(sum((r - 1) ** 2 for r in outer) / len(outer))
    assert 0.15 < sd < 0.25
    assert {round(math.hypot(*p), 9) for p in clean} == {1.0, 0.5}


def test_xor_labels_are_one_where_the_signs_differ():
    X, y = xor(200, 0.0, seed=1)
    assert all(c == (1 if a * b < 0 else 0) for (a, b), c in zip(X, y))
    assert all(-1 <= a <= 1 and -1 <= b <= 1 for a, b in X)


@pytest.mark.parametrize("arms", [2, 3, 5])
def test_spiral_has_one_class_per_arm_of_equal_size(arms):
    X, y = spiral(10 * arms + 1, 0.0, seed=0, arms=arms)
    counts = [y.count(c) for c in range(arms)]
    assert sorted(counts) == [10] * (arms - 1) + [11]
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in X)


@pytest.mark.parametrize("call,message", [
    (lambda: moons(1, 0.1), "moons: n must be an int >= 2"),
    (lambda: moons(10.0, 0.1), "moons: n must be an int"),
    (lambda: xor(10, -0.1), "xor: noise must be a finite number >= 0"),
    (lambda: circles(10, float("nan")), "circles: noise"),
    (lambda: spiral("150", 0.1), "spiral: n must be an int"),
    (lambda: circles(10, 0.1, factor=1.5), "factor must lie in"),
    (lambda: spiral(10, 0.1, arms=1), "arms must be an int >= 2"),
    (lambda: spiral(3, 0.1, arms=2), "at least 2 points per arm"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("seed", [[1], None, "0", 1.5, True, {"s": 1}])
def test_a_seed_that_is_not_an_int_is_a_type_error_naming_the_generator(name, seed):
    with pytest.raises(TypeError, match=f"{name}: seed must be an int, got {type(seed).__name__}"):
        DATASETS[name](40, 0.1, seed=seed)


def test_numpy_int_seeds_give_the_points_of_the_same_int():
    np = pytest.importorskip("numpy")
    assert moons(20, 0.1, seed=np.int64(3)) == moons(20, 0.1, seed=3)


@pytest.mark.parametrize("factor,exc,message", [("half", TypeError, "circles: factor must be a number in \\(0, 1\\), got str"),
                                                (None, TypeError, "circles: factor must be a number"),
                                                (1.0, ValueError, "circles: factor must lie in \\(0, 1\\), got 1.0"),
                                                (float("nan"), ValueError, "circles: factor must lie in")])
def test_a_bad_circles_factor_names_circles_and_factor(factor, exc, message):
    with pytest.raises(exc, match=message):
        circles(40, 0.1, seed=0, factor=factor)
