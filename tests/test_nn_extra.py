"""bpcourse.nn: the paths mutation testing found untested (tests/MUTATION.md).

init's defaults (drawn from the same seeded generator, value for value), its zero-element
warning, Sequential's indexing bounds and repr.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from bpcourse import nn
from bpcourse.nn import init

SHAPE = (4, 6)  # (out, in): fan_in 6, fan_out 4


@pytest.mark.parametrize(
    "fill, reference",
    [
        (lambda w: init.uniform_(w, rng=0), lambda g: g.uniform(0.0, 1.0, SHAPE)),
        (lambda w: init.normal_(w, rng=0), lambda g: g.normal(0.0, 1.0, SHAPE)),
        # torch's defaults: a=0, mode="fan_in", nonlinearity="leaky_relu" -> gain sqrt(2).
        (lambda w: init.kaiming_uniform_(w, rng=0), lambda g: g.uniform(-math.sqrt(6 / 6), math.sqrt(6 / 6), SHAPE)),
        (lambda w: init.kaiming_normal_(w, rng=0), lambda g: g.normal(0.0, math.sqrt(2 / 6), SHAPE)),
        (lambda w: init.kaiming_normal_(w, mode="FAN_OUT", rng=0), lambda g: g.normal(0.0, math.sqrt(2 / 4), SHAPE)),
        (lambda w: init.xavier_uniform_(w, rng=0), lambda g: g.uniform(-math.sqrt(6 / 10), math.sqrt(6 / 10), SHAPE)),
        (lambda w: init.xavier_normal_(w, gain=2.0, rng=0), lambda g: g.normal(0.0, 2 * math.sqrt(2 / 10), SHAPE)),
    ],
    ids=["uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "kaiming_normal_ fan_out", "xavier_uniform_", "xavier_normal_ gain 2"],
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
        "conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu"
    )


def test_sequential_indexing_bounds():
    a, b = nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b)
    assert s[-2] is a and s[-1] is b and s[1] is b and s[np.int64(0)] is a
    for bad in (2, -3):
        with pytest.raises(IndexError, match=rf"^index {bad} is out of range for a Sequential of 2$"):
            s[bad]
    assert list(s[1:]) == [b] and len(s[:0]) == 0


def test_sequential_repr_nests():
    model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.Sequential(nn.ReLU(), nn.LeakyReLU(0.2)), nn.Sequential())
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
    assert [repr(m) for m in (nn.ReLU(), nn.Sigmoid(), nn.Tanh())] == ["ReLU()", "Sigmoid()", "Tanh()"]
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
    for arr in (bn.weight.data, bn.bias.data, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var):
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
