"""``Residual(block)``: ``y = x + block(x)``, the skip connection of ResNets.

Why it helps gradients: the Jacobian of ``y`` with respect to ``x`` is ``I + J_block``, so the
backward pass is ``dx = dy + block.backward(dy)``. Even when the block's Jacobian is tiny (a
saturated sigmoid, a small weight), ``dy`` reaches ``x`` unchanged through the identity: a stack
of residual blocks multiplies factors close to ``I`` instead of factors close to 0.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_float_array
from .module import Module

__all__ = ["Residual"]


class Residual(Module):
    """``forward(x) = x + block(x)``; ``block`` must return an array of the shape of ``x``.

    forward(x): x (N, D) (any shape the block accepts) -> y, same shape as x.
    backward(grad_output): dL/dy (shape of y) -> dL/dx = dL/dy + block.backward(dL/dy); the
    block's parameters accumulate their gradients. Its parameters are named ``block.<name>``.
    """

    def __init__(self, block: Module) -> None:
        if not isinstance(block, Module):
            raise TypeError(f"block must be a bpcourse.nn.Module, got {type(block).__name__}")
        self.block = block
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> x + block(x), (N, D)."""
        x = as_float_array(x, "x")
        fx = self.block(x)
        if np.shape(fx) != x.shape:
            raise ValueError(
                f"Residual: the block must keep the shape of its input to be added to it, "
                f"got input {x.shape} and block output {np.shape(fx)} "
                "(make the block's last layer output as many features as its input)"
            )
        self._shape = x.shape
        return x + fx

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """grad_output: dL/dy (N, D) -> dL/dx (N, D): the identity path plus the block's path."""
        self._require_forward(self._shape)
        dy = as_float_array(grad_output, "grad_output")
        if dy.shape != self._shape:
            raise ValueError(
                f"grad_output must have the shape of the forward output {self._shape}, "
                f"got {dy.shape}"
            )
        return dy + self.block.backward(dy)

    def __repr__(self) -> str:
        return f"Residual({self.block!r})"
