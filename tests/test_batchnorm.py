"""BatchNorm1d against torch.nn.BatchNorm1d: forward, hand-written backward, running statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import (
    NUMPY_HINT,
    XI,
    BadInputs,
    T,
    assert_same,
    backward_before_forward,
    forward_backward,
    forward_backward_twice,
    tt,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import nn
from bpcourse.nn import Parameter
from bpcourse.nn.batchnorm import BatchNorm1d


def twins(C, rng, **kw):
    """A bpcourse BatchNorm1d and a torch one with the same random (non-default) parameters."""
    ours = BatchNorm1d(C, **kw)
    theirs = torch.nn.BatchNorm1d(C, dtype=torch.float64, **kw)
    if ours.affine:
        w, b = rng.normal(1.0, 0.5, C), rng.normal(0.0, 0.5, C)
        ours.weight.data[...] = w
        ours.bias.data[...] = b
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(w))
            theirs.bias.copy_(torch.from_numpy(b))
    return ours, theirs


def step(ours, theirs, x, dy):
    """One forward and backward through both; returns (ours: y, dx), (torch: y, dx)."""
    y = ours(x)
    dx = ours.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.from_numpy(dy)).sum().backward()
    return (y, dx), (yt, xt.grad)


def compare_params(ours, theirs):
    if ours.affine:
        assert_same(ours.weight.grad, theirs.weight.grad)
        assert_same(ours.bias.grad, theirs.bias.grad)
    if ours.track_running_stats:
        assert_same(ours.running_mean, theirs.running_mean)
        assert_same(ours.running_var, theirs.running_var)
        assert ours.num_batches_tracked == theirs.num_batches_tracked.item()


shapes = st.tuples(st.integers(2, 7), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 4)))


@settings(max_examples=25)
@given(
    shape=shapes,
    momentum=st.sampled_from([0.1, 0.5, None]),
    affine=st.booleans(),
    track=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_training_mode_matches_torch_over_several_batches(shape, momentum, affine, track, seed):
    N, C, L = shape
    rng = np.random.default_rng(seed)
    kw = dict(momentum=momentum, affine=affine, track_running_stats=track)
    ours, theirs = twins(C, rng, **kw)
    xshape = (N, C) if L is None else (N, C, L)
    for _ in range(3):  # running statistics and gradient accumulation over three batches
        x = rng.normal(rng.normal(), rng.uniform(0.5, 3.0), xshape)
        dy = rng.normal(size=xshape)
        (y, dx), (yt, dxt) = step(ours, theirs, x, dy)
        assert_same(y, yt)
        assert_same(dx, dxt)
        compare_params(ours, theirs)


@settings(max_examples=25)
@given(shape=shapes, affine=st.booleans(), track=st.booleans(), seed=st.integers(0, 2**16))
def test_eval_mode_matches_torch_after_training(shape, affine, track, seed):
    N, C, L = shape
    rng = np.random.default_rng(seed)
    ours, theirs = twins(C, rng, affine=affine, track_running_stats=track)
    xshape = (N, C) if L is None else (N, C, L)
    for _ in range(2):
        step(ours, theirs, rng.normal(2.0, 3.0, xshape), rng.normal(size=xshape))
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    for n in (1, N) if track else (N,):  # with running statistics a batch of one is fine
        shp = (n, C) if L is None else (n, C, L)
        x, dy = rng.normal(size=shp), rng.normal(size=shp)
        (y, dx), (yt, dxt) = step(ours, theirs, x, dy)
        assert_same(y, yt)
        assert_same(dx, dxt)
    compare_params(ours, theirs)


def test_eval_backward_is_a_fixed_scaling_and_differs_from_training():
    rng = np.random.default_rng(0)
    bn = BatchNorm1d(3)
    bn.running_var[...] = [4.0, 1.0, 0.25]
    bn.eval()
    x, dy = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    bn(x)
    dx_eval = bn.backward(dy)
    assert_same(dx_eval, dy / np.sqrt(bn.running_var + bn.eps))
    bn.train()
    bn(x)
    dx_train = bn.backward(dy)
    # In training the gradient has no component along the batch mean: its per-feature sum is 0.
    assert_same(dx_train.sum(axis=0), np.zeros(3), atol=1e-12)
    assert not np.allclose(dx_train, dx_eval)


def test_backward_matches_finite_differences():
    """The three-term formula, checked without torch: central differences of sum(w * y)."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    bn = BatchNorm1d(3, track_running_stats=False)
    bn.weight.data[...] = [0.5, -2.0, 1.5]
    bn(x)
    dx = bn.backward(w)
    h, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (np.sum(w * bn(x + e)) - np.sum(w * bn(x - e))) / (2 * h)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)


