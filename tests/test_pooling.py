"""MaxPool2d, AvgPool2d and Flatten against torch autograd (float64); the loop reference against
the vectorised kernels; max-pooling's rule for ties; bad inputs."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF
from helpers import Accepts, Raises, bad_input_tests
from helpers import assert_same as close
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import conv as K
from bpcourse import nn


@st.composite
def pool_geometries(draw):
    """(N, C, H, W, kernel, stride or None, padding): padding at most half the kernel (torch's
    rule) and the kernel fitting in the padded input."""
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    H = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 9))
    W = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 9))
    return N, C, H, W, kernel, stride, padding


def tie_free(rng, shape):
    """Distinct values, negative and positive (so a zero padding would show): no ties anywhere."""
    return rng.permutation(np.prod(shape)).reshape(shape) / 7.0 - np.prod(shape) / 14.0


def torch_pool(fn, x, g, kernel, stride, padding):
    xt = torch.tensor(x, requires_grad=True)
    y = fn(xt, kernel, stride if stride is not None else kernel, padding)
    (y * torch.tensor(g)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy()


@settings(max_examples=30)
@given(geo=pool_geometries(), seed=st.integers(0, 2**16))
def test_max_pool_matches_torch_on_tie_free_inputs(geo, seed):
    N, C, H, W, kernel, stride, padding = geo
    rng = np.random.default_rng(seed)
    x = tie_free(rng, (N, C, H, W))
    layer = nn.MaxPool2d(kernel, stride, padding)
    y = layer(x)
    g = rng.normal(size=y.shape)
    dx = layer.backward(g)
    yt, dxt = torch_pool(TF.max_pool2d, x, g, kernel, stride, padding)
    close(y, yt)
    close(dx, dxt)


@settings(max_examples=30)
@given(geo=pool_geometries(), seed=st.integers(0, 2**16))
def test_avg_pool_matches_torch_with_count_include_pad(geo, seed):
    N, C, H, W, kernel, stride, padding = geo
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, C, H, W))
    layer = nn.AvgPool2d(kernel, stride, padding)
    y = layer(x)
    g = rng.normal(size=y.shape)
    dx = layer.backward(g)
    yt, dxt = torch_pool(TF.avg_pool2d, x, g, kernel, stride, padding)
    close(y, yt)
    close(dx, dxt)


@settings(max_examples=20)
@given(geo=pool_geometries(), seed=st.integers(0, 2**16), ties=st.booleans())
def test_loop_reference_equals_the_vectorised_kernels(geo, seed, ties):
    """Equal even with ties (small integers): both take the first maximum in window order."""
    N, C, H, W, kernel, stride, padding = geo
    stride = stride or kernel
    rng = np.random.default_rng(seed)
    x = (
        rng.integers(-2, 3, size=(N, C, H, W)).astype(float)
        if ties
        else rng.normal(size=(N, C, H, W))
    )
    y, arg = K.max_pool2d(x, kernel, stride, padding)
    g = rng.normal(size=y.shape)
    close(K.max_pool2d_loop(x, kernel, stride, padding), y)
    close(
        K.max_pool2d_backward_loop(g, x, kernel, stride, padding),
        K.max_pool2d_backward(g, arg, x.shape, kernel, stride, padding),
    )
    close(K.avg_pool2d_loop(x, kernel, stride, padding), K.avg_pool2d(x, kernel, stride, padding))
    close(
        K.avg_pool2d_backward_loop(g, x.shape, kernel, stride, padding),
        K.avg_pool2d_backward(g, x.shape, kernel, stride, padding),
    )


def test_loop_references_keep_float32():
    """The loop references return their input's dtype, like the vectorised kernels and torch."""
    x = np.random.default_rng(5).normal(size=(1, 2, 5, 4)).astype(np.float32)
    k, s, p = (2, 2), (1, 2), (1, 0)
    y, arg = K.max_pool2d(x, k, s, p)
    g = np.ones_like(y)
    outs = {
        "max_pool2d_loop": K.max_pool2d_loop(x, k, s, p),
        "max_pool2d_backward_loop": K.max_pool2d_backward_loop(g, x, k, s, p),
        "avg_pool2d_loop": K.avg_pool2d_loop(x, k, s, p),
        "avg_pool2d_backward_loop": K.avg_pool2d_backward_loop(g, x.shape, k, s, p),
        "max_pool2d": y,
        "avg_pool2d": K.avg_pool2d(x, k, s, p),
    }
    assert {name: out.dtype for name, out in outs.items()} == dict.fromkeys(outs, np.float32)


