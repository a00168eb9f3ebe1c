"""Conv2d and bpcourse.conv against torch.nn.functional.conv2d autograd (float64), the loop
reference against the vectorised kernels, torch's init, the converter, and bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import ATOL, RTOL, Accepts, Raises, bad_input_tests
from helpers import assert_same as close
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import check, nn
from bpcourse import conv as K


@st.composite
def geometries(draw):
    """(N, C, O, H, W, kernel, stride, padding) with the kernel fitting in the padded input."""
    N, C, O = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    H = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 9))
    W = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 9))
    return N, C, O, H, W, kernel, stride, padding


def torch_conv(x, w, b, stride, padding, g):
    """y and (dx, dw, db) of sum(conv2d(x) * g) by torch autograd."""
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    y = TF.conv2d(xt, wt, bt, stride=stride, padding=padding)
    (y * torch.tensor(g)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), None if bt is None else bt.grad


@settings(max_examples=30)
@given(geo=geometries(), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_layer_matches_torch_forward_and_backward(geo, bias, seed):
    N, C, O, H, W, kernel, stride, padding = geo
    rng = np.random.default_rng(seed)
    layer = nn.Conv2d(C, O, kernel, stride=stride, padding=padding, bias=bias, rng=rng)
    x = rng.normal(size=(N, C, H, W))
    y = layer(x)
    g = rng.normal(size=y.shape)
    dx = layer.backward(g)
    b = layer.bias.data if bias else None
    yt, dxt, dwt, dbt = torch_conv(x, layer.weight.data, b, stride, padding, g)
    close(y, yt)
    close(dx, dxt)
    close(layer.weight.grad, dwt)
    if bias:
        close(layer.bias.grad, dbt)


@settings(max_examples=20)
@given(geo=geometries(), seed=st.integers(0, 2**16))
def test_loop_reference_and_vectorised_kernels_agree_with_torch(geo, seed):
    N, C, O, H, W, kernel, stride, padding = geo
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(O, C, *kernel)), rng.normal(size=O)
    y_loop = K.conv2d_loop(x, w, b, stride, padding)
    y_vec, cols = K.conv2d(x, w, b, stride, padding)
    g = rng.normal(size=y_vec.shape)
    yt, dxt, dwt, dbt = torch_conv(x, w, b, stride, padding, g)
    close(y_loop, yt)
    close(y_vec, y_loop)
    loops = K.conv2d_backward_loop(g, x, w, stride, padding)
    vecs = K.conv2d_backward(g, cols, x.shape, w, stride, padding)
    for mine, theirs, ref in zip(loops, vecs, (dxt, dwt, dbt)):
        close(mine, ref)
        close(theirs, ref)
    # col2im with np.add.at is the same sum as the offset-by-offset col2im
    dcols = w.reshape(O, -1).T @ g.reshape(N, O, -1)
    close(K.col2im_add_at(dcols, x.shape, kernel, stride, padding), dxt)


def test_loop_reference_without_bias_and_with_padding_on_one_axis_only():
    """b=None adds nothing; padding (1, 0) lets a kernel 3 tall slide over a 1-row image."""
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 2, 1, 4)), rng.normal(size=(3, 2, 3, 2))
    s, p = (1, 1), (1, 0)
    g = np.ones((2, 3, 1, 3))
    yt, dxt, dwt, _ = torch_conv(x, w, None, s, p, g)
    close(K.conv2d_loop(x, w, None, s, p), yt)
    y, cols = K.conv2d(x, w, None, s, p)
    close(y, yt)
    dx, dw, db = K.conv2d_backward(g, cols, x.shape, w, s, p)
    close(dx, dxt)
    close(dw, dwt)


def test_kernels_and_loop_references_keep_float32():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 2, 5, 4)).astype(np.float32)
    w = rng.normal(size=(3, 2, 3, 2)).astype(np.float32)
    b = np.zeros(3, dtype=np.float32)
    s, p = (2, 1), (1, 1)
    y, cols = K.conv2d(x, w, b, s, p)
    g = np.ones_like(y)
    dcols = w.reshape(3, -1).T @ g.reshape(2, 3, -1)
    outs = {
        "conv2d": y,
        "conv2d_loop": K.conv2d_loop(x, w, b, s, p),
        "col2im": K.col2im(dcols, x.shape, (3, 2), s, p),
        "col2im_add_at": K.col2im_add_at(dcols, x.shape, (3, 2), s, p),
    }
    for name, out in zip(("dx", "dw", "db"), K.conv2d_backward_loop(g, x, w, s, p)):
        outs[f"conv2d_backward_loop {name}"] = out
    assert {name: out.dtype for name, out in outs.items()} == dict.fromkeys(outs, np.float32)


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> == <x, col2im(c)> for every x and c: col2im is im2col's transpose."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 7, 5))
    k, s, p = (3, 2), (2, 1), (1, 2)
    cols = K.im2col(x, k, s, p)
    c = rng.normal(size=cols.shape)
    assert np.isclose(np.sum(cols * c), np.sum(x * K.col2im(c, x.shape, k, s, p)), rtol=RTOL)


def test_assignment_instead_of_add_at_loses_overlapping_contributions():
    """The accumulation trap: dxp[idx] = v (or +=, buffered) keeps one window per pixel."""
    rng = np.random.default_rng(4)
    x, k, s, p = rng.normal(size=(1, 1, 5, 5)), (3, 3), (1, 1), (0, 0)
    dcols = np.ones_like(K.im2col(x, k, s, p))
    right = K.col2im(dcols, x.shape, k, s, p)
    # the centre pixel lies in all nine 3x3 windows of a 5x5 image
    assert right[0, 0, 2, 2] == 9.0 and right[0, 0, 0, 0] == 1.0
    n, c, pp, q, i, j = np.indices((1, 1, 3, 3, 3, 3), sparse=True)
    buffered = np.zeros((1, 1, 5, 5))
    buffered[n, c, i + pp, j + q] += dcols.reshape(1, 1, 3, 3, 3, 3)
    assert buffered[0, 0, 2, 2] == 1.0  # what the trap gives, numpy's documented buffering


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_and_float64_follow_the_layer(dtype):
    layer = nn.Conv2d(2, 3, 3, padding=1, dtype=dtype, rng=0)
    x = np.random.default_rng(1).normal(size=(2, 2, 5, 4))
    y = layer(x)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.weight.grad.dtype == np.dtype(dtype)
    assert layer.weight.dtype == layer.bias.dtype == layer.bias.grad.dtype == np.dtype(dtype)
    twin = check.to_torch(layer)
    xt = torch.tensor(x, dtype=twin.weight.dtype, requires_grad=True)
    yt = twin(xt)
    yt.sum().backward()
    check.assert_close(y, yt.detach().numpy(), "y")  # float32: rtol 1e-5, atol 1e-6
    check.assert_close(dx, xt.grad.numpy(), "dx")
    check.assert_close(layer.weight.grad, twin.weight.grad.numpy(), "dW")
    # a float64 grad_output: dx still in the layer's dtype, as torch's gradient follows its input
    assert layer.backward(np.ones(y.shape)).dtype == np.dtype(dtype)


def test_gradients_accumulate_and_input_grad_false_skips_dx():
    rng = np.random.default_rng(2)
    layer = nn.Conv2d(2, 3, (2, 3), stride=(2, 1), rng=0)
    x = rng.normal(size=(3, 2, 6, 5))
    g = rng.normal(size=layer(x).shape)
    layer.backward(g)
    once = layer.weight.grad.copy(), layer.bias.grad.copy()
    assert layer.backward(g, input_grad=False) is None
    close(layer.weight.grad, 2 * once[0])
    close(layer.bias.grad, 2 * once[1])


def test_default_init_has_torchs_bound_and_layout():
    """torch's kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias too."""
    fan_in = 3 * 2 * 5
    bound = 1 / math.sqrt(fan_in)
    ours = nn.Conv2d(3, 400, (2, 5), rng=0)
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(3, 400, (2, 5), dtype=torch.float64)
    assert ours.weight.shape == tuple(theirs.weight.shape) == (400, 3, 2, 5)
    for a, t in ((ours.weight.data, theirs.weight), (ours.bias.data, theirs.bias)):
        t = t.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(t).max() <= bound
        assert np.abs(a).max() > 0.95 * bound and np.abs(t).max() > 0.95 * bound
        # uniform on [-bound, bound]: standard deviation bound / sqrt(3), for both
        assert abs(a.std() - bound / math.sqrt(3)) < 0.1 * bound
        assert abs(t.std() - bound / math.sqrt(3)) < 0.1 * bound
    same_seed = nn.Conv2d(3, 4, 2, rng=7), nn.Conv2d(3, 4, 2, rng=7)
    close(same_seed[0].weight.data, same_seed[1].weight.data, rtol=0, atol=0)