def test_running_var_is_unbiased_and_momentum_is_torch_convention():
    x = np.array([[1.0], [2.0], [6.0]])  # mean 3, biased var 14/3, unbiased var 7
    bn = BatchNorm1d(1, momentum=0.25)
    bn(x)
    assert bn.running_mean[0] == pytest.approx(0.75 * 0 + 0.25 * 3)
    assert bn.running_var[0] == pytest.approx(0.75 * 1 + 0.25 * 7)
    cumulative = BatchNorm1d(1, momentum=None)
    cumulative(x)
    cumulative(x + 1)
    assert cumulative.running_mean[0] == pytest.approx((3 + 4) / 2)
    assert cumulative.running_var[0] == pytest.approx(7)
    assert cumulative.num_batches_tracked == 2
    cumulative.reset_running_stats()
    assert cumulative.num_batches_tracked == 0 and cumulative.running_var[0] == 1


def test_gradients_accumulate_and_parameters_are_named_like_torch():
    rng = np.random.default_rng(2)
    bn = BatchNorm1d(4)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert all(isinstance(p, Parameter) for p in bn.parameters())
    assert BatchNorm1d(4, affine=False).parameters() == []
    x, dy = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    bn(x)
    bn.backward(dy)
    once = bn.weight.grad.copy()
    bn(x)
    bn.backward(dy)
    assert_same(bn.weight.grad, 2 * once)


