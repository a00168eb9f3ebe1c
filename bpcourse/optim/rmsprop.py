"""RMSprop: divide the gradient by a moving root-mean-square of recent gradients.

The update, in torch.optim.RMSprop's order:

    g     <- g + weight_decay * theta
    v     <- alpha * v + (1 - alpha) * g * g
    if centered:  m <- alpha * m + (1 - alpha) * g ;  avg = sqrt(v - m * m) + eps
    else:                                             avg = sqrt(v) + eps
    if momentum > 0:  b <- momentum * b + g / avg ;   theta <- theta - lr * b
    else:                                             theta <- theta - lr * g / avg

Note: eps is added OUTSIDE the square root, and there is no bias correction (v starts at 0,
so the first steps are large: about lr / sqrt(1 - alpha) in each coordinate).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..nn.module import Parameter
from .optimizer import Optimizer, check_flag, check_number


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012) with torch.optim.RMSprop's arguments and defaults.

    Args:
        params: iterable of ``Parameter``.
        lr: learning rate, >= 0.
        alpha: smoothing constant of the mean square, in [0, 1] (torch accepts alpha > 1,
            where the mean square can turn negative).
        eps: added to the denominator, >= 0.
        weight_decay: L2 penalty factor, >= 0.
        momentum: momentum factor, >= 0.
        centered: divide by an estimate of the gradient's variance instead of its mean square.
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``square_avg``, and ``momentum_buffer`` (if momentum)
    and ``grad_avg`` (if centered), each shaped like the parameter.
    """

    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        self.lr = check_number(name, "lr", lr)
        self.alpha = check_number(name, "alpha", alpha, 0.0, 1.0)
        self.eps = check_number(name, "eps", eps)
        self.weight_decay = check_number(name, "weight_decay", weight_decay)
        self.momentum = check_number(name, "momentum", momentum)
        self.centered = check_flag(name, "centered", centered)
        self.maximize = check_flag(name, "maximize", maximize)
        super().__init__(params)

    def _init_state(self, p: Parameter) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0, "square_avg": np.zeros_like(p.data)}
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(p.data)
        if self.centered:
            state["grad_avg"] = np.zeros_like(p.data)
        return state

    def _update(self, p: Parameter, grad: np.ndarray, state: dict[str, Any]) -> None:
        state["step"] += 1
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * p.data
        v = state["square_avg"]
        v *= self.alpha
        v += (1 - self.alpha) * grad * grad
        if self.centered:
            m = state["grad_avg"]
            m *= self.alpha
            m += (1 - self.alpha) * grad
            avg = np.sqrt(v - m * m)
        else:
            avg = np.sqrt(v)
        avg += self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += grad / avg
            p.data -= self.lr * buf
        else:
            p.data -= self.lr * (grad / avg)
