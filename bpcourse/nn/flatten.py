"""``Flatten``: (N, C, H, W) -> (N, C*H*W) between convolutions and linear layers, like torch's."""

from __future__ import annotations

import numpy as np

from .._validate import as_float_array, check_int
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Merges the axes ``start_dim`` .. ``end_dim`` (torch's defaults 1 and -1) into one.

    forward: x (N, C, H, W) -> (N, C*H*W) with the defaults; backward: the gradient reshaped
    back to x's shape (a reshape moves no value, so its gradient is the same numbers).
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim = check_int(start_dim, "start_dim")
        self.end_dim = check_int(end_dim, "end_dim")
        self._x_shape: tuple[int, ...] | None = None
        self._dtype: np.dtype | None = None

    def forward(self, x: object) -> np.ndarray:
        x = as_float_array(x, "x", allow_empty=True)
        s, e = self.start_dim % max(x.ndim, 1), self.end_dim % max(x.ndim, 1)
        if not (-x.ndim <= self.start_dim < x.ndim and -x.ndim <= self.end_dim < x.ndim) or s > e:
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit "
                f"x of shape {x.shape}: both must be axes of x, start_dim not after end_dim"
            )
        self._x_shape, self._dtype = x.shape, x.dtype
        merged = int(np.prod(x.shape[s : e + 1]))  # not -1: numpy cannot infer it from 0 values
        return x.reshape(*x.shape[:s], merged, *x.shape[e + 1 :])

    def backward(self, grad_output: object) -> np.ndarray:
        """dL/dy -> dL/dx: the same values in x's shape (and dtype)."""
        x_shape = self._cached(self._x_shape)
        g = as_float_array(grad_output, "grad_output", dtype=self._dtype, allow_empty=True)
        n = int(np.prod(x_shape))
        if g.size != n:
            raise ValueError(
                f"grad_output must have {n} values (x had shape {x_shape}), "
                f"got an array of shape {g.shape}"
            )
        return g.reshape(x_shape)

    def __repr__(self) -> str:
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"
