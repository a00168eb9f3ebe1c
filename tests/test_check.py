"""The checker itself: it passes right gradients and FAILS, with the right hint, on each
classic mistake; finite differences handle kinks;
torch twins compute the same function and gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import X23, X32, BadInputs, T, as_in_a_notebook, fresh_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse import check, nn
from bpcourse.nn import Module, Parameter

RNG = np.random.default_rng(1234)


def _linear_case(n=8, d_in=4, d_out=3, seed=0):
    """A linear layer with an MSE loss: x (n, d_in), W (d_out, d_in), b (d_out,), y (n, d_out).

    The reference gradients come from torch autograd, independent of bpcourse.
    """
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(n, d_in)), rng.normal(size=(d_out, d_in)), rng.normal(size=d_out)
    y = rng.normal(size=(n, d_out))
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    loss = ((torch.tensor(x) @ Wt.T + bt - torch.tensor(y)) ** 2).mean()
    loss.backward()
    dpred = 2 * (x @ W.T + b - y) / y.size  # right hand gradient of the mean
    return x, dpred, Wt.grad.numpy(), bt.grad.numpy()


def _fails(actual, expected, name="g", **kw) -> str:
    with pytest.raises(AssertionError) as info:
        check.assert_close(actual, expected, name, **kw)
    return str(info.value)


# --- assert_close: passing -----------------------------------------------------------------------
def test_right_gradient_passes_with_a_stable_one_line_message():
    x, dpred, dW, db = _linear_case()
    res = check.assert_close(dpred.T @ x, dW, "dW1")
    assert str(res) == "OK dW1: shape (3, 4), float64, matches expected (rtol=1e-10, atol=1e-12)"
    assert repr(res) == str(res) and "\n" not in str(res)
    assert res and res.max_abs_diff < 1e-12
    assert check.assert_close(dpred.sum(axis=0), db, "db1")


def test_the_ok_line_never_shows_machine_noise():
    e = np.array([1.0, 2.0])
    assert str(check.assert_close(e + 1e-16, e, "a")) == str(check.assert_close(e, e, "a"))


def test_torch_tensors_and_python_numbers_are_accepted():
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True) * 1
    assert check.assert_close(np.array([1.0, 2.0]), t, "t")
    assert check.assert_close(0.5, np.float64(0.5), "scalar")
    assert check.assert_close([1, 2], np.array([1.0, 2.0]), "list")


def test_float32_pair_uses_the_float32_tolerance():
    e = np.linspace(1, 2, 5, dtype=np.float32)
    res = check.assert_close(e * np.float32(1 + 2e-6), e, "f32")
    assert (res.rtol, res.atol) == (1e-5, 1e-6)
    assert "float32" in str(res)
    _fails(e * np.float32(1 + 1e-4), e)


def test_explicit_tolerances_are_used():
    e = np.ones(3)
    assert check.assert_close(e + 1e-7, e, "g", rtol=1e-6)
    _fails(e + 1e-7, e)


# --- assert_close: each classic mistake fails with its hint ----------------------------------------
def test_sign_flip():
    x, dpred, dW, _ = _linear_case()
    msg = _fails(-(dpred.T @ x), dW, "dW1")
    assert msg.startswith("dW1: max abs diff ")
    assert "sign flip" in msg


def test_transposed_weight_gradient_is_a_shape_error():
    x, dpred, dW, _ = _linear_case()
    msg = _fails(x.T @ dpred, dW, "dW1")
    assert msg.startswith("dW1 has shape (4, 3), expected (3, 4) — transposed?")
    assert "your transpose matches" in msg


def test_transposed_square_weight_gradient():
    x, dpred, dW, _ = _linear_case(d_in=3, d_out=3)
    msg = _fails(x.T @ dpred, dW, "dW")
    assert "transpose" in msg and "dW = dy.T @ x" in msg


@pytest.mark.parametrize("n", [3, 8, 32])
def test_missing_one_over_batch(n):
    x, dpred, dW, _ = _linear_case(n=n)
    msg = _fails(dpred.T @ x * n, dW, "dW", batch_size=n)
    assert f"{n} times" in msg and f"a factor 1/{n} is missing" in msg
    assert f"the batch has {n} samples" in msg


def test_extra_division_by_batch():
    x, dpred, dW, _ = _linear_case(n=8)
    assert "1/8 of the expected" in _fails(dpred.T @ x / 8, dW, "dW")


@pytest.mark.parametrize(
    ("shape", "expected_shape"), [((4,), (1, 4)), ((1, 4), (4,)), ((4,), (4, 1)), ((4, 1), (4,))]
)
def test_vector_against_row_or_column_never_broadcasts(shape, expected_shape):
    v = np.arange(4.0)
    msg = _fails(v.reshape(shape), v.reshape(expected_shape), "db")
    assert msg.startswith(f"db has shape {shape}, expected {expected_shape}")
    assert "never broadcast" in msg


def test_float32_where_float64_expected():
    x, dpred, dW, _ = _linear_case()
    msg = _fails((dpred.T @ x).astype(np.float32), dW, "dW1")
    assert msg.startswith("dW1 has dtype float32, expected float64")
    assert "only the dtype is wrong" in msg
    # A float32 tensor (torch's default dtype) is caught the same way.
    msg = _fails(torch.tensor(dpred.T @ x, dtype=torch.float32), dW, "dW1")
    assert "dtype float32, expected float64" in msg


def test_shape_is_checked_before_dtype():
    msg = _fails(np.zeros((2, 3), dtype=np.float32), np.zeros((3, 2)), "W")
    assert msg.startswith("W has shape (2, 3), expected (3, 2)")


def test_integer_arrays_are_refused_with_a_hint():
    assert "cannot hold a gradient" in _fails(np.array([1, 2]), np.array([1.0, 2.0]))
    assert "reference is an array of dtype int64" in _fails(np.ones(2), np.array([1, 1]))


def test_per_sample_gradient_not_summed():
    _, dpred, _, db = _linear_case()
    assert "batch axis (size 8) must be summed" in _fails(dpred, db, "db")


def test_message_names_index_values_and_distance():
    e = np.ones((2, 3))
    a = e.copy()
    a[1, 2] = 1.5
    a[0, 0] = 1.25
    msg = _fails(a, e, "dW1")
    assert msg.startswith("dW1: max abs diff 0.5 at [1, 2] (yours 1.5, expected 1)")
    assert "2 of 6 elements differ" in msg


def test_nan_and_zeros_and_none():
    e = np.array([1.0, -2.0, 3.0])
    assert "nan" in _fails(np.array([1.0, np.nan, 3.0]), e)
    assert "all zeros" in _fails(np.zeros(3), e)
    with pytest.raises(AssertionError, match="dW is None"):
        check.assert_close(None, e, "dW")
    with pytest.raises(TypeError, match=r"dW is a Parameter: compare its gradient dW.grad"):
        check.assert_close(Parameter(e), e, "dW")


def test_constant_factor_and_float32_rounding_hints():
    e = np.array([1.0, -2.0, 3.0])
    assert "0.37 times" in _fails(0.37 * e, e)
    tenths = np.array([0.1, -0.2, 0.3])  # not float32 numbers: a float32 step shows
    assert "Likely cause: float32" in _fails(tenths.astype(np.float32).astype(np.float64), tenths)
    # A forward difference in float64 is off by ~1e-6 relative: no float32 blame.
    x, h = np.array([0.3, 1.1, -0.7]), 1e-6
    forward = (np.sin(x + h) - np.sin(x)) / h
    msg = _fails(forward, np.cos(x))
    assert "float32" not in msg and "not the same formula" in msg


def test_values_show_enough_digits_to_differ():
    e = np.array([-0.45])
    assert "(yours -0.450001, expected -0.45)" in _fails(e * (1 + 2.7e-6), e)
    assert "(yours 12.00001, expected 12)" in _fails(np.array([12.00001]), np.array([12.0]))


def test_factors_that_are_not_a_batch_size_are_named_as_factors():
    e = np.array([[1.0, -2.0], [3.0, 0.5], [0.25, 4.0]])
    for factor, phrase in (
        (0.5, "a factor 2 is missing"),
        (1 / 3, "a factor 3 is missing"),
        (1 / 8**0.5, "1/sqrt(8)"),
        (1 / 5**0.5, "1/sqrt(5)"),
    ):
        msg = _fails(factor * e, e, "dW", batch_size=7)
        assert phrase in msg and "batch" not in msg.split("Likely cause")[1], msg


def test_advice_fits_the_mistake():
    out = np.arange(6.0).reshape(2, 3)
    msg = _fails(out.T, out, "out")  # a forward output, transposed: no gradient advice
    assert "transposed?" in msg and "gradient" not in msg
    assert "dW = dy.T @ x" in _fails(out.T, out, "dW")
    col = np.ones((3, 1))
    too_many = _fails(col, np.ones(3), "db")  # keepdims=True used where it should not be
    assert "drop keepdims=True" in too_many and "keepdims=True in the sum" not in too_many
    assert "keepdims=True in the sum" in _fails(np.ones(3), col, "db")


@settings(max_examples=40)
@given(
    e=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
        elements=st.floats(-1e3, 1e3),
    ),
    data=st.data(),
)
def test_any_single_wrong_element_is_found(e, data):
    assert check.assert_close(e.copy(), e, "g")
    idx = data.draw(st.tuples(*[st.integers(0, s - 1) for s in e.shape]))
    a = e.copy()
    a[idx] += 1e-9 + 1e-6 * abs(e[idx])  # 10000 x the float64 tolerance
    msg = _fails(a, e, "g")
    assert f"at [{', '.join(map(str, idx))}]" in msg
    assert "1 of " in msg


# --- torch_grad ------------------------------------------------------------------------------------
def test_torch_grad_matches_analytic_gradients():
    x, A = RNG.normal(size=(3, 2)), RNG.normal(size=(2, 2))
    dx, dA = check.torch_grad(lambda x, A: (x @ A).sum() + (x**2).sum(), x, A)
    np.testing.assert_allclose(dx, np.ones((3, 2)) @ A.T + 2 * x, rtol=1e-12)
    np.testing.assert_allclose(dA, x.T @ np.ones((3, 2)), rtol=1e-12)
    assert dx.dtype == np.float64
    (dunused, dy) = check.torch_grad(lambda u, v: v.sum(), [1, 2], [3.0])
    np.testing.assert_array_equal(dunused, [0.0, 0.0])
    np.testing.assert_array_equal(dy, [1.0])


def test_torch_grad_refuses_vector_and_numpy_results():
    with pytest.raises(ValueError, match="scalar"):
        check.torch_grad(lambda x: x * 2, np.ones(3))
    with pytest.raises(TypeError, match="torch operations"):
        check.torch_grad(lambda x: 1.0, np.ones(3))


# --- numerical_grad and kinks ----------------------------------------------------------------------
def test_numerical_grad_of_smooth_functions():
    x = RNG.normal(size=(3, 4))
    A = RNG.normal(size=(4, 4))
    g = check.numerical_grad(lambda x: np.sin(x).sum() + (x @ A * x).sum(), x)
    np.testing.assert_allclose(g, np.cos(x) + x @ (A + A.T), rtol=1e-6, atol=1e-8)
    assert g.shape == x.shape and g.dtype == np.float64
    # x itself is left as it was
    x0 = x.copy()
    check.numerical_grad(lambda x: (x**2).sum(), x)
    np.testing.assert_array_equal(x, x0)


def test_numerical_grad_refuses_float32_and_vector_functions():
    with pytest.raises(TypeError, match="float64"):
        check.numerical_grad(lambda x: x.sum(), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="single number"):
        check.numerical_grad(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="positive"):
        check.numerical_grad(lambda x: x.sum(), np.ones(3), h=0)
    with pytest.raises(TypeError, match="return_kinks=True"):
        check.numerical_grad(lambda x: x.sum(), np.ones(3), kinks=[0.0])


def relu_sum(x):
    return np.maximum(x, 0).sum() * 1.5


def test_kinks_are_detected_and_reported():
    # Within h = 1e-6 of ReLU's kink: 0, 3e-7, -5e-7. Beyond 2h (5e-6): exact, not reported.
    x = np.array([-1.0, 0.0, 3e-7, -5e-7, 0.8, 5e-6])
    g, kinks = check.numerical_grad(relu_sum, x, return_kinks=True)
    np.testing.assert_array_equal(kinks, [False, True, True, True, False, False])
    np.testing.assert_allclose(g[~kinks], [0.0, 1.5, 1.5], atol=1e-8)
    # The plain central difference at 3e-7 is off by far more than the tolerance.
    assert abs(check.numerical_grad(relu_sum, x)[2] - 1.5) > 0.1


def test_kinks_given_by_location_or_mask():
    x = np.array([-1.0, 0.0, 0.5])
    smooth = lambda x: (x**2).sum()  # noqa: E731 - no kink: only the given ones are reported
    _, k = check.numerical_grad(smooth, x, kinks=[0.0], return_kinks=True)
    np.testing.assert_array_equal(k, [False, True, False])
    _, k = check.numerical_grad(smooth, x, kinks=np.array([1, 0, 0], bool), return_kinks=True)
    np.testing.assert_array_equal(k, [True, False, False])


@settings(max_examples=30)
@given(
    hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-3, 3)),
    st.sampled_from(["tanh", "exp", "logsumexp", "quartic", "sigmoid_bce"]),
)
def test_smooth_functions_have_no_false_kinks(x, kind):
    fns = {
        "tanh": lambda x: np.tanh(x).sum(),
        "exp": lambda x: np.exp(2 * x).sum(),
        "logsumexp": lambda x: np.log(np.exp(x).sum()),
        "quartic": lambda x: (100 * x**4 + x).sum(),
        "sigmoid_bce": lambda x: np.log1p(np.exp(-x)).mean(),
    }
    _, kinks = check.numerical_grad(fns[kind], x, return_kinks=True)
    assert not kinks.any()


# --- check_gradient --------------------------------------------------------------------------------
def test_check_gradient_passes_right_gradients():
    x = RNG.normal(size=(2, 3))
    rep = check.check_gradient(lambda x: (x**3).sum(), x, 3 * x**2)
    assert str(rep).startswith("OK dx: shape (2, 3), float64, matches autograd")
    assert "finite differences" in str(rep)
    W, b = RNG.normal(size=(4, 3)), RNG.normal(size=4)
    rep = check.check_gradient(
        lambda W, b: np.tanh(x @ W.T + b).sum(),
        {"W": W, "b": b},
        {"W": (1 - np.tanh(x @ W.T + b) ** 2).T @ x, "b": (1 - np.tanh(x @ W.T + b) ** 2).sum(0)},
        torch_fn=lambda W, b: torch.tanh(torch.tensor(x) @ W.T + b).sum(),
    )
    assert len(str(rep).splitlines()) == 2 and "OK dW" in str(rep) and "OK db" in str(rep)


def test_check_gradient_allows_for_rounding_in_large_losses():
    # f is about 1000, so f's rounding (1e-13) divided by h is 1e-7: far above atol = 1e-8.
    x = np.linspace(-1e-3, 1e-3, 5)
    rep = check.check_gradient(lambda x: (x**2).sum() + 1000.0, x, 2 * x)
    assert "atol=4e-06" in str(rep)


def test_check_gradient_fails_on_a_wrong_hand_gradient():
    x = RNG.normal(size=4)
    with pytest.raises(AssertionError, match="hand .*autograd") as info:
        check.check_gradient(lambda x: (x**3).sum(), x, -3 * x**2)
    assert "sign flip" in str(info.value)


def test_check_gradient_needs_fn_and_torch_fn_to_agree():
    x = RNG.normal(size=4)
    with pytest.raises(AssertionError, match="the value of fn"):
        check.check_gradient(
            lambda x: np.tanh(x).sum(),
            x,
            1 - np.tanh(x) ** 2,
            torch_fn=lambda x: torch.sigmoid(x).sum(),
        )
    with pytest.raises(TypeError, match="torch_fn"):
        check.check_gradient(lambda x: np.tanh(x).sum(), x, 1 - np.tanh(x) ** 2)


def test_check_gradient_reports_kinks_instead_of_failing():
    x = np.array([-1.0, 0.0, 2.0, 1e-7])
    rep = check.check_gradient(
        relu_sum, x, 1.5 * (x > 0), torch_fn=lambda x: torch.relu(x).sum() * 1.5
    )
    assert "2 coordinates within h of a kink" in str(rep) and "[1], [3]" in str(rep)
    assert rep.kinks["dx"] == ((1,), (3,))
    # relu'(0) = 0 is torch's convention: (x >= 0) disagrees at 0, and the message says why.
    with pytest.raises(AssertionError, match=r"kink.*\(x > 0\)"):
        check.check_gradient(
            relu_sum, x, 1.5 * (x >= 0), torch_fn=lambda x: torch.relu(x).sum() * 1.5
        )


# --- to_torch and check_model_grads with a layer registered here ----------------------------------
class Scale(Module):
    """y = x * w, elementwise over features: x (N, D), w (D,). A tiny layer for the registry."""

    def __init__(self, w):
        self.w = Parameter(np.asarray(w, dtype=np.float64))
        self.x = None

    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float64)
        return self.x * self.w.data

    def backward(self, dout):
        self._require_forward(self.x)
        self.w.grad += (dout * self.x).sum(axis=0)
        return dout * self.w.data


class SumSquares:
    """loss = sum((pred - y)**2), a tiny criterion for the registry."""

    def __call__(self, pred, y):
        self.d = pred - y
        return float((self.d**2).sum())

    def backward(self):
        return 2 * self.d


class TorchScale(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(w))

    def forward(self, x):
        return x * self.w


check.register_converter(Scale)(lambda m, convert: TorchScale(m.w.data))
check.register_converter(SumSquares)(lambda m, convert: lambda p, y: ((p - y) ** 2).sum())


def test_registered_converter_and_model_grads():
    w = RNG.normal(size=3)
    X, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    layer = Scale(w)
    twin = check.to_torch(layer)
    out = twin(torch.tensor(X)).detach().numpy()
    check.assert_close(layer(X), out, "output")
    layer.w.grad[...] = 7.0  # an earlier, unrelated gradient is restored after the check
    rep = check.check_model_grads(layer, SumSquares(), X, y)
    assert str(rep) == "OK 4 checks match torch autograd: output, loss, w.grad, dX (input gradient)"
    np.testing.assert_array_equal(layer.w.grad, 7.0)


def test_model_grads_catch_a_wrong_backward(monkeypatch):
    X, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))

    def flipped(self, dout):
        self.w.grad -= (dout * self.x).sum(axis=0)
        return dout * self.w.data

    monkeypatch.setattr(Scale, "backward", flipped)
    with pytest.raises(AssertionError) as info:
        check.check_model_grads(Scale(RNG.normal(size=3)), SumSquares(), X, y)
    msg = str(info.value)
    assert msg.startswith("w.grad: max abs diff") and "sign flip" in msg
    assert "(matching torch autograd: output, loss, dX (input gradient))" in msg


def test_to_torch_refuses_unknown_modules():
    with pytest.raises(TypeError, match="register_converter"):
        check.to_torch(object())


def test_import_check_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, bpcourse.check; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- to_torch and check_model_grads with bpcourse.nn ---------------------------------------------

ACTIVATIONS = [nn.ReLU, nn.Tanh, nn.Sigmoid, lambda: nn.LeakyReLU(0.2)]


def _mlp(sizes, act, seed):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, rng=seed + i))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def test_to_torch_builds_the_identical_model():
    model = nn.Sequential(
        nn.Linear(2, 5, rng=0),
        nn.LeakyReLU(0.3),
        nn.Linear(5, 3, rng=1),
        nn.Tanh(),
        nn.Linear(3, 1, bias=False, rng=2),
        nn.Sigmoid(),
    )
    twin = check.to_torch(model)
    assert [type(m).__name__ for m in twin] == [
        "Linear",
        "LeakyReLU",
        "Linear",
        "Tanh",
        "Linear",
        "Sigmoid",
    ]
    assert twin[1].negative_slope == 0.3 and twin[4].bias is None
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in model.named_parameters()]
    assert all(p.dtype == torch.float64 for p in twin.parameters())
    X = RNG.normal(size=(7, 2))
    check.assert_close(model(X), twin(torch.tensor(X)).detach().numpy(), "output")
    # A copy, not a view: changing the twin leaves the bpcourse model alone.
    with torch.no_grad():
        twin[0].weight.zero_()
    assert np.any(model[0].weight.data != 0)


def test_to_torch_keeps_float32_and_losses_keep_reduction():
    twin = check.to_torch(nn.Linear(3, 2, dtype=np.float32, rng=0))
    assert twin.weight.dtype == torch.float32
    assert check.to_torch(nn.CrossEntropyLoss(reduction="sum")).reduction == "sum"


@settings(max_examples=20)
@given(
    n=st.integers(1, 6),
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    act=st.integers(0, 3),
    seed=st.integers(0, 1000),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_random_stacks_match_their_twins_with_every_loss(n, sizes, act, seed, reduction):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    model = _mlp(sizes, ACTIVATIONS[act], seed)
    out = sizes[-1]
    cases = [
        (nn.MSELoss(reduction), rng.normal(size=(n, out))),
        (nn.BCEWithLogitsLoss(reduction), rng.integers(0, 2, size=(n, out)).astype(float)),
        (nn.CrossEntropyLoss(reduction), rng.integers(0, out, size=n)),
    ]
    for criterion, y in cases:
        rep = check.check_model_grads(model, criterion, X, y)
        assert str(rep).startswith(f"OK {2 + len(model.parameters()) + 1} checks")
    probs = nn.Sequential(model, nn.Sigmoid())
    check.check_model_grads(probs, nn.BCELoss(reduction), X, rng.uniform(size=(n, out)))


def test_check_model_grads_leaves_the_model_unchanged():
    model = _mlp([3, 4, 2], nn.ReLU, 0)
    model[0].weight.grad[...] = 5.0
    X, y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    check.check_model_grads(model, nn.MSELoss(), X, y)
    np.testing.assert_array_equal(model[0].weight.grad, 5.0)
    np.testing.assert_array_equal(model[2].bias.grad, 0.0)


def test_batchnorm_and_residual_twins():
    block = nn.Sequential(nn.Linear(3, 3, rng=0), nn.BatchNorm1d(3), nn.Tanh())
    model = nn.Sequential(nn.Residual(block), nn.Linear(3, 2, rng=1))
    X, y = RNG.normal(size=(6, 3)), RNG.integers(0, 2, size=6)
    rep = check.check_model_grads(model, nn.CrossEntropyLoss(), X, y)
    assert "0.block.1.weight.grad" in str(rep)
    model(X)  # one training batch moves the running statistics
    model.eval()
    twin = check.to_torch(model)
    assert not twin.training
    check.assert_close(model(X), twin(torch.tensor(X)).detach().numpy(), "eval output")
    check.check_model_grads(model, nn.CrossEntropyLoss(), X, y)


def _wrong_linear_backward(kind):
    def backward(self, grad_output):
        g, x = np.asarray(grad_output), self._x
        dW = -(g.T @ x) if kind == "sign" else (g.T @ x).T
        self.weight.grad += dW if dW.shape == self.weight.shape else dW.T
        self.bias.grad += g.sum(axis=0)
        return g @ self.weight.data

    return backward


@pytest.mark.parametrize(("kind", "hint"), [("sign", "sign flip"), ("square", "transpose")])
def test_check_model_grads_names_the_wrong_parameter(monkeypatch, kind, hint):
    model = nn.Sequential(nn.Linear(3, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    X, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    monkeypatch.setattr(nn.Linear, "backward", _wrong_linear_backward(kind))
    with pytest.raises(AssertionError) as info:
        check.check_model_grads(model, nn.MSELoss(), X, y)
    failures, matching = str(info.value).split("(matching torch autograd: ")
    assert failures.startswith("0.weight.grad: max abs diff") and hint in failures
    assert "0.bias.grad" in matching and "dX" in matching  # dX uses W itself, not dW
    # A sign flip breaks the last layer's (2, 3) weight gradient too; the transpose only fits
    # the square first layer, so the (3, 2) one is put back right and matches.
    assert ("2.weight.grad:" in failures) == (kind == "sign")
    assert ("2.weight.grad" in matching) == (kind != "sign")


def test_check_model_grads_finds_a_missing_one_over_batch(monkeypatch):
    model = _mlp([2, 4, 1], nn.Tanh, 3)
    X, y = RNG.normal(size=(8, 2)), RNG.normal(size=(8, 1))
    real = nn.MSELoss.backward
    monkeypatch.setattr(nn.MSELoss, "backward", lambda self, *a: real(self, *a) * 8)
    with pytest.raises(AssertionError, match="the batch has 8 samples"):
        check.check_model_grads(model, nn.MSELoss(), X, y)


# ==============================================================================================
# bpcourse.check: the paths mutation testing found untested (tests/MUTATION.md).
#
# ==============================================================================================
A = np.array([1.0, -2.0, 3.0])
B = np.array([[0.5, 0.25]])


# --- assert_close: the learner-facing message of each classic mistake, word for word -------------
# These texts are the product: a hint that loses a word or fires on the wrong pattern misleads a
# learner. Each was read and checked against its case (shape first, then dtype, then values).
E = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
S = np.array([[1.0, 2.0], [3.0, 4.0]])
MESSAGES = {
    "transposed shape, values match": (
        *(E.T, E, {}),
        "dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape "
        "reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T "
        "with W of shape (out, in), dW = dy.T @ x (your transpose matches the expected values)",
    ),
    "transposed shape, other values": (
        *(E.T + 1, E, {}),
        "dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape "
        "reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T "
        "with W of shape (out, in), dW = dy.T @ x",
    ),
    "same numbers other shape": (
        *(np.ones(3), np.ones((1, 3)), {}),
        "dW has shape (3,), expected (1, 3) — the same numbers in a different shape: (3,) "
        "against (1, 3). Comparisons never broadcast here, because numpy would silently turn "
        "(n,) - (n, 1) into an (n, n) matrix. Yours lacks an axis of size 1: keepdims=True in "
        "the sum, [:, None], or .reshape(1, 3)",
    ),
    "one value per sample": (
        *(np.ones((4, 3)), np.ones(3), {}),
        "dW has shape (4, 3), expected (3,) — one value per sample? The batch axis (size 4) "
        "must be summed over: each sample adds its contribution to a parameter's gradient "
        "(e.g. db = dout.sum(axis=0))",
    ),
    "same size other layout": (
        *(np.ones((3, 2, 1)), np.ones((2, 3)), {}),
        "dW has shape (3, 2, 1), expected (2, 3) — the same number of elements, laid out "
        "differently (a reshape or a transpose?)",
    ),
    "different sizes": (*(np.ones(4), np.ones(3), {}), "dW has shape (4,), expected (3,)"),
    "int reference": (
        *(np.ones(2), np.ones(2, dtype=int), {}),
        "dW has dtype float64, expected int64 — the reference is an array of dtype int64: "
        "build it as floats (np.array([...], dtype=np.float64)), or pass a Python list. (The "
        "values agree to float32 precision: only the dtype is wrong.)",
    ),
    "int actual": (
        *(np.ones(2, dtype=int), np.ones(2), {}),
        "dW has dtype int64, expected float64 — an array of dtype int64 cannot hold a "
        "gradient: np.zeros_like(x) of an integer x is integer too; use np.zeros(x.shape) or "
        "x.astype(np.float64). (The values agree to float32 precision: only the dtype is "
        "wrong.)",
    ),
    "float32 vs float64 close": (
        *(E.astype(np.float32), E, {}),
        "dW has dtype float32, expected float64 — float32 keeps about 7 significant digits, so "
        "it cannot meet the float64 tolerance. Make the inputs float64 (numpy's default; "
        "torch.tensor(...) is float32 unless dtype=torch.float64 or setup_notebook() ran) or "
        "call .astype(np.float64). (The values agree to float32 precision: only the dtype is "
        "wrong.)",
    ),
    "float32 vs float64 far": (
        *(E.astype(np.float32) + 1, E, {}),
        "dW has dtype float32, expected float64 — float32 keeps about 7 significant digits, so "
        "it cannot meet the float64 tolerance. Make the inputs float64 (numpy's default; "
        "torch.tensor(...) is float32 unless dtype=torch.float64 or setup_notebook() ran) or "
        "call .astype(np.float64)",
    ),
    "float64 vs float32": (
        *(E, E.astype(np.float32), {}),
        "dW has dtype float64, expected float32 — the reference is float32: compare in the "
        "same precision (build the reference in float64). (The values agree to float32 "
        "precision: only the dtype is wrong.)",
    ),
    "nan in yours": (
        *(np.where(E > 3.5, np.nan, E), E, {}),
        "dW: max abs diff inf at [1, 1] (yours nan, expected 4)\n1 of 6 elements differ by "
        "more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours "
        "contains nan at [1, 1] — overflow in exp, log(0) or a division by zero; use a "
        "numerically stable formula.",
    ),
    "all zeros": (
        *(np.zeros_like(E), E, {}),
        "dW: max abs diff 4 at [1, 1] (yours 0, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is all "
        "zeros — was the backward pass run, and does it write (+=) into .grad rather than into "
        "a copy?",
    ),
    "sign flip": (
        *(-E, E, {}),
        "dW: max abs diff 8 at [1, 1] (yours -4, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: a sign flip — "
        "yours is exactly minus the expected values. Look for one minus sign too many or too "
        "few: a difference taken the other way round (y - pred for pred - y) or a derivative's "
        "own sign (d/dx of cos x is -sin x).",
    ),
    "square transposed": (
        *(S.T, S, {}),
        "dW: max abs diff 1 at [0, 1] (yours 3, expected 2)\n2 of 4 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: transposed — "
        "yours is the transpose of the expected values. A weight W of shape (out, in) used as "
        "y = x @ W.T has dW = dy.T @ x.",
    ),
    "missing 1/4 with batch": (
        *(4 * E, E, {"batch_size": 4}),
        "dW: max abs diff 12 at [1, 1] (yours 16, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 4 times "
        "the expected values everywhere — a factor 1/4 is missing: the batch has 4 samples, so "
        "the mean's 1/N (reduction='mean') was left out.",
    ),
    "missing 1/4 without batch": (
        *(4 * E, E, {}),
        "dW: max abs diff 12 at [1, 1] (yours 16, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 4 times "
        "the expected values everywhere — a factor 1/4 is missing.",
    ),
    "missing 1/2": (
        *(2 * E, E, {}),
        "dW: max abs diff 4 at [1, 1] (yours 8, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 2 times "
        "the expected values everywhere — a factor 1/2 is missing; or a second backward pass "
        "without zero_grad() (gradients add up).",
    ),
    "extra 1/3": (
        *(E / 3, E, {}),
        "dW: max abs diff 2.7 at [1, 1] (yours 1.333, expected 4)\n6 of 6 elements differ by "
        "more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is "
        "1/3 of the expected values everywhere — a factor 3 is missing.",
    ),
    "minus 5": (
        *(-5 * E, E, {}),
        "dW: max abs diff 24 at [1, 1] (yours -20, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is -5 "
        "times the expected values — a sign flip and a factor 1/5 missing.",
    ),
    "factor 1.5": (
        *(1.5 * E, E, {}),
        "dW: max abs diff 2 at [1, 1] (yours 6, expected 4)\n6 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 1.5 "
        "times the expected values everywhere — a constant factor is off.",
    ),
    "rounding": (
        *(E * (1 + 1e-7), E, {}),
        "dW: max abs diff 4e-07 at [1, 1] (yours 4.0000004, expected 4)\n6 of 6 elements "
        "differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nClose, but not "
        "the same formula: the difference is about 1e-07 of the values, far above float64 "
        "rounding (1e-16). Look for an approximation or a constant in another place (a "
        "one-sided difference, an epsilon inside instead of outside a root).",
    ),
    "unrelated": (
        *(E + np.array([[0, 1, 0], [0, 0, 0]]), E, {}),
        "dW: max abs diff 1 at [0, 1] (yours -1, expected -2)\n1 of 6 elements differ by more "
        "than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).",
    ),
    "reference tiny": (
        *(np.full(3, 1e-3), np.zeros(3), {}),
        "dW: max abs diff 0.001 at [0] (yours 0.001, expected 0)\n3 of 3 elements differ by "
        "more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).",
    ),
    # Shapes of three axes: reversed is not "transposed" (that is for matrices), and the count
    # of missing or extra axes of size 1 is given.
    "3-d shape reversed": (
        *(np.ones((2, 3, 4)), np.ones((4, 3, 2)), {}),
        "dW has shape (2, 3, 4), expected (4, 3, 2) — the same number of elements, laid out "
        "differently (a reshape or a transpose?)",
    ),
    "one axis too many": (
        *(np.ones((3, 1)), np.ones(3), {}),
        "dW has shape (3, 1), expected (3,) — the same numbers in a different shape: (3, 1) "
        "against (3,). Comparisons never broadcast here, because numpy would silently turn "
        "(n,) - (n, 1) into an (n, n) matrix. Yours has 1 axis of size 1 too many: drop "
        "keepdims=True from the sum, or .reshape(3,)",
    ),
    "two axes too many": (
        *(np.ones((1, 3, 1)), np.ones(3), {}),
        "dW has shape (1, 3, 1), expected (3,) — the same numbers in a different shape: "
        "(1, 3, 1) against (3,). Comparisons never broadcast here, because numpy would silently "
        "turn (n,) - (n, 1) into an (n, n) matrix. Yours has 2 axes of size 1 too many: drop "
        "keepdims=True from the sum, or .reshape(3,)",
    ),
    "two axes lacking": (
        *(np.ones(3), np.ones((1, 3, 1)), {}),
        "dW has shape (3,), expected (1, 3, 1) — the same numbers in a different shape: (3,) "
        "against (1, 3, 1). Comparisons never broadcast here, because numpy would silently turn "
        "(n,) - (n, 1) into an (n, n) matrix. Yours lacks 2 axes of size 1: keepdims=True in "
        "the sum, [:, None], or .reshape(1, 3, 1)",
    ),
    "same numbers axes moved": (
        *(np.ones((1, 3, 1)), np.ones((3, 1, 1)), {}),
        "dW has shape (1, 3, 1), expected (3, 1, 1) — the same numbers in a different shape: "
        "(1, 3, 1) against (3, 1, 1). Comparisons never broadcast here, because numpy would "
        "silently turn (n,) - (n, 1) into an (n, n) matrix. A row where a column is expected "
        "(or the reverse): .reshape(3, 1, 1)",
    ),
    # "Your transpose matches" is said for a float32 transpose too, not for a boolean one (only
    # numbers are compared), and not for values 3e-6 apart (the match is to 1e-6).
    "transposed float32, values match": (
        *(E.T.astype(np.float32), E, {}),
        "dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape "
        "reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T "
        "with W of shape (out, in), dW = dy.T @ x (your transpose matches the expected values)",
    ),
    "transposed booleans": (
        *(np.zeros((3, 2), dtype=bool), np.zeros((2, 3)), {}),
        "dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape "
        "reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T "
        "with W of shape (out, in), dW = dy.T @ x",
    ),
    "transposed shape, values 3e-6 apart": (
        *((E * (1 + 3e-6)).T, E, {}),
        "dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape "
        "reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T "
        "with W of shape (out, in), dW = dy.T @ x",
    ),
    # Dtypes: the advice goes by which side is wrong.
    "int32 vs int64": (
        *(np.ones(2, dtype=np.int32), np.ones(2, dtype=np.int64), {}),
        "dW has dtype int32, expected int64 — an array of dtype int32 cannot hold a gradient: "
        "np.zeros_like(x) of an integer x is integer too; use np.zeros(x.shape) or "
        "x.astype(np.float64). (The values agree to float32 precision: only the dtype is "
        "wrong.)",
    ),
    "float32 vs int reference": (
        *(np.ones(2, dtype=np.float32), np.ones(2, dtype=np.int64), {}),
        "dW has dtype float32, expected int64 — the reference is an array of dtype int64: "
        "build it as floats (np.array([...], dtype=np.float64)), or pass a Python list. (The "
        "values agree to float32 precision: only the dtype is wrong.)",
    ),
    "float16 vs float64": (
        *(E.astype(np.float16), E, {}),
        "dW has dtype float16, expected float64. (The values agree to float32 precision: only "
        "the dtype is wrong.)",
    ),
    "float16 vs float32": (
        *(E.astype(np.float16), E.astype(np.float32), {}),
        "dW has dtype float16, expected float32. (The values agree to float32 precision: only "
        "the dtype is wrong.)",
    ),
}


@pytest.mark.parametrize("case", list(MESSAGES))
def test_assert_close_message_word_for_word(case):
    actual, expected, kwargs, message = MESSAGES[case]
    with pytest.raises(AssertionError) as info:
        check.assert_close(actual, expected, "dW", **kwargs)
    assert str(info.value) == message


def test_assert_close_passes_return_a_stable_line():
    res = check.assert_close(E + 1e-13, E, "dW", reference="autograd")
    assert str(res) == "OK dW: shape (2, 3), float64, matches autograd (rtol=1e-10, atol=1e-12)"
    assert res.max_abs_diff > 0 and repr(res) == str(res) and bool(res)
    res = check.assert_close(E.astype(np.float32), E.astype(np.float32) * (1 + 1e-6), "dW")
    assert (res.rtol, res.atol, res.dtype) == (1e-5, 1e-6, "float32")


# --- check_gradient: structures, names, kinks and the report's text -------------------------------
def quad(W, b):
    return (W * W).sum() + 3.0 * (b * b * b).sum()


def test_check_gradient_dict_inputs_name_lines_and_kinks_by_key():
    W, b = np.array([0.5, -1.0]), np.array([2.0])
    # A kink given by location is reported even where fn is smooth (it is the caller's word).
    rep = check.check_gradient(
        quad, {"W": W, "b": b}, {"W": 2 * W, "b": 9 * b * b}, kinks={"W": [0.5]}
    )
    lines = str(rep).split("\n")
    assert (
        len(lines) == 2
        and lines[0].startswith("OK dW: shape (2,)")
        and lines[1].startswith("OK db: shape (1,)")
    )
    assert rep.kinks == {"dW": ((0,),), "db": ()}
    assert lines[0].endswith(
        "; 1 coordinate within h of a kink left out of the finite-difference comparison: [0]"
    )
    with pytest.raises(
        TypeError, match=r"^hand must be a dict with the keys of inputs \['W', 'b'\], got ndarray$"
    ):
        check.check_gradient(quad, {"W": W, "b": b}, 2 * W)


def test_check_gradient_tuple_inputs_kinks_per_input_and_names():
    W, b = np.array([0.5, -1.0]), np.array([2.0])
    rep = check.check_gradient(
        quad, (W, b), (2 * W, 9 * b * b), kinks=([-1.0], [2.0]), names=["dW", "db"]
    )
    assert rep.kinks == {"dW": ((1,),), "db": ((0,),)}
    rep = check.check_gradient(quad, (W, b), [2 * W, 9 * b * b])
    assert rep.kinks == {"d0": (), "d1": ()} and str(rep).startswith("OK d0: shape (2,)")


def test_check_gradient_single_input_hand_and_name_forms():
    x = np.array([0.5, -1.0, 2.0])
    rep = check.check_gradient(lambda a: (a * a).sum(), (x,), 2 * x, names="dx_mine")
    assert str(rep).startswith("OK dx_mine: shape (3,)") and rep.kinks == {"dx_mine": ()}
    rep = check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, kinks=[0.5, 2.0])
    assert rep.kinks == {"dx": ((0,), (2,))}


def test_check_gradient_many_kinks_are_listed_five_then_counted():
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    relu_sum = lambda a: np.maximum(a, 0).sum()  # noqa: E731
    rep = check.check_gradient(
        relu_sum, x, (x > 0).astype(float), torch_fn=lambda a: a.relu().sum()
    )
    assert str(rep).endswith(
        "; 7 coordinates within h of a kink left out of the finite-difference comparison: "
        "[0], [1], [2], [3], [4] and 2 more"
    )
    rep = check.check_gradient(
        relu_sum, x[2:], (x[2:] > 0).astype(float), torch_fn=lambda a: a.relu().sum()
    )
    assert str(rep).endswith("comparison: [0], [1], [2], [3], [4]")


def test_check_gradient_fn_must_be_scalar_and_run_on_tensors():
    x = np.array([0.5, -1.0])
    with pytest.raises(
        ValueError,
        match=r"^fn must return a single number \(a loss\), got an array of shape \(2,\)",
    ):
        check.check_gradient(lambda a: 2 * a, x, 2 * np.ones(2))
    with pytest.raises(TypeError, match=r"^fn does not run on torch tensors") as info:
        check.check_gradient(lambda a: 1.0, x, np.zeros(2))
    assert str(info.value.__cause__) == "not a tensor"
    assert str(info.value) == (
        "fn does not run on torch tensors (it uses numpy functions such as np.tanh): pass "
        "torch_fn=, the same function written with torch operations"
    )
    # torch_fn is held to the same rule, under its own name.
    with pytest.raises(ValueError) as info:
        check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, torch_fn=lambda a: a * a)
    assert str(info.value) == (
        "torch_fn must return a single number (a loss), got an array of shape (2,): reduce it, "
        "e.g. with .sum()"
    )


def test_check_gradient_kinks_per_input_or_shared_by_all():
    W, b = np.array([0.0, 0.5, 1.0]), np.array([0.5, 1.0])
    hand = (2 * W, 9 * b * b)
    # quad is smooth: every kink reported is one given, so the report shows where each went.
    # A tuple with one entry per input (None: no kink) is per input ...
    rep = check.check_gradient(quad, (W, b), hand, kinks=(None, 0.5))
    assert rep.kinks == {"d0": (), "d1": ((0,),)}
    # ... a list of locations is shared by all inputs, also when it has one per input.
    rep = check.check_gradient(quad, (W, b), hand, kinks=[0.5])
    assert rep.kinks == {"d0": ((1,),), "d1": ((0,),)}
    rep = check.check_gradient(quad, (W, b), hand, kinks=[0.5, 1.0])
    assert rep.kinks == {"d0": ((1,), (2,)), "d1": ((0,), (1,))}
    # With a tuple of inputs, a dict of kinks goes by the names.
    rep = check.check_gradient(quad, (W, b), hand, names=("W", "b"), kinks={"b": [1.0]})
    assert rep.kinks == {"W": (), "b": ((1,),)}


def test_check_gradient_of_a_number_and_of_matrices_with_kink_masks():
    rep = check.check_gradient(lambda a: a**3, 2.0, 12.0)
    assert str(rep).startswith("OK dx: shape (), float64, matches autograd") and rep.kinks == {
        "dx": ()
    }
    X = np.array([[0.5, -1.0], [2.0, 1.5]])
    rep = check.check_gradient(
        lambda a: (a * a).sum(), X, 2 * X, kinks=np.array([[False, True], [False, False]])
    )
    assert rep.kinks == {"dx": ((0, 1),)}
    assert str(rep).endswith(
        "; 1 coordinate within h of a kink left out of the finite-difference comparison: [0, 1]"
    )
    # A mask written as nested lists is a mask of the single input, not one mask per input.
    X = np.array([[0.5, -1.0, 2.0]])
    rep = check.check_gradient(lambda a: (a * a).sum(), X, 2 * X, kinks=[[True, False, False]])
    assert rep.kinks == {"dx": ((0, 0),)}


def test_check_gradient_passes_h_on_to_the_finite_differences():
    # 0.5005 is within h = 1e-3 of the kink at 0.5 (not within the default 1e-6); the central
    # difference of a quadratic is exact for any h, so the larger step passes.
    x = np.array([0.0, 0.5005, 2.0])
    rep = check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, h=1e-3, kinks=[0.5])
    assert str(rep) == (
        "OK dx: shape (3,), float64, matches autograd (rtol=1e-10, atol=1e-12) and finite "
        "differences (h=1e-03, rtol=1e-06, atol=1e-08); 1 coordinate within h of a kink left "
        "out of the finite-difference comparison: [1]"
    )


# --- torch_grad, to_torch, check_model_grads ------------------------------------------------------
def test_torch_grad_of_a_constant_is_zeros_of_each_input_shape():
    import torch

    grads = check.torch_grad(
        lambda a, b: torch.tensor(1.0, dtype=torch.float64), np.ones((2, 3)), [1.0]
    )
    assert [g.shape for g in grads] == [(2, 3), (1,)] and all(not g.any() for g in grads)
    assert all(g.dtype == np.float64 for g in grads)


def test_torch_grad_message_for_a_numpy_result():
    with pytest.raises(TypeError) as info:
        check.torch_grad(lambda a: 1.0, np.ones(2))
    assert str(info.value) == (
        "fn must return a torch scalar tensor, got float: write it with torch operations "
        "(torch.tanh, not np.tanh) so that autograd can follow it"
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_batchnorm_carries_every_setting(dtype):
    import torch

    from bpcourse import nn

    bn = nn.BatchNorm1d(
        3, eps=0.1, momentum=0.3, affine=False, track_running_stats=False, dtype=dtype
    )
    t = check.to_torch(bn)
    assert (t.eps, t.momentum, t.affine, t.track_running_stats) == (0.1, 0.3, False, False)
    assert t.running_mean is None and t.weight is None
    bn2 = nn.BatchNorm1d(2, momentum=None, dtype=dtype)
    bn2.running_mean[...] = [1.0, 2.0]
    bn2.num_batches_tracked = 5
    t2 = check.to_torch(bn2)
    assert (
        t2.momentum is None
        and t2.weight.dtype == {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    )
    assert t2.running_mean.tolist() == [1.0, 2.0] and int(t2.num_batches_tracked) == 5


def test_model_grad_report_is_true_and_one_line():
    from bpcourse import nn

    rep = check.check_model_grads(
        nn.Sequential(nn.Linear(2, 1, rng=0)), nn.MSELoss(), np.ones((3, 2)), np.zeros((3, 1))
    )
    assert bool(rep) is True and repr(rep) == str(rep) and "\n" not in str(rep)


def test_check_gradient_messages_name_the_disagreeing_pair():
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(
        AssertionError,
        match=(
            r"^the value of fn: max abs diff 1 \(fn 5\.25, torch_fn 6\.25\)\n.*rtol\*\|torch_fn\| "
            r"\(rtol=1e-08, atol=1e-10\)"
        ),
    ):
        check.check_gradient(
            lambda a: (a * a).sum(), x, 2 * x, torch_fn=lambda a: (a * a).sum() + 1
        )
    # Same value, another gradient: a.detach() hides one factor from autograd.
    with pytest.raises(AssertionError) as info:
        check.check_gradient(
            lambda a: (a * a).sum(), x, 2 * x, torch_fn=lambda a: (a * a.detach()).sum()
        )
    assert str(info.value).startswith(
        "torch_fn's autograd gradient disagrees with the finite differences of fn: are fn and "
        "torch_fn the same function?\ndx: max abs diff 2 at [2] (autograd 2, finite diff 4)\n"
        "3 of 3 elements differ by more than atol + rtol*|finite diff| (rtol=1e-06, atol=2e-08)."
    )


def test_check_gradient_kink_note_and_tolerance_line():
    x0 = np.array([0.0, 1.0])
    with pytest.raises(AssertionError) as info:
        check.check_gradient(
            lambda a: np.maximum(a, 0).sum(),
            x0,
            (x0 >= 0).astype(float),
            torch_fn=lambda a: a.relu().sum(),
        )
    assert str(info.value) == (
        "dx: max abs diff 1 at [0] (hand 1, autograd 0)\n"
        "1 of 2 elements differ by more than atol + rtol*|autograd| (rtol=1e-10, atol=1e-12).\n"
        "Note: dx has coordinates at a kink [0], where the derivative is not defined; torch uses "
        "relu'(0) = 0, i.e. (x > 0), not (x >= 0)."
    )
    x = np.array([0.5, -1.0, 2.0])
    assert str(check.check_gradient(lambda a: (a * a).sum(), x, 2 * x)) == (
        "OK dx: shape (3,), float64, matches autograd (rtol=1e-10, atol=1e-12) and finite "
        "differences (h=1e-06, rtol=1e-06, atol=2e-08)"
    )
    # A loss of about 4000 cannot give its gradient better than ~16 eps |f| / h absolute.
    line = str(check.check_gradient(lambda a: (a * a).sum() + 4081.0, x, 2 * x))
    assert line.endswith(
        f"(h=1e-06, rtol=1e-06, atol={16 * np.finfo(float).eps * 4086.25 / 1e-6:.0e})"
    )
    assert line.endswith("atol=1e-05)")


def test_kink_mask_locations():
    x = np.array([[1.0, -1.0, 0.5], [2.0, 1.0 + 5e-7, 0.5 + 2e-6]])
    np.testing.assert_array_equal(
        check.kink_mask(x, [1.0, 0.5], 1e-6), [[True, False, True], [False, True, False]]
    )
    np.testing.assert_array_equal(
        check.kink_mask(np.array([0.5]), [0], 0.5), [True]
    )  # |x - k| <= h
    np.testing.assert_array_equal(check.kink_mask(x, None, 1e-6), np.zeros((2, 3), dtype=bool))


@pytest.mark.parametrize(
    "factor, kwargs, cause",
    [
        (
            2.0,
            {"batch_size": 2},
            "yours is 2 times the expected values everywhere — a factor 1/2 is missing: the "
            "batch has 2 samples, so the mean's 1/N (reduction='mean') was left out; or a "
            "second backward pass without zero_grad() (gradients add up).",
        ),
        (
            3.0,
            {"batch_size": 4},
            "yours is 3 times the expected values everywhere — a factor 1/3 is missing.",
        ),
        (
            3 * (1 + 2e-7),
            {},
            "yours is 3 times the expected values everywhere — a factor 1/3 is missing.",
        ),
        (
            0.5,
            {},
            "yours is 1/2 of the expected values everywhere — a factor 2 is missing (the 2 of "
            "d(u**2)/du = 2u?).",
        ),
        (
            1 / 3,
            {"batch_size": 3},
            "yours is 1/3 of the expected values everywhere — a factor 3 is missing (dividing "
            "by the batch size twice, or averaging a loss defined as a sum?).",
        ),
        (
            1 / 3,
            {"batch_size": 4},
            "yours is 1/3 of the expected values everywhere — a factor 3 is missing.",
        ),
        (
            3**0.5,
            {},
            "yours is sqrt(3) times the expected values everywhere — a square root is off",
        ),
        (
            1 / 8**0.5,
            {},
            "yours is 1/sqrt(8) times the expected values everywhere — a square root is off",
        ),
        (
            1 / (4 * (1 + 2e-7)),
            {},
            "yours is 1/4 of the expected values everywhere — a factor 4 is missing.",
        ),
        (-2.0, {}, "yours is -2 times the expected values — a sign flip and a factor 1/2 missing."),
        (
            -3 * (1 + 2e-7),
            {},
            "yours is -3 times the expected values — a sign flip and a factor 1/3 missing.",
        ),
        (2.5, {}, "yours is 2.5 times the expected values everywhere — a constant factor is off."),
        # A sign flip 5e-7 off (float32 rounding) is still named a sign flip, not "a factor 1/1".
        (
            -1 - 5e-7,
            {},
            "a sign flip — yours is minus the expected values (times -1.0000005: the rest is "
            "rounding, e.g. float32 or another summation order). Look for one minus sign",
        ),
        # 5e-5 off is more than rounding: the factor is shown with the digits that make it
        # visibly not -1, and the sign is named.
        (
            -1 - 5e-5,
            {},
            "yours is -1.00005 times the expected values everywhere — a sign flip, and a constant "
            "factor is off.",
        ),
        (
            2 + 3e-5,
            {},
            "yours is 2.00003 times the expected values everywhere — a constant factor is off.",
        ),
        (
            -3.3,
            {},
            "yours is -3.3 times the expected values everywhere — a sign flip, and a constant "
            "factor is off.",
        ),
        (
            2**0.5,
            {},
            "yours is sqrt(2) times the expected values everywhere — a square root is off",
        ),
        (
            3**0.5 * (1 + 2e-7),
            {},
            "yours is sqrt(3) times the expected values everywhere — a square root is off",
        ),
        # 1/r**2 = 2.5 is not an integer: no square root is named.
        (
            0.4**0.5,
            {},
            "yours is 0.6325 times the expected values everywhere — a constant factor is off.",
        ),
    ],
    ids=[
        "x2 batch 2",
        "x3 batch 4",
        "x3 nearly",
        "x1/2",
        "x1/3 batch 3",
        "x1/3 batch 4",
        "x sqrt3",
        "x 1/sqrt8",
        "x1/4 nearly",
        "x-2",
        "x-3 nearly",
        "x2.5",
        "x-1 nearly",
        "x-1 off by 5e-5",
        "x2 off by 3e-5",
        "x-3.3",
        "x sqrt2",
        "x sqrt3 nearly",
        "x sqrt0.4",
    ],
)
def test_assert_close_names_the_factor(factor, kwargs, cause):
    with pytest.raises(AssertionError) as info:
        check.assert_close(factor * E, E, "dW", **kwargs)
    last = str(info.value).split("\n")[-1]
    assert last.startswith("Likely cause: " + cause), last


def test_assert_close_nan_on_both_sides_gives_no_hint_and_no_warning():
    with pytest.raises(AssertionError) as info:
        check.assert_close(np.array([np.nan, 1.0]), np.array([np.nan, 2.0]), "dx")
    assert "Likely cause" not in str(info.value)


def test_assert_close_value_hints_stay_quiet_when_they_do_not_apply():
    # A float32 difference of float32 size is not called "rounding" (that hint is for float64).
    e = E.astype(np.float32)
    a = e.copy()
    a[1, 1] *= np.float32(1 + 1e-6)
    with pytest.raises(AssertionError) as info:
        check.assert_close(a, e, "dx", rtol=0.0, atol=0.0)
    assert "Likely cause" not in str(info.value)
    with pytest.raises(AssertionError) as info:
        check.assert_close(a.astype(np.float64), e.astype(np.float64), "dx")
    assert "Close, but not the same formula: the difference is about 1e-06 of the values" in str(
        info.value
    )


# --- check_model_grads: float32, targets, models without parameters, failure report ---------------
def _xy():
    X = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 0.1], [0.3, -0.4, 1.2]])
    return X, np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, 0.0]])


def test_check_model_grads_float32_model():
    from bpcourse import nn

    X, y = _xy()
    rep = check.check_model_grads(
        nn.Sequential(nn.Linear(3, 2, rng=0, dtype=np.float32)), nn.MSELoss(), X, y
    )
    assert all(r.dtype == "float32" and (r.rtol, r.atol) == (1e-5, 1e-6) for r in rep.results[2:])


@pytest.mark.parametrize(
    "target",
    [
        np.array([0, 1, 1, 0]),
        np.array([0.0, 1.0, 1.0, 0.0]),
        np.eye(2)[[0, 1, 1, 0]],
        np.eye(2, dtype=int)[[0, 1, 1, 0]],
    ],
    ids=["int labels", "float labels", "one-hot floats", "one-hot ints"],
)
def test_check_model_grads_cross_entropy_targets(target):
    from bpcourse import nn

    X, _ = _xy()
    rep = check.check_model_grads(
        nn.Sequential(nn.Linear(3, 2, rng=0)), nn.CrossEntropyLoss(), X, target
    )
    assert str(rep).startswith("OK 5 checks match torch autograd")


def test_check_model_grads_model_without_parameters():
    from bpcourse import nn

    X, _ = _xy()
    rep = check.check_model_grads(nn.Sequential(nn.Tanh()), nn.MSELoss(), X, np.zeros((4, 3)))
    assert str(rep) == "OK 3 checks match torch autograd: output, loss, dX (input gradient)"


def test_check_model_grads_report_lists_every_mismatch_then_what_matched():
    from bpcourse import nn

    class SumMSELoss(nn.MSELoss):
        """A wrong backward: forgets the mean's 1/numel (4 samples x 2 outputs)."""

        def backward(self, grad_output=None):
            return super().backward(grad_output) * 8

    X, y = _xy()
    with pytest.raises(AssertionError) as info:
        check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0)), SumMSELoss(), X, y)
    msg = str(info.value)
    parts = msg.split("\n\n")
    assert [p.split(":")[0] for p in parts[:-1]] == [
        "0.weight.grad",
        "0.bias.grad",
        "dX (input gradient)",
    ]
    assert "(hand " in parts[0] and ", autograd " in parts[0] and "rtol*|autograd|" in parts[0]
    assert (
        "Likely cause: yours is 8 times the expected values everywhere — a factor 1/8 is missing."
        in parts[0]
    )
    assert parts[-1] == "(matching torch autograd: output, loss)"

    class Shifted(nn.Linear):
        def forward(self, x):
            return super().forward(x) + 1.0

    with pytest.raises(AssertionError, match=r"\n\n\(matching torch autograd: nothing\)$"):
        check.check_model_grads(nn.Sequential(Shifted(3, 2, rng=0)), nn.MSELoss(), X, y)
    with pytest.raises(
        AssertionError,
        match=(
            r"4 times the expected values everywhere — a factor 1/4 is missing: the batch has 4 "
            r"samples"
        ),
    ):

        class Quad(nn.MSELoss):
            def backward(self, grad_output=None):
                return super().backward(grad_output) * 4

        check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0)), Quad(), X, y)


