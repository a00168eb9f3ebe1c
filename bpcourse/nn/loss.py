"""Losses as modules: ``loss = criterion(pred, target)``, then ``dpred = criterion.backward()``.

``reduction`` has torch's meaning: "mean" (default) and "sum" make ``criterion(...)`` return a
Python float; "none" returns the per-element (per-sample for cross-entropy) losses as an array.
``backward(grad_output=None)`` returns dL/dpred with the shape of ``pred``; ``grad_output`` is
dL/dloss (a number, or an array of the loss's shape for "none"; None means 1, i.e. for "none"
the gradient of the summed losses). Losses have no parameters: nothing is accumulated.

Each module is a thin shell around ``bpcourse.functional``: the forward keeps its inputs, the
backward calls the matching ``*_grad`` function on them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import functional as F
from .._validate import as_float_array
from .module import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss"]

LossFn = Callable[..., "float | np.ndarray"]  # (pred, target, reduction, **options)
GradFn = Callable[..., np.ndarray]


class _Loss(Module):
    """Keeps the (pred, target) of the last forward; backward applies ``grad_fn`` to them."""

    loss_fn: LossFn
    grad_fn: GradFn

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = F.check_reduction(reduction)
        self._pred: object = None
        self._target: object = None

    def forward(self, pred: object, target: object) -> float | np.ndarray:
        """pred, target -> float ("mean"/"sum") or the per-element losses ("none")."""
        loss = type(self).loss_fn(pred, target, self.reduction, **self._options())  # checks both
        self._pred, self._target = pred, target
        return loss

    def backward(self, grad_output: object = None) -> np.ndarray:
        """dL/dloss (None means 1) -> dL/dpred, the shape of pred."""
        self._require_forward(self._pred)
        grad = type(self).grad_fn(self._pred, self._target, self.reduction, **self._options())
        if grad_output is None:
            return grad
        # Chain rule through the loss's output: a number, or one per loss element for "none".
        shape = self._loss_shape(grad) if self.reduction == "none" else ()
        g = as_float_array(grad_output, "grad_output", dtype=grad.dtype, shape=shape)
        if g.ndim < grad.ndim:  # per-sample losses (N,) scale rows of (N, C)
            g = g.reshape(g.shape + (1,) * (grad.ndim - g.ndim))
        return grad * g

    def _options(self) -> dict[str, object]:
        return {}  # a loss's own keyword arguments (CrossEntropyLoss: label_smoothing)

    def _loss_shape(self, grad: np.ndarray) -> tuple[int, ...]:
        return grad.shape  # elementwise losses: one per element of pred

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSELoss(_Loss):
    """mean((pred - target)**2). pred, target: same shape (any).

    backward: dL/dpred = 2 (pred - target) / numel ("mean"), shape of pred.
    """

    loss_fn = staticmethod(F.mse)
    grad_fn = staticmethod(F.mse_grad)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (logs clamped at -100, as torch does).

    prob, target: same shape (any), values in [0, 1]. Prefer BCEWithLogitsLoss on logits.
    backward: dL/dprob = (p - t) / (p (1 - p)) / numel ("mean"), shape of prob.
    """

    loss_fn = staticmethod(F.binary_cross_entropy)
    grad_fn = staticmethod(F.binary_cross_entropy_grad)


class BCEWithLogitsLoss(_Loss):
    """BCELoss(sigmoid(logits), target), computed stably. logits, target: same shape (any).

    backward: dL/dlogits = (sigmoid(logits) - target) / numel ("mean"), shape of logits.
    """

    loss_fn = staticmethod(F.binary_cross_entropy_with_logits)
    grad_fn = staticmethod(F.binary_cross_entropy_with_logits_grad)


class CrossEntropyLoss(_Loss):
    """Softmax + negative log-likelihood on logits, like ``torch.nn.CrossEntropyLoss``.

    logits: (N, C); target: integer class indices (N,) or probabilities (N, C) (e.g. one-hot).
    Returns a float ("mean"/"sum") or (N,) ("none"). ``label_smoothing`` eps in [0, 1] (torch's):
    the target becomes ``(1 - eps) * onehot(target) + eps / C``.
    backward: dL/dlogits = (softmax(logits) - smoothed target) / N ("mean"), (N, C).
    """

    loss_fn = staticmethod(F.cross_entropy)
    grad_fn = staticmethod(F.cross_entropy_grad)

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.label_smoothing = F.check_label_smoothing(label_smoothing)

    def _options(self) -> dict[str, object]:
        return {"label_smoothing": self.label_smoothing}

    def __repr__(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return f"CrossEntropyLoss(reduction={self.reduction!r}{smoothing})"

    def _loss_shape(self, grad: np.ndarray) -> tuple[int, ...]:
        return grad.shape[:1]  # one loss per sample
