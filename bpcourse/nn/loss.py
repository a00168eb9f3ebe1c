"""Losses as modules: ``loss = criterion(pred, target)``, then ``dpred = criterion.backward()``.

``reduction`` has torch's meaning: "mean" (default) and "sum" make ``criterion(...)`` return a
Python float; "none" returns the per-element (per-sample for cross-entropy) losses as an array.
``backward(grad_output=None)`` returns dL/dpred with the shape of ``pred``; ``grad_output`` is
dL/dloss (a number, or an array of the loss's shape for "none"; None means 1, i.e. for "none"
the gradient of the summed losses). Losses have no parameters: nothing is accumulated.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .module import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss"]


class _Loss(Module):
    """Keeps the checked (pred, target) of the last forward for backward."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = F._check_reduction(reduction)
        self._pred: np.ndarray | None = None
        self._target: np.ndarray | None = None
        self._loss_shape: tuple[int, ...] = ()

    def _scale(self, grad: np.ndarray, grad_output: object) -> np.ndarray:
        """Multiply dL/dpred by dL/dloss (chain rule through the loss's output)."""
        if grad_output is None:
            return grad
        shape = () if self.reduction != "none" else self._loss_shape
        g = F._checked(grad_output, "grad_output", dtype=grad.dtype, shape=shape)
        if g.ndim < grad.ndim:  # per-sample losses (N,) scale rows of (N, C)
            g = g.reshape(g.shape + (1,) * (grad.ndim - g.ndim))
        return grad * g

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSELoss(_Loss):
    """mean((pred - target)**2). pred, target: same shape (any)."""

    def forward(self, pred: object, target: object) -> float | np.ndarray:
        """pred, target: same shape -> float ("mean"/"sum") or that shape ("none")."""
        self._pred, self._target = F._pair(pred, target, "pred")
        self._loss_shape = self._pred.shape
        return F._mse(self._pred, self._target, self.reduction)

    def backward(self, grad_output: object = None) -> np.ndarray:
        """-> dL/dpred = 2 (pred - target) / numel ("mean"), shape of pred."""
        self._require_forward(self._pred)
        grad = F._mse_grad(self._pred, self._target, self.reduction)
        return self._scale(grad, grad_output)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (logs clamped at -100, as torch does).

    prob, target: same shape (any), values in [0, 1]. Prefer BCEWithLogitsLoss on logits.
    """

    def forward(self, prob: object, target: object) -> float | np.ndarray:
        """prob, target: same shape -> float ("mean"/"sum") or that shape ("none")."""
        self._pred, self._target, _ = F._bce_inputs(prob, target, self.reduction)
        self._loss_shape = self._pred.shape
        return F._bce(self._pred, self._target, self.reduction)

    def backward(self, grad_output: object = None) -> np.ndarray:
        """-> dL/dprob = (p - t) / (p (1 - p)) / numel ("mean"), shape of prob."""
        self._require_forward(self._pred)
        grad = F._bce_grad(self._pred, self._target, self.reduction)
        return self._scale(grad, grad_output)


class BCEWithLogitsLoss(_Loss):
    """BCELoss(sigmoid(logits), target), computed stably. logits, target: same shape (any)."""

    def forward(self, logits: object, target: object) -> float | np.ndarray:
        """logits, target: same shape -> float ("mean"/"sum") or that shape ("none")."""
        self._pred, self._target, _ = F._bce_logits_inputs(logits, target, self.reduction)
        self._loss_shape = self._pred.shape
        return F._bce_logits(self._pred, self._target, self.reduction)

    def backward(self, grad_output: object = None) -> np.ndarray:
        """-> dL/dlogits = (sigmoid(logits) - target) / numel ("mean"), shape of logits."""
        self._require_forward(self._pred)
        grad = F._bce_logits_grad(self._pred, self._target, self.reduction)
        return self._scale(grad, grad_output)


class CrossEntropyLoss(_Loss):
    """Softmax + negative log-likelihood on logits, like ``torch.nn.CrossEntropyLoss``.

    logits: (N, C); target: integer class indices (N,) or probabilities (N, C) (e.g. one-hot).
    """

    def forward(self, logits: object, target: object) -> float | np.ndarray:
        """logits (N, C), target (N,) or (N, C) -> float ("mean"/"sum") or (N,) ("none")."""
        z, self._target, _ = F._ce_inputs(logits, target, self.reduction)
        self._pred = F._log_softmax(z, axis=1)  # log-probabilities: all backward needs
        self._loss_shape = (z.shape[0],)
        return F._cross_entropy_from_log_probs(self._pred, self._target, self.reduction)

    def backward(self, grad_output: object = None) -> np.ndarray:
        """-> dL/dlogits = (softmax(logits) - onehot(target)) / N ("mean"), (N, C)."""
        self._require_forward(self._pred)
        grad = F._cross_entropy_grad_from_log_probs(self._pred, self._target, self.reduction)
        return self._scale(grad, grad_output)