def test_check_model_grads_tolerances_are_passed_on():
    from bpcourse import nn

    class Nudged(nn.MSELoss):
        def backward(self, grad_output=None):
            return super().backward(grad_output) * (1 + 1e-7)

    X, y = _xy()
    model = nn.Sequential(nn.Linear(3, 2, rng=0))
    with pytest.raises(AssertionError):
        check.check_model_grads(model, Nudged(), X, y)
    assert check.check_model_grads(model, Nudged(), X, y, rtol=1e-6)
    assert check.check_model_grads(model, Nudged(), X, y, rtol=0.0, atol=1e-6)


def test_to_torch_refuses_a_twin_whose_parameters_differ():
    import torch

    from bpcourse import nn

    class Scale2(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))

    @check.register_converter(Scale2)
    def _convert(m, convert):
        lin = torch.nn.Linear(2, 2)  # parameters "weight", "bias": not the "w" of Scale2
        return lin

    with pytest.raises(RuntimeError) as info:
        check.to_torch(Scale2())
    assert str(info.value) == (
        "to_torch built a twin whose parameters differ: [('w', (2,))] vs "
        "[('weight', (2, 2)), ('bias', (2,))]"
    )


def test_without_torch_the_message_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError) as info:
        check.torch_grad(lambda a: a.sum(), np.ones(2))
    assert str(info.value) == (
        'bpcourse.check needs torch for autograd comparisons: pip install "bpcourse[check]" (or torch)'
    )


