"""Adam and AdamW: momentum on the gradient, RMSprop on its scale, and bias correction.

The update, in torch.optim.Adam's order (t = this parameter's step count, 1 on the first step):

    t     <- t + 1                                     (BEFORE the bias corrections)
    Adam:  g <- g + weight_decay * theta               (L2 penalty, goes through m and v)
    AdamW: theta <- theta * (1 - lr * weight_decay)    (decoupled: does not touch m and v)
    m     <- beta1 * m + (1 - beta1) * g
    v     <- beta2 * v + (1 - beta2) * g * g
    amsgrad: v_max <- max(v_max, v), and v_max replaces v below
    denom =  sqrt(v) / sqrt(1 - beta2**t) + eps        (eps added AFTER the correction)
    theta <- theta - lr / (1 - beta1**t) * m / denom
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..nn.module import Parameter
from .optimizer import Optimizer, check_flag, check_number


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with torch.optim.Adam's arguments, defaults and update order.

    Args:
        params: iterable of ``Parameter``.
        lr: learning rate, >= 0.
        betas: ``(beta1, beta2)``, each in [0, 1): decay of the moving averages of the
            gradient and of its square.
        eps: added to the denominator, >= 0.
        weight_decay: L2 penalty factor, >= 0 (added to the gradient; see ``AdamW``).
        amsgrad: use the running maximum of ``v`` (Reddi et al., 2018).
        maximize: climb the objective instead of descending it.

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v), and
    ``max_exp_avg_sq`` if amsgrad, each shaped like the parameter.
    """

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")
    decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r:.60}")
        self.lr = check_number(name, "lr", lr)
        self.betas = (
            check_number(name, "betas[0]", betas[0], 0.0, 1.0, high_open=True),
            check_number(name, "betas[1]", betas[1], 0.0, 1.0, high_open=True),
        )
        self.eps = check_number(name, "eps", eps)
        self.weight_decay = check_number(name, "weight_decay", weight_decay)
        self.amsgrad = check_flag(name, "amsgrad", amsgrad)
        self.maximize = check_flag(name, "maximize", maximize)
        super().__init__(params)

    def _init_state(self, p: Parameter) -> dict[str, Any]:
        state: dict[str, Any] = {
            "step": 0,
            "exp_avg": np.zeros_like(p.data),
            "exp_avg_sq": np.zeros_like(p.data),
        }
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p.data)
        return state

    def _update(self, p: Parameter, grad: np.ndarray, state: dict[str, Any]) -> None:
        beta1, beta2 = self.betas
        state["step"] += 1
        t = state["step"]
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p.data *= 1 - self.lr * self.weight_decay
            else:
                grad = grad + self.weight_decay * p.data
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        if self.amsgrad:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        step_size = self.lr / bias_correction1
        denom = np.sqrt(v)
        denom /= bias_correction2**0.5
        denom += self.eps
        p.data -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), like ``torch.optim.AdamW``.

    Same arguments as :class:`Adam`, but ``weight_decay`` defaults to ``1e-2`` and shrinks the
    parameter directly, ``theta *= 1 - lr * weight_decay``, instead of entering the gradient.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
