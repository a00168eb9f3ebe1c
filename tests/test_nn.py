"""bpcourse.nn layers, Sequential and losses against their torch twins (float64, rtol=1e-10)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import (
    ATOL,
    CE_T,
    G23,
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
    backward_before_forward,
    ce_ref,
    forward_backward,
    forward_backward_twice,
    fresh_linear,
    loss_ref,
    tgrad,
    tt,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpcourse import nn
from bpcourse.nn import init

SETTINGS = settings(max_examples=30)

SPECIAL = [0.0, 1e-12, -1e-12, 1.0, -1.0, 30.0, -30.0, 700.0, -700.0, 1e4, -1e4]
values = st.one_of(
    st.floats(-20, 20, allow_nan=False, allow_subnormal=False), st.sampled_from(SPECIAL)
)
small = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)
probs = st.one_of(st.floats(0, 1, allow_subnormal=False), st.sampled_from([0.0, 1.0, 1e-20]))
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


def arrays(shape, elements=values):
    return hnp.arrays(np.float64, shape, elements=elements)


def leaf(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x, requires_grad=True)


def torch_twin(module: nn.Module) -> torch.nn.Module:
    """The same model in torch, built here (independently of bpcourse.check), same parameters."""
    if isinstance(module, nn.Sequential):
        return torch.nn.Sequential(*(torch_twin(m) for m in module))
    if isinstance(module, nn.Linear):
        dtype = torch.float32 if module.weight.dtype == np.float32 else torch.float64
        twin = torch.nn.Linear(
            module.in_features, module.out_features, bias=module.bias is not None, dtype=dtype
        )
        with torch.no_grad():
            twin.weight.copy_(torch.from_numpy(module.weight.data))
            if module.bias is not None:
                twin.bias.copy_(torch.from_numpy(module.bias.data))
        return twin
    if isinstance(module, nn.LeakyReLU):
        return torch.nn.LeakyReLU(module.negative_slope)
    simple = {nn.ReLU: torch.nn.ReLU, nn.Sigmoid: torch.nn.Sigmoid, nn.Tanh: torch.nn.Tanh}
    return simple[type(module)]()


def assert_same_grads(model: nn.Module, twin: torch.nn.Module, **tol) -> None:
    mine = dict(model.named_parameters())
    theirs = dict(twin.named_parameters())
    assert mine.keys() == theirs.keys()  # torch's names: "0.weight", "0.bias", ...
    for name, p in mine.items():
        assert_same(p.grad, theirs[name].grad, **tol)


# ------------------------------------------------------------------------------------------------
# Linear
# ------------------------------------------------------------------------------------------------
@st.composite
def linear_case(draw):
    n, d_in, d_out = draw(st.integers(1, 8)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    layer = nn.Linear(d_in, d_out, bias=draw(st.booleans()), rng=draw(st.integers(0, 2**32 - 1)))
    return layer, draw(arrays((n, d_in))), draw(arrays((n, d_out), small))


@SETTINGS
@given(case=linear_case())
def test_linear_matches_torch(case):
    layer, x, g = case
    twin = torch_twin(layer)
    xt = leaf(x)
    yt = twin(xt)
    yt.backward(torch.tensor(g))
    assert_same(layer(x), yt)
    assert_same(layer.backward(g), xt.grad)
    assert_same_grads(layer, twin)


def test_linear_layout_and_init_are_torchs():
    layer = nn.Linear(100, 300, rng=0)
    assert layer.weight.shape == (300, 100) and layer.bias.shape == (300,)
    assert layer.weight.dtype == np.float64
    bound = 1 / np.sqrt(100)
    w = layer.weight.data
    # U(-b, b): inside the bounds, reaching close to them, with variance b^2 / 3.
    assert -bound <= w.min() < -0.99 * bound and 0.99 * bound < w.max() < bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert abs(w.mean()) < 0.02 * bound
    assert np.all(np.abs(layer.bias.data) < bound) and layer.bias.data.std() > 0.4 * bound
    # torch's own init has the same spread
    tw = torch.nn.Linear(100, 300).weight.detach().numpy()
    assert abs(w.std() - tw.std()) < 0.03 * bound
    np.testing.assert_array_equal(layer.weight.grad, np.zeros((300, 100)))


def test_linear_rng_seed_generator_and_global():
    a = nn.Linear(3, 2, rng=7).weight.data
    np.testing.assert_array_equal(a, nn.Linear(3, 2, rng=7).weight.data)
    np.testing.assert_array_equal(a, nn.Linear(3, 2, rng=np.random.default_rng(7)).weight.data)
    assert not np.array_equal(a, nn.Linear(3, 2, rng=8).weight.data)
    state = np.random.get_state()  # noqa: NPY002 (restored below: other tests share it)
    try:  # rng=None uses numpy's global RNG, the one setup_notebook() seeds
        np.random.seed(3)  # noqa: NPY002
        b = nn.Linear(3, 2).weight.data
        np.random.seed(3)  # noqa: NPY002
        np.testing.assert_array_equal(b, nn.Linear(3, 2).weight.data)
    finally:
        np.random.set_state(state)  # noqa: NPY002


def test_linear_without_bias_has_only_weight():
    layer = nn.Linear(3, 2, bias=False, rng=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(layer(np.ones((1, 3))), layer.weight.data.sum(axis=1)[None])


def test_linear_weight_grad_vs_finite_differences():
    rng = np.random.default_rng(0)
    layer = nn.Linear(4, 3, rng=1)
    x, target = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))

    def loss() -> float:
        return float(((layer(x) - target) ** 2).sum())

    layer(x)
    layer.backward(2 * (layer(x) - target))
    h, num = 1e-6, np.zeros_like(layer.weight.data)
    for i in np.ndindex(num.shape):
        old = layer.weight.data[i]
        layer.weight.data[i] = old + h
        up = loss()
        layer.weight.data[i] = old - h
        num[i] = (up - loss()) / (2 * h)
        layer.weight.data[i] = old
    np.testing.assert_allclose(layer.weight.grad, num, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# Activations
# ------------------------------------------------------------------------------------------------
ACTIVATIONS = {
    "ReLU": (nn.ReLU, torch.nn.ReLU, {}),
    "LeakyReLU": (nn.LeakyReLU, torch.nn.LeakyReLU, {}),
    "LeakyReLU(0.2)": (nn.LeakyReLU, torch.nn.LeakyReLU, {"negative_slope": 0.2}),
    "Sigmoid": (nn.Sigmoid, torch.nn.Sigmoid, {}),
    "Tanh": (nn.Tanh, torch.nn.Tanh, {}),
}


@st.composite
def x_and_grad(draw):
    x = draw(arrays(draw(shapes)))
    return x, draw(arrays(x.shape, small))


@pytest.mark.parametrize("name", ACTIVATIONS)
@SETTINGS
@given(case=x_and_grad())
def test_activation_layer_matches_torch(name, case):
    mine_cls, torch_cls, kwargs = ACTIVATIONS[name]
    x, g = case
    layer = mine_cls(**kwargs)
    xt = leaf(x)
    yt = torch_cls(**kwargs)(xt)
    yt.backward(torch.tensor(g))
    assert_same(layer(x), yt)
    assert_same(layer.backward(g), xt.grad)


# ------------------------------------------------------------------------------------------------
# Losses
# ------------------------------------------------------------------------------------------------
@st.composite
def loss_case(draw):
    kind = draw(st.sampled_from(["MSE", "BCE", "BCEWithLogits", "CE classes", "CE probs"]))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    if kind.startswith("CE"):
        n, c = draw(st.integers(1, 8)), draw(st.integers(1, 6))
        pred = draw(arrays((n, c)))
        classes = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
        target = classes if kind == "CE classes" else np.eye(c)[classes]
        mine, theirs = nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss
    else:
        shape = draw(shapes)
        pred = draw(arrays(shape, probs if kind == "BCE" else values))
        target = draw(arrays(shape, values if kind == "MSE" else probs))
        mine, theirs = {
            "MSE": (nn.MSELoss, torch.nn.MSELoss),
            "BCE": (nn.BCELoss, torch.nn.BCELoss),
            "BCEWithLogits": (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss),
        }[kind]
    loss_shape = pred.shape[:1] if kind.startswith("CE") else pred.shape
    g = draw(st.one_of(st.none(), arrays(loss_shape if reduction == "none" else (), small)))
    return mine(reduction=reduction), theirs(reduction=reduction), pred, target, g


@SETTINGS
@given(case=loss_case())
def test_loss_modules_match_torch(case):
    crit, torch_crit, pred, target, g = case
    pt = leaf(pred)
    expected = torch_crit(pt, torch.tensor(target))
    if g is not None:
        expected.backward(torch.tensor(g))
    else:  # torch needs a gradient for "none"; ours then means that of the summed losses
        (expected if expected.ndim == 0 else expected.sum()).backward()
    loss = crit(pred, target)
    if crit.reduction == "none":
        assert_same(loss, expected)
    else:
        assert isinstance(loss, float)
        assert loss == pytest.approx(expected.item(), rel=RTOL, abs=ATOL)
    assert_same(crit.backward() if g is None else crit.backward(g), pt.grad)


# ------------------------------------------------------------------------------------------------
# Sequential: random stacks against their torch twins
# ------------------------------------------------------------------------------------------------
@st.composite
def stack_case(draw):
    depth = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    seed = draw(st.integers(0, 2**32 - 1))
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Linear(widths[i], widths[i + 1], bias=draw(st.booleans()), rng=seed + i))
        act = draw(st.sampled_from([None, nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh]))
        if act is not None:
            layers.append(act())
    kind = draw(st.sampled_from(["mse", "bce", "bce_logits", "ce"]))
    n = draw(st.integers(1, 8))
    x = draw(arrays((n, widths[0]), small))
    out_shape = (n, widths[-1])
    if kind == "mse":
        crit, torch_crit, target = nn.MSELoss(), torch.nn.MSELoss(), draw(arrays(out_shape, small))
    elif kind == "bce":
        layers.append(nn.Sigmoid())
        crit, torch_crit, target = nn.BCELoss(), torch.nn.BCELoss(), draw(arrays(out_shape, probs))
    elif kind == "bce_logits":
        crit, torch_crit = nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()
        target = draw(arrays(out_shape, probs))
    else:
        crit, torch_crit = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
        target = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, widths[-1] - 1)))
    return nn.Sequential(*layers), crit, torch_crit, x, target


@SETTINGS
@given(case=stack_case())
def test_random_sequential_matches_torch_twin(case):
    model, crit, torch_crit, x, target = case
    twin = torch_twin(model)
    xt = leaf(x)
    expected = torch_crit(twin(xt), torch.tensor(target))
    expected.backward()
    loss = crit(model(x), target)
    dx = model.backward(crit.backward())
    assert loss == pytest.approx(expected.item(), rel=RTOL, abs=ATOL)
    assert_same(dx, xt.grad)
    assert_same_grads(model, twin)


def test_gradients_accumulate_over_two_backward_passes_until_zero_grad():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(4, 5, rng=0), nn.Tanh(), nn.Linear(5, 3, rng=1))
    twin = torch_twin(model)
    crit = nn.CrossEntropyLoss()
    for _ in range(2):  # two different batches, no zero_grad in between: gradients add up
        x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
        crit(model(x), y)
        model.backward(crit.backward())
        torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y)).backward()
    assert_same_grads(model, twin)
    model.zero_grad()
    for p in model.parameters():
        assert p.grad.dtype == p.data.dtype
        np.testing.assert_array_equal(p.grad, np.zeros(p.shape))


def test_sequential_names_indexing_and_reverse_order():
    a, r, b = nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, bias=False, rng=1)
    model = nn.Sequential(a, r, b)
    assert len(model) == 3 and model[0] is a and model[-1] is b and list(model) == [a, r, b]
    assert [m for m in model[1:]] == [r, b]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight"]
    assert "(2): Linear(in_features=3, out_features=1, bias=False)" in repr(model)
    calls = []
    for i, m in enumerate(model):
        backward = m.backward
        m.backward = lambda g, i=i, backward=backward: (calls.append(i), backward(g))[1]
    model(np.ones((2, 2)))
    model.backward(np.ones((2, 1)))
    assert calls == [2, 1, 0]


def test_input_grad_false_skips_dx_like_torch_for_data():
    """backward(g, input_grad=False): None, and the parameter gradients of torch with a plain x."""
    rng = np.random.default_rng(0)
    inner = nn.Sequential(nn.Linear(4, 5, rng=1), nn.ReLU(), nn.Linear(5, 3, rng=2))
    model = nn.Sequential(nn.Tanh(), inner, nn.Sigmoid())
    twin = torch_twin(model)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y)).backward()
    calls = []
    for name, m in [("tanh", model[0]), ("first linear", inner[0]), ("sigmoid", model[2])]:

        def spy(g, *args, name=name, backward=m.backward, **kwargs):
            calls.append((name, kwargs))
            return backward(g, *args, **kwargs)

        m.backward = spy
    crit = nn.CrossEntropyLoss()
    crit(model(x), y)
    assert model.backward(crit.backward(), input_grad=False) is None
    assert_same_grads(model, twin)
    # Tanh comes before every parameter: never visited; the first Linear skips its dL/dx.
    assert calls == [("sigmoid", {}), ("first linear", {"input_grad": False})]

    layer = nn.Linear(4, 5, rng=3)
    g = rng.normal(size=(6, 5))
    layer(x)
    dx = layer.backward(g)
    full = layer.weight.grad.copy(), layer.bias.grad.copy()
    layer.zero_grad()
    assert layer.backward(g, input_grad=False) is None
    assert_same(layer.weight.grad, full[0])
    assert_same(layer.bias.grad, full[1])
    assert dx.shape == x.shape


# ------------------------------------------------------------------------------------------------
# float32 stays float32 and agrees with torch float32
# ------------------------------------------------------------------------------------------------
def test_float32_model_stays_float32_and_matches_torch_float32():
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Linear(20, 32, dtype=np.float32, rng=0), nn.ReLU(),
        nn.Linear(32, 16, dtype=np.float32, rng=1), nn.Sigmoid(),
        nn.Linear(16, 5, dtype=np.float32, rng=2), nn.LeakyReLU(),
    )  # fmt: skip
    assert all(p.data.dtype == np.float32 == p.grad.dtype for p in model.parameters())
    twin = torch_twin(model)
    x = rng.normal(size=(64, 20)).astype(np.float32)
    y = rng.integers(0, 5, size=64)
    xt = leaf(x)
    torch.nn.functional.cross_entropy(twin(xt), torch.tensor(y)).backward()
    crit = nn.CrossEntropyLoss()
    out = model(x)
    assert out.dtype == np.float32
    crit(out, y)
    dlogits = crit.backward()
    assert dlogits.dtype == np.float32
    assert_same(model.backward(dlogits), xt.grad, rtol=1e-5, atol=1e-6)
    assert_same_grads(model, twin, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Unusual but legitimate input
# ------------------------------------------------------------------------------------------------
def test_integer_and_list_inputs_give_the_float_result():
    xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    expected = model(xor.astype(np.float64))
    assert_same(model(xor), expected)
    assert_same(model(xor.tolist()), expected)
    crit = nn.BCEWithLogitsLoss()
    assert crit(expected, [[0], [1], [1], [0]]) == crit(expected, np.array([[0.0], [1], [1], [0]]))
    assert nn.CrossEntropyLoss()([[0, 0]], [1]) == pytest.approx(np.log(2))


# ------------------------------------------------------------------------------------------------
# Bad input: one clear error naming the argument, what was expected and what came
# ------------------------------------------------------------------------------------------------
def forwarded(module, x):
    module(x)
    return module


def test_loss_grad_output_must_match_the_loss_shape():
    crit = nn.MSELoss()
    crit(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"grad_output must have shape \(\)"):
        crit.backward(np.ones(3))
    crit = nn.CrossEntropyLoss(reduction="none")
    crit(np.ones((3, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match=r"grad_output must have shape \(3,\)"):
        crit.backward(np.ones((3, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5, 3.0])
def test_leaky_relu_is_bitwise_torchs_including_signed_zeros(dtype, slope):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 33)).astype(dtype)
    x[0, :3] = [0.0, -0.0, 1e-30]
    g = rng.standard_normal(x.shape).astype(dtype)
    layer = nn.LeakyReLU(slope)
    y, dx = layer(x), layer.backward(g)
    xt = leaf(x)
    yt = torch.nn.functional.leaky_relu(xt, slope)
    yt.backward(torch.tensor(g))
    assert y.dtype == dx.dtype == dtype
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_array_equal(np.signbit(y), np.signbit(yt.detach().numpy()))
    np.testing.assert_array_equal(dx, xt.grad.numpy())


# ==============================================================================================
# bpcourse.nn: the paths mutation testing found untested (tests/MUTATION.md).
#
# init's defaults (drawn from the same seeded generator, value for value), its zero-element
# warning, Sequential's indexing bounds and repr.
# ==============================================================================================
SHAPE = (4, 6)  # (out, in): fan_in 6, fan_out 4


@pytest.mark.parametrize(
    "fill, reference",
    [
        (lambda w: init.uniform_(w, rng=0), lambda g: g.uniform(0.0, 1.0, SHAPE)),
        (lambda w: init.normal_(w, rng=0), lambda g: g.normal(0.0, 1.0, SHAPE)),
        # torch's defaults: a=0, mode="fan_in", nonlinearity="leaky_relu" -> gain sqrt(2).
        (
            lambda w: init.kaiming_uniform_(w, rng=0),
            lambda g: g.uniform(-math.sqrt(6 / 6), math.sqrt(6 / 6), SHAPE),
        ),
        (
            lambda w: init.kaiming_normal_(w, rng=0),
            lambda g: g.normal(0.0, math.sqrt(2 / 6), SHAPE),
        ),
        (
            lambda w: init.kaiming_normal_(w, mode="FAN_OUT", rng=0),
            lambda g: g.normal(0.0, math.sqrt(2 / 4), SHAPE),
        ),
        (
            lambda w: init.xavier_uniform_(w, rng=0),
            lambda g: g.uniform(-math.sqrt(6 / 10), math.sqrt(6 / 10), SHAPE),
        ),
        (
            lambda w: init.xavier_normal_(w, gain=2.0, rng=0),
            lambda g: g.normal(0.0, 2 * math.sqrt(2 / 10), SHAPE),
        ),
    ],
    ids=[
        "uniform_",
        "normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "kaiming_normal_ fan_out",
        "xavier_uniform_",
        "xavier_normal_ gain 2",
    ],
)
def test_init_defaults_value_for_value(fill, reference):
    w = np.zeros(SHAPE)
    out = fill(w)
    assert out is w
    np.testing.assert_allclose(w, reference(np.random.default_rng(0)), rtol=1e-15, atol=0)


@pytest.mark.parametrize("fill", [init.kaiming_uniform_, init.kaiming_normal_])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_init_zero_element_weight_warns_and_is_a_no_op(fill, shape):
    w = np.zeros(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert fill(w) is w
    assert [str(c.message) for c in caught] == ["Initializing zero-element tensors is a no-op"]
    assert caught[0].category is UserWarning


def test_calculate_gain_lists_what_it_knows():
    with pytest.raises(ValueError) as info:
        init.calculate_gain("gelu")
    assert str(info.value) == (
        "Unsupported nonlinearity 'gelu'; expected one of: linear, conv1d, conv2d, conv3d, "
        "conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, "
        "leaky_relu, selu"
    )


def test_sequential_indexing_bounds():
    a, b = nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b)
    assert s[-2] is a and s[-1] is b and s[1] is b and s[np.int64(0)] is a
    for bad in (2, -3):
        with pytest.raises(
            IndexError, match=rf"^index {bad} is out of range for a Sequential of 2$"
        ):
            s[bad]
    assert list(s[1:]) == [b] and len(s[:0]) == 0


def test_sequential_repr_nests():
    model = nn.Sequential(
        nn.Linear(3, 2, rng=0), nn.Sequential(nn.ReLU(), nn.LeakyReLU(0.2)), nn.Sequential()
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=3, out_features=2, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        "  (2): Sequential()\n"
        ")"
    )


def test_reprs_name_the_class():
    assert [repr(m) for m in (nn.ReLU(), nn.Sigmoid(), nn.Tanh())] == [
        "ReLU()",
        "Sigmoid()",
        "Tanh()",
    ]
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nn.CrossEntropyLoss(reduction="none")) == "CrossEntropyLoss(reduction='none')"


def test_batchnorm_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(np.array([[1.0, 5.0], [3.0, -1.0]]))
    assert bn.num_batches_tracked == 1 and bn.running_mean.any()
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0, 0.0] and bn.running_var.tolist() == [1.0, 1.0]
    assert bn.num_batches_tracked == 0


def test_unwritten_backward_names_the_subclass():
    class Double(nn.Module):
        def forward(self, x):
            return 2 * x

    with pytest.raises(NotImplementedError, match=r"^Double\.backward is not written$"):
        Double().backward(np.ones(2))
    with pytest.raises(NotImplementedError, match=r"^Double\.forward is not written$"):
        nn.Module.forward(Double())


def test_residual_shape_message_says_what_to_change():
    with pytest.raises(ValueError) as info:
        nn.Residual(nn.Linear(3, 2, rng=0))(np.ones((4, 3)))
    assert str(info.value) == (
        "Residual: the block must keep the shape of its input to be added to it, got input (4, 3) "
        "and block output (4, 2) (make the block's last layer output as many features as its input)"
    )


def test_clip_of_an_empty_generator_warns():
    from bpcourse.nn import utils

    for clip, arg in ((utils.clip_grad_norm_, 1.0), (utils.clip_grad_value_, 1.0)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clip((p for p in []), arg)
        assert [str(c.message) for c in caught] == [
            "`parameters` is an empty generator, no gradient clipping will occur."
        ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_buffers_and_parameters_keep_the_dtype(dtype):
    bn = nn.BatchNorm1d(3, dtype=dtype)
    for arr in (
        bn.weight.data,
        bn.bias.data,
        bn.weight.grad,
        bn.bias.grad,
        bn.running_mean,
        bn.running_var,
    ):
        assert arr.dtype == dtype
    off = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert off.weight is None and off.bias is None and off.parameters() == []
    assert off.running_mean is None and off.running_var is None and off.num_batches_tracked is None


def test_linear_with_the_global_rng_draws_torch_bound():
    np.random.seed(3)  # noqa: NPY002 - rng=None draws from numpy's global RNG (setup_notebook seeds it)
    lin = nn.Linear(3, 2)
    np.random.seed(3)  # noqa: NPY002
    bound = 1 / math.sqrt(3)
    expected_w = np.random.uniform(-bound, bound, size=(2, 3))  # noqa: NPY002
    expected_b = np.random.uniform(-bound, bound, size=(2,))  # noqa: NPY002
    np.testing.assert_array_equal(lin.weight.data, expected_w)
    np.testing.assert_array_equal(lin.bias.data, expected_b)


def test_float32_layers_and_losses_keep_float32_for_a_float64_grad_output():
    x = np.array([[0.5, -1.0, 2.0]], dtype=np.float32)
    lin = nn.Linear(3, 2, rng=0, dtype=np.float32)
    lin(x)
    dx = lin.backward(np.array([[1.0, -2.0]]))  # float64 grad_output
    assert dx.dtype == np.float32 and lin.weight.grad.dtype == np.float32
    crit = nn.MSELoss(reduction="none")
    crit(np.array([[0.5, 1.0]], dtype=np.float32), np.array([[0.0, 0.0]], dtype=np.float32))
    assert crit.backward(np.array([[2.0, 3.0]])).dtype == np.float32


def test_sequential_without_parameters_needs_no_backward_for_data():
    model = nn.Sequential(nn.ReLU(), nn.Tanh())
    model(np.ones((2, 3)))
    assert model.backward(np.ones((2, 3)), input_grad=False) is None


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0.0, 3.0, math.inf, -math.inf])
def test_get_total_norm_matches_torch(norm_type):
    import torch

    from bpcourse.nn import utils

    grads = [np.array([3.0, -4.0, 0.0]), np.array([[0.5], [-12.0]])]
    tg = [torch.tensor(g) for g in grads]
    expected = float(torch.nn.utils.get_total_norm(tg, norm_type))
    assert utils.get_total_norm(grads, norm_type) == pytest.approx(expected, rel=1e-12)


def test_get_total_norm_edge_cases():
    from bpcourse.nn import utils

    assert utils.get_total_norm([]) == 0.0
    assert utils.get_total_norm([np.zeros(0)]) == 0.0
    assert utils.get_total_norm([np.array([np.inf, 1.0])]) == math.inf  # no error by default
    with pytest.raises(RuntimeError) as info:
        utils.get_total_norm([np.array([np.inf, 1.0])], error_if_nonfinite=True)
    assert str(info.value) == (
        "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot "
        "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, "
        "set `error_if_nonfinite=False`"
    )


def test_an_empty_gradient_array_adds_nothing_to_the_norm():
    from bpcourse.nn import utils

    assert utils.get_total_norm([np.zeros(0), np.array([3.0, 4.0])]) == 5.0


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
# ``backward`` twice is documented here as what torch does with ``retain_graph=True``: parameter
# gradients accumulate (``+=``), the returned input gradient is the same each time.
BAD_INPUT = BadInputs()

# Shapes, values and types that each function or layer must refuse by name.
BAD_INPUT.raises(
    "Linear(3, 2)(ones((4, 5)))",
    lambda: nn.Linear(3, 2, rng=0)(np.ones((4, 5))),
    exc=ValueError,
    match=r"x must have shape \(N, 3\), got .*\(4, 5\)",
)
BAD_INPUT.raises(
    "Linear(3, 2)(ones(3))",
    lambda: nn.Linear(3, 2, rng=0)(np.ones(3)),
    exc=ValueError,
    match=r"x must be 2-D, got .*\(3,\)",
)
BAD_INPUT.raises(
    "Linear(3, 2)(ones((0, 3)))",
    lambda: nn.Linear(3, 2, rng=0)(np.ones((0, 3))),
    exc=ValueError,
    match=r"x must not be empty",
)
BAD_INPUT.raises(
    "Linear(3, 2)([[1.0, np.nan, 0.0]])",
    lambda: nn.Linear(3, 2, rng=0)([[1.0, np.nan, 0.0]]),
    exc=ValueError,
    match=r"x must be finite, got nan at index \(0, 1\)",
)
BAD_INPUT.raises(
    "Linear(3, 2)(torch.ones(1, 3))",
    lambda: nn.Linear(3, 2, rng=0)(torch.ones(1, 3)),
    exc=TypeError,
    match=r"x.detach\(\).numpy\(\)",
)
BAD_INPUT.raises(
    "Linear(3, 2.5)",
    lambda: nn.Linear(3, 2.5),
    exc=TypeError,
    match=r"out_features must be an int, got 2.5",
)
BAD_INPUT.raises(
    "Linear(3, 2, dtype=np.int64)",
    lambda: nn.Linear(3, 2, dtype=np.int64),
    exc=TypeError,
    match=r"dtype must be np.float32 or np.float64",
)
BAD_INPUT.raises(
    'Linear(3, 2, rng="seed")',
    lambda: nn.Linear(3, 2, rng="seed"),
    exc=TypeError,
    match=r"rng must be a np.random.Generator",
)
BAD_INPUT.raises(
    "Linear(3, 2).backward(ones((4, 2)))",
    lambda: nn.Linear(3, 2, rng=0).backward(np.ones((4, 2))),
    exc=RuntimeError,
    match=r"Linear.backward called before forward",
)
BAD_INPUT.raises(
    "ReLU().backward(ones(2))",
    lambda: nn.ReLU().backward(np.ones(2)),
    exc=RuntimeError,
    match=r"ReLU.backward called before forward",
)
BAD_INPUT.raises(
    "Sigmoid().backward(ones(2))",
    lambda: nn.Sigmoid().backward(np.ones(2)),
    exc=RuntimeError,
    match=r"Sigmoid.backward called before forward",
)
BAD_INPUT.raises(
    "MSELoss().backward()",
    lambda: nn.MSELoss().backward(),
    exc=RuntimeError,
    match=r"MSELoss.backward called before forward",
)
BAD_INPUT.raises(
    "Sequential(Linear(2, 2)).backward(ones((1, 2)))",
    lambda: nn.Sequential(nn.Linear(2, 2, rng=0)).backward(np.ones((1, 2))),
    exc=RuntimeError,
    match=r"before forward",
)
BAD_INPUT.raises(
    "Linear(3, 2)(x: (4, 3)).backward(ones((2, 4)))",
    lambda: forwarded(nn.Linear(3, 2, rng=0), np.ones((4, 3))).backward(np.ones((2, 4))),
    exc=ValueError,
    match=r"grad_output must have shape \(4, 2\), got .*\(2, 4\)",
)
BAD_INPUT.raises(
    "Linear(3, 2)(x: (4, 3)).backward(ones(2))",
    lambda: forwarded(nn.Linear(3, 2, rng=0), np.ones((4, 3))).backward(np.ones(2)),
    exc=ValueError,
    match=r"grad_output must have shape \(4, 2\)",
)
BAD_INPUT.raises(
    "Tanh()(x: (4, 3)).backward(ones((1, 3)))",
    lambda: forwarded(nn.Tanh(), np.ones((4, 3))).backward(np.ones((1, 3))),
    exc=ValueError,
    match=r"grad_output must have shape \(4, 3\)",
)
BAD_INPUT.raises(
    "Linear(3, 2)(x: (4, 3)).backward(ones((4, 2)), ones(2))",
    lambda: forwarded(nn.Linear(3, 2, rng=0), np.ones((4, 3))).backward(
        np.ones((4, 2)), np.ones(2)
    ),
    exc=TypeError,
    match=r"input_grad must be True or False, got array",
)
BAD_INPUT.raises(
    'forwarded(Sequential(Linear(3, 2)), ones((4, 3))).backward(ones((4, 2)), "no")',
    lambda: forwarded(nn.Sequential(nn.Linear(3, 2, rng=0)), np.ones((4, 3))).backward(
        np.ones((4, 2)), "no"
    ),
    exc=TypeError,
    match=r"input_grad must be True or False, got 'no'",
)
BAD_INPUT.raises(
    "ReLU()(x: (4, 1)).backward(ones(4))",
    lambda: forwarded(nn.ReLU(), np.ones((4, 1))).backward(np.ones(4)),
    exc=ValueError,
    match=r"grad_output must have shape \(4, 1\)",
)
BAD_INPUT.raises(
    'Sequential(ReLU(), "relu")',
    lambda: nn.Sequential(nn.ReLU(), "relu"),
    exc=TypeError,
    match=r"got str at position 1",
)
BAD_INPUT.raises(
    'LeakyReLU("0.1")',
    lambda: nn.LeakyReLU("0.1"),
    exc=TypeError,
    match=r"negative_slope must be a number",
)
BAD_INPUT.raises(
    'MSELoss(reduction="average")',
    lambda: nn.MSELoss(reduction="average"),
    exc=ValueError,
    match=r"reduction must be",
)
BAD_INPUT.raises(
    "MSELoss()(ones((4, 1)), ones(4))",
    lambda: nn.MSELoss()(np.ones((4, 1)), np.ones(4)),
    exc=ValueError,
    match=r"target must have shape \(4, 1\)",
)
BAD_INPUT.raises(
    "BCELoss()(np.array([0.5, 1.2]), ones(2))",
    lambda: nn.BCELoss()(np.array([0.5, 1.2]), np.ones(2)),
    exc=ValueError,
    match=r"prob must hold probabilities in \[0, 1\], got 1.2 at index \(1,\)",
)
BAD_INPUT.raises(
    "BCEWithLogitsLoss()(ones(2), np.array([0.0, 3.0]))",
    lambda: nn.BCEWithLogitsLoss()(np.ones(2), np.array([0.0, 3.0])),
    exc=ValueError,
    match=r"target must hold probabilities",
)
BAD_INPUT.raises(
    "CrossEntropyLoss()(ones((3, 4)), [0, 1, 4])",
    lambda: nn.CrossEntropyLoss()(np.ones((3, 4)), [0, 1, 4]),
    exc=ValueError,
    match=r"target must hold class indices in \[0, 3\].*got 4 at index 2",
)
BAD_INPUT.raises(
    "CrossEntropyLoss()(ones((3, 4)), [0, 1])",
    lambda: nn.CrossEntropyLoss()(np.ones((3, 4)), [0, 1]),
    exc=ValueError,
    match=r"target must have shape \(3,\)",
)
BAD_INPUT.raises(
    "CrossEntropyLoss()(ones((3, 4)), [0, 1, 0.5])",
    lambda: nn.CrossEntropyLoss()(np.ones((3, 4)), [0, 1, 0.5]),
    exc=ValueError,
    match=r"integer class indices",
)
BAD_INPUT.raises(
    "CrossEntropyLoss()(ones(4), [0])",
    lambda: nn.CrossEntropyLoss()(np.ones(4), [0]),
    exc=ValueError,
    match=r"logits must be 2-D",
)
BAD_INPUT.raises(
    "CrossEntropyLoss()(np.zeros((0, 4)), np.zeros(0))",
    lambda: nn.CrossEntropyLoss()(np.zeros((0, 4)), np.zeros(0)),
    exc=ValueError,
    match=r"logits must not be empty",
)


def linear_ref(x, dtype=T):
    lin = fresh_linear()
    return lambda: (tt(x, dtype) @ tt(lin.weight.data, dtype).T + tt(lin.bias.data, dtype)).numpy()


def linear_grads_ref(x, g, times=1):
    def ref():
        lin = fresh_linear()
        W = tt(lin.weight.data, grad=True)
        out = tt(x) @ W.T + tt(lin.bias.data)
        (gw,) = torch.autograd.grad((out * tt(g)).sum(), W)
        return times * gw.numpy()

    return ref


G22 = np.array([[1.0, -1.0], [0.5, 2.0]])
BAD_INPUT.raises(
    "Linear(x): 4 features for in_features=3",
    lambda x: fresh_linear()(x),
    (np.ones((2, 4)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 4\)",
)
BAD_INPUT.raises(
    "Linear(x): one sample as 1-D",
    lambda x: fresh_linear()(x),
    (np.ones(3),),
    match=r"^x must be 2-D, got an array of shape \(3,\)",
)
BAD_INPUT.raises(
    "Linear(x): x transposed",
    lambda x: fresh_linear()(x),
    (np.ones((3, 2)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(3, 2\)",
)
BAD_INPUT.raises(
    "Linear(x): torch tensor",
    lambda x: fresh_linear()(x),
    (TORCH,),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
BAD_INPUT.raises(
    "Linear(x): NaN",
    lambda x: fresh_linear()(x),
    (NAN,),
    match=r"^x must be finite, got nan at index \(0, 1\)",
)
BAD_INPUT.raises(
    "Linear(x): empty batch",
    lambda x: fresh_linear()(x),
    (np.zeros((0, 3)),),
    match=r"^x must not be empty, got an array of shape \(0, 3\)",
)
BAD_INPUT.raises(
    "Linear.backward before forward",
    backward_before_forward,
    (fresh_linear(), G22),
    exc=RuntimeError,
    match=r"^Linear\.backward called before forward",
)
BAD_INPUT.raises(
    "Linear.backward: grad_output of the input's shape",
    forward_backward,
    (fresh_linear(), X23, X23),
    match=r"^grad_output must have shape \(2, 2\), got an array of shape \(2, 3\)",
)
BAD_INPUT.raises(
    "Linear.backward: grad_output batch differs",
    forward_backward,
    (fresh_linear(), X23, np.ones((3, 2))),
    match=r"^grad_output must have shape \(2, 2\), got an array of shape \(3, 2\)",
)
BAD_INPUT.raises(
    "Linear.backward: grad_output torch",
    forward_backward,
    (fresh_linear(), X23, torch.ones(2, 2)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
BAD_INPUT.raises(
    "Linear.backward: grad_output NaN",
    forward_backward,
    (fresh_linear(), X23, np.array([[np.nan, 1.0], [1.0, 1.0]])),
    match=r"^grad_output must be finite",
)
BAD_INPUT.raises("Linear(0, 2)", nn.Linear, (0, 2), match=r"^in_features must be at least 1, got 0")
BAD_INPUT.raises(
    "Linear(3, -1)", nn.Linear, (3, -1), match=r"^out_features must be at least 1, got -1"
)
BAD_INPUT.raises(
    "Linear(3.0, 2)",
    nn.Linear,
    (3.0, 2),
    exc=TypeError,
    match=r"^in_features must be an int, got 3\.0",
)
BAD_INPUT.raises(
    "Linear(True, 2)",
    nn.Linear,
    (True, 2),
    exc=TypeError,
    match=r"^in_features must be an int, got True",
)
BAD_INPUT.raises(
    "Linear(3, 2, dtype=int)",
    nn.Linear,
    (3, 2),
    {"dtype": int},
    exc=TypeError,
    match=r"^dtype must be np\.float32 or np\.float64, got <class 'int'>",
)
BAD_INPUT.raises(
    "Linear(3, 2, rng='seed')",
    nn.Linear,
    (3, 2),
    {"rng": "seed"},
    exc=TypeError,
    match=r"^rng must be a np\.random\.Generator, an int seed or None, got str",
)
BAD_INPUT.accepts(
    "Linear(x): a list", lambda x: fresh_linear()(x), (X23.tolist(),), expected=linear_ref(X23)
)
BAD_INPUT.accepts(
    "Linear(x): integers", lambda x: fresh_linear()(x), (XI,), expected=linear_ref(XI)
)
BAD_INPUT.accepts(
    "Linear(x): float64 x in a float32 layer gives float32",
    lambda x: fresh_linear(np.float32)(x),
    (X23,),
    expected=lambda: (
        tt(X23, torch.float32) @ tt(fresh_linear(np.float32).weight.data, torch.float32).T
        + tt(fresh_linear(np.float32).bias.data, torch.float32)
    ).numpy(),
    rtol=1e-5,
    atol=1e-6,
)
BAD_INPUT.accepts(
    "Linear.backward: grad_output a list gives dW",
    lambda g: (lambda m: (m(X23), m.backward(g), m.weight.grad)[2])(fresh_linear()),
    (G22.tolist(),),
    expected=linear_grads_ref(X23, G22),
)
BAD_INPUT.accepts(
    "Linear(1, 1): one input, one output, torch's shapes",
    lambda: (lambda lin: (*lin.weight.shape, *lin.bias.shape))(nn.Linear(1, 1, rng=0)),
    expected=lambda: (*torch.nn.Linear(1, 1).weight.shape, *torch.nn.Linear(1, 1).bias.shape),
)
BAD_INPUT.accepts(
    "Linear.backward twice: weight.grad accumulates (2x), like torch with retain_graph",
    forward_backward_twice,
    (fresh_linear(), X23, G22),
    expected=linear_grads_ref(X23, G22, times=2),
)
BAD_INPUT.accepts(
    "Linear.backward twice: the same dL/dx each time",
    forward_backward_twice,
    (fresh_linear(), X23, G22),
    {"what": "input"},
    expected=lambda: G22 @ fresh_linear().weight.data,
)

ACTS = {
    "ReLU": (nn.ReLU, torch.relu),
    "LeakyReLU": (nn.LeakyReLU, TF.leaky_relu),
    "Sigmoid": (nn.Sigmoid, torch.sigmoid),
    "Tanh": (nn.Tanh, torch.tanh),
}
for name, (cls, tfn) in ACTS.items():
    BAD_INPUT.raises(
        f"{name}.backward before forward",
        backward_before_forward,
        (cls(), G23),
        exc=RuntimeError,
        match=rf"^{name}\.backward called before forward: run the forward pass",
    )
    BAD_INPUT.raises(
        f"{name}.backward: grad_output transposed",
        forward_backward,
        (cls(), X23, G23.T),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(3, 2\)",
    )
    BAD_INPUT.raises(
        f"{name}.backward: grad_output (1, 3) would broadcast",
        forward_backward,
        (cls(), X23, G23[:1]),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(1, 3\)",
    )
    BAD_INPUT.raises(
        f"{name}(x): torch tensor",
        lambda x, cls=cls: cls()(x),
        (TORCH,),
        exc=TypeError,
        match=rf"^x {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"{name}(x): NaN", lambda x, cls=cls: cls()(x), (NAN,), match=r"^x must be finite"
    )
    BAD_INPUT.accepts(
        f"{name}(x): integers",
        lambda x, cls=cls: cls()(x),
        (XI,),
        expected=lambda tfn=tfn: tfn(tt(XI)).numpy(),
    )
    BAD_INPUT.accepts(
        f"{name}.backward: list grad_output",
        forward_backward,
        (cls(), X23, G23.tolist()),
        expected=lambda tfn=tfn: tgrad(lambda x: tfn(x) * tt(G23), X23),
    )
    BAD_INPUT.accepts(
        f"{name}.backward: float32 forward keeps float32",
        forward_backward,
        (cls(), X32, G23),
        expected=lambda tfn=tfn: tgrad(
            lambda x: tfn(x) * tt(G23, torch.float32), X32, dtype=torch.float32
        ),
        rtol=1e-5,
        atol=1e-6,
    )
    BAD_INPUT.accepts(
        f"{name}.backward twice: the same dL/dx (no state)",
        forward_backward_twice,
        (cls(), X23, G23),
        {"what": "input"},
        expected=lambda tfn=tfn: tgrad(lambda x: tfn(x) * tt(G23), X23),
    )
BAD_INPUT.raises(
    "LeakyReLU('0.1')",
    nn.LeakyReLU,
    ("0.1",),
    exc=TypeError,
    match=r"^negative_slope must be a number, got '0\.1'",
)
BAD_INPUT.raises(
    "LeakyReLU(nan)", nn.LeakyReLU, (np.nan,), match=r"^negative_slope must be finite, got nan"
)

BAD_INPUT.raises(
    "Sequential(Linear, a function)",
    nn.Sequential,
    (fresh_linear(), np.tanh),
    exc=TypeError,
    match=r"^Sequential takes bpcourse\.nn modules, got ufunc at position 1",
)
BAD_INPUT.raises(
    "Sequential(torch.nn.Linear)",
    nn.Sequential,
    (torch.nn.Linear(2, 2),),
    exc=TypeError,
    match=r"^Sequential takes bpcourse\.nn modules, got Linear at position 0",
)
BAD_INPUT.raises(
    "Sequential[5] of 2",
    lambda s: s[5],
    (nn.Sequential(nn.ReLU(), nn.Tanh()),),
    exc=IndexError,
    match=r"^index 5 is out of range for a Sequential of 2",
)
BAD_INPUT.raises(
    "Sequential['0']",
    lambda s: s["0"],
    (nn.Sequential(nn.ReLU()),),
    exc=TypeError,
    match=r"^Sequential index must be an int or a slice, got '0'",
)
BAD_INPUT.raises(
    "Sequential.backward before forward",
    backward_before_forward,
    (nn.Sequential(fresh_linear(), nn.ReLU()), G22),
    exc=RuntimeError,
    match=r"^ReLU\.backward called before forward",
)
BAD_INPUT.raises(
    "Sequential(x): wrong features named by the layer's argument",
    lambda x: nn.Sequential(fresh_linear(), nn.ReLU())(x),
    (np.ones((2, 5)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 5\)",
)
BAD_INPUT.accepts(
    "Sequential.backward twice: 0.weight.grad accumulates (2x)",
    forward_backward_twice,
    (nn.Sequential(fresh_linear()), X23, G22),
    expected=linear_grads_ref(X23, G22, times=2),
)

# --- losses as modules ----------------------------------------------------------------------
LOSS_MODULES = {
    "MSELoss": (nn.MSELoss, "pred", TF.mse_loss, XM, Y),
    "BCELoss": (nn.BCELoss, "prob", TF.binary_cross_entropy, P, Y),
    "BCEWithLogitsLoss": (
        nn.BCEWithLogitsLoss,
        "logits",
        TF.binary_cross_entropy_with_logits,
        X23[:, :2],
        Y,
    ),
}


def loss_backward(crit, p, t, grad_output=None):
    crit(p, t)
    return crit.backward(grad_output)


def loss_backward_twice(crit, p, t):
    crit(p, t)
    crit.backward()
    return crit.backward()


for name, (cls, arg, tloss, p, t) in LOSS_MODULES.items():
    BAD_INPUT.raises(
        f"{name}(reduction='avg')",
        cls,
        (),
        {"reduction": "avg"},
        match=r"""^reduction must be "mean", "sum" or "none", got 'avg'""",
    )
    BAD_INPUT.raises(
        f"{name}(reduction=None)",
        cls,
        (),
        {"reduction": None},
        match=r"^reduction must be .*got None",
    )
    BAD_INPUT.raises(
        f"{name}: target batch differs",
        lambda p, t, cls=cls: cls()(p, t),
        (p, t[:1]),
        match=r"^target must have shape \(2, 2\), got an array of shape \(1, 2\)",
    )
    BAD_INPUT.raises(
        f"{name}: (N,) target for (N, 1) output",
        lambda p, t, cls=cls: cls()(p, t),
        (p[:, :1], t[:, 0]),
        match=r"^target must have shape \(2, 1\), got an array of shape \(2,\)",
    )
    BAD_INPUT.raises(
        f"{name}: {arg} torch",
        lambda p, t, cls=cls: cls()(p, t),
        (tt(p), t),
        exc=TypeError,
        match=rf"^{arg} {NUMPY_HINT}",
    )
    BAD_INPUT.raises(
        f"{name}.backward before forward",
        lambda cls=cls: cls().backward(),
        exc=RuntimeError,
        match=rf"^{name}\.backward called before forward",
    )
    BAD_INPUT.raises(
        f"{name}.backward: grad_output (2,) for a mean",
        loss_backward,
        (cls(), p, t, np.ones(2)),
        match=r"^grad_output must have shape \(\), got an array of shape \(2,\)",
    )
    BAD_INPUT.raises(
        f"{name}(reduction='none').backward: grad_output ()",
        loss_backward,
        (cls(reduction="none"), p, t, 1.0),
        match=r"^grad_output must have shape \(2, 2\), got an array of shape \(\)",
    )
    BAD_INPUT.accepts(
        f"{name}: lists",
        lambda p, t, cls=cls: cls()(p, t),
        (p.tolist(), t.tolist()),
        expected=loss_ref(tloss, p, t),
    )
    BAD_INPUT.accepts(
        f"{name}.backward: dL/dpred",
        loss_backward,
        (cls(), p, t),
        expected=loss_ref(tloss, p, t, grad=True),
    )
    BAD_INPUT.accepts(
        f"{name}.backward(2.0): chain rule",
        loss_backward,
        (cls(), p, t, 2.0),
        expected=lambda tloss=tloss, p=p, t=t: 2 * loss_ref(tloss, p, t, grad=True)(),
    )
    BAD_INPUT.accepts(
        f"{name}.backward twice: the same dL/dpred (a loss keeps nothing)",
        loss_backward_twice,
        (cls(), p, t),
        expected=loss_ref(tloss, p, t, grad=True),
    )
    BAD_INPUT.accepts(
        f"{name}(reduction='none').backward(w): weighted",
        loss_backward,
        (cls(reduction="none"), p, t, [[1.0, 2.0], [3.0, 0.5]]),
        expected=lambda tloss=tloss, p=p, t=t: tgrad(
            lambda q, y: tloss(q, y, reduction="none") * tt([[1.0, 2.0], [3.0, 0.5]]), p, t
        ),
    )
BAD_INPUT.raises(
    "BCELoss: prob above 1",
    lambda: nn.BCELoss()(P + 0.5, Y),
    match=r"^prob must hold probabilities in \[0, 1\], got 1\.2 .*binary_cross_entropy_with_logits",
)
BAD_INPUT.raises(
    "BCEWithLogitsLoss: target 2",
    lambda: nn.BCEWithLogitsLoss()(P, 2 * Y),
    match=r"^target must hold probabilities in \[0, 1\], got 2\.0",
)
BAD_INPUT.raises(
    "CrossEntropyLoss: class index = C",
    lambda: nn.CrossEntropyLoss()(X23, [0, 3]),
    match=r"^target must hold class indices in \[0, 2\] \(logits has 3 classes\), got 3 at index 1",
)
BAD_INPUT.raises(
    "CrossEntropyLoss: batch sizes differ",
    lambda: nn.CrossEntropyLoss()(X23, [0, 1, 2]),
    match=r"^target must have shape \(2,\), got an array of shape \(3,\)",
)
BAD_INPUT.raises(
    "CrossEntropyLoss: one-hot with too few classes",
    lambda: nn.CrossEntropyLoss()(X23, np.eye(2)),
    match=r"^target must have shape \(2, 3\), got an array of shape \(2, 2\)",
)
BAD_INPUT.raises(
    "CrossEntropyLoss(reduction='sum')",
    nn.CrossEntropyLoss,
    (),
    {"reduction": "sum "},
    match=r"^reduction must be .*got 'sum '",
)
BAD_INPUT.raises(
    "CrossEntropyLoss.backward before forward",
    lambda: nn.CrossEntropyLoss().backward(),
    exc=RuntimeError,
    match=r"^CrossEntropyLoss\.backward called before forward",
)
BAD_INPUT.raises(
    "CrossEntropyLoss(reduction='none').backward: grad_output (3,)",
    loss_backward,
    (nn.CrossEntropyLoss(reduction="none"), X23, CE_T, np.ones(3)),
    match=r"^grad_output must have shape \(2,\), got an array of shape \(3,\)",
)
BAD_INPUT.accepts(
    "CrossEntropyLoss: lists",
    lambda: nn.CrossEntropyLoss()(X23.tolist(), CE_T.tolist()),
    expected=ce_ref(X23, CE_T),
)
BAD_INPUT.accepts(
    "CrossEntropyLoss.backward twice: the same dL/dlogits",
    loss_backward_twice,
    (nn.CrossEntropyLoss(), X23, CE_T),
    expected=ce_ref(X23, CE_T, grad=True),
)
BAD_INPUT.accepts(
    "CrossEntropyLoss(reduction='none').backward(w): rows weighted",
    loss_backward,
    (nn.CrossEntropyLoss(reduction="none"), X23, CE_T, [2.0, 0.5]),
    expected=lambda: tgrad(
        lambda z: TF.cross_entropy(z, torch.tensor([2, 0]), reduction="none") * tt([2.0, 0.5]), X23
    ),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
