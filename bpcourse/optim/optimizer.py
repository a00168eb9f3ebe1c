"""``Optimizer``: the base class of every update rule in ``bpcourse.optim`` (numpy only).

An optimizer holds a list of :class:`bpcourse.nn.Parameter` and, per parameter, a small
``state`` dict (step count, moving averages ...) created on the first ``step()``, as torch does.
``step()`` reads each ``param.grad`` and changes ``param.data`` IN PLACE (the array object stays
the same, float32 stays float32); it never writes to ``param.grad``. ``zero_grad()`` sets the
gradients back to zero.

Differences from ``torch.optim``, on purpose:

- one group of parameters (no ``param_groups``); hyperparameters are attributes
  (``opt.lr = 0.01`` changes the learning rate, e.g. in a schedule);
- ``zero_grad()`` fills ``.grad`` with zeros (bpcourse's backward passes accumulate into it with
  ``+=``) instead of setting it to ``None``; a parameter whose ``.grad`` is ``None`` is skipped
  by ``step()``, as in torch;
- hyperparameters are checked a little more strictly (NaN, infinity and non-numbers are refused;
  a few ranges where the maths breaks down, noted in each class);
- ``step()`` refuses a gradient holding NaN or infinity (torch writes it into ``.data``
  silently, and "loss is nan" a few cells later is a much worse error for a learner). The check
  is one ``np.isfinite(g).all()`` per parameter, about a microsecond for a course-sized layer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..nn.module import Module, Parameter


class Optimizer:
    """Base class: subclasses write ``_init_state(p)`` and ``_update(p, grad, state)``.

    Args:
        params: an iterable (list, tuple, generator such as ``model.parameters()``) of
            ``Parameter``; each must appear once.
        defaults: the hyperparameters, already validated; each becomes an attribute.
    """

    maximize: bool = False  # a subclass without a ``maximize`` argument descends

    def __init__(self, params: Iterable[Parameter], defaults: dict[str, Any]) -> None:
        self.params: list[Parameter] = _as_parameter_list(params, type(self).__name__)
        self.defaults = dict(defaults)
        for name, value in defaults.items():
            setattr(self, name, value)
        # Per-parameter state, created lazily on the first step (keys: the Parameter objects).
        self.state: dict[Parameter, dict[str, Any]] = {}

    # --- the public interface --------------------------------------------------------------
    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to zeros, in place (``None`` stays ``None``)."""
        for p in self.params:
            p.zero_grad()  # leaves a None gradient None

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient, once.

        Args:
            closure: optional function that recomputes the loss (forward, ``zero_grad``,
                backward) and returns it; called before the update, as in torch.

        Returns:
            The closure's loss, or ``None`` without a closure.
        """
        loss = closure() if closure is not None else None
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            _check_grad(p, i)
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = self._init_state(p)
            # maximize: climb instead of descend. Negating makes a new array: .grad is never changed.
            grad = -p.grad if self.maximize else p.grad
            self._update(p, grad, state)
        return loss

    # --- what a subclass writes -------------------------------------------------------------
    def _init_state(self, p: Parameter) -> dict[str, Any]:
        """The state of a parameter before its first update (buffers shaped like ``p.data``)."""
        return {}

    def _update(self, p: Parameter, grad: np.ndarray, state: dict[str, Any]) -> None:
        """Change ``p.data`` in place, given ``grad`` (shape of ``p.data``; never modify it)."""
        raise NotImplementedError(f"{type(self).__name__}._update is not written")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.defaults)
        return f"{type(self).__name__}({args})"


# --- input checks ---------------------------------------------------------------------------
def _as_parameter_list(params: object, owner: str) -> list[Parameter]:
    if isinstance(params, Module):
        raise TypeError(
            f"{owner}: params must be an iterable of Parameters, got the module "
            f"{type(params).__name__}; pass model.parameters()"
        )
    if isinstance(params, Parameter):
        raise TypeError(f"{owner}: params must be an iterable of Parameters, got a single "
                        "Parameter; wrap it in a list: [param]")
    if isinstance(params, (np.ndarray, str, bytes, dict)) or not isinstance(params, Iterable):
        raise TypeError(
            f"{owner}: params must be an iterable of Parameters, got {type(params).__name__}"
        )
    out = list(params)
    if not out:
        raise ValueError(f"{owner}: params is an empty parameter list; nothing to optimize")
    seen: set[int] = set()
    for i, p in enumerate(out):
        if isinstance(p, dict):
            raise TypeError(f"{owner}: params[{i}] is a dict; parameter groups are not supported, "
                            "pass a flat list of Parameters")
        if not isinstance(p, Parameter):
            hint = (" (a torch tensor: bpcourse optimizers update bpcourse.nn.Parameter)"
                    if type(p).__module__.startswith("torch") else
                    "; wrap arrays in bpcourse.nn.Parameter")
            raise TypeError(f"{owner}: params[{i}] must be a Parameter, got "
                            f"{type(p).__name__}{hint}")
        if id(p) in seen:
            raise ValueError(f"{owner}: params[{i}] appears twice in params; "
                             "each parameter must be given once")
        seen.add(id(p))
    return out


def _check_grad(p: Parameter, i: int) -> None:
    g = p.grad
    if not isinstance(g, np.ndarray) or g.shape != p.data.shape or g.dtype != p.data.dtype:
        got = (f"shape {g.shape} and dtype {g.dtype}" if isinstance(g, np.ndarray)
               else type(g).__name__)
        raise ValueError(f"params[{i}].grad must be an array of shape {p.data.shape} and dtype "
                         f"{p.data.dtype} (like .data), got {got}")
    if not np.isfinite(g).all():
        where = tuple(int(j) for j in np.argwhere(~np.isfinite(g))[0])
        raise ValueError(
            f"params[{i}].grad must be finite, got {g[where]} at index {where}: a NaN or infinite "
            "gradient would spread into .data (look for an overflow, a log(0) or a division by 0 "
            "in the forward or backward pass)"
        )


def check_number(
    owner: str,
    name: str,
    value: object,
    low: float = 0.0,
    high: float = math.inf,
    *,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a Python float if ``low <= value <= high`` (``< high`` if
    ``high_open``), else raise one error naming the argument.

    A Python float keeps float32 arrays float32 in numpy arithmetic (a ``np.float64`` scalar
    would not), which is why every hyperparameter is converted here.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__} "
                        f"{value!r:.60}")
    v = float(value)
    upper_ok = v < high if high_open else v <= high
    if not (math.isfinite(v) and low <= v and upper_ok):
        interval = f"[{low:g}, {high:g}{')' if high_open else ']'}" if math.isfinite(high) else (
            f">= {low:g}")
        where = "in " + interval if math.isfinite(high) else interval
        raise ValueError(f"{owner}: {name} must be {where}, got {value!r}")
    return v


def check_flag(owner: str, name: str, value: object) -> bool:
    """Return ``value`` as a bool, or raise a TypeError naming the argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r:.60}")
    return bool(value)
