"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay (numpy only).

The update, in torch.optim.SGD's order (g = the gradient, theta = the parameter):

    g   <- g + weight_decay * theta                     (L2 penalty, added to the gradient)
    b   <- g                                             on the first step (no dampening!)
    b   <- momentum * b + (1 - dampening) * g            on later steps
    g   <- g + momentum * b   if nesterov   else   b
    theta <- theta - lr * g
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..nn.module import Parameter
from .optimizer import Optimizer, check_flag, check_number


class SGD(Optimizer):
    """Gradient descent ``theta -= lr * g``, optionally with momentum, like ``torch.optim.SGD``.

    Args:
        params: iterable of ``Parameter``.
        lr: learning rate, >= 0.
        momentum: momentum factor, >= 0 (0 = plain SGD).
        dampening: weight ``1 - dampening`` of the new gradient in the momentum buffer, in
            [0, 1] (torch accepts any value; outside [0, 1] the buffer is not an average).
        weight_decay: L2 penalty factor, >= 0.
        nesterov: Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: climb the objective instead of descending it.

    State per parameter: ``momentum_buffer`` (shape of the parameter) once momentum is used.
    """

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        self.lr = check_number(name, "lr", lr)
        self.momentum = check_number(name, "momentum", momentum)
        self.dampening = check_number(name, "dampening", dampening, 0.0, 1.0)
        self.weight_decay = check_number(name, "weight_decay", weight_decay)
        self.nesterov = check_flag(name, "nesterov", nesterov)
        self.maximize = check_flag(name, "maximize", maximize)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"{name}: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={momentum!r}, dampening={dampening!r}"
            )
        super().__init__(params)

    def _update(self, p: Parameter, grad: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * p.data  # a new array: p.grad is left untouched
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # np.array, not grad.copy(): for a 0-d parameter, grad may be a numpy scalar.
                buf = state["momentum_buffer"] = np.array(grad, dtype=p.data.dtype)
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        p.data -= self.lr * grad
