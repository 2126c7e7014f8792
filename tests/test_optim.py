"""SGD and Adam: updates against hand-computed steps and PyTorch's optimisers, schedules, bad input."""
import math

import pytest

from autograd import Value
from nn import MLP, SGD, Adam


def param(data, grad):
    p = Value(data)
    p.grad = grad
    return p


def test_sgd_moves_against_the_gradient_by_lr_times_grad():
    p, q = param(1.0, 0.5), param(-2.0, -4.0)
    SGD([p, q], lr=0.1).step()
    assert p.data == pytest.approx(0.95, abs=1e-15)
    assert q.data == pytest.approx(-1.6, abs=1e-15)


def test_sgd_with_momentum_and_weight_decay_two_steps_by_hand():
    p = param(1.0, 0.5)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    opt.step()
    # g = 0.5 + 0.01 * 1 = 0.51; u = 0.51; p = 1 - 0.1 * 0.51
    assert p.data == pytest.approx(0.949, abs=1e-15)
    p.grad = 0.5
    opt.step()
    # g = 0.5 + 0.01 * 0.949 = 0.50949; u = 0.9 * 0.51 + 0.50949 = 0.96849; p = 0.949 - 0.096849
    assert p.data == pytest.approx(0.852151, abs=1e-14)


def test_adam_first_step_moves_by_about_lr_then_second_step_by_hand():
    p = param(1.0, 0.5)
    opt = Adam([p], lr=0.1)
    opt.step()
    # m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25; p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    assert p.data == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    p.grad = -1.0
    opt.step()
    # m = 0.045 - 0.1 = -0.055; v = 0.00024975 + 0.001 = 0.00124975; t = 2
    m_hat, v_hat = -0.055 / (1 - 0.9 ** 2), 0.00124975 / (1 - 0.999 ** 2)
    assert p.data == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-14)
    assert p.data == pytest.approx(0.93661, abs=1e-5)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_updates_match_pytorch_over_several_steps(kind):
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0]
    grads = [[0.1, -0.3, 0.7], [0.4, 0.2, -0.6], [-0.9, 0.05, 0.3], [0.0, 1.0, -1.0]]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    if kind == "adam":
        a, b = Adam(ours, lr=0.05, betas=(0.8, 0.99), eps=1e-6), torch.optim.Adam([theirs], lr=0.05,
                                                                                    betas=(0.8, 0.99), eps=1e-6)
    else:
        mu = 0.9 if kind == "momentum" else 0.0
        a = SGD(ours, lr=0.1, momentum=mu, weight_decay=0.01)
        b = torch.optim.SGD([theirs], lr=0.1, momentum=mu, weight_decay=0.01)
    for g in grads:
        for p, gi in zip(ours, g):
            p.grad = gi
        theirs.grad = torch.tensor(g, dtype=torch.float64)
        a.step()
        b.step()
    assert [p.data for p in ours] == pytest.approx(theirs.tolist(), rel=1e-13, abs=1e-15)


def test_a_schedule_is_called_with_the_step_number_from_zero():
    seen = []
    p = param(0.0, 1.0)

    def schedule(k):
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    opt = SGD([p], lr=schedule)
    for _ in range(3):
        opt.step()
    assert seen == [0, 1, 2] and opt.steps == 3
    assert p.data == pytest.approx(-(1.0 + 0.991 + 0.982), abs=1e-15)


def test_zero_grad_resets_the_grads_of_the_optimisers_parameters():
    ps = [param(1.0, 3.0), param(2.0, -1.0)]
    Adam(ps).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_value_grads_from_create_graph_are_used_as_numbers():
    x = Value(3.0)
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    SGD([x], lr=0.5).step()
    assert type(x.data) is float and x.data == 0.0


