"""cross_entropy / CrossEntropyLoss with label_smoothing against torch, both kinds of target."""

from __future__ import annotations

import numpy as np
import torch
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

import bpcourse.functional as F
from bpcourse import check, nn


def torch_ce(z, t, reduction, eps):
    """torch's loss (as numpy) and dL/dz for the summed loss (float64)."""
    zt = torch.tensor(z, requires_grad=True)
    tt = torch.from_numpy(t) if t.ndim == 2 else torch.from_numpy(t.astype(np.int64))
    loss = torch.nn.functional.cross_entropy(zt, tt, reduction=reduction, label_smoothing=eps)
    loss.sum().backward()
    return loss.detach().numpy(), zt.grad.numpy()


@settings(max_examples=30)
@given(
    n=st.integers(1, 6),
    c=st.integers(2, 6),
    eps=st.sampled_from([0.0, 0.05, 0.1, 0.5, 1.0]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    probabilities=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_matches_torch(n, c, eps, reduction, probabilities, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, (n, c))
    t = rng.dirichlet(np.ones(c), n) if probabilities else rng.integers(0, c, n)
    want_loss, want_grad = torch_ce(z, t, reduction, eps)
    loss = F.cross_entropy(z, t, reduction, label_smoothing=eps)
    grad = F.cross_entropy_grad(z, t, reduction, label_smoothing=eps)
    assert_same(np.asarray(loss), want_loss)
    assert_same(grad, want_grad)
    crit = nn.CrossEntropyLoss(reduction, label_smoothing=eps)
    assert_same(np.asarray(crit(z, t)), want_loss)
    assert_same(crit.backward(), want_grad)


def test_smoothing_is_the_mixture_of_the_loss_and_the_uniform_target():
    """eps = 0.1: 0.9 * CE(onehot) + 0.1 * CE(uniform), written out without the code under test."""
    z = np.array([[2.0, -1.0, 0.5, 0.0], [0.1, 0.2, 3.0, -2.0], [1.0, 1.0, 1.0, 5.0]])
    t = np.array([0, 3, 3])
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    want = np.mean(0.9 * -logp[np.arange(3), t] + 0.1 * -logp.mean(axis=1))
    assert abs(F.cross_entropy(z, t, label_smoothing=0.1) - want) < 1e-12
    # the gradient pulls towards (0.9 + 0.1/4) on the target class and 0.1/4 elsewhere
    target = np.full((3, 4), 0.025)
    target[np.arange(3), t] += 0.9
    soft = np.exp(logp)
    assert_same(F.cross_entropy_grad(z, t, label_smoothing=0.1), (soft - target) / 3)


def test_to_torch_carries_label_smoothing_and_check_model_grads_passes():
    rng = np.random.default_rng(0)
    crit = nn.CrossEntropyLoss(label_smoothing=0.2)
    assert check.to_torch(crit).label_smoothing == 0.2
    assert repr(crit) == "CrossEntropyLoss(reduction='mean', label_smoothing=0.2)"
    model = nn.Sequential(nn.Linear(4, 5, rng=1), nn.Tanh(), nn.Linear(5, 3, rng=2))
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    assert "loss" in str(check.check_model_grads(model, crit, x, y))


Z = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5]])
T = np.array([2, 0])

RAISES = [
    Raises(
        "cross_entropy(label_smoothing=1.5)",
        F.cross_entropy,
        (Z, T),
        {"label_smoothing": 1.5},
        match=r"^label_smoothing must be in \[0, 1\], got 1\.5",
    ),
    Raises(
        "cross_entropy(label_smoothing=-0.1)",
        F.cross_entropy_grad,
        (Z, T),
        {"label_smoothing": -0.1},
        match=r"^label_smoothing must be in \[0, 1\], got -0\.1",
    ),
    Raises(
        "CrossEntropyLoss(label_smoothing='0.1')",
        nn.CrossEntropyLoss,
        (),
        {"label_smoothing": "0.1"},
        exc=TypeError,
        match=r"^label_smoothing must be a real number in \[0, 1\], got '0\.1'",
    ),
    Raises(
        "CrossEntropyLoss(label_smoothing=None)",
        nn.CrossEntropyLoss,
        (),
        {"label_smoothing": None},
        exc=TypeError,
        match=r"^label_smoothing must be a real number in \[0, 1\], got None",
    ),
]

ACCEPTS = [
    Accepts(
        "cross_entropy(label_smoothing=1): the uniform target",
        lambda: F.cross_entropy(Z, T, label_smoothing=1),
        expected=lambda: torch.nn.functional.cross_entropy(
            torch.from_numpy(Z), torch.from_numpy(T), label_smoothing=1.0
        ).item(),
    ),
    Accepts(
        "cross_entropy(label_smoothing=np.float32(0.25)), one-hot targets",
        lambda: F.cross_entropy(Z, np.eye(3)[T], label_smoothing=np.float32(0.25)),
        expected=lambda: torch.nn.functional.cross_entropy(
            torch.from_numpy(Z), torch.from_numpy(np.eye(3)[T]), label_smoothing=0.25
        ).item(),
    ),
]

test_raises_one_clear_error, test_gives_the_reference_result = bad_input_tests(RAISES, ACCEPTS)
