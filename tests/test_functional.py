"""grad, value_and_grad, jacobian, hessian: values against sympy, nesting without perturbation
confusion, the float fast path, users' .grad left alone, and chains too deep for recursion."""
import gc
import math
import weakref

import pytest
import sympy as sp

from autograd import Value, engine, grad, hessian, jacobian, no_grad, value_and_grad

X, Y, Z = sp.symbols("x y z")


def at(expr, **point):
    return float(expr.subs({sp.Symbol(k): v for k, v in point.items()}))


def f3(x, y, z):
    x, y, z = (v if type(v) is Value else Value(v) for v in (x, y, z))  # undifferentiated args are floats
    return (x * y).tanh() + y.exp() * z.sin() + (x * x + 1).log() / z + x.sigmoid() * y ** 3


F3 = sp.tanh(X * Y) + sp.exp(Y) * sp.sin(Z) + sp.log(X * X + 1) / Z + Y ** 3 / (1 + sp.exp(-X))
P3 = {"x": 0.4, "y": -0.7, "z": 1.3}


# --- first derivatives ---------------------------------------------------------------------------

def test_grad_of_numbers_is_a_float_equal_to_sympy():
    for i, s in enumerate((X, Y, Z)):
        d = grad(f3, argnums=i)(*P3.values())
        assert type(d) is float and d == pytest.approx(at(sp.diff(F3, s), **P3), rel=1e-12)


def test_argnums_tuple_gives_a_tuple_and_negative_indices_count_from_the_end():
    dx, dz = grad(f3, argnums=(0, -1))(*P3.values())
    assert dx == pytest.approx(at(sp.diff(F3, X), **P3), rel=1e-12)
    assert dz == pytest.approx(at(sp.diff(F3, Z), **P3), rel=1e-12)


def test_value_and_grad_returns_the_value_too():
    v, (dx, dy) = value_and_grad(f3, (0, 1))(*P3.values())
    assert v == pytest.approx(at(F3, **P3), rel=1e-12)
    assert (dx, dy) == pytest.approx((at(sp.diff(F3, X), **P3), at(sp.diff(F3, Y), **P3)), rel=1e-12)


def test_keyword_arguments_pass_through_undifferentiated():
    assert grad(lambda x, scale=1.0: scale * x * x)(3.0, scale=2.0) == 12.0


def test_constant_results_have_derivative_zero():
    assert grad(lambda x: 3.0)(1.0) == 0.0
    assert grad(lambda x: 7)(1.0) == 0.0
    assert value_and_grad(lambda x: 7)(1.0) == (7.0, 0.0)
    assert grad(lambda x, y: y * 2)(1.0, Value(4.0)) == 0.0  # depends only on the other argument
    assert grad(grad(lambda x: x * 5.0))(2.0) == 0.0


def test_grad_works_inside_no_grad():
    with no_grad():
        assert grad(lambda x: x * x * x)(2.0) == 12.0
        assert grad(grad(lambda x: x * x * x))(2.0) == 12.0


def test_bad_arguments_and_results_raise_builtin_errors():
    with pytest.raises(TypeError, match="argument 0"):
        grad(lambda x: x)("2")
    with pytest.raises(IndexError, match="argnums 2"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="twice"):
        grad(lambda x, y: x * y, argnums=(0, 0))(1.0, 2.0)
    with pytest.raises(ValueError, match="twice"):
        grad(lambda x, y: x * y, argnums=(0, -2))(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums=True)(1.0)
    with pytest.raises(TypeError, match="must return a Value or a number"):
        grad(lambda x: [x])(1.0)


# --- higher order ----------------------------------------------------------------------------

def test_nested_grad_gives_second_and_third_derivatives():
    f = lambda x: (x * x).sin() * x.exp()  # noqa: E731
    s = sp.sin(X * X) * sp.exp(X)
    for n, g in enumerate((grad(f), grad(grad(f)), grad(grad(grad(f)))), start=1):
        got = g(0.8)
        assert type(got) is float and got == pytest.approx(at(sp.diff(s, X, n), x=0.8), rel=1e-11)


