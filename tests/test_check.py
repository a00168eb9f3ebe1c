"""The checker itself: it passes right gradients and FAILS, with the right hint, on each
classic mistake; finite differences handle kinks; exercises that are not done print, not raise;
torch twins compute the same function and gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse import check
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
    assert f"{n} times" in msg and f"missing 1/{n}" in msg
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
    rounded = e.astype(np.float32).astype(np.float64) + e * 3e-8
    assert "float32" in _fails(rounded, e)


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


# --- exercise ---------------------------------------------------------------------------------------
def test_exercise_not_done_prints_and_returns(capsys):
    assert check.exercise("ex_dW", None, np.ones(2), hint="dW = dout.T @ x") is None
    assert capsys.readouterr().out == "Exercise not done yet: ex_dW. Hint: dW = dout.T @ x\n"

    def ex_relu_backward(dout):
        raise NotImplementedError("Exercise: write relu_backward")

    check.exercise("ex_relu_backward", lambda: ex_relu_backward(1.0), np.ones(2))
    assert capsys.readouterr().out == "Exercise not done yet: ex_relu_backward.\n"
    # The exercise cell stopped before defining the name: still "not done".
    check.exercise("ex_missing", lambda: ex_missing(), np.ones(2))  # noqa: F821
    assert "not done yet: ex_missing" in capsys.readouterr().out


def test_exercise_done_right_prints_ok(capsys):
    check.exercise("ex_db", np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert capsys.readouterr().out == (
        "Exercise ex_db: OK, shape (2,), float64, matches the reference.\n"
    )
    check.exercise("ex_grads", lambda: (np.ones(2), 3.0), (np.ones(2), 3.0))
    assert "all 2 arrays match" in capsys.readouterr().out
    check.exercise("ex_fn", np.tanh, check=lambda f: check.assert_close(f(0.0), 0.0, "f(0)"))
    assert "ex_fn: OK" in capsys.readouterr().out


def test_exercise_done_wrong_raises_with_hint():
    with pytest.raises(
        AssertionError, match=r"(?s)Exercise ex_dW: .*sign flip.*Hint: mind the sign"
    ):
        check.exercise("ex_dW", -np.arange(1.0, 4.0), np.arange(1.0, 4.0), hint="mind the sign")
    with pytest.raises(AssertionError, match="ex_db has shape"):
        check.exercise("ex_db", np.ones((1, 3)), np.ones(3))
    # A NameError about another name is a bug in the answer, not "not done".
    with pytest.raises(NameError):
        check.exercise("ex_f", lambda: undefined_helper(), np.ones(2))  # noqa: F821
    with pytest.raises(TypeError, match="exactly one"):
        check.exercise("ex", 1.0)


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
from bpcourse import nn  # noqa: E402

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
