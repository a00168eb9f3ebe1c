"""``Dropout``: inverted dropout with a hand-written backward pass, like ``torch.nn.Dropout``.

In training mode each element is kept with probability ``1 - p`` (a boolean keep-mask) and the
kept ones are scaled up by ``1 / (1 - p)``, so that the expected output equals the input and
eval mode needs no rescaling ("inverted" dropout):

    forward:  y  = x  * mask / (1 - p)
    backward: dx = dy * mask / (1 - p)     # the SAME mask and the same scale: y is linear in x

In eval mode, and for ``p = 0`` without a given mask, the layer is the identity, forward and
backward. A mask given in eval mode is an error (it would be ignored).

``p`` must be in [0, 1): at ``p = 1`` every element is dropped and ``1 / (1 - p)`` is a division
by zero (torch defines the output as zeros there; a layer that outputs zeros passes no gradient
either, so it has no use in a network).

The mask comes from ``rng`` (a ``np.random.Generator`` or an int seed, see
``bpcourse._validate.numpy_rng``), or is given: ``forward(x, mask=keep)``. The last mask is kept
as ``self.mask``. torch draws its own masks, so to compare with torch use the functional form
with the same mask: ``x_t * torch.from_numpy(layer.mask) / (1 - p)``.
"""

from __future__ import annotations

import numpy as np

from .._validate import _is_torch_tensor, as_float_array, check_real, describe, numpy_rng
from .module import Module

__all__ = ["Dropout"]


def _check_mask(mask: object, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean keep-mask (True keeps) of ``shape``; 0/1 numbers are accepted as False/True."""
    if _is_torch_tensor(mask):
        raise TypeError(
            f"mask must be a numpy array, got {describe(mask)}; convert it with mask.numpy()"
        )
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
            raise TypeError(f"mask must be a boolean array (True keeps), got {describe(mask)}")
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(
                f"mask must be a boolean array (True keeps) or of 0s and 1s, got values "
                f"{np.unique(arr)[:6]}"
            )
        arr = arr.astype(bool)
    if arr.shape != shape:
        raise ValueError(f"mask must have the shape of x {shape}, got shape {arr.shape}")
    return arr


class Dropout(Module):
    """Inverted dropout: ``y = x * mask / (1 - p)`` in training, ``y = x`` in eval mode.

    Args:
        p: probability of dropping an element, in [0, 1).
        rng: a ``np.random.Generator``, an int seed, or None (numpy's global generator, seeded
            by ``setup_notebook()``).

    forward(x, mask=None): x (any shape) -> y, same shape; ``mask`` (bool, shape of x) replaces
    the random draw. backward(grad_output): dL/dy -> dL/dx = dL/dy * mask / (1 - p).
    """

    def __init__(self, p: float = 0.5, rng: object = None) -> None:
        self.p = check_real(
            p,
            "p",
            low=0.0,
            high=1.0,
            high_open=True,
            expected="a probability",
            allowed="in [0, 1) (p = 1 would drop everything and divide by 1 - p = 0)",
        )
        self.rng = numpy_rng(rng)
        self.training = True
        self.mask: np.ndarray | None = None  # the last keep-mask (None: identity, eval or p = 0)
        self._shape: tuple[int, ...] | None = None
        self._dtype: np.dtype | None = None

    def forward(self, x: object, mask: object = None) -> np.ndarray:
        """x: any shape -> y, same shape (and dtype)."""
        x = as_float_array(x, "x", allow_empty=True)
        if mask is not None and not self.training:
            raise ValueError(
                "mask given in eval mode: Dropout is the identity in eval mode (call train() first)"
            )
        self._shape, self._dtype = x.shape, x.dtype
        if not self.training or (self.p == 0 and mask is None):
            self.mask = None
            return x
        if mask is None:
            mask = self.rng.uniform(0.0, 1.0, size=x.shape) >= self.p  # kept with prob. 1 - p
        self.mask = _check_mask(mask, x.shape)
        return x * self._scaled_mask(x.dtype)

    def _scaled_mask(self, dtype: np.dtype) -> np.ndarray:
        assert self.mask is not None
        return self.mask.astype(dtype) / dtype.type(1.0 - self.p)

    def backward(self, grad_output: object) -> np.ndarray:
        """grad_output: dL/dy, shape of y -> dL/dx = dL/dy * mask / (1 - p), same shape, x's dtype."""
        shape = self._cached(self._shape)
        g = as_float_array(grad_output, "grad_output", dtype=self._dtype, allow_empty=True)
        if g.shape != shape:
            raise ValueError(
                f"grad_output must have the shape of the forward output {shape}, got {g.shape}"
            )
        if self.mask is None:
            return g
        return g * self._scaled_mask(g.dtype)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
