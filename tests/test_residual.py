"""Residual(block): y = x + block(x), backward dy + block.backward(dy), against torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import (
    G23,
    NUMPY_HINT,
    TORCH,
    X23,
    BadInputs,
    backward_before_forward,
    forward_backward,
    fresh_linear,
    tgrad,
    tt,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import nn
from bpcourse.nn import Module, Parameter
from bpcourse.nn.batchnorm import BatchNorm1d
from bpcourse.nn.residual import Residual


class TanhAffine(Module):
    """A self-contained block tanh(x @ W.T + b), so this test does not depend on other layers."""

    def __init__(self, d_in, d_out, rng):
        self.weight = Parameter(rng.normal(0, 0.7, (d_out, d_in)))
        self.bias = Parameter(rng.normal(0, 0.3, d_out))
        self._cache = None

    def forward(self, x):
        self._cache = (x, np.tanh(x @ self.weight.data.T + self.bias.data))
        return self._cache[1]

    def backward(self, dy):
        x, y = self._cache
        dz = dy * (1 - y**2)
        self.weight.grad += dz.T @ x
        self.bias.grad += dz.sum(axis=0)
        return dz @ self.weight.data


def torch_block(block):
    w = torch.tensor(block.weight.data, requires_grad=True)
    b = torch.tensor(block.bias.data, requires_grad=True)
    return (lambda x: torch.tanh(x @ w.T + b)), w, b


@settings(max_examples=40)
@given(n=st.integers(1, 6), d=st.integers(1, 6), depth=st.integers(1, 3), seed=st.integers(0, 999))
def test_stacked_residual_blocks_match_torch(n, d, depth, seed):
    rng = np.random.default_rng(seed)
    blocks = [TanhAffine(d, d, rng) for _ in range(depth)]
    layers = [Residual(b) for b in blocks]
    x, dy = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    h = x
    for layer in layers:
        h = layer(h)
    g = dy
    for layer in reversed(layers):
        g = layer.backward(g)

    xt = torch.tensor(x, requires_grad=True)
    ht, leaves = xt, []
    for blk in blocks:
        f, w, b = torch_block(blk)
        leaves.append((w, b))
        ht = ht + f(ht)
    (ht * torch.from_numpy(dy)).sum().backward()

    np.testing.assert_allclose(h, ht.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for blk, (w, b) in zip(blocks, leaves):
        np.testing.assert_allclose(blk.weight.grad, w.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(blk.bias.grad, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_identity_path_carries_the_gradient_when_the_block_gives_none():
    rng = np.random.default_rng(0)
    block = TanhAffine(3, 3, rng)
    block.weight.data[...] = 0.0  # the block's Jacobian is 0
    res = Residual(block)
    res(rng.normal(size=(2, 3)))
    dy = rng.normal(size=(2, 3))
    np.testing.assert_array_equal(res.backward(dy), dy)


def test_parameters_named_under_block_and_mode_propagates():
    res = Residual(BatchNorm1d(4))
    assert [n for n, _ in res.named_parameters()] == ["block.weight", "block.bias"]
    res.eval()
    assert res.block.training is False


def test_clear_errors():
    rng = np.random.default_rng(1)
    res = Residual(TanhAffine(3, 2, rng))
    with pytest.raises(RuntimeError, match="before forward"):
        res.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="keep the shape"):
        res(np.ones((2, 3)))
    with pytest.raises(TypeError, match="Module"):
        Residual(lambda x: x)
    ok = Residual(TanhAffine(3, 3, rng))
    ok(np.ones((2, 3)))
    with pytest.raises(ValueError, match="shape of the forward output"):
        ok.backward(np.ones((2, 2)))


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

BAD_INPUT.raises(
    "Residual(a function)",
    nn.Residual,
    (np.tanh,),
    exc=TypeError,
    match=r"^block must be a bpcourse\.nn\.Module, got ufunc",
)
BAD_INPUT.raises(
    "Residual(Linear(3, 2))(x): shape changes",
    lambda: nn.Residual(fresh_linear())(X23),
    match=(
        r"^Residual: the block must keep the shape of its input.*got input \(2, 3\) and block "
        r"output \(2, 2\)"
    ),
)
BAD_INPUT.raises(
    "Residual.backward before forward",
    backward_before_forward,
    (nn.Residual(nn.Tanh()), X23),
    exc=RuntimeError,
    match=r"^Residual\.backward called before forward",
)
BAD_INPUT.raises(
    "Residual.backward: grad_output transposed",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, G23.T),
    match=r"^grad_output must have the shape of the forward output \(2, 3\), got \(3, 2\)",
)
BAD_INPUT.raises(
    "Residual.backward: grad_output torch",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, torch.ones(2, 3)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
BAD_INPUT.raises(
    "Residual(x): torch",
    lambda: nn.Residual(nn.Tanh())(TORCH),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
BAD_INPUT.accepts(
    "Residual(Tanh).backward: list grad_output",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, G23.tolist()),
    expected=lambda: tgrad(lambda x: (x + torch.tanh(x)) * tt(G23), X23),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