def test_repr_names_the_geometry_and_the_bias():
    assert repr(nn.Conv2d(1, 2, 3)) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0), bias=True)"
    )
    assert repr(nn.Conv2d(2, 4, (3, 2), stride=2, padding=1, bias=False)) == (
        "Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), bias=False)"
    )


def test_small_cnn_matches_its_torch_twin():
    rng = np.random.default_rng(5)
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(3, 4, 2, stride=2, rng=1),
        nn.Tanh(),
        nn.AvgPool2d(2, stride=1, padding=1),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5, rng=2),
    )
    x = rng.normal(size=(6, 1, 8, 8))
    y = rng.integers(0, 5, size=6)
    report = check.check_model_grads(model, nn.CrossEntropyLoss(), x, y)
    assert len(report.results) == 2 + 6 + 1  # output, loss, three layers' W and b, dX


# --- bad inputs -----------------------------------------------------------------------------
X4 = np.zeros((2, 3, 5, 5))


def conv(*a, **k):
    return nn.Conv2d(*a, **k)


def conv_forward(layer_args, x):
    return nn.Conv2d(*layer_args, rng=0)(x)


def backward_without_forward():
    return nn.Conv2d(1, 1, 1).backward(np.zeros((1, 1, 1, 1)))


def backward_wrong_shape(g=None, **kw):
    layer = nn.Conv2d(3, 2, 3, rng=0)
    layer(X4)
    return layer.backward(np.zeros((2, 2, 4, 4)) if g is None else g, **kw)


