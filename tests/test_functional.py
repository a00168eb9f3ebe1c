"""bpcourse.functional against torch autograd (float64, rtol=1e-10) and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import (
    ATOL,
    CE_T,
    G23,
    INF,
    NAN,
    NUMPY_HINT,
    RTOL,
    TORCH,
    X23,
    X32,
    XI,
    XM,
    BadInputs,
    P,
    T,
    Y,
    assert_same,
    ce_ref,
    loss_ref,
    tgrad,
    tt,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse import functional as F

SETTINGS = settings(max_examples=30)

# Values near the kinks (ReLU at 0), where exp would overflow without care, and +-1e4 logits.
SPECIAL = [0.0, -0.0, 1e-12, -1e-12, 1e-8, -1e-8, 1.0, -1.0, 30.0, -30.0, 700.0, -700.0, 1e4, -1e4]
values = st.one_of(
    st.floats(-20, 20, allow_nan=False, allow_subnormal=False), st.sampled_from(SPECIAL)
)
# Probabilities including the ends, where torch clamps log at -100.
probs = st.one_of(
    st.floats(0, 1, allow_subnormal=False),
    st.sampled_from([0.0, 1.0, 1e-300, 1e-20, 1e-12, 0.5, 1 - 1e-12, 1 - 1e-16]),
)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=6)
batch_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


def arrays(shape, elements=values):
    return hnp.arrays(np.float64, shape, elements=elements)


def assert_loss(actual, expected: torch.Tensor, reduction: str):
    if reduction == "none":
        assert_same(actual, expected)
    else:
        assert isinstance(actual, float), f"expected a Python float, got {type(actual).__name__}"
        assert actual == pytest.approx(expected.item(), rel=RTOL, abs=ATOL)


def leaf(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x, requires_grad=True)


def numerical_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function f at x."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


# ------------------------------------------------------------------------------------------------
# Activations
# ------------------------------------------------------------------------------------------------
ACTIVATIONS = {
    "sigmoid": (F.sigmoid, F.sigmoid_grad, torch.sigmoid),
    "tanh": (F.tanh, F.tanh_grad, torch.tanh),
    "relu": (F.relu, F.relu_grad, torch.relu),
    "leaky_relu": (F.leaky_relu, F.leaky_relu_grad, TF.leaky_relu),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@SETTINGS
@given(x=arrays(shapes))
def test_activation_and_derivative_match_autograd(name, x):
    f, f_grad, torch_f = ACTIVATIONS[name]
    xt = leaf(x)
    out = torch_f(xt)
    out.sum().backward()  # d(sum f(x))/dx = f'(x), elementwise
    assert_same(f(x), out)
    assert_same(f_grad(x), xt.grad)


@SETTINGS
@given(x=arrays(batch_shapes), slope=st.sampled_from([0.0, 0.01, 0.2, 1.0, -0.5, 3.0]))
def test_leaky_relu_slope_matches_autograd(x, slope):
    xt = leaf(x)
    out = TF.leaky_relu(xt, negative_slope=slope)
    out.sum().backward()
    assert_same(F.leaky_relu(x, negative_slope=slope), out)
    assert_same(F.leaky_relu_grad(x, slope), xt.grad)


def test_kink_convention_is_torchs():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(F.relu_grad(z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(F.leaky_relu_grad(z, 0.1), [0.1, 0.1, 1.0])


def test_activations_at_extremes_are_finite_and_exact():
    z = np.array([-1e4, -745.0, -710.0, 0.0, 710.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a silent overflow
        s, ds = F.sigmoid(z), F.sigmoid_grad(z)
    np.testing.assert_array_equal(s[[0, -1]], [0.0, 1.0])
    np.testing.assert_array_equal(ds[[0, -1]], [0.0, 0.0])
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivative_vs_finite_differences(name):
    f, f_grad, _ = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = rng.uniform(-3, 3, size=(4, 5))
    z = z[np.abs(z) > 1e-3].reshape(-1)  # central differences are wrong within h of a kink
    num = numerical_grad(lambda v: float(f(v).sum()), z.copy())
    np.testing.assert_allclose(f_grad(z), num, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# softmax / log_softmax
# ------------------------------------------------------------------------------------------------
@st.composite
def array_and_axis(draw):
    x = draw(arrays(batch_shapes))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    g = draw(arrays(x.shape, st.floats(-3, 3, allow_subnormal=False)))
    return x, axis, g


@SETTINGS
@given(case=array_and_axis())
def test_softmax_and_backward_match_autograd(case):
    x, axis, g = case
    xt = leaf(x)
    out = torch.softmax(xt, dim=axis)
    out.backward(torch.tensor(g))
    mine = F.softmax(x, axis=axis)
    assert_same(mine, out)
    assert_same(F.softmax_backward(g, mine, axis=axis), xt.grad)


@SETTINGS
@given(case=array_and_axis())
def test_log_softmax_and_backward_match_autograd(case):
    x, axis, g = case
    xt = leaf(x)
    out = torch.log_softmax(xt, dim=axis)
    out.backward(torch.tensor(g))
    mine = F.log_softmax(x, axis=axis)
    assert_same(mine, out)
    assert_same(F.log_softmax_backward(g, mine, axis=axis), xt.grad)


def test_softmax_of_huge_logits_is_finite():
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4]])
    np.testing.assert_allclose(F.softmax(x), [[1, 0, 0], [0.5, 0.5, 0]], atol=0)
    assert np.all(np.isfinite(F.log_softmax(x)))


# ------------------------------------------------------------------------------------------------
# Losses
# ------------------------------------------------------------------------------------------------
reductions = st.sampled_from(["mean", "sum", "none"])


@st.composite
def pair(draw, pred_elements=values, target_elements=values):
    shape = draw(shapes)
    return draw(arrays(shape, pred_elements)), draw(arrays(shape, target_elements))


def check_loss(loss, loss_grad, torch_loss, pred, target, reduction):
    pt = leaf(pred)
    expected = torch_loss(pt, torch.tensor(target), reduction=reduction)
    # For "none", the gradient is that of the summed losses.
    (expected if reduction != "none" else expected.sum()).backward()
    assert_loss(loss(pred, target, reduction=reduction), expected, reduction)
    assert_same(loss_grad(pred, target, reduction=reduction), pt.grad)


@SETTINGS
@given(case=pair(st.floats(-1e3, 1e3, allow_subnormal=False), values), reduction=reductions)
def test_mse_matches_autograd(case, reduction):
    check_loss(F.mse, F.mse_grad, TF.mse_loss, *case, reduction)


@SETTINGS
@given(case=pair(probs, probs), reduction=reductions)
def test_binary_cross_entropy_matches_autograd_including_clamped_logs(case, reduction):
    check_loss(
        F.binary_cross_entropy, F.binary_cross_entropy_grad, TF.binary_cross_entropy,
        *case, reduction,
    )  # fmt: skip


@SETTINGS
@given(case=pair(values, probs), reduction=reductions)
def test_binary_cross_entropy_with_logits_matches_autograd(case, reduction):
    check_loss(
        F.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits_grad,
        TF.binary_cross_entropy_with_logits, *case, reduction,
    )  # fmt: skip


@st.composite
def logits_and_classes(draw):
    n, c = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    logits = draw(arrays((n, c)))
    return logits, draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))


@st.composite
def logits_and_probs(draw):
    n, c = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    logits = draw(arrays((n, c)))
    if draw(st.booleans()):  # one-hot rows
        target = np.eye(c)[draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))]
    else:  # any non-negative rows, normalised
        w = draw(arrays((n, c), st.floats(0, 1, allow_subnormal=False))) + 1e-3
        target = w / w.sum(axis=1, keepdims=True)
    return logits, target


@SETTINGS
@given(case=logits_and_classes(), reduction=reductions)
def test_cross_entropy_class_targets_match_autograd(case, reduction):
    check_loss(F.cross_entropy, F.cross_entropy_grad, TF.cross_entropy, *case, reduction)


@SETTINGS
@given(case=logits_and_probs(), reduction=reductions)
def test_cross_entropy_probability_targets_match_autograd(case, reduction):
    check_loss(F.cross_entropy, F.cross_entropy_grad, TF.cross_entropy, *case, reduction)


def test_extreme_logits_give_finite_values_and_torchs_gradients():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]])
    target = np.array([1, 2, 2])
    lt = leaf(logits)
    TF.cross_entropy(lt, torch.tensor(target)).backward()
    loss = F.cross_entropy(logits, target)
    assert np.isfinite(loss)
    assert loss == pytest.approx(
        TF.cross_entropy(torch.tensor(logits), torch.tensor(target)).item()
    )
    assert_same(F.cross_entropy_grad(logits, target), lt.grad)

    z = np.array([1e4, -1e4, 1e4, -1e4])
    t = np.array([0.0, 1.0, 1.0, 0.0])
    zt = leaf(z)
    TF.binary_cross_entropy_with_logits(zt, torch.tensor(t)).backward()
    assert F.binary_cross_entropy_with_logits(z, t) == pytest.approx(5e3, rel=1e-12)
    assert_same(F.binary_cross_entropy_with_logits_grad(z, t), zt.grad)


LOSS_GRADS = {
    "mse": (F.mse, F.mse_grad, lambda r: r.normal(size=(3, 4))),
    "bce": (F.binary_cross_entropy, F.binary_cross_entropy_grad, lambda r: r.uniform(size=(3, 4))),
    "bce_logits": (
        F.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits_grad,
        lambda r: r.uniform(size=(3, 4)),
    ),
    "ce_probs": (F.cross_entropy, F.cross_entropy_grad, lambda r: r.dirichlet(np.ones(4), 3)),
    "ce_classes": (F.cross_entropy, F.cross_entropy_grad, lambda r: np.array([0, 3, 1])),
}


@pytest.mark.parametrize("name", LOSS_GRADS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_loss_gradients_vs_finite_differences(name, reduction):
    loss, loss_grad, make_target = LOSS_GRADS[name]
    rng = np.random.default_rng(1)
    pred = rng.uniform(0.05, 0.95, size=(3, 4)) if name == "bce" else rng.normal(size=(3, 4))
    target = make_target(rng)
    num = numerical_grad(lambda p: loss(p, target, reduction), pred.copy())
    np.testing.assert_allclose(loss_grad(pred, target, reduction), num, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# float32 stays float32 and agrees with torch float32
# ------------------------------------------------------------------------------------------------
def test_float32_in_float32_out_matches_torch_float32():
    rng = np.random.default_rng(2)
    x = rng.normal(scale=3, size=(16, 5)).astype(np.float32)
    xt = torch.tensor(x)
    for mine, theirs in [
        (F.sigmoid(x), torch.sigmoid(xt)),
        (F.tanh(x), torch.tanh(xt)),
        (F.relu(x), torch.relu(xt)),
        (F.leaky_relu(x), TF.leaky_relu(xt)),
        (F.sigmoid_grad(x), torch.sigmoid(xt) * (1 - torch.sigmoid(xt))),
        (F.leaky_relu_grad(x), torch.where(xt > 0, 1.0, 0.01)),
        (F.softmax(x), torch.softmax(xt, -1)),
        (F.log_softmax(x), torch.log_softmax(xt, -1)),
    ]:
        assert_same(mine, theirs, rtol=1e-5, atol=1e-6)
    target = rng.integers(0, 5, size=16)
    lt = leaf(x)
    TF.cross_entropy(lt, torch.tensor(target)).backward()
    assert_same(F.cross_entropy_grad(x, target), lt.grad, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Unusual but legitimate input: lists and integer arrays give the float result
# ------------------------------------------------------------------------------------------------
def test_lists_and_integer_arrays_are_accepted():
    xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert_same(F.sigmoid(xor), F.sigmoid(xor.astype(float)))
    assert_same(F.relu_grad([[0, 1], [-1, 2]]), np.array([[0.0, 1.0], [0.0, 1.0]]))
    assert F.mse([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / 3)
    assert F.binary_cross_entropy([0.5, 0.5], [0, 1]) == pytest.approx(np.log(2))
    assert F.cross_entropy([[0, 0], [0, 0]], [0, 1]) == pytest.approx(np.log(2))
    assert F.cross_entropy([[0.0, 0.0]], [1.0]) == pytest.approx(np.log(2))  # whole float index
    assert_same(F.cross_entropy_grad([[0, 0]], [[0, 1]]), np.array([[0.5, -0.5]]))


# ------------------------------------------------------------------------------------------------
# Bad input: one clear error naming the argument, what was expected and what came
# ------------------------------------------------------------------------------------------------
Z23 = np.zeros((2, 3))


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

# Shapes, values and types that each function or layer must refuse by name.
BAD_INPUT.raises(
    "F.mse([1.0, 2.0], [1.0, 2.0, 3.0])",
    lambda: F.mse([1.0, 2.0], [1.0, 2.0, 3.0]),
    exc=ValueError,
    match=r"target must have shape \(2,\).*\(3,\)",
)
BAD_INPUT.raises(
    "F.mse(np.ones((4, 1)), np.ones(4))",
    lambda: F.mse(np.ones((4, 1)), np.ones(4)),
    exc=ValueError,
    match=r"target must have shape \(4, 1\)",
)
BAD_INPUT.raises(
    "F.mse(np.zeros((0, 3)), np.zeros((0, 3)))",
    lambda: F.mse(np.zeros((0, 3)), np.zeros((0, 3))),
    exc=ValueError,
    match=r"pred must not be empty",
)
BAD_INPUT.raises(
    "F.mse([1.0], [np.inf])",
    lambda: F.mse([1.0], [np.inf]),
    exc=ValueError,
    match=r"target must be finite, got inf",
)
BAD_INPUT.raises(
    "F.sigmoid([0.0, np.nan])",
    lambda: F.sigmoid([0.0, np.nan]),
    exc=ValueError,
    match=r"x must be finite, got nan at index \(1,\)",
)
BAD_INPUT.raises(
    "F.tanh_grad([np.inf])",
    lambda: F.tanh_grad([np.inf]),
    exc=ValueError,
    match=r"z must be finite",
)
BAD_INPUT.raises(
    'F.mse([1.0], [1.0], reduction="avg")',
    lambda: F.mse([1.0], [1.0], reduction="avg"),
    exc=ValueError,
    match=r"reduction must be .*'avg'",
)
BAD_INPUT.raises(
    "F.binary_cross_entropy([1.5], [1.0])",
    lambda: F.binary_cross_entropy([1.5], [1.0]),
    exc=ValueError,
    match=r"prob must hold probabilities in \[0, 1\], got 1.5.*logits",
)
BAD_INPUT.raises(
    "F.binary_cross_entropy([0.5], [-1.0])",
    lambda: F.binary_cross_entropy([0.5], [-1.0]),
    exc=ValueError,
    match=r"target must hold probabilities in \[0, 1\], got -1.0",
)
BAD_INPUT.raises(
    "F.binary_cross_entropy_with_logits([3.0], [2.0])",
    lambda: F.binary_cross_entropy_with_logits([3.0], [2.0]),
    exc=ValueError,
    match=r"target must hold probabilities",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, [0, 3])",
    lambda: F.cross_entropy(Z23, [0, 3]),
    exc=ValueError,
    match=r"target must hold class indices in \[0, 2\].*got 3 at index 1",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, [-1, 0])",
    lambda: F.cross_entropy(Z23, [-1, 0]),
    exc=ValueError,
    match=r"target must hold class indices.*got -1 at index 0",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, [0, 1.5])",
    lambda: F.cross_entropy(Z23, [0, 1.5]),
    exc=ValueError,
    match=r"target must hold integer class indices, got 1.5",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, [0])",
    lambda: F.cross_entropy(Z23, [0]),
    exc=ValueError,
    match=r"target must have shape \(2,\), got .*\(1,\)",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, np.zeros((2, 2)))",
    lambda: F.cross_entropy(Z23, np.zeros((2, 2))),
    exc=ValueError,
    match=r"target must have shape \(2, 3\)",
)
BAD_INPUT.raises(
    "F.cross_entropy(np.zeros(3), [0])",
    lambda: F.cross_entropy(np.zeros(3), [0]),
    exc=ValueError,
    match=r"logits must be 2-D, got .*\(3,\)",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, np.zeros((2, 3, 1)))",
    lambda: F.cross_entropy(Z23, np.zeros((2, 3, 1))),
    exc=ValueError,
    match=r"target must be 1-D or 2-D",
)
BAD_INPUT.raises(
    "F.cross_entropy(Z23, [[2.0, -1, 0], [1, 0, 0]])",
    lambda: F.cross_entropy(Z23, [[2.0, -1, 0], [1, 0, 0]]),
    exc=ValueError,
    match=r"target must hold probabilities",
)
BAD_INPUT.raises(
    "F.cross_entropy(np.zeros((0, 3)), [])",
    lambda: F.cross_entropy(np.zeros((0, 3)), []),
    exc=ValueError,
    match=r"logits must not be empty",
)
BAD_INPUT.raises(
    "F.softmax(Z23, axis=2)",
    lambda: F.softmax(Z23, axis=2),
    exc=ValueError,
    match=r"axis must be in \[-2, 2\) for x of shape \(2, 3\), got 2",
)
BAD_INPUT.raises(
    "F.softmax(Z23, axis=1.0)",
    lambda: F.softmax(Z23, axis=1.0),
    exc=TypeError,
    match=r"axis must be an int",
)
BAD_INPUT.raises(
    "F.softmax_backward(np.zeros(3), Z23)",
    lambda: F.softmax_backward(np.zeros(3), Z23),
    exc=ValueError,
    match=r"grad_output must have shape \(2, 3\)",
)
BAD_INPUT.raises(
    "F.log_softmax_backward(Z23, np.zeros((3, 2)))",
    lambda: F.log_softmax_backward(Z23, np.zeros((3, 2))),
    exc=ValueError,
    match=r"grad_output must have shape \(3, 2\)",
)
BAD_INPUT.raises(
    'F.sigmoid("abc")',
    lambda: F.sigmoid("abc"),
    exc=TypeError,
    match=r"x must be an array of numbers",
)
BAD_INPUT.raises(
    "F.relu(None)", lambda: F.relu(None), exc=TypeError, match=r"x must be an array of numbers"
)
BAD_INPUT.raises(
    "F.relu(torch.zeros(2))",
    lambda: F.relu(torch.zeros(2)),
    exc=TypeError,
    match=r"x must be a numpy array.*x.detach\(\).numpy\(\)",
)
BAD_INPUT.raises(
    'F.leaky_relu([1.0], negative_slope="a")',
    lambda: F.leaky_relu([1.0], negative_slope="a"),
    exc=TypeError,
    match=r"negative_slope must be a number",
)

ELEMENTWISE = {
    # name: (function, argument name, torch reference of the value)
    "sigmoid": (F.sigmoid, "x", torch.sigmoid),
    "sigmoid_grad": (F.sigmoid_grad, "z", None),
    "tanh": (F.tanh, "x", torch.tanh),
    "tanh_grad": (F.tanh_grad, "z", None),
    "relu": (F.relu, "x", torch.relu),
    "relu_grad": (F.relu_grad, "z", None),
    "leaky_relu": (F.leaky_relu, "x", torch.nn.functional.leaky_relu),
    "leaky_relu_grad": (F.leaky_relu_grad, "z", None),
    "softmax": (F.softmax, "x", lambda t: torch.softmax(t, -1)),
    "log_softmax": (F.log_softmax, "x", lambda t: torch.log_softmax(t, -1)),
}
GRAD_OF = {
    "sigmoid_grad": torch.sigmoid,
    "tanh_grad": torch.tanh,
    "relu_grad": torch.relu,
    "leaky_relu_grad": torch.nn.functional.leaky_relu,
}


def _reference(name, x, dtype=T):
    if name in GRAD_OF:
        return lambda: tgrad(GRAD_OF[name], x, dtype=dtype).astype(
            np.float32 if dtype == torch.float32 else np.float64
        )
    ref = ELEMENTWISE[name][2]
    return lambda: ref(tt(x, dtype)).numpy()


for name, (fn, arg, _) in ELEMENTWISE.items():
    BAD_INPUT.raises(
        f"F.{name}: torch tensor", fn, (TORCH,), exc=TypeError, match=rf"^{arg} {NUMPY_HINT}"
    )
    BAD_INPUT.raises(
        f"F.{name}: None",
        fn,
        (None,),
        exc=TypeError,
        match=rf"^{arg} must be an array of numbers, got NoneType",
    )
    BAD_INPUT.raises(
        f"F.{name}: string",
        fn,
        ("0.5",),
        exc=TypeError,
        match=rf"^{arg} must be an array of numbers, got str",
    )
    BAD_INPUT.raises(
        f"F.{name}: NaN", fn, (NAN,), match=rf"^{arg} must be finite, got nan at index \(0, 1\)"
    )
    BAD_INPUT.raises(
        f"F.{name}: inf", fn, (INF,), match=rf"^{arg} must be finite, got inf at index \(0, 1\)"
    )
    BAD_INPUT.raises(
        f"F.{name}: empty batch",
        fn,
        (np.zeros((0, 3)),),
        match=rf"^{arg} must not be empty, got an array of shape \(0, 3\)",
    )
    BAD_INPUT.raises(
        f"F.{name}: ragged list",
        fn,
        ([[1.0, 2.0], [3.0]],),
        match=rf"^{arg} must be a rectangular array",
    )
    BAD_INPUT.accepts(f"F.{name}: list", fn, (X23.tolist(),), expected=_reference(name, X23))
    BAD_INPUT.accepts(f"F.{name}: integers", fn, (XI,), expected=_reference(name, XI))
    BAD_INPUT.accepts(
        f"F.{name}: float32 stays float32",
        fn,
        (X32,),
        expected=_reference(name, X32, torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

for name in ("leaky_relu", "leaky_relu_grad"):
    fn = getattr(F, name)
    BAD_INPUT.raises(
        f"F.{name}: slope a string",
        fn,
        (X23, "0.1"),
        exc=TypeError,
        match=r"^negative_slope must be a number, got '0\.1'",
    )
    BAD_INPUT.raises(
        f"F.{name}: slope True",
        fn,
        (X23, True),
        exc=TypeError,
        match=r"^negative_slope must be a number, got True",
    )
    BAD_INPUT.raises(
        f"F.{name}: slope inf", fn, (X23, np.inf), match=r"^negative_slope must be finite, got inf"
    )
BAD_INPUT.accepts(
    "F.leaky_relu_grad: slope 0.2, float32",
    F.leaky_relu_grad,
    (X32, 0.2),
    expected=lambda: tgrad(
        lambda t: torch.nn.functional.leaky_relu(t, 0.2), X32, dtype=torch.float32
    ),
    rtol=1e-5,
    atol=1e-6,
)
BAD_INPUT.accepts(
    "F.leaky_relu: slope 0.2, integers",
    F.leaky_relu,
    (XI, 0.2),
    expected=lambda: torch.nn.functional.leaky_relu(tt(XI), 0.2).numpy(),
)

for name in ("softmax", "log_softmax"):
    fn = getattr(F, name)
    BAD_INPUT.raises(
        f"F.{name}: axis out of range",
        fn,
        (X23,),
        {"axis": 2},
        match=r"^axis must be in \[-2, 2\) for x of shape \(2, 3\), got 2",
    )
    BAD_INPUT.raises(
        f"F.{name}: axis a float",
        fn,
        (X23,),
        {"axis": 1.0},
        exc=TypeError,
        match=r"^axis must be an int, got 1\.0",
    )
    BAD_INPUT.raises(
        f"F.{name}: axis True",
        fn,
        (X23,),
        {"axis": True},
        exc=TypeError,
        match=r"^axis must be an int, got True",
    )
BAD_INPUT.accepts(
    "F.softmax: axis=0",
    F.softmax,
    (X23,),
    {"axis": 0},
    expected=lambda: torch.softmax(tt(X23), 0).numpy(),
)
BAD_INPUT.accepts(
    "F.log_softmax: axis=-2, integers",
    F.log_softmax,
    (XI,),
    {"axis": -2},
    expected=lambda: torch.log_softmax(tt(XI), 0).numpy(),
)

# softmax_backward / log_softmax_backward: (grad_output, out)
SM = F.softmax(X23)
LSM = F.log_softmax(X23)


def _sm_backward_ref(log, dtype=T):
    def ref():
        x = tt(X23, dtype, grad=True)
        out = torch.log_softmax(x, -1) if log else torch.softmax(x, -1)
        (g,) = torch.autograd.grad((out * tt(G23, dtype)).sum(), x)
        return g.numpy()

    return ref


for name, out in (("softmax_backward", SM), ("log_softmax_backward", LSM)):
    fn = getattr(F, name)
    log = name.startswith("log")
    BAD_INPUT.raises(
        f"F.{name}: grad_output of another shape",
        fn,
        (G23[:, :2], out),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(2, 2\)",
    )
    BAD_INPUT.raises(
        f"F.{name}: grad_output transposed",
        fn,
        (G23.T, out),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(3, 2\)",
    )
    BAD_INPUT.raises(
        f"F.{name}: out a torch tensor",
        fn,
        (G23, TORCH),
        exc=TypeError,
        match=rf"^out {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"F.{name}: grad_output a torch tensor",
        fn,
        (TORCH, out),
        exc=TypeError,
        match=rf"^grad_output {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"F.{name}: grad_output NaN", fn, (NAN, out[:1]), match=r"^grad_output must be finite"
    )
    BAD_INPUT.raises(
        f"F.{name}: axis out of range",
        fn,
        (G23, out),
        {"axis": -3},
        match=r"^axis must be in \[-2, 2\) for out of shape \(2, 3\), got -3",
    )
    BAD_INPUT.accepts(
        f"F.{name}: grad_output a list", fn, (G23.tolist(), out), expected=_sm_backward_ref(log)
    )
    BAD_INPUT.accepts(
        f"F.{name}: float32 out keeps float32",
        fn,
        (G23, out.astype(np.float32)),
        expected=_sm_backward_ref(log, torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

# --- losses ----------------------------------------------------------------------------------
LOSSES = {
    # name: (value fn, grad fn, prediction argument name, torch loss, prediction, target)
    "mse": (F.mse, F.mse_grad, "pred", TF.mse_loss, XM, Y),
    "binary_cross_entropy": (
        F.binary_cross_entropy,
        F.binary_cross_entropy_grad,
        "prob",
        TF.binary_cross_entropy,
        P,
        Y,
    ),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits_grad,
        "logits",
        TF.binary_cross_entropy_with_logits,
        X23[:, :2],
        Y,
    ),
}


for name, (fn, gfn, arg, tloss, p, t) in LOSSES.items():
    for f, kind in ((fn, ""), (gfn, "_grad")):
        nm = f"F.{name}{kind}"
        BAD_INPUT.raises(
            f"{nm}: target of another shape",
            f,
            (p, t[:, :1]),
            match=r"^target must have shape \(2, 2\), got an array of shape \(2, 1\)",
        )
        BAD_INPUT.raises(
            f"{nm}: batch sizes differ",
            f,
            (p, np.vstack([t, t])),
            match=r"^target must have shape \(2, 2\), got an array of shape \(4, 2\)",
        )
        BAD_INPUT.raises(
            f"{nm}: (N,) target for (N, 1) predictions",
            f,
            (p[:, :1], t[:, 0]),
            match=r"^target must have shape \(2, 1\), got an array of shape \(2,\)",
        )
        BAD_INPUT.raises(
            f"{nm}: {arg} a torch tensor",
            f,
            (tt(p), t),
            exc=TypeError,
            match=rf"^{arg} {NUMPY_HINT}",
        )
        BAD_INPUT.raises(
            f"{nm}: target a torch tensor",
            f,
            (p, tt(t)),
            exc=TypeError,
            match=rf"^target {NUMPY_HINT}",
        )
        BAD_INPUT.raises(
            f"{nm}: {arg} NaN",
            f,
            (np.where(p == p.max(), np.nan, p), t),
            match=rf"^{arg} must be finite, got nan",
        )
        BAD_INPUT.raises(
            f"{nm}: target inf",
            f,
            (p, np.where(t == t.max(), np.inf, t)),
            match=r"^target must be finite, got inf",
        )
        BAD_INPUT.raises(
            f"{nm}: empty batch",
            f,
            (np.zeros((0, 2)), np.zeros((0, 2))),
            match=rf"^{arg} must not be empty",
        )
        BAD_INPUT.raises(
            f"{nm}: reduction 'avg'",
            f,
            (p, t, "avg"),
            match=r"""^reduction must be "mean", "sum" or "none", got 'avg'""",
        )
        BAD_INPUT.raises(
            f"{nm}: reduction None",
            f,
            (p, t),
            {"reduction": None},
            match=r"^reduction must be .*got None",
        )
        BAD_INPUT.accepts(
            f"{nm}: lists",
            f,
            (p.tolist(), t.tolist()),
            expected=loss_ref(tloss, p, t, grad=bool(kind)),
        )
        BAD_INPUT.accepts(
            f"{nm}: integer target",
            f,
            (p, t.astype(int)),
            {"reduction": "sum"},
            expected=loss_ref(tloss, p, t, "sum", grad=bool(kind)),
        )
    BAD_INPUT.accepts(
        f"F.{name}: reduction='none'", fn, (p, t, "none"), expected=loss_ref(tloss, p, t, "none")
    )
    BAD_INPUT.accepts(
        f"F.{name}_grad: float32 {arg}, float64 target: float32",
        gfn,
        (p.astype(np.float32), t),
        expected=loss_ref(tloss, p, t, grad=True, dtype=torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

BAD_INPUT.accepts(
    "F.mse: integer pred and target",
    F.mse,
    (XI, XI[::-1]),
    expected=loss_ref(TF.mse_loss, XI, XI[::-1]),
)
for fn in (F.binary_cross_entropy, F.binary_cross_entropy_grad):
    nm = f"F.{fn.__name__}"
    BAD_INPUT.raises(
        f"{nm}: prob above 1 (logits?)",
        fn,
        (P + 0.5, Y),
        match=(
            r"^prob must hold probabilities in \[0, 1\], got 1\.2 at index \(0, 1\); if these are "
            r"logits, use binary_cross_entropy_with_logits"
        ),
    )
    BAD_INPUT.raises(
        f"{nm}: prob below 0",
        fn,
        (P - 0.5, Y),
        match=r"^prob must hold probabilities in \[0, 1\], got -0\.3 at index \(0, 0\)",
    )
    BAD_INPUT.raises(
        f"{nm}: target 2",
        fn,
        (P, Y * 2),
        match=r"^target must hold probabilities in \[0, 1\], got 2\.0 at index \(0, 1\)",
    )
    BAD_INPUT.raises(
        f"{nm}: target -1 (labels in {{-1, 1}})",
        fn,
        (P, 2 * Y - 1),
        match=r"^target must hold probabilities in \[0, 1\], got -1\.0 at index \(0, 0\)",
    )
for fn in (F.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits_grad):
    nm = f"F.{fn.__name__}"
    BAD_INPUT.raises(
        f"{nm}: target -1",
        fn,
        (X23[:, :2], 2 * Y - 1),
        match=r"^target must hold probabilities in \[0, 1\], got -1\.0 at index \(0, 0\)",
    )
    BAD_INPUT.accepts(
        f"{nm}: logits +-1e4 (stable)",
        fn,
        (np.array([[1e4, -1e4]]), np.array([[0.0, 1.0]])),
        expected=loss_ref(
            TF.binary_cross_entropy_with_logits,
            [[1e4, -1e4]],
            [[0.0, 1.0]],
            grad=fn.__name__.endswith("grad"),
        ),
    )
BAD_INPUT.accepts(
    "F.binary_cross_entropy: prob exactly 0 and 1 (log clamped at -100)",
    F.binary_cross_entropy,
    (np.array([0.0, 1.0]), np.array([1.0, 0.0])),
    expected=lambda: 100.0,
)

for f in (F.cross_entropy, F.cross_entropy_grad):
    nm = f"F.{f.__name__}"
    g = f is F.cross_entropy_grad
    BAD_INPUT.raises(
        f"{nm}: class index = C",
        f,
        (X23, [0, 3]),
        match=(
            r"^target must hold class indices in \[0, 2\] \(logits has 3 classes\), got 3 at index "
            r"1"
        ),
    )
    BAD_INPUT.raises(
        f"{nm}: class index -1",
        f,
        (X23, [-1, 0]),
        match=r"^target must hold class indices in \[0, 2\] .*got -1 at index 0",
    )
    BAD_INPUT.raises(
        f"{nm}: class index 1.5",
        f,
        (X23, [0, 1.5]),
        match=r"^target must hold integer class indices, got 1\.5 at index 1",
    )
    BAD_INPUT.raises(
        f"{nm}: batch sizes differ",
        f,
        (X23, [0, 1, 2]),
        match=r"^target must have shape \(2,\), got an array of shape \(3,\)",
    )
    BAD_INPUT.raises(
        f"{nm}: target (N, 1)",
        f,
        (X23, [[0], [1]]),
        match=r"^target must have shape \(2, 3\), got an array of shape \(2, 1\)",
    )
    BAD_INPUT.raises(
        f"{nm}: target 3-D",
        f,
        (X23, np.zeros((2, 3, 1))),
        match=r"^target must be 1-D or 2-D, got an array of shape \(2, 3, 1\)",
    )
    BAD_INPUT.raises(
        f"{nm}: logits 1-D (one sample)",
        f,
        (X23[0], [2]),
        match=r"^logits must be 2-D, got an array of shape \(3,\)",
    )
    BAD_INPUT.raises(
        f"{nm}: probabilities above 1",
        f,
        (X23, 2 * np.eye(3)[CE_T]),
        match=r"^target must hold probabilities in \[0, 1\], got 2\.0 at index \(0, 2\)",
    )
    BAD_INPUT.raises(
        f"{nm}: logits a torch tensor",
        f,
        (TORCH[:2], CE_T),
        exc=TypeError,
        match=rf"^logits {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"{nm}: target a torch tensor of labels",
        f,
        (X23, torch.tensor([2, 0])),
        exc=TypeError,
        match=rf"^target {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"{nm}: logits NaN",
        f,
        (np.where(X23 > 1.9, np.nan, X23), CE_T),
        match=r"^logits must be finite, got nan at index \(0, 2\)",
    )
    BAD_INPUT.raises(
        f"{nm}: empty batch",
        f,
        (np.zeros((0, 3)), np.zeros(0)),
        match=r"^logits must not be empty, got an array of shape \(0, 3\)",
    )
    BAD_INPUT.raises(
        f"{nm}: reduction 'batchmean'",
        f,
        (X23, CE_T, "batchmean"),
        match=r"^reduction must be .*got 'batchmean'",
    )
    BAD_INPUT.accepts(
        f"{nm}: list logits, list labels",
        f,
        (X23.tolist(), CE_T.tolist()),
        expected=ce_ref(X23, CE_T, grad=g),
    )
    BAD_INPUT.accepts(
        f"{nm}: labels as floats 2.0, 0.0",
        f,
        (X23, CE_T.astype(float)),
        expected=ce_ref(X23, CE_T, grad=g),
    )
    BAD_INPUT.accepts(
        f"{nm}: one-hot target", f, (X23, np.eye(3)[CE_T]), expected=ce_ref(X23, CE_T, grad=g)
    )
    BAD_INPUT.accepts(
        f"{nm}: soft target, reduction='sum'",
        f,
        (X23, P[:, :1] * np.eye(3)[CE_T] + (1 - P[:, :1]) / 3 * 0),
        {"reduction": "sum"},
        expected=ce_ref(X23, P[:, :1] * np.eye(3)[CE_T], "sum", grad=g),
    )
    BAD_INPUT.accepts(f"{nm}: integer logits", f, (XI, CE_T), expected=ce_ref(XI, CE_T, grad=g))
BAD_INPUT.accepts(
    "F.cross_entropy: reduction='none'",
    F.cross_entropy,
    (X23, CE_T, "none"),
    expected=ce_ref(X23, CE_T, "none"),
)
BAD_INPUT.accepts(
    "F.cross_entropy_grad: float32 logits, int labels: float32",
    F.cross_entropy_grad,
    (X32, CE_T),
    expected=ce_ref(X32, CE_T, grad=True, dtype=torch.float32),
    rtol=1e-5,
    atol=1e-6,
)
BAD_INPUT.accepts(
    "F.cross_entropy_grad: float32 logits, one-hot float64: float32",
    F.cross_entropy_grad,
    (X32, np.eye(3)[CE_T]),
    expected=ce_ref(X32, CE_T, grad=True, dtype=torch.float32),
    rtol=1e-5,
    atol=1e-6,
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