@pytest.mark.parametrize("make,exc,message", [
    (lambda p: SGD([], lr=0.1), ValueError, "empty list of parameters"),
    (lambda p: SGD([1.0], lr=0.1), TypeError, "parameter 0 must be a Value"),
    (lambda p: SGD(MLP(2, [1], seed=0), lr=0.1), TypeError, r"model\.parameters\(\), got MLP"),
    (lambda p: Adam(p, lr=0.1), TypeError, r"model\.parameters\(\), got Value"),
    (lambda p: SGD([p], lr=-0.1), ValueError, "lr must lie in"),
    (lambda p: SGD([p], lr="fast"), TypeError, "lr must be a real number"),
    (lambda p: SGD([p], lr=0.1, momentum=1.5), ValueError, "momentum"),
    (lambda p: Adam([p], betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
    (lambda p: Adam([p], betas=0.9), ValueError, "pair"),
    (lambda p: SGD([p], lr=lambda k: float("nan")).step(), ValueError, "lr schedule at step 0"),
])
def test_bad_settings_raise_built_in_errors_naming_the_setting(make, exc, message):
    with pytest.raises(exc, match=message):
        make(param(1.0, 1.0))


def test_repr_says_what_it_holds():
    assert repr(SGD([Value(1.0)], lr=0.1)) == "SGD(1 parameters, lr=0.1, steps=0)"


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_state_dict_resumes_exactly_where_training_stopped(make):
    grads = [[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2], [0.6, 0.6]]

    def run(ps, opt, gs):
        for g in gs:
            for p, gi in zip(ps, g):
                p.grad = gi
            opt.step()

    straight = [Value(1.0), Value(-1.0)]
    run(straight, make(straight), grads)
    first = [Value(1.0), Value(-1.0)]
    opt = make(first)
    run(first, opt, grads[:2])
    state = opt.state_dict()
    resumed = [Value(p.data) for p in first]
    opt2 = make(resumed)
    opt2.load_state_dict(state)
    run(resumed, opt2, grads[2:])
    assert [p.data for p in resumed] == [p.data for p in straight]
    assert opt2.steps == 4


def test_a_bad_optimiser_state_raises_and_changes_nothing():
    opt = Adam([Value(1.0), Value(2.0)])
    before = opt.state_dict()
    for bad, message in [({"steps": 1, "m": [0.0], "v": [0.0, 0.0]}, "m must be a list of 2"),
                         ({"steps": -1, "m": [0.0, 0.0], "v": [0.0, 0.0]}, "steps must be an int"),
                         ({"steps": 1, "m": [0.0, "x"], "v": [0.0, 0.0]}, r"m\[1\] must be a finite number"),
                         ({"steps": 1, "m": [0.0, 0.0]}, "exactly")]:
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(bad)
        assert opt.state_dict() == before


@pytest.mark.parametrize("make,exc,message", [
    (lambda p: Adam([p], eps=0), ValueError, r"Adam: eps must lie in \(0, inf\) \(finite\), got 0.0"),
    (lambda p: Adam([p], eps=-1e-8), ValueError, "Adam: eps must lie in"),
    (lambda p: Adam([p], eps=math.inf), ValueError, "Adam: eps must lie in"),
    (lambda p: Adam([p], lr=math.inf), ValueError, "Adam: lr must lie in"),
    (lambda p: SGD([p], lr=math.nan), ValueError, "SGD: lr must lie in"),
    (lambda p: SGD([p], lr=0.1, weight_decay=math.inf), ValueError, "SGD: weight_decay must lie in"),
    (lambda p: SGD([p], lr=10 ** 400), ValueError, "SGD: lr must lie in .*got inf"),
    (lambda p: Adam([p], betas=(-0.1, 0.9)), ValueError, r"Adam: betas\[0\] must lie in \[0, 1\)"),
])
def test_hyper_parameters_are_checked_up_front_naming_the_optimiser_and_the_argument(make, exc, message):
    with pytest.raises(exc, match=message):
        make(param(1.0, 0.0))


def test_adam_with_a_zero_gradient_steps_without_dividing_by_zero():
    p = param(1.0, 0.0)
    Adam([p], lr=0.1).step()  # eps > 0 keeps m_hat / (sqrt(v_hat) + eps) = 0 / eps
    assert p.data == 1.0


@pytest.mark.parametrize("state,message", [
    ({"steps": 10 ** 400, "m": [0.0], "v": [0.0]}, r"steps must be an int in 0..2\*\*53, got an int of 1329 bits"),
    ({"steps": 2 ** 53 + 1, "m": [0.0], "v": [0.0]}, r"steps must be an int in 0..2\*\*53"),
    ({"steps": 1, "m": [0.0], "v": [-1.0]}, r"v\[0\] must be a finite number >= 0, got -1.0"),
    ({"steps": 1, "m": [math.inf], "v": [0.0]}, r"m\[0\] must be a finite number, got inf"),
])
def test_a_loaded_state_that_step_could_not_use_is_refused_up_front(state, message):
    p = param(1.0, 0.5)
    opt = Adam([p])
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    opt.step()  # unchanged and usable
    assert opt.steps == 1


def test_the_largest_accepted_step_count_still_steps():
    p = param(1.0, 0.5)
    opt = Adam([p], lr=0.1)
    opt.load_state_dict({"steps": 2 ** 53, "m": [0.0], "v": [0.0]})
    opt.step()
    assert math.isfinite(p.data) and p.data < 1.0