def test_assert_close_default_name_and_infinities():
    with pytest.raises(AssertionError, match=r"^gradient has shape \(2,\), expected \(3,\)$"):
        check.assert_close(np.ones(2), np.ones(3))
    assert check.assert_close(
        np.array([np.inf, 1.0]), np.array([np.inf, 1.0])
    )  # same infinity agrees
    with pytest.raises(TypeError, match=r"^dx: cannot compare arrays of dtype bool$"):
        check.assert_close(np.array([True]), np.array([True]), "dx")


def test_assert_close_an_infinite_reference_needs_the_same_infinity():
    for mine in (-np.inf, 5.0):
        with pytest.raises(AssertionError):
            check.assert_close(np.array([mine, 1.0]), np.array([np.inf, 1.0]), "dx")


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

BAD_INPUT.raises(
    "assert_close: (3,) against (1, 3) never broadcasts",
    check.assert_close,
    (np.ones(3), np.ones((1, 3))),
    {"name": "db"},
    exc=AssertionError,
    match=r"^db has shape \(3,\), expected \(1, 3\) — the same numbers in a different shape",
)
BAD_INPUT.raises(
    "assert_close: (n,) against (n, 1)",
    check.assert_close,
    (np.ones(3), np.ones((3, 1))),
    {"name": "dx"},
    exc=AssertionError,
    match=r"^dx has shape \(3,\), expected \(3, 1\)",
)
BAD_INPUT.raises(
    "assert_close: transposed dW",
    check.assert_close,
    (np.ones((3, 2)), np.ones((2, 3))),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW has shape \(3, 2\), expected \(2, 3\) — transposed\?",
)
BAD_INPUT.raises(
    "assert_close: float32 against float64",
    check.assert_close,
    (X32, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW has dtype float32, expected float64 — float32 keeps about 7 significant digits",
)
BAD_INPUT.raises(
    "assert_close: None (cell not run)",
    check.assert_close,
    (None, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW is None: the variable was never given a value",
)
BAD_INPUT.raises(
    "assert_close: a Parameter instead of its .grad",
    check.assert_close,
    (nn.Parameter(X23), X23),
    {"name": "W"},
    exc=TypeError,
    match=r"^W is a Parameter: compare its gradient W\.grad",
)
BAD_INPUT.raises(
    "assert_close: the variable's name instead of it",
    check.assert_close,
    ("dW", X23),
    {"name": "dW"},
    exc=TypeError,
    match=r"^dW must be an array or a number, got str",
)
BAD_INPUT.raises(
    "assert_close: NaN in yours",
    check.assert_close,
    (np.array([np.nan, 1.0]), np.array([1.0, 1.0])),
    {"name": "dx"},
    exc=AssertionError,
    match=r"^dx: max abs diff inf at \[0\] \(yours nan, expected 1\)",
)
BAD_INPUT.raises(
    "assert_close: a sign flip",
    check.assert_close,
    (-X23, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW: max abs diff .*\n.*\nLikely cause: a sign flip",
)
BAD_INPUT.raises(
    "assert_close: rtol='1e-5'",
    check.assert_close,
    (X23, X23),
    {"rtol": "1e-5"},
    exc=TypeError,
    match=r"^rtol must be a (real |non-negative )?number, got '1e-5'",
)
BAD_INPUT.accepts(
    "assert_close: torch float64 tensor against numpy (the reverse is fine)",
    lambda: check.assert_close(torch.tensor(X23), X23).ok,
    expected=lambda: True,
)
BAD_INPUT.accepts(
    "assert_close: a list against float64",
    lambda: check.assert_close(X23.tolist(), X23).ok,
    expected=lambda: True,
)
BAD_INPUT.accepts(
    "assert_close: a Python float against a 0-d array",
    lambda: check.assert_close(0.5, np.array(0.5)).ok,
    expected=lambda: True,
)

BAD_INPUT.raises(
    "torch_grad: no input array",
    check.torch_grad,
    (lambda: torch.zeros(()),),
    exc=TypeError,
    match=r"^torch_grad needs at least one input array after fn",
)
BAD_INPUT.raises(
    "torch_grad: fn returns a vector",
    check.torch_grad,
    (lambda x: 2 * x, np.ones(2)),
    match=r"^fn must return a scalar \(one number\) to differentiate, got shape \(2,\)",
)
BAD_INPUT.raises(
    "torch_grad: fn returns a float",
    check.torch_grad,
    (lambda x: 1.0, np.ones(2)),
    exc=TypeError,
    match=r"^fn must return a torch scalar tensor, got float",
)
BAD_INPUT.raises(
    "torch_grad: fn written with numpy",
    lambda: as_in_a_notebook(check.torch_grad, lambda x: np.tanh(x).sum(), np.ones(2)),
    exc=TypeError,
    match=(
        r"^fn must be written with torch operations \(torch\.tanh, not np\.tanh; t\.sum\(\), not "
        r"np\.sum\(t\)\): numpy cannot follow a tensor that requires grad, so autograd cannot "
        r"differentiate it$"
    ),
)
BAD_INPUT.raises(
    "torch_grad: torch's own error for an in-place change of an input stays torch's",
    check.torch_grad,
    (lambda x: x.add_(1.0).sum(), np.ones(2)),
    exc=RuntimeError,
    match=r"^a leaf Variable that requires grad is being used in an in-place operation\.$",
)
BAD_INPUT.raises(
    "torch_grad: None (cell not run) is not nan",
    check.torch_grad,
    (lambda x: x.sum(), np.ones(2), None),
    exc=TypeError,
    match=r"^input 1 of torch_grad must be an array of numbers, got NoneType$",
)
BAD_INPUT.raises(
    "torch_grad: an array of strings",
    check.torch_grad,
    (lambda x: x.sum(), np.array(["1.5", "2"])),
    exc=TypeError,
    match=r"^input 0 of torch_grad must be an array of numbers, got ndarray of dtype <U3$",
)
BAD_INPUT.accepts(
    "torch_grad: a torch tensor input is accepted",
    lambda: check.torch_grad(lambda x: (x * x).sum(), torch.tensor([1.0, -2.0]))[0],
    expected=lambda: np.array([2.0, -4.0]),
)
BAD_INPUT.accepts(
    "torch_grad: list and int inputs",
    lambda: check.torch_grad(lambda a, b: (a * b).sum(), [1, 2], np.array([3, 4])),
    expected=lambda: (np.array([3.0, 4.0]), np.array([1.0, 2.0])),
)

BAD_INPUT.raises(
    "numerical_grad: float32 x",
    check.numerical_grad,
    (lambda x: x.sum(), X32),
    exc=TypeError,
    match=r"^x is float32: finite differences need float64",
)
BAD_INPUT.raises(
    "numerical_grad: h=0",
    check.numerical_grad,
    (lambda x: x.sum(), X23),
    {"h": 0},
    match=r"^h must be a positive number, got 0\.0",
)
BAD_INPUT.raises(
    "numerical_grad: h=-1e-6",
    check.numerical_grad,
    (lambda x: x.sum(), X23),
    {"h": -1e-6},
    match=r"^h must be a positive number, got -1e-06",
)
BAD_INPUT.raises(
    "numerical_grad: fn returns a vector",
    check.numerical_grad,
    (lambda x: x, X23),
    match=r"^fn must return a single number \(a loss\), got an array of shape \(2, 3\)",
)
BAD_INPUT.raises(
    "numerical_grad: kinks without return_kinks",
    check.numerical_grad,
    (lambda x: x.sum(), X23),
    {"kinks": [0.0]},
    exc=TypeError,
    match=r"^kinks= is used with return_kinks=True",
)
BAD_INPUT.accepts(
    "numerical_grad: integer x",
    check.numerical_grad,
    (lambda x: (x**3).sum(), np.array([1, -2])),
    expected=lambda: np.array([3.0, 12.0]),
    rtol=1e-6,
    atol=1e-8,
)
BAD_INPUT.accepts(
    "numerical_grad: torch float64 x",
    check.numerical_grad,
    (lambda x: (x**2).sum(), torch.tensor([1.0, -2.0], dtype=T)),
    expected=lambda: np.array([2.0, -4.0]),
    rtol=1e-6,
    atol=1e-8,
)
BAD_INPUT.raises(
    "kink_mask: mask of another shape",
    check.kink_mask,
    (np.ones(2), np.ones(3, dtype=bool), 1e-6),
    match=r"^a kink mask must have the shape of x \(2,\), got \(3,\)",
)

BAD_INPUT.raises(
    "check_gradient: one gradient for two inputs",
    check.check_gradient,
    (lambda a, b: (a * b).sum(), (np.ones(2), np.ones(2)), (np.ones(2),)),
    exc=TypeError,
    match=r"^hand must hold 2 gradients \(one per input\), got 1",
)
BAD_INPUT.raises(
    "check_gradient: dict keys differ",
    check.check_gradient,
    (lambda a: (a * a).sum(), {"a": np.ones(2)}, {"b": np.ones(2)}),
    exc=TypeError,
    match=r"^hand must be a dict with the keys of inputs \['a'\], got \['b'\]",
)
BAD_INPUT.raises(
    "check_gradient: names of the wrong length",
    check.check_gradient,
    (lambda a, b: (a * b).sum(), (np.ones(2), np.ones(2)), (np.ones(2), np.ones(2))),
    {"names": ["da"]},
    exc=TypeError,
    match=r"^names must hold 2 names, got 1",
)
BAD_INPUT.raises(
    "check_gradient: wrong hand gradient (sign)",
    check.check_gradient,
    (lambda a: (a * a).sum(), X23, -2 * X23),
    exc=AssertionError,
    match=r"^dx: max abs diff .*\n.*\nLikely cause: a sign flip",
)
BAD_INPUT.raises(
    "check_gradient: float32 input",
    check.check_gradient,
    (lambda a: (a * a).sum(), X32, 2 * X32),
    exc=TypeError,
    match=r"^the input of dx is float32: finite differences need float64",
)
BAD_INPUT.raises(
    "check_gradient: fn with np.tanh and no torch_fn",
    as_in_a_notebook,
    (check.check_gradient, lambda a: np.tanh(a).sum(), X23, 1 - np.tanh(X23) ** 2),
    exc=TypeError,
    match=r"^fn does not run on torch tensors .*pass torch_fn=",
)
BAD_INPUT.accepts(
    "check_gradient: integer input and list hand",
    lambda: bool(check.check_gradient(lambda a: (a * a).sum(), np.array([1, -2]), [2.0, -4.0])),
    expected=lambda: True,
)

BAD_INPUT.raises(
    "to_torch(an object)",
    check.to_torch,
    (object(),),
    exc=TypeError,
    match=(
        r"^to_torch does not know how to convert object: register a converter with "
        r"@bpcourse\.check\.register_converter\(ThatClass\)$"
    ),
)
BAD_INPUT.raises(
    "to_torch(a torch module)",
    check.to_torch,
    (torch.nn.Linear(2, 2),),
    exc=TypeError,
    match=r"^to_torch does not know how to convert Linear",
)
BAD_INPUT.raises(
    "check_model_grads: class index out of range",
    check.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.CrossEntropyLoss(), X23, np.array([0, 2])),
    match=r"^target must hold class indices in \[0, 1\] \(logits has 2 classes\), got 2 at index 1",
)
BAD_INPUT.raises(
    "check_model_grads: target batch differs",
    check.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.MSELoss(), X23, np.ones((3, 2))),
    match=r"^target must have shape \(2, 2\), got an array of shape \(3, 2\)",
)
BAD_INPUT.raises(
    "check_model_grads: X with wrong features",
    check.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.MSELoss(), np.ones((2, 4)), np.ones((2, 2))),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 4\)",
)
BAD_INPUT.accepts(
    "check_model_grads: X a torch tensor (the reverse is fine)",
    lambda: str(
        check.check_model_grads(
            nn.Sequential(fresh_linear()), nn.MSELoss(), torch.tensor(X23), np.ones((2, 2))
        )
    ),
    expected=lambda: (
        "OK 5 checks match torch autograd: output, loss, 0.weight.grad, 0.bias.grad, dX (input "
        "gradient)"
    ),
)
BAD_INPUT.accepts(
    "check_model_grads: list X, integer labels",
    lambda: str(
        check.check_model_grads(
            nn.Sequential(fresh_linear()), nn.CrossEntropyLoss(), X23.tolist(), [1, 0]
        )
    ),
    expected=lambda: (
        "OK 5 checks match torch autograd: output, loss, 0.weight.grad, 0.bias.grad, dX (input "
        "gradient)"
    ),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
