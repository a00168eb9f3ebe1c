"""Parameter's gradient buffer: zeros after zero_grad(), accumulation, the lazy-zero fast path."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import nn, optim
from bpcourse.nn import Parameter


def test_grad_starts_at_zero_and_zero_grad_reads_as_zeros():
    p = Parameter(np.ones((2, 3)))
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3)))
    p.grad += 5.0
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3)))
    assert p.grad.dtype == p.data.dtype


@pytest.mark.parametrize("zero_first", [True, False])
def test_accumulate_matmul_adds_or_overwrites_a_zeroed_buffer(zero_first):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    p = Parameter(np.zeros((3, 5)))
    p.grad += 1.0
    buffer = p.grad
    if zero_first:
        p.zero_grad()
    p.accumulate_matmul(a, b)
    expected = a @ b + (0.0 if zero_first else 1.0)
    np.testing.assert_allclose(p.grad, expected, rtol=1e-15, atol=1e-15)
    assert p.grad is buffer  # written in place: an optimizer holding the array sees it
    p.accumulate_matmul(a, b)  # a second backward without zero_grad adds up
    np.testing.assert_allclose(p.grad, expected + a @ b, rtol=1e-14, atol=1e-14)


def test_linear_gradients_after_zero_grad_equal_a_fresh_layer():
    rng = np.random.default_rng(1)
    X, g = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    layer = nn.Linear(4, 3, rng=0)
    for _ in range(3):  # accumulate garbage, then zero and redo
        layer(X)
        layer.backward(g)
    layer.zero_grad()
    layer(X)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, g.T @ X, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(layer.bias.grad, g.sum(axis=0), rtol=1e-14, atol=1e-14)


def test_optimizer_step_after_zero_grad_without_backward_sees_zeros():
    p = Parameter(np.array([1.0, -2.0]))
    p.grad += np.array([3.0, 4.0])
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    opt.step()
    np.testing.assert_array_equal(p.data, [1.0, -2.0])  # a zero gradient moves nothing
    p.grad = None
    opt.zero_grad()  # a None gradient stays None and is skipped
    assert p.grad is None
    opt.step()
