"""``Conv2d``: 2-D convolution with torch's weight layout and default init, backward by hand.

The computation lives in :mod:`bpcourse.conv` (loops for reading, im2col/col2im for speed);
this layer checks its input, keeps ``im2col(x)`` from the forward pass, and accumulates its
parameters' gradients:

    cols = im2col(x)                  (N, C*kh*kw, OH*OW): one column per output pixel
    y[n] = w2 @ cols[n] + b           (w2 = weight as (O, C*kh*kw); y reshaped to (N, O, OH, OW))
    weight.grad += sum_n g[n] @ cols[n].T      bias.grad += g summed over n and pixels
    dx = col2im(w2.T @ g)             (g as (N, O, OH*OW); col2im adds overlapping patches)
"""

from __future__ import annotations

import math

import numpy as np

from .. import conv as K
from .._validate import as_float_array, check_dtype, check_flag, check_int, numpy_rng
from .module import Module, Parameter

__all__ = ["Conv2d"]


class Conv2d(Module):
    """Like ``torch.nn.Conv2d`` (no groups, no dilation): x (N, C, H, W) -> y (N, O, OH, OW).

    weight: (out_channels, in_channels, kh, kw), bias: (out_channels,), both drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels * kh * kw: torch's default
    (``kaiming_uniform_(a=sqrt(5))`` gives exactly that bound). ``kernel_size``, ``stride`` and
    ``padding`` are an int or a pair (height, width); padding adds zeros on every side.
    ``rng``: a ``np.random.Generator``, an int seed, or None for numpy's global RNG.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        *,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.in_channels = check_int(in_channels, "in_channels", low=1, below="at least 1")
        self.out_channels = check_int(out_channels, "out_channels", low=1, below="at least 1")
        self.kernel_size = K.pair(kernel_size, "kernel_size", low=1)
        self.stride = K.pair(stride, "stride", low=1)
        self.padding = K.pair(padding, "padding", low=0)
        bias = check_flag(bias, "bias")
        dt = check_dtype(dtype)
        gen = numpy_rng(rng, typed=True)
        kh, kw = self.kernel_size
        bound = 1 / math.sqrt(self.in_channels * kh * kw)
        # Drawn in float64, then cast to dtype: float32 and float64 layers start alike.
        w = gen.uniform(-bound, bound, size=(self.out_channels, self.in_channels, kh, kw))
        self.weight = Parameter(np.asarray(w).astype(dt))
        self.bias: Parameter | None = None
        if bias:
            b = gen.uniform(-bound, bound, size=(self.out_channels,))
            self.bias = Parameter(np.asarray(b).astype(dt))
        self._cols: np.ndarray | None = None  # im2col(x), for dW = sum_n g[n] @ cols[n].T
        self._x_shape: tuple[int, ...] = ()

    def forward(self, x: object) -> np.ndarray:
        """x: (N, in_channels, H, W) -> y: (N, out_channels, OH, OW), in the layer's dtype."""
        x = as_float_array(x, "x", dtype=self.weight.dtype, ndim=4)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"x has {x.shape[1]} channels (shape {x.shape}) but Conv2d expects "
                f"in_channels={self.in_channels} (weight shape {self.weight.shape})"
            )
        K.check_geometry(x.shape, self.kernel_size, self.stride, self.padding, "Conv2d")
        b = self.bias.data if self.bias is not None else None
        y, self._cols = K.conv2d(x, self.weight.data, b, self.stride, self.padding)
        self._x_shape = x.shape
        return y

    def backward(self, grad_output: object, input_grad: bool = True) -> np.ndarray | None:
        """grad_output: dL/dy (N, out_channels, OH, OW) -> dL/dx (N, in_channels, H, W).

        Accumulates dL/dW (out, in, kh, kw) into weight.grad and dL/db (out,) into bias.grad.
        ``input_grad=False`` skips dL/dx (the first layer's x is data) and returns None.
        """
        cols = self._cached(self._cols)
        input_grad = check_flag(input_grad, "input_grad")
        N, _, H, W = self._x_shape
        kh, kw = self.kernel_size
        OH = K.out_size(H, kh, self.stride[0], self.padding[0])
        OW = K.out_size(W, kw, self.stride[1], self.padding[1])
        g = as_float_array(
            grad_output, "grad_output", dtype=cols.dtype, shape=(N, self.out_channels, OH, OW)
        )
        dx, dw, db = K.conv2d_backward(
            g, cols, self._x_shape, self.weight.data, self.stride, self.padding, input_grad
        )
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})"
        )
