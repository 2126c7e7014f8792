"""Gradients of random expression trees checked against PyTorch in float64."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_engine_oracles import BINARY, NAMES, differentiate, trees

torch = pytest.importorskip("torch", reason="PyTorch is the float64 oracle here; CI installs torch==2.13.0")


@given(trees(), st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3))
def test_random_expressions_match_pytorch_float64(tree, point):
    env, out = differentiate(tree, point)
    tenv = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in zip(NAMES, point)}
    tout = build_torch(tree, tenv)
    if not isinstance(tout, torch.Tensor) or not tout.requires_grad:
        return
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
    for n in NAMES:
        tg = 0.0 if tenv[n].grad is None else tenv[n].grad.item()
        assert env[n].grad == pytest.approx(tg, rel=1e-9, abs=1e-12), n


def build_torch(tree, env):
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return torch.tensor(tree, dtype=torch.float64)
    op, *kids = tree
    a = build_torch(kids[0], env)
    if op in BINARY:
        b = build_torch(kids[1], env)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: a / (b * b + 0.5), "**": lambda: (a * a + 0.5) ** (b * 0.25)}[op]()
    return {
        "neg": lambda u: -u, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "exp": torch.exp, "log": lambda u: torch.log(u * u + 0.5), "sqrt": lambda u: torch.sqrt(u * u + 0.5),
        "abs": torch.abs, "sin": torch.sin, "cos": torch.cos,
    }[op](a)
