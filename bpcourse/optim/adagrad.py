"""Adagrad: a per-coordinate learning rate that shrinks with the sum of squared gradients.

The update, in torch.optim.Adagrad's order (t = step count, starting at 1):

    g     <- g + weight_decay * theta
    clr   =  lr / (1 + (t - 1) * lr_decay)
    s     <- s + g * g                               (s starts at initial_accumulator_value)
    theta <- theta - clr * g / (sqrt(s) + eps)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..nn.module import Parameter
from .optimizer import Optimizer, check_flag, check_number


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011) with torch.optim.Adagrad's arguments and defaults.

    Args:
        params: iterable of ``Parameter``.
        lr: learning rate, >= 0.
        lr_decay: learning-rate decay, >= 0.
        weight_decay: L2 penalty factor, >= 0.
        initial_accumulator_value: starting value of the sum of squares, >= 0.
        eps: added to the denominator, >= 0.
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int) and ``sum`` (shape of the parameter).
    """

    hyperparameters = (
        "lr",
        "lr_decay",
        "weight_decay",
        "initial_accumulator_value",
        "eps",
        "maximize",
    )

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        self.lr = check_number(name, "lr", lr)
        self.lr_decay = check_number(name, "lr_decay", lr_decay)
        self.weight_decay = check_number(name, "weight_decay", weight_decay)
        self.initial_accumulator_value = check_number(
            name, "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = check_number(name, "eps", eps)
        self.maximize = check_flag(name, "maximize", maximize)
        super().__init__(params)

    def _init_state(self, p: Parameter) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(p.data, self.initial_accumulator_value)}

    def _update(self, p: Parameter, grad: np.ndarray, state: dict[str, Any]) -> None:
        state["step"] += 1
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * p.data
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += grad * grad
        std = np.sqrt(state["sum"])
        std += self.eps
        p.data -= clr * (grad / std)
