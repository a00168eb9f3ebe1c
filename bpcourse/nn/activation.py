"""Activation layers: each forward keeps what its backward needs, elementwise, any shape.

| layer     | forward y = f(x)        | backward dL/dx = dL/dy * f'(x) | kept from forward |
|-----------|-------------------------|--------------------------------|-------------------|
| ReLU      | max(x, 0)               | g * (x > 0)                    | mask x > 0        |
| LeakyReLU | x if x > 0 else a x     | g * (1 if x > 0 else a)        | slope 1 or a      |
| Sigmoid   | 1 / (1 + exp(-x))       | g * y (1 - y)                  | output y          |
| Tanh      | tanh(x)                 | g * (1 - y^2)                  | output y          |

Like torch, the derivative at the kink x = 0 is taken as 0 for ReLU and ``a`` for LeakyReLU.
"""

from __future__ import annotations

import numpy as np

from ..functional import _check_slope, _checked, _leaky_relu_slope, _sigmoid
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh"]


class _Activation(Module):
    """Shared checks: a float input of any shape; grad_output of exactly the output's shape."""

    _cache: np.ndarray | None = None  # what backward needs (a mask or the output), set by forward

    def _input(self, x: object) -> np.ndarray:
        return _checked(x, "x")

    def _grad_output(self, grad_output: object) -> np.ndarray:
        self._require_forward(self._cache)
        return _checked(grad_output, "grad_output", dtype=self._dtype, shape=self._cache.shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Activation):
    """y = max(x, 0). x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        x = self._input(x)
        self._dtype = x.dtype
        self._cache = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy where x > 0, else 0. Same shape as x."""
        g = self._grad_output(grad_output)
        return g * self._cache


class LeakyReLU(_Activation):
    """y = x where x > 0, else negative_slope * x. x: any shape -> y: same shape."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _check_slope(negative_slope)

    def forward(self, x: object) -> np.ndarray:
        x = self._input(x)
        self._dtype = x.dtype
        self._cache = _leaky_relu_slope(x, self.negative_slope)  # f'(x): 1 or negative_slope
        return x * self._cache

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy where x > 0, else negative_slope * dL/dy. Same shape as x."""
        return self._grad_output(grad_output) * self._cache

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Sigmoid(_Activation):
    """y = 1 / (1 + exp(-x)), computed without overflow. x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        y = _sigmoid(self._input(x))
        self._dtype = y.dtype
        self._cache = y
        return y

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy * y (1 - y). Same shape as x."""
        g = self._grad_output(grad_output)
        y = self._cache
        return g * y * (1 - y)


class Tanh(_Activation):
    """y = tanh(x). x: any shape -> y: same shape."""

    def forward(self, x: object) -> np.ndarray:
        y = np.tanh(self._input(x))
        self._dtype = y.dtype
        self._cache = y
        return y

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx = dL/dy * (1 - y^2). Same shape as x."""
        g = self._grad_output(grad_output)
        y = self._cache
        return g * (1 - y * y)
