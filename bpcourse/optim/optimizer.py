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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .._validate import check_flag as _check_flag
from .._validate import check_real, parameter_list
from ..nn.module import Parameter


class Optimizer:
    """Base class: subclasses write ``_init_state(p)`` and ``_update(p, grad, state)``.

    The package's optimizers check each hyperparameter into a plain attribute
    (``self.lr = check_number(...)``), list their names in ``hyperparameters``, then call
    ``super().__init__(params)``. A short subclass (the notebooks' exercises) may instead pass
    them as a dict, ``super().__init__(params, {"lr": lr})``: each becomes an attribute.

    Args:
        params: an iterable (list, tuple, generator such as ``model.parameters()``) of
            ``Parameter``; each must appear once.
        defaults: optional ``{name: value}`` hyperparameters to set as attributes.
    """

    hyperparameters: tuple[str, ...] = ()  # the names, in the constructor's order
    maximize: bool = False  # a subclass without a ``maximize`` argument descends

    def __init__(
        self, params: Iterable[Parameter], defaults: Mapping[str, Any] | None = None
    ) -> None:
        self.params: list[Parameter] = parameter_list(params, "params", owner=type(self).__name__)
        if defaults:
            self.__dict__.update(defaults)
            self.hyperparameters = (*self.hyperparameters, *defaults)
        # The hyperparameters as constructed (torch's ``defaults``); the attributes may change.
        self.defaults: dict[str, Any] = {k: getattr(self, k) for k in self.hyperparameters}
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
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyperparameters)
        return f"{type(self).__name__}({args})"


# --- input checks ---------------------------------------------------------------------------
def _check_grad(p: Parameter, i: int) -> None:
    g = p.grad
    if not isinstance(g, np.ndarray) or g.shape != p.data.shape or g.dtype != p.data.dtype:
        got = (
            f"shape {g.shape} and dtype {g.dtype}"
            if isinstance(g, np.ndarray)
            else type(g).__name__
        )
        raise ValueError(
            f"params[{i}].grad must be an array of shape {p.data.shape} and dtype "
            f"{p.data.dtype} (like .data), got {got}"
        )
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
    """A hyperparameter as a Python float in ``[low, high]`` (``[low, high)`` if ``high_open``),
    or one error naming the optimizer and the argument ("SGD: lr must be >= 0, got -0.1")."""
    return check_real(value, name, low=low, high=high, high_open=high_open, typed=True, owner=owner)


def check_flag(owner: str, name: str, value: object) -> bool:
    """A True/False hyperparameter, or a TypeError naming the optimizer and the argument."""
    return _check_flag(value, name, owner=owner)
