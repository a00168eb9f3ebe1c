"""``BatchNorm1d`` with a hand-written backward pass, matching ``torch.nn.BatchNorm1d``.

Forward, for each feature (channel) ``c`` over the ``m`` values of the batch (and length):

    mu = mean(x),  var = mean((x - mu)**2)          # biased variance normalises the batch
    xhat = (x - mu) / sqrt(var + eps)
    y = weight * xhat + bias

In training mode the batch statistics are used and the running statistics are updated with
torch's convention ``running = (1 - momentum) * running + momentum * batch_stat``, where the
running *variance* uses the unbiased batch variance ``var * m / (m - 1)``; with
``momentum=None`` the running statistics are the cumulative average over batches. In eval mode
the running statistics replace the batch statistics, so the layer is a fixed affine map.

Backward in training mode: mu and var depend on every x of the batch, so each dx gets two extra
terms (through mu and through var). With ``dxhat = dy * weight``:

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)

In eval mode mu and var are constants: ``dx = dxhat / sqrt(running_var + eps)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import as_float_array, check_dtype, check_flag, check_int, check_real
from .module import Module, Parameter

__all__ = ["BatchNorm1d"]


class BatchNorm1d(Module):
    """Batch normalisation over a ``(N, C)`` or ``(N, C, L)`` input, like ``torch.nn.BatchNorm1d``.

    Parameters (when ``affine``): ``weight`` (C,) initialised to ones and ``bias`` (C,) to zeros.
    Buffers (when ``track_running_stats``, not Parameters, as in torch): ``running_mean`` (C,)
    zeros, ``running_var`` (C,) ones, ``num_batches_tracked`` (an int).

    forward(x): x (N, C) or (N, C, L) -> y of the same shape.
    backward(grad_output): dL/dy, same shape as y -> dL/dx; accumulates ``weight.grad`` and
    ``bias.grad`` (both (C,)).
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        self.num_features = check_int(num_features, "num_features", low=1)
        self.eps = check_real(eps, "eps", low=0.0, low_open=True, expected="a positive number")
        self.momentum = (
            None
            if momentum is None
            else check_real(
                momentum,
                "momentum",
                low=0.0,
                high=1.0,
                expected="a real number or None",
                allowed="in [0, 1] or None",
            )
        )
        self.affine = check_flag(affine, "affine")
        self.track_running_stats = check_flag(track_running_stats, "track_running_stats")
        dtype = check_dtype(dtype)
        self.dtype = dtype
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=self.dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=self.dtype))
        # Buffers, None without track_running_stats (as in torch).
        self.running_mean: Any = None
        self.running_var: Any = None
        self.num_batches_tracked: Any = None
        if track_running_stats:
            self.running_mean = np.zeros(num_features, dtype=self.dtype)
            self.running_var = np.ones(num_features, dtype=self.dtype)
            self.num_batches_tracked = 0
        self.training = True
        self._cache: tuple[Any, ...] | None = None

    def reset_running_stats(self) -> None:
        """Running mean back to 0, running variance to 1, batch counter to 0."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked = 0

    def _axes(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Reduction axes and the shape that broadcasts a (C,) vector against x."""
        if x.ndim == 2:
            return (0,), (1, self.num_features)
        return (0, 2), (1, self.num_features, 1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, C) or (N, C, L) -> y, same shape."""
        x = as_float_array(x, "x", ndim=(2, 3))
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"x must have {self.num_features} features in dimension 1 "
                f"(shape (N, {self.num_features}) or (N, {self.num_features}, L)), got shape {x.shape}"
            )
        axes, vec = self._axes(x)
        m = x.size // self.num_features  # values per feature in this batch
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            if m <= 1:  # also in eval mode without running statistics, as in torch
                raise ValueError(
                    f"Expected more than 1 value per channel when training, got input shape "
                    f"{x.shape}: a batch of one has no variance (use a bigger batch, or eval() "
                    "with track_running_stats=True)"
                )
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)  # biased: what normalises the batch
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, m)
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (x - mean.reshape(vec)) * inv_std.reshape(vec)
        y = xhat
        if self.weight is not None and self.bias is not None:  # affine
            y = xhat * self.weight.data.reshape(vec) + self.bias.data.reshape(vec)
        self._cache = (xhat, inv_std, use_batch_stats, axes, vec)
        return y.astype(x.dtype, copy=False)

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        self.num_batches_tracked += 1
        # momentum=None: cumulative average, each batch weighs 1 / (batches so far).
        factor = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        unbiased = var * (m / (m - 1))  # torch keeps the unbiased estimate for inference
        self.running_mean[...] = (1 - factor) * self.running_mean + factor * mean
        self.running_var[...] = (1 - factor) * self.running_var + factor * unbiased

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """grad_output: dL/dy, shape of y -> dL/dx, shape of x."""
        self._require_forward(self._cache)
        assert self._cache is not None
        xhat, inv_std, used_batch_stats, axes, vec = self._cache
        dy = as_float_array(grad_output, "grad_output")
        if dy.shape != xhat.shape:
            raise ValueError(
                f"grad_output must have the shape of the forward output {xhat.shape}, got {dy.shape}"
            )
        if self.weight is not None and self.bias is not None:  # affine
            self.weight.grad += (dy * xhat).sum(axis=axes)
            self.bias.grad += dy.sum(axis=axes)
            dxhat = dy * self.weight.data.reshape(vec)
        else:
            dxhat = dy
        if used_batch_stats:
            # Paths through mean and variance: subtract the average gradient and its projection on xhat.
            dxhat = (
                dxhat
                - dxhat.mean(axis=axes, keepdims=True)
                - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)
            )
        dx = dxhat * inv_std.reshape(vec)
        return dx.astype(xhat.dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats})"
        )
