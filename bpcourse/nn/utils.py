"""Gradient clipping, equal to ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``.

Norm clipping rescales *all* gradients together when their joint norm is too large, so the
update keeps its direction and only its length is capped: a rescue for exploding gradients
that leaves ordinary steps untouched. Value clipping clamps each entry on its own (it changes
the direction).
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

from .._validate import check_real, parameter_list
from .module import Parameter

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]


def _as_parameter_list(parameters: Parameter | Iterable[Parameter]) -> list[Parameter]:
    is_generator = isinstance(parameters, types.GeneratorType)
    params = parameter_list(parameters, "parameters", single_ok=True, empty_ok=True, unique=False)
    if is_generator and not params:
        warnings.warn(
            "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3
        )
    return params


def _vector_norm(values: np.ndarray, norm_type: float) -> float:
    """``torch.linalg.vector_norm(values, norm_type)`` of a flattened array."""
    a = np.abs(values.ravel())
    if a.size == 0:
        return 0.0
    if norm_type == math.inf:
        return float(a.max())
    if norm_type == -math.inf:
        return float(a.min())
    if norm_type == 0:
        return float(np.count_nonzero(a))
    if norm_type == 2:
        return float(np.sqrt(np.sum(a * a)))
    return float(np.sum(a**norm_type) ** (1.0 / norm_type))


def _non_negative(x: object, name: str) -> float:
    """A real number >= 0 (inf allowed): a negative bound would flip or scramble every gradient."""
    return check_real(x, name, low=0.0, finite=False)


def get_total_norm(
    grads: Iterable[np.ndarray], norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> float:
    """The ``norm_type``-norm of all ``grads`` viewed as one vector (torch's rule: the norm of
    the per-array norms). ``norm_type`` may be ``float("inf")``. Returns a Python float."""
    norm_type = check_real(
        norm_type, "norm_type", finite=False, expected='a real number (2.0, 1.0, float("inf"), ...)'
    )
    norms = [_vector_norm(np.asarray(g), norm_type) for g in grads]
    if not norms:
        return 0.0
    total = _vector_norm(np.array(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grad_norm_(
    parameters: Parameter | Iterable[Parameter],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Rescale every ``p.grad`` in place so that their joint norm is at most ``max_norm``.

    ``total = get_total_norm(grads, norm_type)``; each grad is multiplied by
    ``min(max_norm / (total + 1e-6), 1)`` (torch's formula, the 1e-6 avoids dividing by 0).
    Returns ``total``, the norm *before* clipping (a Python float; torch returns a tensor).
    """
    params = _as_parameter_list(parameters)
    max_norm = _non_negative(max_norm, "max_norm")
    total = get_total_norm([p.grad for p in params], norm_type, error_if_nonfinite)
    if not params:
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # a nan/inf total is allowed through
        coef = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
        for p in params:
            p.grad *= coef  # in place, as torch's g.mul_()
    return total


def clip_grad_value_(parameters: Parameter | Iterable[Parameter], clip_value: float) -> None:
    """Clamp every entry of every ``p.grad`` to ``[-clip_value, clip_value]``, in place."""
    params = _as_parameter_list(parameters)
    clip_value = _non_negative(clip_value, "clip_value")
    for p in params:
        np.clip(p.grad, -clip_value, clip_value, out=p.grad)
