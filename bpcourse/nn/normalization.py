"""``LayerNorm`` with a hand-written backward pass, matching ``torch.nn.LayerNorm``.

Forward, for each sample over its last ``len(normalized_shape)`` dimensions (``D`` values):

    mu = mean(x),  var = mean((x - mu)**2)          # biased variance, as torch
    xhat = (x - mu) / sqrt(var + eps)
    y = weight * xhat + bias                        # weight, bias: (*normalized_shape,)

Unlike batch normalisation, the statistics are per sample: there is nothing to track, and the
same computation runs in training and in eval mode.

Backward. With ``dxhat = dy * weight`` and ``inv_std = 1 / sqrt(var + eps)``, ``xhat`` reaches
``x`` along three paths: directly (``dxhat * inv_std``), through the mean (every x moves mu by
``1/D``, and mu moves every xhat by ``-inv_std``: the term ``-mean(dxhat)``) and through the
variance (``dvar/dx = 2 (x - mu) / D``, ``dxhat/dvar = -xhat / (2 (var + eps))``: the term
``-xhat * mean(dxhat * xhat)``; the variance's own path through mu sums to zero, as
``sum(x - mu) = 0``). Together, means taken over the normalised dimensions:

    dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))

The parameters' gradients sum over every leading (batch) dimension:
``weight.grad += sum(dy * xhat)``, ``bias.grad += sum(dy)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validate import as_float_array, check_dtype, check_flag, check_int, check_real
from .module import Module, Parameter

__all__ = ["LayerNorm"]


def _check_normalized_shape(normalized_shape: object) -> tuple[int, ...]:
    """An int or a non-empty list/tuple of ints >= 1, as a tuple."""
    if isinstance(normalized_shape, (list, tuple)):
        if not normalized_shape:
            raise ValueError("normalized_shape must be an int or a non-empty tuple of ints, got ()")
        return tuple(
            check_int(d, "normalized_shape", low=1, expected="an int or a tuple of ints")
            for d in normalized_shape
        )
    return (
        check_int(
            normalized_shape, "normalized_shape", low=1, expected="an int or a tuple of ints"
        ),
    )


class LayerNorm(Module):
    """Layer normalisation over the last dimensions, like ``torch.nn.LayerNorm``.

    Args:
        normalized_shape: ``D`` or ``(D1, D2, ...)``: the trailing shape normalised together.
        eps: added to the variance before the square root.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros), both of shape
            ``normalized_shape``; without it ``y = xhat``.
        dtype: of the parameters (np.float64 or np.float32).

    forward(x): x (..., *normalized_shape) -> y, same shape.
    backward(grad_output): dL/dy, shape of y -> dL/dx; accumulates ``weight.grad`` and
    ``bias.grad`` (shape ``normalized_shape``).
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        *,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        self.normalized_shape = _check_normalized_shape(normalized_shape)
        self.eps = check_real(eps, "eps", low=0.0, low_open=True, expected="a positive number")
        self.elementwise_affine = check_flag(elementwise_affine, "elementwise_affine")
        self.dtype = check_dtype(dtype)
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=self.dtype))
            self.bias = Parameter(np.zeros(self.normalized_shape, dtype=self.dtype))
        self.training = True
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    def _axes(self) -> tuple[int, ...]:
        """The normalised (last) axes, as negative indices."""
        return tuple(range(-len(self.normalized_shape), 0))

    def forward(self, x: object) -> np.ndarray:
        """x: (..., *normalized_shape) -> y, same shape."""
        x = as_float_array(x, "x")
        k = len(self.normalized_shape)
        if x.ndim < k or x.shape[x.ndim - k :] != self.normalized_shape:
            raise ValueError(
                f"x must end with the normalized_shape {self.normalized_shape} "
                f"(shape (..., {', '.join(map(str, self.normalized_shape))})), got shape {x.shape}"
            )
        axes = self._axes()
        mu = x.mean(axis=axes, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)  # biased
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (x - mu) * inv_std
        y = xhat
        if self.weight is not None and self.bias is not None:
            y = xhat * self.weight.data + self.bias.data
        self._cache = (xhat, inv_std)
        return y.astype(x.dtype, copy=False)

    def backward(self, grad_output: object) -> np.ndarray:
        """grad_output: dL/dy, shape of y -> dL/dx, shape of x."""
        xhat, inv_std = self._cached(self._cache)
        dy = as_float_array(grad_output, "grad_output")
        if dy.shape != xhat.shape:
            raise ValueError(
                f"grad_output must have the shape of the forward output {xhat.shape}, got {dy.shape}"
            )
        axes = self._axes()
        batch_axes = tuple(range(xhat.ndim - len(self.normalized_shape)))
        if self.weight is not None and self.bias is not None:
            self.weight.grad += (dy * xhat).sum(axis=batch_axes)
            self.bias.grad += dy.sum(axis=batch_axes)
            dxhat = dy * self.weight.data
        else:
            dxhat = dy
        # direct path, minus the mean path, minus the variance path (module docstring)
        dx = inv_std * (
            dxhat
            - dxhat.mean(axis=axes, keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)
        )
        return dx.astype(xhat.dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"LayerNorm({self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine})"
        )
