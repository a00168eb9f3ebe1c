"""Activation layers: each forward keeps what its backward needs, elementwise, any shape.

| layer     | forward y = f(x)        | backward dL/dx = dL/dy * f'(x) | kept from forward |
|-----------|-------------------------|--------------------------------|-------------------|
| ReLU      | max(x, 0)               | g * (x > 0)                    | input x           |
| LeakyReLU | x if x > 0 else a x     | g * (1 if x > 0 else a)        | input x           |
| Sigmoid   | 1 / (1 + exp(-x))       | g * y (1 - y)                  | output y          |
| Tanh      | tanh(x)                 | g * (1 - y^2)                  | output y          |

Like torch, the derivative at the kink x = 0 is taken as 0 for ReLU and ``a`` for LeakyReLU.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .._validate import as_float_array
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh"]


class _Activation(Module):
    """Shared checks: a float input of any shape; grad_output of exactly that shape and dtype."""

    _cache: np.ndarray | None = None  # what backward needs (the input or the output), from forward

    def _grad_output(self, grad_output: object) -> np.ndarray:
        c = self._cached(self._cache)
        return as_float_array(grad_output, "grad_output", dtype=c.dtype, shape=c.shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    """y = max(x, 0). x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        x = as_float_array(x, "x")
        self._cache = x
        return np.maximum(x, 0)

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy * (x > 0). Same shape as x."""
        g = self._grad_output(grad_output)
        x = self._cached(self._cache)
        return g * (x > 0)


class LeakyReLU(_Activation):
    """y = x where x > 0, else negative_slope * x. x: any shape -> y: same shape."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = F.check_slope(negative_slope)

    def forward(self, x: object) -> np.ndarray:
        x = as_float_array(x, "x")
        self._cache = x
        return F.leaky_relu(x, self.negative_slope)

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy where x > 0, else negative_slope * dL/dy. Same shape as x."""
        g = self._grad_output(grad_output)
        x = self._cached(self._cache)
        return g * F.leaky_relu_grad(x, self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Sigmoid(_Activation):
    """y = 1 / (1 + exp(-x)), computed without overflow. x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        y = F.sigmoid(x)
        self._cache = y
        return y

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy * y (1 - y). Same shape as x."""
        g = self._grad_output(grad_output)
        y = self._cached(self._cache)
        return g * y * (1 - y)


class Tanh(_Activation):
    """y = tanh(x). x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        y = F.tanh(x)
        self._cache = y
        return y

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy * (1 - y^2). Same shape as x."""
        g = self._grad_output(grad_output)
        y = self._cached(self._cache)
        return g * (1 - y * y)
