"""``MaxPool2d`` and ``AvgPool2d``, like torch's (no parameters), backward by hand.

Both slide a ``kh x kw`` window with ``stride`` (default: ``kernel_size``) over a
``(N, C, H, W)`` input, padded by ``padding`` on each side (at most half the kernel, as torch
requires, so every window holds a real pixel). The computation is in :mod:`bpcourse.conv`:

- max: y = the window's maximum; backward sends each g to the position of the FIRST maximum in
  window order (row by row, ``np.argmax``'s rule), so tied values never share a gradient.
- average: y = the window's sum / (kh * kw), zeros counted (torch's ``count_include_pad=True``);
  backward spreads g / (kh * kw) over the window.
"""

from __future__ import annotations

import numpy as np

from .. import conv as K
from .._validate import as_float_array
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d"]


class _Pool2d(Module):
    """Shared arguments and checks of the two pooling layers."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        self.kernel_size = K.pair(kernel_size, "kernel_size", low=1)
        self.stride = self.kernel_size if stride is None else K.pair(stride, "stride", low=1)
        self.padding = K.pair(padding, "padding", low=0)
        for k, p in zip(self.kernel_size, self.padding):
            if 2 * p > k:
                raise ValueError(
                    f"padding must be at most half of kernel_size, got padding {self.padding} "
                    f"with kernel_size {self.kernel_size}"
                )
        self._x_shape: tuple[int, ...] | None = None  # the forward input's shape and dtype
        self._dtype: np.dtype = np.dtype(np.float64)

    def _input(self, x: object) -> np.ndarray:
        x = as_float_array(x, "x", ndim=4)
        K.check_geometry(x.shape, self.kernel_size, self.stride, self.padding, type(self).__name__)
        self._x_shape, self._dtype = x.shape, x.dtype
        return x

    def _grad_output(
        self, grad_output: object, out_shape: tuple[int, ...], dtype: np.dtype
    ) -> np.ndarray:
        return as_float_array(grad_output, "grad_output", dtype=dtype, shape=out_shape)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding})"
        )


class MaxPool2d(_Pool2d):
    """x (N, C, H, W) -> y (N, C, OH, OW), the maximum of each window (``-inf`` padding)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self._arg: np.ndarray | None = None  # each window's first argmax, p * kw + q

    def forward(self, x: object) -> np.ndarray:
        x = self._input(x)
        y, self._arg = K.max_pool2d(x, self.kernel_size, self.stride, self.padding)
        return y

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy (N, C, OH, OW) -> dL/dx (N, C, H, W): g routed to each window's first maximum."""
        arg = self._cached(self._arg)
        x_shape = self._cached(self._x_shape)
        g = self._grad_output(grad_output, arg.shape, self._dtype)
        return K.max_pool2d_backward(g, arg, x_shape, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """x (N, C, H, W) -> y (N, C, OH, OW), each window's sum over kh * kw (zeros padded)."""

    def forward(self, x: object) -> np.ndarray:
        x = self._input(x)
        return K.avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy (N, C, OH, OW) -> dL/dx (N, C, H, W): g / (kh * kw) to every pixel of its window."""
        x_shape = self._cached(self._x_shape)
        OH, OW = K.check_geometry(x_shape, self.kernel_size, self.stride, self.padding, "AvgPool2d")
        g = self._grad_output(grad_output, (x_shape[0], x_shape[1], OH, OW), self._dtype)
        return K.avg_pool2d_backward(g, x_shape, self.kernel_size, self.stride, self.padding)