def test_ties_go_to_the_first_maximum_in_window_order():
    """The rule: row by row, left to right, the first position holding the maximum gets all of
    the gradient; the other tied positions get nothing."""
    x = np.array([[[[1.0, 3.0, 5.0, 5.0],
                    [3.0, 0.0, 5.0, 5.0],
                    [2.0, 2.0, 0.0, 4.0],
                    [2.0, 2.0, 4.0, 1.0]]]])  # fmt: skip
    layer = nn.MaxPool2d(2)
    y = layer(x)
    dx = layer.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    want = np.array([[[[0.0, 10.0, 20.0, 0.0],
                       [0.0, 0.0, 0.0, 0.0],
                       [30.0, 0.0, 0.0, 40.0],
                       [0.0, 0.0, 0.0, 0.0]]]])  # fmt: skip
    close(y, np.array([[[[3.0, 5.0], [2.0, 4.0]]]]))
    close(dx, want, rtol=0, atol=0)
    assert dx.sum() == 100.0  # every window's gradient goes somewhere, once


def test_overlapping_windows_add_up_at_a_shared_maximum():
    """stride 1 < kernel 2: the centre 9 is the maximum of all four windows, so it gets 4 g's."""
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]]]])
    layer = nn.MaxPool2d(2, stride=1)
    layer(x)
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    want = np.zeros((1, 1, 3, 3))
    want[0, 0, 1, 1] = 10.0
    close(dx, want, rtol=0, atol=0)


def test_max_pool_pads_with_minus_infinity():
    x = -np.ones((1, 1, 2, 2))
    close(nn.MaxPool2d(2, stride=1, padding=1)(x), -np.ones((1, 1, 3, 3)), rtol=0, atol=0)


def test_float32_stays_float32():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4)).astype(np.float32)
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(3, 1, 1), nn.Flatten()):
        y = layer(x)
        assert y.dtype == layer.backward(np.ones_like(y)).dtype == np.float32
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(3, 1, 1), nn.Flatten()):
        y = layer(x)  # a float64 grad_output: dx follows x, as torch's gradient follows its input
        assert layer.backward(np.ones(y.shape)).dtype == np.float32


def test_repr_names_the_class_and_the_geometry():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.AvgPool2d((3, 2), 1, 1)) == (
        "AvgPool2d(kernel_size=(3, 2), stride=(1, 1), padding=(1, 1))"
    )


def test_flatten_matches_torch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4, 5))
    # The edges of the axis range too: start_dim = -ndim, end_dim = -ndim, start_dim = end_dim.
    cases = [((), x), ((2,), x), ((0, 1), x), ((1, -2), x), ((-4, -1), x), ((0, -4), x)]
    cases += [((1, 1), x), ((-1, -1), x[0, 0, 0]), ((0, -1), x[0, 0, 0])]  # and 1-D x
    for args, x in cases:
        layer, twin = nn.Flatten(*args), torch.nn.Flatten(*args)
        y = layer(x)
        g = rng.normal(size=y.shape)
        xt = torch.tensor(x, requires_grad=True)
        yt = twin(xt)
        (yt * torch.tensor(g)).sum().backward()
        close(y, yt)
        close(layer.backward(g), xt.grad)


# --- bad inputs -----------------------------------------------------------------------------
X4 = np.zeros((2, 3, 5, 5))


def pool_forward(cls, args, x):
    return cls(*args)(x)


def max_backward_wrong_shape(cls=nn.MaxPool2d):
    layer = cls(2)
    layer(X4)
    return layer.backward(np.zeros((2, 3, 3, 3)))


def flatten_backward(g, x=X4):
    layer = nn.Flatten()
    layer(x)
    return layer.backward(g)


