"""XOR with a 2-layer network, trained for many seeds at once (numpy only).

One network is ``x (N, 2) -> Linear(2, H) -> activation -> Linear(H, 1) -> sigmoid -> p (N, 1)``
with torch's weight layout: ``W1 (H, 2)``, ``b1 (H,)``, ``W2 (1, H)``, ``b2 (1,)``. To measure
how often a recipe works we train ``S`` such networks side by side: every array gets a leading
seed axis (``W1 (S, H, 2)``, ``Z1 (S, N, H)`` ...), and each matrix product becomes a batched
``matmul`` over that axis. The equations are exactly those of one network, so the slice ``[s]``
of every array follows the trajectory that seed would follow alone (the tests check it against
torch autograd, one seed at a time and all seeds at once).

- :class:`Recipe`: activation, loss, initialisation, hidden size, learning rate, epochs.
- :func:`init_params`: the initial weights of the given seeds, ``{name: (S, ...)}``.
- :func:`forward`, :func:`backward`, :func:`loss_value`: one full-batch step's pieces.
- :func:`train`: full-batch gradient descent for every seed; returns a :class:`XorRun`.

This module never imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import functional as F
from ._validate import as_float_array, check_choice, check_int, check_real, check_shape
from .data import xor
from .diagnostics import saturated
from .nn import init

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "LOSSES",
    "Recipe",
    "XorRun",
    "backward",
    "dead_units",
    "forward",
    "init_params",
    "loss_value",
    "train",
]

ACTIVATIONS = ("relu", "sigmoid", "tanh")
# "mse_bce_delta": the loss is MSE, but the output delta is the BCE one, (p - y) / N: the
# classic bug of forgetting the sigmoid's derivative. It is the gradient of a different loss.
LOSSES = ("bce", "mse", "mse_bce_delta")
# "normal": weights N(0, std^2) (init.normal_); "xavier": N(0, 2 / (fan_in + fan_out))
# (init.xavier_normal_, Glorot); "he": N(0, 2 / fan_in) (init.kaiming_normal_ for ReLU).
# Biases start at zero in all three.
INITS = ("normal", "xavier", "he")

PARAM_NAMES = ("W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class Recipe:
    """How one network is built and trained (full-batch gradient descent on the 4 XOR points).

    Attributes:
        hidden: number of hidden units ``H`` (>= 1).
        activation: the hidden layer's nonlinearity, one of :data:`ACTIVATIONS`.
        loss: one of :data:`LOSSES` (means over the 4 examples, torch's "mean" reduction).
        init: one of :data:`INITS`; ``std`` is used by "normal" only.
        std: standard deviation of the "normal" initialisation.
        lr: learning rate.
        epochs: number of gradient steps (one step sees all 4 examples).
    """

    hidden: int = 4
    activation: str = "relu"
    loss: str = "bce"
    init: str = "normal"
    std: float = 0.1
    lr: float = 0.5
    epochs: int = 1000

    def __post_init__(self) -> None:
        # Frozen: the checked values (a Python int, not np.int64(4)) go in through object.__setattr__.
        checked = {
            "hidden": check_int(self.hidden, "hidden", low=1, expected="an integer", typed=True),
            "epochs": check_int(self.epochs, "epochs", low=0, expected="an integer", typed=True),
            "activation": check_choice(self.activation, "activation", ACTIVATIONS),
            "loss": check_choice(self.loss, "loss", LOSSES),
            "init": check_choice(self.init, "init", INITS),
            "std": check_real(self.std, "std", low=0.0, allowed="a finite number >= 0", typed=True),
            "lr": check_real(
                self.lr, "lr", low=0.0, low_open=True, allowed="a finite number > 0", typed=True
            ),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def with_(self, **changes: Any) -> Recipe:
        """A copy with some fields changed, e.g. ``recipe.with_(hidden=8)``."""
        return replace(self, **changes)


def _seeds(seeds: object) -> np.ndarray:
    arr = np.asarray(list(seeds) if isinstance(seeds, range) else seeds)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"seeds must be a non-empty 1-D sequence of integers, got {seeds!r:.80}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"seeds must be integers, got {seeds!r:.80} (dtype {arr.dtype})")
    if np.any(arr < 0):
        raise ValueError(f"seeds must be >= 0, got {arr[arr < 0][0]}")
    return arr


def _recipe(recipe: object) -> Recipe:
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a Recipe, got {type(recipe).__name__} {recipe!r:.80}")
    return recipe


def init_params(recipe: Recipe, seeds: object) -> dict[str, np.ndarray]:
    """Initial weights for each seed, drawn from ``np.random.default_rng(seed)``.

    Each seed's draws do not depend on the other seeds: ``init_params(r, [3])`` equals the
    slice ``[2:3]`` of ``init_params(r, [1, 2, 3])``.

    Args:
        recipe: gives ``hidden``, ``init`` and ``std``.
        seeds: ``S`` non-negative integers.

    Returns:
        ``{"W1": (S, H, 2), "b1": (S, H), "W2": (S, 1, H), "b2": (S, 1)}``, float64.
    """
    recipe, seeds = _recipe(recipe), _seeds(seeds)
    H = recipe.hidden
    W1 = np.empty((len(seeds), H, 2))
    W2 = np.empty((len(seeds), 1, H))
    for i, s in enumerate(seeds):
        rng = np.random.default_rng(int(s))
        for W in (W1[i], W2[i]):  # views: the init functions fill them in place
            if recipe.init == "normal":
                init.normal_(W, 0.0, recipe.std, rng=rng)
            elif recipe.init == "xavier":
                init.xavier_normal_(W, rng=rng)
            else:
                init.kaiming_normal_(W, nonlinearity="relu", rng=rng)
    return {"W1": W1, "b1": np.zeros((len(seeds), H)), "W2": W2, "b2": np.zeros((len(seeds), 1))}


_ACTIVATE = {"relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh}
_ACTIVATION_GRAD = {"relu": F.relu_grad, "sigmoid": F.sigmoid_grad, "tanh": F.tanh_grad}


def _activation_grad(z: np.ndarray, a: np.ndarray, activation: str) -> np.ndarray:
    """f'(z) (bpcourse.functional's; ReLU's derivative at 0 is 0, as in torch). ``a = f(z)``
    is not needed: functional computes sigmoid' and tanh' from z, to the same bits."""
    return _ACTIVATION_GRAD[activation](z)


def forward(params: dict[str, np.ndarray], X: np.ndarray, activation: str) -> dict[str, np.ndarray]:
    """The forward pass of every network.

    :func:`forward`, :func:`backward` and :func:`loss_value` are the inner loop of
    :func:`train` and do not check their inputs (``train`` checks them once).

    Args:
        params: ``W1 (S, H, 2)``, ``b1 (S, H)``, ``W2 (S, 1, H)``, ``b2 (S, 1)``.
        X: inputs ``(N, 2)``, shared by all networks.
        activation: the hidden nonlinearity.

    Returns:
        The cache: ``Z1, A1 (S, N, H)`` (hidden pre-activations and activations),
        ``Z2, P (S, N, 1)`` (output logits and probabilities), and ``X``.
    """
    Z1 = X @ params["W1"].transpose(0, 2, 1) + params["b1"][:, None, :]
    A1 = _ACTIVATE[activation](Z1)
    Z2 = A1 @ params["W2"].transpose(0, 2, 1) + params["b2"][:, None, :]
    return {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "P": F.sigmoid(Z2)}


def dead_units(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """How many hidden ReLU units of each network are dead: pre-activation <= 0 on every input.

    A dead unit's ReLU derivative is 0 on every example, so its incoming weights and bias get a
    zero gradient and never change again.

    Args:
        params: ``W1 (S, H, 2)``, ``b1 (S, H)`` (the others are ignored); X: inputs ``(N, 2)``.

    Returns:
        ``(S,)`` int64 counts in ``0 .. H``.
    """
    Z1 = X @ params["W1"].transpose(0, 2, 1) + params["b1"][:, None, :]
    return np.sum(np.all(Z1 <= 0, axis=1), axis=1)


def loss_value(P: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """Each network's loss, the mean over the examples.

    Args:
        P: probabilities ``(S, N, 1)``; y: targets ``(N, 1)``; loss: one of :data:`LOSSES`.

    Returns:
        ``(S,)``: binary cross-entropy (logs clamped at -100, as torch's ``BCELoss``) for
        "bce", mean squared error for "mse" and "mse_bce_delta".
    """
    Y = np.broadcast_to(y, P.shape)  # the same targets for every network
    if loss == "bce":
        per_example = F.binary_cross_entropy(P, Y, reduction="none")
    else:
        per_example = F.mse(P, Y, reduction="none")
    return np.mean(per_example, axis=(1, 2))


def backward(
    params: dict[str, np.ndarray],
    cache: dict[str, np.ndarray],
    y: np.ndarray,
    activation: str,
    loss: str,
) -> dict[str, np.ndarray]:
    """Gradients of each network's loss with respect to its own parameters.

    Args:
        params, cache: as given to and returned by :func:`forward`.
        y: targets ``(N, 1)``.
        activation, loss: as in the :class:`Recipe`.

    Returns:
        ``{"W1": (S, H, 2), "b1": (S, H), "W2": (S, 1, H), "b2": (S, 1)}``, the shapes of the
        parameters (for "mse_bce_delta", the mistaken gradient).
    """
    X, Z1, A1, P = cache["X"], cache["Z1"], cache["A1"], cache["P"]
    N = X.shape[0]
    if loss == "mse":
        # dL/dP = 2 (P - y) / N, times the sigmoid's derivative P (1 - P).
        dZ2 = 2.0 * (P - y) / N * P * (1.0 - P)
    else:
        # BCE: dL/dP = (P - y) / (P (1 - P) N); the sigmoid's P (1 - P) cancels it.
        dZ2 = (P - y) / N
    dW2 = dZ2.transpose(0, 2, 1) @ A1  # (S, 1, N) @ (S, N, H) -> (S, 1, H)
    db2 = dZ2.sum(axis=1)  # (S, 1)
    dA1 = dZ2 @ params["W2"]  # (S, N, 1) @ (S, 1, H) -> (S, N, H)
    dZ1 = dA1 * _activation_grad(Z1, A1, activation)
    dW1 = dZ1.transpose(0, 2, 1) @ X  # (S, H, N) @ (N, 2) -> (S, H, 2)
    db1 = dZ1.sum(axis=1)  # (S, H)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@dataclass
class XorRun:
    """The outcome of :func:`train` for ``S`` seeds.

    Attributes:
        recipe: the recipe trained.
        seeds: ``(S,)``.
        initial, params: weights before and after training, ``{name: (S, ...)}``.
        losses: ``(epochs + 1, S)``: the loss before each step, then after the last one.
        probs: final probabilities ``(S, N)``.
        solved: ``(S,)`` bool: all four predictions ``probs > 0.5`` equal the targets.
        dead: ``(S,)`` int: hidden units whose pre-activation is <= 0 on all four inputs at
            the end (ReLU only: such a unit gets no gradient and never changes again; 0 for
            other activations).
        saturated: ``(S,)`` float: the fraction of hidden activations on the sigmoid's or
            tanh's flat tails at the end (:func:`bpcourse.diagnostics.saturated`; 0 for ReLU).
    """

    recipe: Recipe
    seeds: np.ndarray
    initial: dict[str, np.ndarray]
    params: dict[str, np.ndarray]
    losses: np.ndarray
    probs: np.ndarray
    solved: np.ndarray
    dead: np.ndarray = field(repr=False)
    saturated: np.ndarray = field(repr=False)

    @property
    def success_rate(self) -> float:
        """Fraction of seeds that solved XOR."""
        return float(self.solved.mean())

    @property
    def final_loss(self) -> np.ndarray:
        """``(S,)``, the loss after the last step."""
        return self.losses[-1]


def train(
    recipe: Recipe,
    seeds: object = range(100),
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    params: dict[str, np.ndarray] | None = None,
) -> XorRun:
    """Full-batch gradient descent, ``theta -= lr * grad`` for every seed at once.

    Args:
        recipe: what to train.
        seeds: ``S`` integer seeds (default 0 .. 99).
        X, y: data ``(N, 2)`` and targets ``(N, 1)`` (default: the 4 XOR points).
        params: initial weights ``{name: (S, ...)}`` (default: :func:`init_params`); copied.

    Returns:
        An :class:`XorRun`.

    Raises:
        TypeError / ValueError naming the argument: recipe not a :class:`Recipe`, non-integer
        or negative seeds, X not ``(N, 2)``, y not ``(N, 1)``, params with other keys or
        shapes than the recipe's.
    """
    recipe, seeds = _recipe(recipe), _seeds(seeds)
    if (X is None) != (y is None):
        raise TypeError("give both X and y, or neither (the 4 XOR points)")
    if X is None:
        X, y = xor()
    X = as_float_array(X, "X", dtype=np.float64, ndim=2)
    check_shape(X, "X", (None, 2))
    y = as_float_array(y, "y", dtype=np.float64, ndim=2)
    check_shape(y, "y", (X.shape[0], 1))
    start = init_params(recipe, seeds) if params is None else params
    S, H = len(seeds), recipe.hidden
    shapes = {"W1": (S, H, 2), "b1": (S, H), "W2": (S, 1, H), "b2": (S, 1)}
    if not isinstance(start, dict) or set(start) != set(PARAM_NAMES):
        raise ValueError(f"params must be a dict with the keys {PARAM_NAMES}")
    p = {}
    for k in PARAM_NAMES:
        p[k] = as_float_array(start[k], f"params[{k!r}]", dtype=np.float64).copy()
        check_shape(p[k], f"params[{k!r}]", shapes[k])
    initial = {k: v.copy() for k, v in p.items()}
    act, loss = recipe.activation, recipe.loss
    losses = np.empty((recipe.epochs + 1, len(seeds)))
    for epoch in range(recipe.epochs):
        cache = forward(p, X, act)
        losses[epoch] = loss_value(cache["P"], y, loss)
        grads = backward(p, cache, y, act, loss)
        for k in PARAM_NAMES:
            p[k] -= recipe.lr * grads[k]
    cache = forward(p, X, act)
    losses[-1] = loss_value(cache["P"], y, loss)
    probs = cache["P"][..., 0]
    solved = np.all((probs > 0.5) == (y[:, 0] > 0.5), axis=1)
    if act == "relu":
        dead = dead_units(p, X)
        saturated_fraction = np.zeros(len(seeds))
    else:
        saturated_fraction = np.mean(saturated(act, cache["A1"]), axis=(1, 2))
        dead = np.zeros(len(seeds), dtype=np.int64)
    return XorRun(recipe, seeds, initial, p, losses, probs, solved, dead, saturated_fraction)