def test_float32_input_keeps_its_dtype():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    bn = BatchNorm1d(3, dtype=np.float32)
    y = bn(x)
    dx = bn.backward(np.ones_like(x))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert bn.weight.dtype == np.float32 and bn.running_var.dtype == np.float32
    t = torch.nn.BatchNorm1d(3)
    xt = torch.tensor(x, requires_grad=True)
    t(xt).sum().backward()
    assert_same(y, t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    assert_same(dx, xt.grad, rtol=1e-5, atol=1e-5)


def test_clear_errors():
    bn = BatchNorm1d(3)
    with pytest.raises(RuntimeError, match="before forward"):
        bn.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="3 features"):
        bn(np.ones((4, 2)))
    with pytest.raises(ValueError, match="2-D or 3-D"):
        bn(np.ones(3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(np.ones((1, 3)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        BatchNorm1d(3, track_running_stats=False).eval()(np.ones((1, 3, 1)))
    bn(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="shape of the forward output"):
        bn.backward(np.ones((3, 3)))
    with pytest.raises(TypeError, match="detach"):
        bn(torch.ones(2, 3))
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm1d(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(2, momentum=1.5)


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

XB = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5], [1.2, 0.7, -0.4], [0.1, 2.2, 0.9]])


def bn_ref(x, grad=None, times=1, eval_mode=False):
    def ref():
        bn = torch.nn.BatchNorm1d(3, dtype=T)
        if eval_mode:
            bn.eval()
        xt = tt(x, grad=True)
        out = bn(xt)
        if grad is None:
            return out.detach().numpy()
        (out * tt(grad)).sum().backward()
        return times * bn.weight.grad.numpy()

    return ref


BAD_INPUT.raises("BatchNorm1d(0)", nn.BatchNorm1d, (0,), match=r"^num_features must be >= 1, got 0")
BAD_INPUT.raises(
    "BatchNorm1d(3.0)",
    nn.BatchNorm1d,
    (3.0,),
    exc=TypeError,
    match=r"^num_features must be an int, got 3\.0",
)
BAD_INPUT.raises(
    "BatchNorm1d(3, eps=0)", nn.BatchNorm1d, (3,), {"eps": 0}, match=r"^eps must be > 0, got 0"
)
BAD_INPUT.raises(
    "BatchNorm1d(3, momentum=1.5)",
    nn.BatchNorm1d,
    (3,),
    {"momentum": 1.5},
    match=r"^momentum must be in \[0, 1\] or None, got 1\.5",
)
BAD_INPUT.raises(
    "BatchNorm1d(3, eps='1e-5')",
    nn.BatchNorm1d,
    (3,),
    {"eps": "1e-5"},
    exc=TypeError,
    match=r"^eps must be a positive number, got '1e-5'",
)
BAD_INPUT.raises(
    "BatchNorm1d(3, momentum='0.1')",
    nn.BatchNorm1d,
    (3,),
    {"momentum": "0.1"},
    exc=TypeError,
    match=r"^momentum must be a real number or None, got '0\.1'",
)
for flag, value in [("affine", "yes"), ("track_running_stats", 1.0)]:
    BAD_INPUT.raises(
        f"BatchNorm1d(3, {flag}={value!r})",
        nn.BatchNorm1d,
        (3,),
        {flag: value},
        exc=TypeError,
        match=rf"^{flag} must be True or False, got {value!r}",
    )
BAD_INPUT.raises(
    "BatchNorm1d(3, dtype=int)",
    nn.BatchNorm1d,
    (3,),
    {"dtype": int},
    exc=TypeError,
    match=r"^dtype must be np\.float32 or np\.float64, got",
)
BAD_INPUT.raises(
    "BatchNorm1d(3)(x): 2 features",
    lambda: nn.BatchNorm1d(3)(np.ones((4, 2))),
    match=r"^x must have 3 features in dimension 1 .*got shape \(4, 2\)",
)
BAD_INPUT.raises(
    "BatchNorm1d(3)(x): 1-D sample",
    lambda: nn.BatchNorm1d(3)(np.ones(3)),
    match=r"^x must be 2-D or 3-D, got an array of shape \(3,\)",
)
BAD_INPUT.raises(
    "BatchNorm1d(3)(x): batch of one in training",
    lambda: nn.BatchNorm1d(3)(np.ones((1, 3))),
    match=(
        r"^Expected more than 1 value per channel when training, got input shape \(1, 3\): a batch "
        r"of one has no variance \(use a bigger batch, or eval\(\) with track_running_stats=True\)$"
    ),
)
BAD_INPUT.raises(
    "BatchNorm1d(3)(x): NaN",
    lambda: nn.BatchNorm1d(3)(np.where(XB > 2, np.nan, XB)),
    match=r"^x must be finite, got nan at index \(3, 1\)",
)
BAD_INPUT.raises(
    "BatchNorm1d(3)(x): torch",
    lambda: nn.BatchNorm1d(3)(torch.ones(4, 3)),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
BAD_INPUT.raises(
    "BatchNorm1d.backward before forward",
    backward_before_forward,
    (nn.BatchNorm1d(3), XB),
    exc=RuntimeError,
    match=r"^BatchNorm1d\.backward called before forward",
)
BAD_INPUT.raises(
    "BatchNorm1d.backward: grad_output (4, 2)",
    forward_backward,
    (nn.BatchNorm1d(3), XB, np.ones((4, 2))),
    match=r"^grad_output must have the shape of the forward output \(4, 3\), got \(4, 2\)",
)
BAD_INPUT.raises(
    "BatchNorm1d.backward: grad_output torch",
    forward_backward,
    (nn.BatchNorm1d(3), XB, torch.ones(4, 3)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
BAD_INPUT.accepts(
    "BatchNorm1d(3, momentum=0.0): running stats stay",
    lambda: (lambda b: (b(XB), b.running_mean)[1])(nn.BatchNorm1d(3, momentum=0.0)),
    expected=lambda: np.zeros(3),
)
BAD_INPUT.accepts(
    "BatchNorm1d(3, momentum=1.0): running stats = the batch's",
    lambda: (lambda b: (b(XB), b.running_var)[1])(nn.BatchNorm1d(3, momentum=1.0)),
    expected=lambda: XB.var(axis=0, ddof=1),
)
BAD_INPUT.accepts(
    "BatchNorm1d(3)(x): a list", lambda: nn.BatchNorm1d(3)(XB.tolist()), expected=bn_ref(XB)
)
BAD_INPUT.accepts("BatchNorm1d(3)(x): integers", lambda: nn.BatchNorm1d(3)(XI), expected=bn_ref(XI))
BAD_INPUT.accepts(
    "BatchNorm1d(3).eval()(x): a batch of one is fine with running stats",
    lambda: nn.BatchNorm1d(3).eval()(XB[:1]),
    expected=bn_ref(XB[:1], eval_mode=True),
)
BAD_INPUT.accepts(
    "BatchNorm1d.backward twice: weight.grad accumulates (2x)",
    forward_backward_twice,
    (nn.BatchNorm1d(3), XB, XB[::-1]),
    expected=bn_ref(XB, grad=XB[::-1], times=2),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