def test_grad_of_values_is_a_value_and_leaves_their_grad_alone():
    x = Value(0.5, label="x")
    x.grad = 5.0
    d = grad(lambda t: t.tanh())(x)
    assert type(d) is Value and d.data == pytest.approx(1 - math.tanh(0.5) ** 2)
    assert x.grad == 5.0
    d.backward()  # the returned derivative is a graph over x: differentiate it by hand
    assert x.grad == pytest.approx(5.0 + at(sp.diff(sp.tanh(X), X, 2), x=0.5))


def test_hessian_matches_sympy_and_is_symmetric():
    h = hessian(f3)(*P3.values())
    for i, u in enumerate((X, Y, Z)):
        for j, v in enumerate((X, Y, Z)):
            assert h[i][j] == pytest.approx(at(sp.diff(F3, u, v), **P3), rel=1e-10)
            assert h[i][j] == pytest.approx(h[j][i], rel=1e-12)


def test_hessian_of_a_subset_of_arguments():
    h = hessian(f3, argnums=(0, 2))(*P3.values())
    assert h[1][0] == pytest.approx(at(sp.diff(F3, Z, X), **P3), rel=1e-10)
    assert len(h) == 2 and len(h[0]) == 2


def test_jacobian_of_a_list_valued_function_matches_sympy():
    fs = lambda x, y: [x * y, (x - y).exp(), 2.0, x / y]  # noqa: E731
    ss = [X * Y, sp.exp(X - Y), sp.Integer(2), X / Y]
    jac = jacobian(fs)(1.5, 0.5)
    assert jac == [pytest.approx([at(sp.diff(s, v), x=1.5, y=0.5) for v in (X, Y)], rel=1e-12) for s in ss]
    assert jacobian(fs, argnums=1)(1.5, 0.5)[3] == [pytest.approx(-1.5 / 0.25)]


# --- perturbation confusion: inner derivatives that close over the outer variable ---------------

def test_inner_derivative_of_a_closure_over_the_outer_variable():
    # inner: d(xy)/dy = x, so the outer function is x * x, derivative 2x
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(3.0) == 6.0


def test_inner_derivative_evaluated_at_the_outer_variable():
    # inner: d(xy)/dy at y = x is x, so the outer function is x, derivative 1 (not 2)
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0
    # inner: d(x y^2)/dy at y = x is 2x^2, outer derivative 4x
    assert grad(lambda x: grad(lambda y: x * y * y)(x))(3.0) == 12.0


def test_siskind_pearlmutter_example():
    # d/dx [ x * d/dy (x + y) at y = 1 ] at x = 1 is 1; confusing the two perturbations gives 2
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_mixed_partial_by_nesting_both_orders():
    f = lambda x, y: (x * y * y).sin()  # noqa: E731
    want = at(sp.diff(sp.sin(X * Y * Y), X, Y), x=0.3, y=1.1)
    assert grad(lambda x: grad(lambda y: f(x, y))(1.1))(0.3) == pytest.approx(want, rel=1e-12)
    assert grad(lambda y: grad(lambda x: f(x, y))(0.3))(1.1) == pytest.approx(want, rel=1e-12)


def test_hessian_jacobian_and_value_and_grad_nest_inside_grad():
    assert grad(lambda x: hessian(lambda a, b: a * a * b)(x, 2.0)[0][1])(3.0) == 6.0 / 3.0
    assert grad(lambda x: jacobian(lambda a: [a * x, a * a])(x)[0][0])(3.0) == 1.0
    assert grad(lambda x: value_and_grad(lambda a: a * a * x)(x)[0])(3.0) == 27.0  # d(x^3)/dx
    assert grad(lambda x: value_and_grad(lambda a: a * a * x)(x)[1])(3.0) == 12.0  # d(2x^2)/dx


