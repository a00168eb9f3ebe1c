"""Dropout against torch: the same keep-mask gives torch's output and gradient, masks are seeded."""

from __future__ import annotations

import numpy as np
import torch
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import check, nn
from bpcourse.nn import Dropout


def torch_dropout(x, dy, mask, p):
    """torch's dropout with OUR mask: the functional form x * mask / (1 - p), output and dx."""
    xt = torch.tensor(x, requires_grad=True)
    noise = torch.from_numpy(mask).to(xt.dtype) / (1 - p)
    yt = xt * noise
    (yt * torch.from_numpy(dy)).sum().backward()
    return yt, xt.grad


@settings(max_examples=30)
@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    p=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
    given_mask=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_forward_and_backward_match_torch_with_the_same_mask(shape, p, given_mask, seed):
    rng = np.random.default_rng(seed)
    layer = Dropout(p, rng=seed)
    x, dy = rng.normal(size=shape), rng.normal(size=shape)
    mask = rng.uniform(size=shape) >= p if given_mask else None
    y = layer(x, mask=mask)
    dx = layer.backward(dy)
    used = np.ones(shape, bool) if layer.mask is None else layer.mask
    if given_mask:
        np.testing.assert_array_equal(layer.mask, mask)
    yt, dxt = torch_dropout(x, dy, used, p)
    assert_same(y, yt)
    assert_same(dx, dxt)


def test_masks_are_seeded_keep_one_minus_p_and_torch_drops_at_the_same_rate():
    x = np.ones((200, 100))
    a, b = Dropout(0.3, rng=7), Dropout(0.3, rng=7)
    a(x)
    b(x)
    np.testing.assert_array_equal(a.mask, b.mask)  # same seed, same masks
    first = a.mask.copy()
    a(x)
    assert not np.array_equal(a.mask, first)  # a generator advances: a new mask each call
    kept = a.mask.mean()
    torch.manual_seed(0)
    torch_kept = (torch.nn.Dropout(0.3)(torch.ones(200, 100)) != 0).double().mean().item()
    # 20,000 Bernoulli(0.7) draws: the standard error of the mean is 0.0032; 5 of them
    assert abs(kept - 0.7) < 0.017 and abs(torch_kept - 0.7) < 0.017
    # inverted dropout: kept elements are scaled by 1 / (1 - p), so the mean stays near 1
    assert abs(a(x).mean() - 1.0) < 0.03


def test_eval_mode_is_the_identity_forward_and_backward_like_torch():
    rng = np.random.default_rng(0)
    x, dy = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    layer = Dropout(0.5, rng=0).eval()
    twin = check.to_torch(layer)
    assert isinstance(twin, torch.nn.Dropout) and twin.p == 0.5 and not twin.training
    xt = torch.tensor(x, requires_grad=True)
    (twin(xt) * torch.from_numpy(dy)).sum().backward()
    assert_same(layer(x), twin(torch.from_numpy(x)))
    assert layer.mask is None
    assert_same(layer.backward(dy), xt.grad)


def test_a_model_with_dropout_in_eval_mode_matches_torch():
    rng = np.random.default_rng(1)
    model = nn.Sequential(
        nn.Linear(4, 5, rng=1), nn.ReLU(), nn.Dropout(0.4, rng=2), nn.Linear(5, 3, rng=3)
    )
    model.eval()
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    assert "0.weight.grad" in str(check.check_model_grads(model, nn.CrossEntropyLoss(), x, y))


def test_float32_keeps_its_dtype():
    x = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
    layer = Dropout(0.25)
    mask = np.array([[True, False, True], [False, True, True]])
    y = layer(x, mask=mask)
    dx = layer.backward(np.ones_like(x))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    expected = torch.from_numpy(x) * (torch.from_numpy(mask).float() / 0.75)
    assert_same(y, expected, rtol=1e-6, atol=0)
    # a float64 grad_output: dx follows x, as torch's gradient follows its input
    assert layer.backward(np.ones(x.shape)).dtype == np.float32
    layer.eval()
    layer(x)
    assert layer.backward(np.ones(x.shape)).dtype == np.float32


def test_a_mask_of_numbers_is_kept_as_booleans_and_p_zero_keeps_no_mask():
    layer = Dropout(0.5)
    layer(X, mask=M.astype(np.float32))
    assert layer.mask.dtype == np.bool_
    np.testing.assert_array_equal(layer.mask, M)
    # p = 0 without a mask: the identity, like eval mode (no mask drawn, none kept)
    zero = Dropout(0.0, rng=0)
    zero(X)
    assert zero.mask is None


# --- bad input: one clear message each ------------------------------------------------------------
X = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5]])
M = np.array([[True, False, True], [True, True, False]])


def _backward_before_forward():
    return Dropout().backward(np.ones((2, 3)))


def _backward_wrong_shape():
    d = Dropout(rng=0)
    d(X)
    return d.backward(np.ones((3, 3)))


def _backward(g, x=X):
    d = Dropout(0.5, rng=0)
    d(x)
    return d.backward(g)


def _mask_in_eval():
    return Dropout().eval()(X, mask=M)