RAISES = [
    Raises("kernel larger than padded input", conv_forward, ((3, 2, 6), X4),
           match=r"^Conv2d: kernel_size \(6, 6\) is larger than the padded input \(5, 5\)"),
    Raises("kernel larger with padding", conv_forward, ((3, 2, (8, 1), 1, 1), X4),
           match=r"kernel_size \(8, 1\) is larger than the padded input \(7, 7\).*padding \(1, 1\)"),
    Raises("channel mismatch", conv_forward, ((4, 2, 3), X4),
           match=r"^x has 3 channels \(shape \(2, 3, 5, 5\)\) but Conv2d expects in_channels=4 "
                 r"\(weight shape \(2, 4, 3, 3\)\)"),
    Raises("zero stride", conv, (3, 2, 3), {"stride": 0}, match=r"^stride must be positive, got 0"),
    Raises("negative stride pair", conv, (3, 2, 3), {"stride": (1, -2)},
           match=r"^stride must be positive, got -2"),
    Raises("negative padding", conv, (3, 2, 3), {"padding": -1},
           match=r"^padding must be >= 0, got -1"),
    Raises("zero kernel", conv, (3, 2, 0), match=r"^kernel_size must be positive, got 0"),
    Raises("kernel triple", conv, (3, 2, (1, 2, 3)),
           match=r"^kernel_size must be an int or a pair \(height, width\), got \(1, 2, 3\)"),
    Raises("float kernel", conv, (3, 2, 2.5), exc=TypeError,
           match=r"^kernel_size must be an int or a pair of ints \(height, width\), got 2\.5"),
    Raises("zero in_channels", conv, (0, 2, 3), match=r"^in_channels must be at least 1, got 0"),
    Raises("zero out_channels", conv, (3, 0, 3), match=r"^out_channels must be at least 1, got 0"),
    Raises("rng a string", conv, (3, 2, 3), {"rng": "0"}, exc=TypeError,
           match=r"^rng must be a np\.random\.Generator, an int seed or None, got str '0'"),
    Raises("input_grad not a flag", backward_wrong_shape, (np.zeros((2, 2, 3, 3)),),
           {"input_grad": 1}, exc=TypeError, match=r"^input_grad must be True or False, got 1"),
    Raises("bias not a flag", conv, (3, 2, 3), {"bias": 1}, exc=TypeError,
           match=r"^bias must be True or False, got 1"),
    Raises("3-D input", conv_forward, ((3, 2, 3), np.zeros((3, 5, 5))),
           match=r"^x must be 4-D, got an array of shape \(3, 5, 5\)"),
    Raises("torch input", conv_forward, ((3, 2, 3), torch.zeros(2, 3, 5, 5)), exc=TypeError,
           match=r"^x must be a numpy array, got a torch\.Tensor"),
    Raises("backward before forward", backward_without_forward, exc=RuntimeError,
           match=r"^Conv2d\.backward called before forward"),
    Raises("grad_output of the wrong shape", backward_wrong_shape,
           match=r"^grad_output must have shape \(2, 2, 3, 3\), got an array of shape \(2, 2, 4, 4\)"),
]  # fmt: skip


def torch_ref(x, layer_args, **kw):
    layer = nn.Conv2d(*layer_args, rng=0, **kw)
    twin = check.to_torch(layer)
    return lambda: twin(torch.tensor(np.asarray(x, dtype=np.float64))).detach().numpy()


XI = np.arange(2 * 1 * 4 * 3).reshape(2, 1, 4, 3)  # integers, converted like the other layers
ACCEPTS = [
    Accepts("integer input", conv_forward, ((1, 2, 2), XI), expected=torch_ref(XI, (1, 2, 2)),
            rtol=RTOL, atol=ATOL),
    Accepts("kernel exactly the padded input", conv_forward, ((1, 2, (6, 5), 1, 1), XI),
            expected=torch_ref(XI, (1, 2, (6, 5), 1, 1))),
    Accepts("stride larger than the kernel", conv_forward, ((1, 2, 1, 3), XI),
            expected=torch_ref(XI, (1, 2, 1, 3))),
    Accepts("list input", conv_forward, ((1, 1, 2), XI.tolist()),
            expected=torch_ref(XI, (1, 1, 2))),
]  # fmt: skip

test_conv2d_raises_one_clear_error, test_conv2d_accepts_unusual_input = bad_input_tests(
    RAISES, ACCEPTS
)


def test_the_hand_written_modules_never_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; import bpcourse.conv, bpcourse.nn as nn; "
        "m = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2), nn.AvgPool2d(2), "
        "nn.Flatten()); y = m(np.ones((1, 1, 8, 8))); m.backward(np.ones_like(y)); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
