"""``Linear``: the affine layer ``y = x W^T + b``, with torch's weight layout and default init."""

from __future__ import annotations

import math

import numpy as np

from ..functional import _checked
from .module import Module, Parameter

__all__ = ["Linear"]


def _check_features(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r:.60}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _check_dtype(dtype: object) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r:.60}")
    return dt


def _check_input_grad(input_grad: object) -> bool:
    if not isinstance(input_grad, (bool, np.bool_)):
        raise TypeError(f"input_grad must be True or False, got {input_grad!r:.60}")
    return bool(input_grad)


def _uniform(rng: object, bound: float, shape: tuple[int, ...]) -> np.ndarray:
    """U(-bound, bound) of ``shape`` in float64, from ``rng`` (Generator, int seed or None)."""
    if rng is None:
        # numpy's global legacy RNG, the one setup_notebook() seeds with np.random.seed.
        return np.random.uniform(-bound, bound, size=shape)  # noqa: NPY002
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a np.random.Generator, an int seed or None, got {type(rng).__name__}"
        )
    return rng.uniform(-bound, bound, size=shape)


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
        self.in_features = _check_features(in_features, "in_features")
        self.out_features = _check_features(out_features, "out_features")
        dt = _check_dtype(dtype)
        bound = 1 / math.sqrt(self.in_features)
        w = _uniform(rng, bound, (self.out_features, self.in_features))
        self.weight = Parameter(w.astype(dt), "weight")
        self.bias = (
            Parameter(_uniform(rng, bound, (self.out_features,)).astype(dt), "bias")
            if bias
            else None
        )
        self._x: np.ndarray | None = None  # the forward input, kept for dW = g^T x

    def forward(self, x: object) -> np.ndarray:
        """x: (N, in_features) -> y: (N, out_features). x is converted to the layer's dtype."""
        x = _checked(x, "x", dtype=self.weight.dtype, ndim=2, shape=(None, self.in_features))
        self._x = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output: object, input_grad: bool = True) -> np.ndarray | None:
        """grad_output: dL/dy (N, out_features) -> dL/dx (N, in_features).

        Accumulates dL/dW = g^T x (out, in) into weight.grad and dL/db = sum_n g (out,) into
        bias.grad. ``input_grad=False`` skips dL/dx = g W and returns None: torch does the same
        when x does not require grad, e.g. for the first layer, whose x is a batch of data
        (there the product g W is as large as the one for dL/dW).
        """
        self._require_forward(self._x)
        input_grad = _check_input_grad(input_grad)
        x = self._x
        g = _checked(grad_output, "grad_output", dtype=x.dtype, shape=(len(x), self.out_features))
        self.weight.accumulate_matmul(g.T, x)  # weight.grad += g.T @ x
        if self.bias is not None:
            self.bias.grad += g.sum(axis=0)
        return g @ self.weight.data if input_grad else None

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )
