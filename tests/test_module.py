"""Parameter's gradient buffer: zeros after zero_grad() (in place), accumulation with +=."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import NUMPY_HINT, X23, BadInputs

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
def test_linear_backward_adds_into_the_same_buffer_zeroed_or_not(zero_first):
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer = nn.Linear(5, 3, rng=0)
    layer.weight.grad += 1.0
    buffer = layer.weight.grad
    if zero_first:
        layer.zero_grad()
    layer(x)
    layer.backward(g)
    expected = g.T @ x + (0.0 if zero_first else 1.0)
    np.testing.assert_allclose(layer.weight.grad, expected, rtol=1e-15, atol=1e-15)
    assert layer.weight.grad is buffer  # in place: an optimizer holding the array sees it
    layer.backward(g)  # a second backward without zero_grad adds up
    np.testing.assert_allclose(layer.weight.grad, expected + g.T @ x, rtol=1e-14, atol=1e-14)


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


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

BAD_INPUT.raises(
    "Parameter(torch tensor)",
    nn.Parameter,
    (torch.ones(2),),
    exc=TypeError,
    match=rf"^parameter {NUMPY_HINT}",
)
BAD_INPUT.raises(
    "Parameter('1.0')",
    nn.Parameter,
    ("1.0",),
    exc=TypeError,
    match=r"^parameter must be an array of numbers, got str",
)
BAD_INPUT.raises(
    "Parameter(NaN)",
    nn.Parameter,
    ([1.0, np.nan],),
    match=r"^parameter must be finite, got nan at index \(1,\)",
)
BAD_INPUT.raises(
    "Module().forward (not written)",
    lambda: nn.Module()(X23),
    exc=NotImplementedError,
    match=r"^Module\.forward is not written",
)
BAD_INPUT.accepts(
    "Parameter(list of ints): float64 data, zero grad",
    lambda: (lambda p: np.stack([p.data, p.grad]))(nn.Parameter([1, 2])),
    expected=lambda: np.array([[1.0, 2.0], [0.0, 0.0]]),
)
BAD_INPUT.accepts(
    "Parameter(empty array): an empty parameter, as torch.nn.Parameter(torch.zeros(0, 3))",
    lambda: nn.Parameter(np.zeros((0, 3))).grad.shape,
    expected=lambda: tuple(torch.nn.Parameter(torch.zeros(0, 3)).shape),
)


def _parameter_of_array_then_edit_the_array():
    a = np.ones(3)
    p = nn.Parameter(a)
    a[0] = 5.0
    return p.data


BAD_INPUT.accepts(
    "Parameter(float array): a copy, later edits of the array do not reach .data",
    _parameter_of_array_then_edit_the_array,
    expected=lambda: np.ones(3),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