RAISES = [
    Raises("max: kernel larger than padded input", pool_forward, (nn.MaxPool2d, (6,), X4),
           match=r"^MaxPool2d: kernel_size \(6, 6\) is larger than the padded input \(5, 5\)"),
    Raises("avg: kernel larger than padded input", pool_forward, (nn.AvgPool2d, ((2, 8), 1, 1), X4),
           match=r"^AvgPool2d: kernel_size \(2, 8\) is larger than the padded input \(7, 7\)"),
    Raises("max: padding over half the kernel", nn.MaxPool2d, (2, 2, 2),
           match=r"^padding must be at most half of kernel_size, got padding \(2, 2\) with "
                 r"kernel_size \(2, 2\)"),
    Raises("avg: zero stride", nn.AvgPool2d, (2, 0), match=r"^stride must be positive, got 0"),
    Raises("max: negative stride", nn.MaxPool2d, (2, -1), match=r"^stride must be positive, got -1"),
    Raises("max: zero kernel", nn.MaxPool2d, (0,), match=r"^kernel_size must be positive, got 0"),
    Raises("avg: negative padding", nn.AvgPool2d, (2, None, -1),
           match=r"^padding must be >= 0, got -1"),
    Raises("max: 2-D input", pool_forward, (nn.MaxPool2d, (2,), np.zeros((5, 5))),
           match=r"^x must be 4-D, got an array of shape \(5, 5\)"),
    Raises("max: backward before forward", lambda g: nn.MaxPool2d(2).backward(g), (np.zeros((1, 1, 1, 1)),),
           exc=RuntimeError, match=r"^MaxPool2d\.backward called before forward"),
    Raises("max: grad_output of the wrong shape", max_backward_wrong_shape,
           match=r"^grad_output must have shape \(2, 3, 2, 2\), got an array of shape \(2, 3, 3, 3\)"),
    Raises("avg: grad_output of the wrong shape", max_backward_wrong_shape, (nn.AvgPool2d,),
           match=r"^grad_output must have shape \(2, 3, 2, 2\), got an array of shape \(2, 3, 3, 3\)"),
    Raises("avg: backward before forward", lambda g: nn.AvgPool2d(2).backward(g), (np.zeros((1, 1, 1, 1)),),
           exc=RuntimeError, match=r"^AvgPool2d\.backward called before forward"),
    Raises("flatten: start after end", pool_forward, (nn.Flatten, (2, 1), X4),
           match=r"^Flatten\(start_dim=2, end_dim=1\) does not fit x of shape \(2, 3, 5, 5\)"),
    Raises("flatten: axis out of range", pool_forward, (nn.Flatten, (4,), X4),
           match=r"^Flatten\(start_dim=4, end_dim=-1\) does not fit x of shape \(2, 3, 5, 5\)"),
    Raises("flatten: end_dim = ndim", pool_forward, (nn.Flatten, (0, 4), X4),
           match=r"^Flatten\(start_dim=0, end_dim=4\) does not fit x of shape \(2, 3, 5, 5\)"),
    Raises("flatten: start_dim = -ndim - 1", pool_forward, (nn.Flatten, (-5,), X4),
           match=r"^Flatten\(start_dim=-5, end_dim=-1\) does not fit x of shape \(2, 3, 5, 5\)"),
    Raises("flatten: start_dim a string", nn.Flatten, ("1",), exc=TypeError,
           match=r"^start_dim must be an int, got '1'"),
    Raises("flatten: end_dim a float", nn.Flatten, (1, 2.0), exc=TypeError,
           match=r"^end_dim must be an int, got 2\.0"),
    Raises("flatten: x a torch tensor", pool_forward, (nn.Flatten, (), torch.ones(2, 3)),
           exc=TypeError, match=r"^x must be a numpy array, got a torch\.Tensor"),
    Raises("flatten: grad_output of the wrong size", flatten_backward, (np.zeros((2, 74)),),
           match=r"^grad_output must have 150 values \(x had shape \(2, 3, 5, 5\)\), "
                 r"got an array of shape \(2, 74\)"),
    Raises("flatten: grad_output a torch tensor", flatten_backward, (torch.ones(2, 75),),
           exc=TypeError, match=r"^grad_output must be a numpy array, got a torch\.Tensor"),
    Raises("flatten: backward before forward", lambda g: nn.Flatten().backward(g), (np.zeros((2, 75)),),
           exc=RuntimeError, match=r"^Flatten\.backward called before forward"),
]  # fmt: skip

XI = np.arange(2 * 2 * 5 * 4).reshape(2, 2, 5, 4) % 7  # integers with ties


def torch_ref(fn, *args):
    return lambda: fn(torch.tensor(XI, dtype=torch.float64), *args).numpy()


ACCEPTS = [
    Accepts("max: integer input", pool_forward, (nn.MaxPool2d, (2,), XI),
            expected=torch_ref(TF.max_pool2d, 2)),
    Accepts("avg: integer input, odd size, padding", pool_forward, (nn.AvgPool2d, (3, 2, 1), XI),
            expected=torch_ref(TF.avg_pool2d, 3, 2, 1)),
    Accepts("max: kernel exactly the input", pool_forward, (nn.MaxPool2d, ((5, 4),), XI),
            expected=torch_ref(TF.max_pool2d, (5, 4))),
    Accepts("max: list input", pool_forward, (nn.MaxPool2d, (2, 1), XI.tolist()),
            expected=torch_ref(TF.max_pool2d, 2, 1)),
    Accepts("flatten: an empty batch", pool_forward, (nn.Flatten, (), np.zeros((0, 3, 2))),
            expected=lambda: torch.nn.Flatten()(torch.zeros(0, 3, 2, dtype=torch.float64)).numpy()),
    Accepts("flatten: middle axes of an empty batch", pool_forward,
            (nn.Flatten, (1, 2), np.zeros((0, 3, 2, 4))),
            expected=lambda: torch.nn.Flatten(1, 2)(torch.zeros(0, 3, 2, 4, dtype=torch.float64)).numpy()),
    Accepts("flatten: backward of an empty batch", flatten_backward, (np.zeros((0, 6)), np.zeros((0, 3, 2))),
            expected=lambda: np.zeros((0, 3, 2))),
]  # fmt: skip

test_pooling_raises_one_clear_error, test_pooling_accepts_unusual_input = bad_input_tests(
    RAISES, ACCEPTS
)
