"""``Linear``: the affine layer ``y = x W^T + b``, with torch's weight layout and default init."""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_float_array, check_dtype, check_flag, check_int, numpy_rng
from .module import Module, Parameter

__all__ = ["Linear"]


class Linear(Module):
    """y = x @ weight.T + bias, exactly like ``torch.nn.Linear``.

    weight: (out_features, in_features), bias: (out_features,), both drawn from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) (torch's default init) in ``dtype``.
    ``rng``: a ``np.random.Generator``, an int seed, or None for numpy's global RNG.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.in_features = check_int(in_features, "in_features", low=1, below="at least 1")
        self.out_features = check_int(out_features, "out_features", low=1, below="at least 1")
        dt = check_dtype(dtype)
        gen = numpy_rng(rng, typed=True)
        bound = 1 / math.sqrt(self.in_features)
        # Drawn in float64, then cast to dtype: float32 and float64 layers start alike.
        w = gen.uniform(-bound, bound, size=(self.out_features, self.in_features))
        self.weight = Parameter(np.asarray(w).astype(dt))
        self.bias: Parameter | None = None
        if bias:
            b = gen.uniform(-bound, bound, size=(self.out_features,))
            self.bias = Parameter(np.asarray(b).astype(dt))
        self._x: np.ndarray | None = None  # the forward input, kept for dW = g^T x

    def forward(self, x: object) -> np.ndarray:
        """x: (N, in_features) -> y: (N, out_features). x is converted to the layer's dtype."""
        x = as_float_array(x, "x", dtype=self.weight.dtype, ndim=2, shape=(None, self.in_features))
        self._x = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output: object, input_grad: bool = True) -> np.ndarray | None:
        """grad_output: dL/dy (N, out_features) -> dL/dx (N, in_features).

        Accumulates dL/dW = g^T x (out, in) into weight.grad and dL/db = sum_n g (out,) into
        bias.grad. ``input_grad=False`` skips dL/dx = g W and returns None: torch does the same
        when x does not require grad, e.g. for the first layer, whose x is a batch of data.
        """
        x = self._cached(self._x)
        input_grad = check_flag(input_grad, "input_grad")
        g = as_float_array(
            grad_output, "grad_output", dtype=x.dtype, shape=(len(x), self.out_features)
        )
        self.weight.grad += g.T @ x
        if self.bias is not None:
            self.bias.grad += g.sum(axis=0)
        return g @ self.weight.data if input_grad else None

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )
