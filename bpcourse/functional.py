"""Activations and losses as pure numpy functions, each next to its derivative.

Conventions (the same as ``torch.nn.functional`` wherever torch has the function):

- ``f_grad(z)`` is f'(z) evaluated at the *pre-activation* ``z`` (same shape as ``z``), so the
  backward pass through an activation is ``grad_input = grad_output * f_grad(z)``;
- ``softmax_backward(grad_output, out)`` and ``log_softmax_backward(grad_output, out)`` take the
  forward *output*, because softmax's Jacobian is cheapest written with it;
- a loss ``loss(pred, target, reduction="mean")`` returns a Python float for ``"mean"`` and
  ``"sum"`` and an array for ``"none"``; ``loss_grad(pred, target, reduction)`` returns
  dL/dpred with the shape of ``pred`` (for ``"none"``: the gradient of the summed losses).

Every function is numerically stable at extremes: logits of +-1e4 give finite values and the
same gradients as torch (no ``exp`` of a large positive number is ever taken).
Inputs may be lists or integer arrays (converted to float64); float32 stays float32. Array
results are always ndarrays (a 0-d input gives a 0-d array, not a numpy scalar).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_int, check_real, check_shape

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad", "softmax", "softmax_backward",
    "log_softmax", "log_softmax_backward", "mse", "mse_grad",
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "cross_entropy", "cross_entropy_grad",
]  # fmt: skip

REDUCTIONS = ("mean", "sum", "none")


# ================================================================================================
# Activations: f(x) and f'(z), elementwise, any shape
# ================================================================================================
def _sigmoid(x: np.ndarray) -> np.ndarray:
    # e = exp(-|x|) lies in (0, 1]: it never overflows, whatever the sign of x.
    # sigmoid(x) = 1 / (1 + e) for x >= 0, and e / (1 + e) for x < 0 (multiply by e / e).
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1 / (1 + e), e / (1 + e)))


def sigmoid(x: object) -> np.ndarray:
    """1 / (1 + exp(-x)), elementwise. x: any shape -> same shape."""
    return np.asarray(_sigmoid(as_float_array(x, "x")))


def sigmoid_grad(z: object) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z)). z: any shape -> same shape."""
    s = _sigmoid(as_float_array(z, "z"))
    return np.asarray(s * (1 - s))


def tanh(x: object) -> np.ndarray:
    """tanh(x), elementwise. x: any shape -> same shape."""
    return np.asarray(np.tanh(as_float_array(x, "x")))


def tanh_grad(z: object) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)**2. z: any shape -> same shape."""
    t = np.tanh(as_float_array(z, "z"))
    return np.asarray(1 - t * t)


def relu(x: object) -> np.ndarray:
    """max(x, 0), elementwise. x: any shape -> same shape."""
    return np.asarray(np.maximum(as_float_array(x, "x"), 0))


def relu_grad(z: object) -> np.ndarray:
    """1 where z > 0, else 0 (torch's choice at the kink z = 0). z: any shape -> same shape."""
    z = as_float_array(z, "z")
    return np.where(z > 0, 1.0, 0.0).astype(z.dtype)


def check_slope(negative_slope: object) -> float:
    """``negative_slope`` as a float: a finite real number."""
    return check_real(negative_slope, "negative_slope", expected="a number")


def leaky_relu_slope(z: np.ndarray, negative_slope: float) -> np.ndarray:
    """f'(z) of leaky_relu in z's dtype: 1 where z > 0, else ``negative_slope``."""
    return np.where(z > 0, 1.0, negative_slope).astype(z.dtype)


def leaky_relu(x: object, negative_slope: float = 0.01) -> np.ndarray:
    """x where x > 0, else negative_slope * x. x: any shape -> same shape."""
    x = as_float_array(x, "x")
    return np.asarray(x * leaky_relu_slope(x, check_slope(negative_slope)))


def leaky_relu_grad(z: object, negative_slope: float = 0.01) -> np.ndarray:
    """1 where z > 0, else negative_slope (torch's choice at z = 0). z: any shape -> same shape."""
    z = as_float_array(z, "z")
    return np.asarray(leaky_relu_slope(z, check_slope(negative_slope)))


# ================================================================================================
# softmax and log_softmax along one axis
# ================================================================================================
def _check_axis(axis: object, arr: np.ndarray, name: str) -> int:
    axis = check_int(axis, "axis")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(
            f"axis must be in [-{arr.ndim}, {arr.ndim}) for {name} of shape {arr.shape}, got {axis}"
        )
    return axis


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    # Shift by the max (log-sum-exp trick): every exp argument is <= 0, so nothing overflows.
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: object, axis: int = -1) -> np.ndarray:
    """exp(x) / sum(exp(x)) along ``axis``. x: any shape, e.g. logits (N, C) -> same shape."""
    x = as_float_array(x, "x")
    axis = _check_axis(axis, x, "x")
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(grad_output: object, out: object, axis: int = -1) -> np.ndarray:
    """dL/dx from dL/dout for out = softmax(x): out * (g - sum(g * out)).

    grad_output, out: same shape (e.g. (N, C)) -> grad_input of that shape.
    """
    out = as_float_array(out, "out")
    g = as_float_array(grad_output, "grad_output", dtype=out.dtype, shape=out.shape)
    axis = _check_axis(axis, out, "out")
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


def log_softmax(x: object, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) computed stably: x - max - log(sum(exp(x - max))). x: any shape -> same."""
    x = as_float_array(x, "x")
    return _log_softmax(x, _check_axis(axis, x, "x"))


def _log_softmax_backward(g: np.ndarray, out: np.ndarray, axis: int) -> np.ndarray:
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


def log_softmax_backward(grad_output: object, out: object, axis: int = -1) -> np.ndarray:
    """dL/dx from dL/dout for out = log_softmax(x): g - softmax(x) * sum(g).

    grad_output, out: same shape (e.g. (N, C)) -> grad_input of that shape.
    """
    out = as_float_array(out, "out")
    g = as_float_array(grad_output, "grad_output", dtype=out.dtype, shape=out.shape)
    return _log_softmax_backward(g, out, _check_axis(axis, out, "out"))


# ================================================================================================
# Losses: validation shared by all of them
# ================================================================================================
def check_reduction(reduction: object) -> str:
    """``reduction`` if it is "mean", "sum" or "none" (torch's three), else a ValueError."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f'reduction must be "mean", "sum" or "none", got {reduction!r:.60}')
    return reduction


def _reduce(loss: np.ndarray, reduction: str) -> float | np.ndarray:
    if reduction == "mean":
        return float(loss.mean())
    if reduction == "sum":
        return float(loss.sum())
    return np.asarray(loss)


def _pair(pred: object, target: object, pred_name: str) -> tuple[np.ndarray, np.ndarray]:
    """pred and target as arrays of pred's dtype and exactly the same shape (never broadcast)."""
    p = as_float_array(pred, pred_name)
    t = as_float_array(target, "target", dtype=p.dtype, shape=p.shape)
    return p, t


def _check_probabilities(arr: np.ndarray, name: str, hint: str = "") -> None:
    if 0 <= arr.min() and arr.max() <= 1:  # two passes, no temporary array (arr is finite)
        return
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], got {arr[where]} at index {where}{hint}"
        )


_Checked = tuple[np.ndarray, np.ndarray, str]  # (pred, target, reduction) after the checks


def _check_loss_inputs(pred_name: str, pred: object, target: object, reduction: object) -> _Checked:
    return (*_pair(pred, target, pred_name), check_reduction(reduction))


# ================================================================================================
# Mean squared error
# ================================================================================================
def _mse(p: np.ndarray, t: np.ndarray, reduction: str) -> float | np.ndarray:
    d = p - t
    return _reduce(d * d, reduction)


def _mse_grad(p: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    g = 2 * (p - t)
    return g / p.size if reduction == "mean" else g


def mse(pred: object, target: object, reduction: str = "mean") -> float | np.ndarray:
    """(pred - target)**2, reduced. pred, target: same shape (any) -> float, or that shape."""
    return _mse(*_check_loss_inputs("pred", pred, target, reduction))


def mse_grad(pred: object, target: object, reduction: str = "mean") -> np.ndarray:
    """dL/dpred = 2 (pred - target) / numel for "mean". pred, target: same shape -> that shape."""
    return np.asarray(_mse_grad(*_check_loss_inputs("pred", pred, target, reduction)))


# ================================================================================================
# Binary cross-entropy on probabilities
# ================================================================================================
_LOGIT_HINT = "; if these are logits, use binary_cross_entropy_with_logits"


def _bce_inputs(prob: object, target: object, reduction: object) -> _Checked:
    p, t, reduction = _check_loss_inputs("prob", prob, target, reduction)
    _check_probabilities(p, "prob", _LOGIT_HINT)
    _check_probabilities(t, "target")
    return p, t, reduction


def _bce(p: np.ndarray, t: np.ndarray, reduction: str) -> float | np.ndarray:
    # torch clamps each log at -100, so p = 0 or 1 costs at most 100 instead of inf.
    with np.errstate(divide="ignore"):  # log(0) = -inf is clamped just below
        log_p = np.maximum(np.log(p), -100)
        log_1mp = np.maximum(np.log1p(-p), -100)
    return _reduce(-(t * log_p + (1 - t) * log_1mp), reduction)


def _bce_grad(p: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    # torch's backward: (p - t) / max(p (1 - p), eps) with eps the float32 value of 1e-12.
    eps = np.float32(1e-12).astype(p.dtype)
    g = (p - t) / np.maximum((1 - p) * p, eps)
    return g / p.size if reduction == "mean" else g


def binary_cross_entropy(
    prob: object, target: object, reduction: str = "mean"
) -> float | np.ndarray:
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 as in torch.

    prob, target: same shape (any), values in [0, 1] -> float, or that shape for "none".
    """
    return _bce(*_bce_inputs(prob, target, reduction))


def binary_cross_entropy_grad(prob: object, target: object, reduction: str = "mean") -> np.ndarray:
    """dL/dprob = (p - t) / (p (1 - p)) (divided by numel for "mean"). Shapes as the loss."""
    return np.asarray(_bce_grad(*_bce_inputs(prob, target, reduction)))


# ================================================================================================
# Binary cross-entropy on logits (sigmoid folded in: stable for any logit)
# ================================================================================================
def _bce_logits_inputs(logits: object, target: object, reduction: object) -> _Checked:
    z, t, reduction = _check_loss_inputs("logits", logits, target, reduction)
    _check_probabilities(t, "target")
    return z, t, reduction


def _bce_logits(z: np.ndarray, t: np.ndarray, reduction: str) -> float | np.ndarray:
    # (1 - t) z - log(sigmoid(z)), with log(sigmoid(z)) = min(z, 0) - log1p(exp(-|z|)) (torch's).
    log_sigmoid = np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))
    return _reduce((1 - t) * z - log_sigmoid, reduction)


def _bce_logits_grad(z: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    g = _sigmoid(z) - t
    return g / z.size if reduction == "mean" else g


def binary_cross_entropy_with_logits(
    logits: object, target: object, reduction: str = "mean"
) -> float | np.ndarray:
    """binary_cross_entropy(sigmoid(logits), target), computed without forming sigmoid.

    logits: any shape; target: same shape, values in [0, 1] -> float, or that shape for "none".
    """
    return _bce_logits(*_bce_logits_inputs(logits, target, reduction))


def binary_cross_entropy_with_logits_grad(
    logits: object, target: object, reduction: str = "mean"
) -> np.ndarray:
    """dL/dlogits = sigmoid(logits) - target (divided by numel for "mean"). Shapes as the loss."""
    return np.asarray(_bce_logits_grad(*_bce_logits_inputs(logits, target, reduction)))


# ================================================================================================
# Cross-entropy on logits: class indices (N,) or probability targets (N, C)
# ================================================================================================
def _ce_inputs(logits: object, target: object, reduction: object) -> _Checked:
    """logits (N, C) float; target either int class indices (N,) or probabilities (N, C)."""
    z = as_float_array(logits, "logits", ndim=2)
    reduction = check_reduction(reduction)
    n, c = z.shape
    if (  # the common case, integer class indices in range, without a float round trip
        type(target) is np.ndarray
        and target.dtype.kind in "iu"
        and target.shape == (n,)
        and 0 <= target.min()
        and target.max() < c
    ):
        return z, target.astype(np.intp, copy=False), reduction
    t = as_float_array(target, "target", ndim=(1, 2))
    if t.ndim == 2:  # probabilities, e.g. one-hot rows
        t = t.astype(z.dtype, copy=False)
        check_shape(t, "target", z.shape)
        _check_probabilities(t, "target")
        return z, t, reduction
    check_shape(t, "target", (n,))
    bad = t != np.round(t)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"target must hold integer class indices, got {t[i]} at index {i}")
    bad = (t < 0) | (t >= c)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"target must hold class indices in [0, {c - 1}] (logits has {c} classes), "
            f"got {int(t[i])} at index {i}"
        )
    return z, t.astype(np.intp), reduction


def _cross_entropy_from_log_probs(
    logp: np.ndarray, t: np.ndarray, reduction: str
) -> float | np.ndarray:
    if t.ndim == 1:
        loss = -logp[np.arange(len(t)), t]
    else:
        loss = -(t * logp).sum(axis=1)
    return _reduce(loss, reduction)


def _cross_entropy_grad_from_log_probs(
    logp: np.ndarray, t: np.ndarray, reduction: str
) -> np.ndarray:
    # dL/dlogp is -onehot (or -t); back through log_softmax: g - softmax * sum(g).
    if t.ndim == 1:
        g = np.zeros_like(logp)
        g[np.arange(len(t)), t] = -1
    else:
        g = -t
    grad = _log_softmax_backward(g, logp, axis=1)
    return grad / logp.shape[0] if reduction == "mean" else grad


def check_label_smoothing(label_smoothing: object) -> float:
    """``label_smoothing`` as a float in [0, 1] (torch's range), else one clear error."""
    return check_real(
        label_smoothing, "label_smoothing", low=0.0, high=1.0, expected="a real number in [0, 1]"
    )


def _smooth(t: np.ndarray, c: int, label_smoothing: float, dtype: np.dtype) -> np.ndarray:
    """torch's smoothed target: (1 - eps) * onehot(t) (or t) + eps / C, shape (N, C)."""
    if t.ndim == 1:
        onehot = np.zeros((len(t), c), dtype=dtype)
        onehot[np.arange(len(t)), t] = 1
        t = onehot
    return t * (1 - label_smoothing) + label_smoothing / c


def cross_entropy(
    logits: object, target: object, reduction: str = "mean", label_smoothing: float = 0.0
) -> float | np.ndarray:
    """-log softmax(logits)[target] per row, averaged over the batch for "mean".

    logits: (N, C); target: integer class indices (N,) or probabilities (N, C) (e.g. one-hot)
    -> float, or (N,) for "none". ``label_smoothing`` eps in [0, 1] replaces the target by
    ``(1 - eps) * onehot(target) + eps / C`` (as torch does, for both kinds of target).
    """
    z, t, reduction = _ce_inputs(logits, target, reduction)
    eps = check_label_smoothing(label_smoothing)
    if eps:
        t = _smooth(t, z.shape[1], eps, z.dtype)
    return _cross_entropy_from_log_probs(_log_softmax(z, axis=1), t, reduction)


def cross_entropy_grad(
    logits: object, target: object, reduction: str = "mean", label_smoothing: float = 0.0
) -> np.ndarray:
    """dL/dlogits = (softmax(logits) - smoothed target) / N for "mean". -> (N, C).

    The smoothed target is ``(1 - eps) * onehot(target) + eps / C`` (onehot itself for eps = 0).
    """
    z, t, reduction = _ce_inputs(logits, target, reduction)
    eps = check_label_smoothing(label_smoothing)
    if eps:
        t = _smooth(t, z.shape[1], eps, z.dtype)
    return _cross_entropy_grad_from_log_probs(_log_softmax(z, axis=1), t, reduction)
