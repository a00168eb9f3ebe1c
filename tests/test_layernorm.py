"""LayerNorm against torch.nn.LayerNorm: forward, hand-written backward, parameter gradients."""

from __future__ import annotations

import numpy as np
import torch
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import check, nn
from bpcourse.nn import LayerNorm


def twins(normalized_shape, rng, affine=True, eps=1e-5):
    """A bpcourse LayerNorm and torch's, with the same random (non-default) parameters."""
    ours = LayerNorm(normalized_shape, eps=eps, elementwise_affine=affine)
    theirs = torch.nn.LayerNorm(
        normalized_shape, eps=eps, elementwise_affine=affine, dtype=torch.float64
    )
    if affine:
        shape = ours.weight.shape
        w, b = rng.normal(1.0, 0.5, shape), rng.normal(0.0, 0.5, shape)
        ours.weight.data[...] = w
        ours.bias.data[...] = b
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(w))
            theirs.bias.copy_(torch.from_numpy(b))
    return ours, theirs


@settings(max_examples=30)
@given(
    batch=st.lists(st.integers(1, 4), min_size=0, max_size=2),
    normalized=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    as_int=st.booleans(),
    affine=st.booleans(),
    eps=st.sampled_from([1e-5, 1e-3, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_forward_and_backward_match_torch(batch, normalized, as_int, affine, eps, seed):
    rng = np.random.default_rng(seed)
    ns = normalized[0] if as_int and len(normalized) == 1 else tuple(normalized)
    ours, theirs = twins(ns, rng, affine=affine, eps=eps)
    shape = (*batch, *normalized)
    for _ in range(2):  # the parameter gradients accumulate over two batches, as in torch
        x = rng.normal(rng.normal(), rng.uniform(0.5, 3.0), shape)
        dy = rng.normal(size=shape)
        y = ours(x)
        dx = ours.backward(dy)
        xt = torch.tensor(x, requires_grad=True)
        yt = theirs(xt)
        (yt * torch.from_numpy(dy)).sum().backward()
        assert_same(y, yt)
        assert_same(dx, xt.grad)
        if affine:
            assert_same(ours.weight.grad, theirs.weight.grad)
            assert_same(ours.bias.grad, theirs.bias.grad)


def test_to_torch_twin_and_check_model_grads():
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Linear(5, 6, rng=1), nn.LayerNorm(6), nn.Tanh(), nn.Linear(6, 3, rng=2)
    )
    model[1].weight.data[...] = rng.normal(1.0, 0.3, 6)
    model[1].bias.data[...] = rng.normal(0.0, 0.3, 6)
    x, y = rng.normal(size=(7, 5)), rng.integers(0, 3, 7)
    report = check.check_model_grads(model, nn.CrossEntropyLoss(), x, y)
    assert "1.weight.grad" in str(report) and "1.bias.grad" in str(report)
    twin = check.to_torch(nn.LayerNorm((2, 3), eps=1e-3, elementwise_affine=False))
    assert isinstance(twin, torch.nn.LayerNorm)
    assert twin.normalized_shape == (2, 3) and twin.eps == 1e-3 and twin.weight is None


def test_backward_matches_finite_differences():
    """The compact formula, checked without torch: central differences of sum(w * y)."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    ln = LayerNorm(4)
    ln.weight.data[...] = [0.5, -2.0, 1.5, 1.0]
    ln(x)
    dx = ln.backward(w)
    h, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (np.sum(w * ln(x + e)) - np.sum(w * ln(x - e))) / (2 * h)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)


def test_gradient_has_no_component_along_the_mean_or_xhat_and_eval_is_the_same():
    """Shifting or scaling one sample leaves y unchanged: dx sums to 0 and is orthogonal to x - mu."""
    rng = np.random.default_rng(2)
    ln = LayerNorm(5, elementwise_affine=False, eps=1e-12)
    x, dy = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    y_train = ln(x)
    dx = ln.backward(dy)
    assert_same(dx.sum(axis=1), np.zeros(3), atol=1e-12)
    assert_same((dx * (x - x.mean(axis=1, keepdims=True))).sum(axis=1), np.zeros(3), atol=1e-10)
    ln.eval()
    assert_same(ln(x), y_train)  # per-sample statistics: no train/eval difference


def test_float32_keeps_its_dtype_and_parameters_named_like_torch():
    rng = np.random.default_rng(3)
    ln = LayerNorm(4, dtype=np.float32)
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    assert LayerNorm(4, elementwise_affine=False).parameters() == []
    x = rng.normal(size=(6, 4)).astype(np.float32)
    y = ln(x)
    dx = ln.backward(np.ones_like(x) + x)
    assert y.dtype == dx.dtype == ln.weight.dtype == ln.bias.dtype == np.float32
    assert ln.weight.grad.dtype == ln.bias.grad.dtype == np.float32
    t = torch.nn.LayerNorm(4)
    xt = torch.tensor(x, requires_grad=True)
    (t(xt) * torch.from_numpy(np.ones_like(x) + x)).sum().backward()
    assert_same(y, t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    assert_same(dx, xt.grad, rtol=1e-5, atol=1e-5)


# --- bad input: one clear message each ------------------------------------------------------------
X = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5]])


def _torch_ln(x, shape, **kw):
    return torch.nn.LayerNorm(shape, dtype=torch.float64, **kw)(torch.tensor(np.asarray(x, float)))


def _backward_before_forward():
    return LayerNorm(3).backward(np.ones((2, 3)))


def _backward_wrong_shape(g=None):
    ln = LayerNorm(3)
    ln(X)
    return ln.backward(np.ones((3, 3)) if g is None else g)


RAISES = [
    Raises("LayerNorm(0)", LayerNorm, (0,), match=r"^normalized_shape must be >= 1, got 0"),
    Raises(
        "LayerNorm(3.0)",
        LayerNorm,
        (3.0,),
        exc=TypeError,
        match=r"^normalized_shape must be an int or a tuple of ints, got 3\.0",
    ),
    Raises(
        "LayerNorm(())",
        LayerNorm,
        ((),),
        match=r"^normalized_shape must be an int or a non-empty tuple of ints, got \(\)",
    ),
    Raises(
        "LayerNorm((2, 3.0))",
        LayerNorm,
        ((2, 3.0),),
        exc=TypeError,
        match=r"^normalized_shape must be an int or a tuple of ints, got 3\.0",
    ),
    Raises("LayerNorm((2, 0))", LayerNorm, ((2, 0),), match=r"^normalized_shape must be >= 1"),
    Raises("LayerNorm(3, eps=0)", LayerNorm, (3,), {"eps": 0}, match=r"^eps must be > 0, got 0"),
    Raises(
        "LayerNorm(3, eps='1e-5')",
        LayerNorm,
        (3,),
        {"eps": "1e-5"},
        exc=TypeError,
        match=r"^eps must be a positive number, got '1e-5'",
    ),
    Raises(
        "LayerNorm(3, elementwise_affine=1)",
        LayerNorm,
        (3,),
        {"elementwise_affine": 1},
        exc=TypeError,
        match=r"^elementwise_affine must be True or False, got 1",
    ),
    Raises(
        "LayerNorm(3, dtype=int)",
        LayerNorm,
        (3,),
        {"dtype": int},
        exc=TypeError,
        match=r"^dtype must be np\.float32 or np\.float64",
    ),
    Raises(
        "LayerNorm(4)(x): last dim 3",
        lambda: LayerNorm(4)(X),
        match=r"^x must end with the normalized_shape \(4,\) .*got shape \(2, 3\)",
    ),
    Raises(
        "LayerNorm((2, 3))(x): fewer dims",
        lambda: LayerNorm((2, 3))(np.ones(3)),
        match=r"^x must end with the normalized_shape \(2, 3\) \(shape \(\.\.\., 2, 3\)\), "
        r"got shape \(3,\)$",
    ),
    Raises(
        "LayerNorm(3)(torch)",
        lambda: LayerNorm(3)(torch.ones(2, 3)),
        exc=TypeError,
        match=r"^x must be a numpy array, got a torch\.Tensor .*\.detach\(\)\.numpy\(\)",
    ),
    Raises(
        "LayerNorm(3)(nan)",
        lambda: LayerNorm(3)(np.array([[0.5, np.nan, 2.0]])),
        match=r"^x must be finite, got nan",
    ),
    Raises(
        "LayerNorm backward before forward",
        _backward_before_forward,
        exc=RuntimeError,
        match=r"^LayerNorm\.backward called before forward",
    ),
    Raises(
        "LayerNorm backward: wrong shape",
        _backward_wrong_shape,
        match=r"^grad_output must have the shape of the forward output \(2, 3\), got \(3, 3\)",
    ),
    Raises(
        "LayerNorm backward: torch grad_output",
        _backward_wrong_shape,
        (torch.ones(2, 3),),
        exc=TypeError,
        match=r"^grad_output must be a numpy array, got a torch\.Tensor",
    ),
]

ACCEPTS = [
    Accepts(
        "LayerNorm((1, 3)): a size-1 normalised dimension",
        lambda: LayerNorm((1, 3))(X.reshape(2, 1, 3)),
        expected=lambda: _torch_ln(X.reshape(2, 1, 3), (1, 3)).detach().numpy(),
    ),
    Accepts(
        "LayerNorm(1): each value alone, y = bias = 0",
        lambda: LayerNorm(1)(X.reshape(6, 1)),
        expected=lambda: _torch_ln(X.reshape(6, 1), 1).detach().numpy(),
    ),
    Accepts(
        "LayerNorm([2, 3]) (a list)",
        lambda: LayerNorm([2, 3])(X.reshape(1, 2, 3)),
        expected=lambda: _torch_ln(X.reshape(1, 2, 3), [2, 3]).detach().numpy(),
    ),
    Accepts(
        "LayerNorm(3)(integer x)",
        lambda: LayerNorm(3)(np.array([[1, -2, 3], [0, 2, -1]])),
        expected=lambda: _torch_ln([[1, -2, 3], [0, 2, -1]], 3).detach().numpy(),
    ),
    Accepts(
        "LayerNorm(3)(one sample, 1-D)",
        lambda: LayerNorm(3)(X[0]),
        expected=lambda: _torch_ln(X[0], 3).detach().numpy(),
    ),
    Accepts(
        "LayerNorm(3)(constant row): xhat = 0",
        lambda: LayerNorm(3, elementwise_affine=False)(np.full((2, 3), 7.0)),
        expected=lambda: (
            _torch_ln(np.full((2, 3), 7.0), 3, elementwise_affine=False).detach().numpy()
        ),
    ),
    Accepts(
        "LayerNorm(np.int64(3))",
        lambda: LayerNorm(np.int64(3))(X),
        expected=lambda: _torch_ln(X, 3).detach().numpy(),
    ),
]

test_raises_one_clear_error, test_gives_the_reference_result = bad_input_tests(RAISES, ACCEPTS)


def test_repr():
    assert LayerNorm(3).training is torch.nn.LayerNorm(3).training is True
    assert repr(LayerNorm(3)) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True)"
    assert repr(LayerNorm((2, 3), elementwise_affine=False)).startswith("LayerNorm((2, 3),")