RAISES = [
    Raises("Dropout(1)", Dropout, (1,), match=r"^p must be in \[0, 1\) .*, got 1\.0"),
    Raises("Dropout(-0.1)", Dropout, (-0.1,), match=r"^p must be in \[0, 1\) .*, got -0\.1"),
    Raises(
        "Dropout('0.5')",
        Dropout,
        ("0.5",),
        exc=TypeError,
        match=r"^p must be a probability, got '0\.5'",
    ),
    Raises(
        "Dropout(rng='a')",
        Dropout,
        (0.5, "a"),
        exc=TypeError,
        match=r"^rng must be a np\.random\.Generator, an int seed or None, got 'a'",
    ),
    Raises(
        "Dropout: mask of the wrong shape",
        lambda: Dropout()(X, mask=M[:, :2]),
        match=r"^mask must have the shape of x \(2, 3\), got shape \(2, 2\)",
    ),
    Raises(
        "Dropout: mask of values other than 0/1",
        lambda: Dropout()(X, mask=np.full((2, 3), 0.5)),
        match=r"^mask must be a boolean array \(True keeps\) or of 0s and 1s, got values \[0\.5\]",
    ),
    Raises(
        "Dropout: mask of many values, the first six shown",
        lambda: Dropout()(X, mask=np.arange(8.0)),
        match=r"^mask must be a boolean array \(True keeps\) or of 0s and 1s, "
        r"got values \[0\. 1\. 2\. 3\. 4\. 5\.\]$",
    ),
    Raises(
        "Dropout: mask as strings",
        lambda: Dropout()(X, mask=np.full((2, 3), "a")),
        exc=TypeError,
        match=r"^mask must be a boolean array \(True keeps\), got an array of shape \(2, 3\)",
    ),
    Raises(
        "Dropout: torch mask",
        lambda: Dropout()(X, mask=torch.ones(2, 3, dtype=torch.bool)),
        exc=TypeError,
        match=r"^mask must be a numpy array, got a torch\.Tensor .*mask\.numpy\(\)",
    ),
    Raises(
        "Dropout: mask in eval mode",
        _mask_in_eval,
        match=r"^mask given in eval mode: Dropout is the identity in eval mode",
    ),
    Raises(
        "Dropout(x = torch)",
        lambda: Dropout()(torch.ones(2, 3)),
        exc=TypeError,
        match=r"^x must be a numpy array, got a torch\.Tensor",
    ),
    Raises(
        "Dropout backward before forward",
        _backward_before_forward,
        exc=RuntimeError,
        match=r"^Dropout\.backward called before forward",
    ),
    Raises(
        "Dropout backward: wrong shape",
        _backward_wrong_shape,
        match=r"^grad_output must have the shape of the forward output \(2, 3\), got \(3, 3\)",
    ),
    Raises(
        "Dropout backward: torch grad_output",
        _backward,
        (torch.ones(2, 3),),
        exc=TypeError,
        match=r"^grad_output must be a numpy array, got a torch\.Tensor",
    ),
]

ACCEPTS = [
    Accepts(
        "Dropout: mask of 0s and 1s (ints)",
        lambda: Dropout(0.5)(X, mask=M.astype(int)),
        expected=lambda: (torch.from_numpy(X) * torch.from_numpy(M).double() / 0.5).numpy(),
    ),
    Accepts(
        "Dropout(0)(x): the identity",
        lambda: Dropout(0.0, rng=0)(X),
        expected=lambda: torch.nn.Dropout(0.0)(torch.from_numpy(X)).numpy(),
    ),
    Accepts(
        "Dropout(0.5)(integer x) with a mask",
        lambda: Dropout(0.5)(np.array([[1, -2, 3], [0, 2, -1]]), mask=M),
        expected=lambda: (
            torch.tensor([[1.0, -2, 3], [0, 2, -1]], dtype=torch.float64)
            * torch.from_numpy(M).double()
            / 0.5
        ).numpy(),
    ),
    Accepts(
        "Dropout(0.5, rng=np.random.default_rng(3))",
        lambda: Dropout(0.5, rng=np.random.default_rng(3))(X).shape,
        expected=lambda: np.asarray((2, 3)),
    ),
    Accepts(
        "Dropout(0.5) on an empty batch",
        lambda: Dropout(0.5, rng=0)(np.ones((0, 3))),
        expected=lambda: torch.nn.Dropout(0.5)(torch.ones(0, 3, dtype=torch.float64)).numpy(),
    ),
    Accepts(
        "Dropout(0.5) backward on an empty batch",
        _backward,
        (np.ones((0, 3)), np.ones((0, 3))),
        expected=lambda: np.ones((0, 3)),
    ),
    Accepts(
        "Dropout: mask of 0.0s and 1.0s (float32)",
        lambda: Dropout(0.5)(X, mask=M.astype(np.float32)),
        expected=lambda: (torch.from_numpy(X) * torch.from_numpy(M).double() / 0.5).numpy(),
    ),
]

test_raises_one_clear_error, test_gives_the_reference_result = bad_input_tests(RAISES, ACCEPTS)