def test_identity_and_its_derivatives():
    assert grad(lambda x: x)(2.0) == 1.0
    assert grad(grad(lambda x: x))(2.0) == 0.0


def test_nesting_is_per_thread():
    # while one thread is inside an outer grad, another thread's grad of numbers is still a float
    import threading
    inside, done, seen = threading.Event(), threading.Event(), []

    def outer(x):
        inside.set()
        done.wait(10)
        return x * x

    t = threading.Thread(target=lambda: seen.append(grad(outer)(3.0)))
    t.start()
    inside.wait(10)
    seen.append(grad(lambda x: x * x)(2.0))
    done.set()
    t.join(10)
    assert seen == [4.0, 6.0] and type(seen[0]) is float


# --- the fast path and memory ------------------------------------------------------------------

def _count_nodes_built_after(monkeypatch, build):
    """Run `build(start)`; count the op nodes created after `start()` is called (via the engine's hook)."""
    made = []

    def start():
        monkeypatch.setattr(engine._checks, "node", made.append)
        monkeypatch.setattr(engine._state, "anomaly", True)
    result = build(start)
    monkeypatch.setattr(engine._state, "anomaly", False)
    return result, len(made)


def test_first_order_grad_builds_no_value(monkeypatch):
    def f(x, start):
        y = (x * x).tanh() * x.exp() + x.log()
        start()  # everything created from here on belongs to the gradient
        return y
    d, made = _count_nodes_built_after(monkeypatch, lambda start: grad(f)(0.7, start))
    assert type(d) is float and made == 0
    d, made = _count_nodes_built_after(monkeypatch, lambda start: grad(f)(Value(0.7), start))
    assert type(d) is Value and made > 0  # the symbolic path does build the gradient's graph


def _live_values():
    return sum(type(o) is Value for o in gc.get_objects())


def test_backward_without_create_graph_builds_no_value():
    x = Value(0.7)
    y = (x * x).tanh() * x.exp() + x.log()
    nodes = engine.topo_order(y)
    before = _live_values()
    y.backward()
    assert _live_values() == before
    assert all(type(n.grad) is float for n in nodes)
    y.backward(create_graph=True)  # the other path keeps a Value per gradient
    assert _live_values() > before and type(x.grad) is Value
    for n in nodes:
        n.grad = 0.0


def test_nested_grad_leaves_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.9)
        d = grad(grad(lambda t: (t * t).sin()))(x)
        assert type(d) is Value
        ref = weakref.ref(x)
        del x, d
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


# --- deep chains ----------------------------------------------------------------------------------

N = 10 ** 5


def chain(x):
    for _ in range(N):
        x = x.sin()
    return x


def chain_derivatives(x):
    """f, f', f'' of the chain by hand: x <- sin x gives d1 <- d1 cos x, d2 <- d2 cos x - d1^2 sin x."""
    d1, d2 = 1.0, 0.0
    for _ in range(N):
        d1, d2 = d1 * math.cos(x), d2 * math.cos(x) - d1 * d1 * math.sin(x)
        x = math.sin(x)
    return x, d1, d2


def test_deep_chain_through_grad_and_grad_of_grad():
    _, d1, d2 = chain_derivatives(1.0)
    assert grad(chain)(1.0) == pytest.approx(d1, rel=1e-9)
    assert grad(grad(chain))(1.0) == pytest.approx(d2, rel=1e-9)


def test_deep_chain_through_create_graph():
    _, d1, d2 = chain_derivatives(1.0)
    x = Value(1.0)
    y = chain(x)
    y.backward(create_graph=True)
    g, x.grad = x.grad, 0.0
    assert g.data == pytest.approx(d1, rel=1e-9)
    g.backward()
    assert x.grad == pytest.approx(d2, rel=1e-9)
