"""Nielsen's notation on an MLP (1-based, layer 1 the input) and BP1-BP4, checked against PyTorch
float64 and central differences."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import MLP
from nn.nielsen import BPCheck, Nielsen, Row, check_bp

try:  # PyTorch is an optional oracle (`make test` does not install it): only its comparisons skip
    import torch
    TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda t: t}
except ImportError:
    torch = None


def _number(v):
    return v.data if isinstance(v, Value) else v


def torch_twin(model, x, y, cost):
    """The same network in PyTorch float64: returns C, the z tensors (grads retained), the weights."""
    if torch is None:
        pytest.skip("PyTorch, the float64 oracle here, is not installed")
    a = torch.tensor(x, dtype=torch.float64)
    zs, ws, bs = [], [], []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        z = W @ a + b
        z.retain_grad()
        a = TORCH_ACT[layer.activation](z)
        zs.append(z), ws.append(W), bs.append(b)
    t = torch.tensor(y, dtype=torch.float64)
    if cost == "quadratic":
        C = 0.5 * ((a - t) ** 2).sum()
    else:
        C = -(t * torch.log(a) + (1 - t) * torch.log(1 - a)).sum()
    C.backward()
    return C, zs, ws, bs


def test_indices_are_one_based_with_layer_1_the_input():
    model = MLP(2, [3, 4], seed=0)
    net = Nielsen(model)
    assert net.L == 3 and net.sizes == [2, 3, 4]
    assert net.w(2, 3, 1) is model.layers[0].neurons[2].w[0]
    assert net.w(3, 4, 3) is model.layers[1].neurons[3].w[2]
    assert net.b(3, 1) is model.layers[1].neurons[0].b
    for bad in [(1, 1, 1), (4, 1, 1), (2, 0, 1), (2, 4, 1), (2, 1, 3), (3, 1, 0)]:
        with pytest.raises(IndexError, match="out of range"):
            net.w(*bad)


def test_forward_records_z_and_a_as_the_book_defines_them():
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=4)
    net = Nielsen(model)
    x = [0.3, -0.8]
    out = net.forward(x)
    assert [net.a(1, k) for k in (1, 2)] == x
    for l, sigma in ((2, math.tanh), (3, lambda u: 1 / (1 + math.exp(-u)))):
        for j in range(1, net.sizes[l - 1] + 1):
            z = sum(net.w(l, j, k).data * _number(net.a(l - 1, k)) for k in range(1, net.sizes[l - 2] + 1))
            z += net.b(l, j).data
            assert math.isclose(net.z(l, j).data, z, rel_tol=1e-14)
            assert math.isclose(net.a(l, j).data, sigma(z), rel_tol=1e-14)
    assert out == [net.a(3, 1), net.a(3, 2)]


def test_nothing_is_recorded_before_forward():
    net = Nielsen(MLP(2, [2], seed=0))
    with pytest.raises(RuntimeError, match="forward"):
        net.z(2, 1)
    with pytest.raises(RuntimeError, match="forward"):
        net.cost([0.0, 1.0])


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_delta_is_dC_dz_as_pytorch_computes_it(cost):
    model = MLP(3, [4, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=7)
    x, y = [0.5, -0.2, 0.9], [1.0, 0.0]
    net = Nielsen(model)
    net.forward(x)
    C = net.cost(y, cost)
    C.backward()
    tC, zs, ws, _ = torch_twin(model, x, y, cost)
    assert math.isclose(C.data, tC.item(), rel_tol=1e-13)
    for l in range(2, net.L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            assert math.isclose(net.delta(l, j), zs[l - 2].grad[j - 1].item(), rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("sizes,act,out_act,cost", [
    ([3, 3, 2], "sigmoid", "sigmoid", "quadratic"),
    ([3, 3, 2], "sigmoid", "sigmoid", "cross-entropy"),
    ([5, 4, 3], "tanh", "linear", "quadratic"),
    ([4, 4, 1], "relu", "linear", "quadratic"),
])
def test_bp1_to_bp4_hold_and_their_right_sides_match_pytorch(sizes, act, out_act, cost):
    model = MLP(2, sizes, activation=act, output_activation=out_act, seed=11)
    x, y = [0.7, -1.1], [0.25 * (i + 1) for i in range(sizes[-1])]
    table = check_bp(model, x, y, cost)
    assert table.holds(1e-12), str(table)
    assert {r.equation for r in table.rows} == {"BP1", "BP2", "BP3", "BP4"}
    n_w = sum(a * b for a, b in zip([2] + sizes, sizes))
    assert len(table.rows) == sizes[-1] + sum(sizes[:-1]) + sum(sizes) + n_w
    _, zs, ws, bs = torch_twin(model, x, y, cost)
    rows = {r.symbol: r.explicit for r in table.rows}
    net = Nielsen(model)
    for l in range(2, net.L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            assert math.isclose(rows[f"dC/db^{l}_{j}"], bs[l - 2].grad[j - 1].item(), rel_tol=1e-12, abs_tol=1e-300)
            for k in range(1, net.sizes[l - 2] + 1):
                assert math.isclose(rows[f"dC/dw^{l}_{j}{k}"], ws[l - 2].grad[j - 1, k - 1].item(),
                                    rel_tol=1e-12, abs_tol=1e-300)


@given(st.lists(st.floats(-2, 2), min_size=2, max_size=2), st.lists(st.floats(0, 1), min_size=2, max_size=2),
       st.integers(0, 10 ** 6))
def test_the_four_equations_hold_on_random_inputs_and_networks(x, y, seed):
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=seed)
    assert check_bp(model, x, y).holds(1e-12)


def test_bp4_against_central_differences_of_the_cost():
    model = MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=2)
    x, y = [0.4, 0.9], [0.0, 1.0]
    rows = {r.symbol: r.explicit for r in check_bp(model, x, y).rows}
    net = Nielsen(model)
    w = net.w(3, 2, 1)

    def cost_at(t):
        old, w.data = w.data, t
        try:
            out = model(x)
            return 0.5 * sum((o.data - t_) ** 2 for o, t_ in zip(out, y))
        finally:
            w.data = old
    h = 1e-6
    numeric = (cost_at(w.data + h) - cost_at(w.data - h)) / (2 * h)
    assert math.isclose(rows["dC/dw^3_21"], numeric, rel_tol=1e-6)


def test_the_table_prints_both_sides_of_every_equation():
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    table = check_bp(model, [0.1, 0.2], [1.0])
    text = str(table)
    for r in table.rows:
        line = next(s for s in text.splitlines() if f" {r.symbol} " in s)
        assert line.startswith(r.equation) and f"{r.backward:.15g}" in line and f"{r.explicit:.15g}" in line
    assert "all four equations hold" in text


def test_a_disagreement_is_reported_not_hidden():
    table = BPCheck([Row("BP4", "dC/dw^2_11", 1.0, 1.0 + 1e-9, 1e-9)], 0.5)
    assert not table.holds() and "NOT within 1e-12" in str(table)


def test_sigma_prime_comes_from_the_recorded_z():
    model = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    net = Nielsen(model)
    net.forward([0.3])
    s = 1 / (1 + math.exp(-net.z(2, 1).data))
    assert math.isclose(net.sigma_prime(2, 1), s * (1 - s), rel_tol=1e-15)


def test_unknown_cost_is_refused():
    model = MLP(2, [2], seed=0)
    with pytest.raises(ValueError, match="unknown cost"):
        check_bp(model, [0.0, 0.0], [0.0, 0.0], cost="hinge")


def test_a_network_with_one_output_takes_a_number_as_its_target():
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    a = model([0.5, -1.0]).data
    table = check_bp(model, [0.5, -1.0], 1.0)
    assert table.holds() and math.isclose(table.cost, 0.5 * (a - 1.0) ** 2, rel_tol=1e-15)
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        check_bp(MLP(2, [2], seed=0), [0.0, 0.0], 1.0)


def test_name_nodes_writes_nielsens_names():
    model = MLP(2, [3, 12], activation="sigmoid", seed=0)
    net = Nielsen(model)
    net.forward([0.1, 0.2])
    net.name_nodes()
    assert net.w(2, 3, 1).label == "w^2_31" and net.b(2, 2).label == "b^2_2"
    assert net.w(3, 12, 3).label == "w^3_12,3" and net.z(2, 1).label == "z^2_1" and net.a(3, 2).label == "a^3_2"


def test_the_demo_prints_the_table_and_says_the_equations_hold(capsys, tmp_path):
    from demos.backprop import main
    main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "BP2 for neuron 1 of layer 2" in out and "a^2_1 -> w^3_21 * a^2_1 (in z^3_2)" in out
    assert "BP2  delta^3_1" in out and "all four equations hold" in out
    assert (tmp_path / "backprop_bp2.svg").read_text().startswith("<?xml")
    main(["--all", "--out", str(tmp_path)])
    assert "BP2  delta^2_1" in capsys.readouterr().out
