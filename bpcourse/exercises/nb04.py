"""Checks of notebook 04's exercises (XOR from scratch).

- ``ex_relu_mse_backward``: a ReLU + sigmoid + MSE network's gradients against torch autograd, on sizes
  that all differ (N = 5 examples, D = 3 inputs, H = 4 hidden units: a transpose cannot hide)
  with one pre-activation exactly 0 (ReLU's kink: torch's derivative there is 0).
- ``ex_count_alive``: live ReLU units per seed, on hand-made units that separate "any input"
  from "all inputs", "> 0" from ">= 0", the bias from no bias, and units from inputs.
- ``ex_rescue``: recipe B (the plateau of section 6.1) changed in at most two fields, trained
  over 100 seeds; a failure says which trap it fell into.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, check_unchanged, expect, register

# --- exercise 1: the backward pass of ReLU + sigmoid + MSE ---------------------------------------
# Sizes N = 5, D = 3, H = 4; z1[0, 0] = 1*0.5 + 2*(-0.25) + 0.5*1 - 0.5 = 0 exactly (dyadic numbers).
_X = np.array(
    [[1.0, 2.0, 0.5], [0.3, -1.2, 0.8], [-0.7, 0.4, 1.5], [1.1, 0.9, -0.6], [-0.2, -0.8, 0.1]]
)
_Y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
_W1 = np.array([[0.5, -0.25, 1.0], [0.8, -0.6, 0.3], [-0.4, 0.9, 0.7], [0.6, 0.2, -0.9]])
_B1 = np.array([-0.5, 0.1, -0.2, 0.3])
_W2 = np.array([[1.3, -0.7, 0.9, -1.1]])
_B2 = np.array([0.2])


def _backward_variant(kind: str) -> tuple[np.ndarray, ...]:
    """The four gradients as a mistake computes them (kind "right": the maths, for reference)."""
    N = len(_X)
    z1 = _X @ _W1.T + _B1
    h = np.maximum(z1, 0)
    p = 1 / (1 + np.exp(-(h @ _W2.T + _B2)))
    factor = {"no 2": 1.0, "no 1/N": 2.0 * N}.get(kind, 2.0)
    dp = factor * (p - _Y) / N
    dz2 = (p - _Y) / N if kind == "bce delta" else dp * p * (1 - p)
    if kind == "sign":
        dz2 = -dz2
    dW2, db2 = dz2.T @ h, dz2.sum(axis=0)
    relu_grad = {"kink 1": z1 >= 0, "no relu": np.ones_like(z1)}.get(kind, z1 > 0)
    dz1 = (dz2 @ _W2) * relu_grad
    return dz1.T @ _X, dz1.sum(axis=0), dW2, db2


@register(
    "ex_relu_mse_backward",
    hints=(
        "A nudge: go through the chain one factor at a time, from dL/dp down to dW1. Which factor "
        "does MSE keep that BCE cancelled, and what is ReLU's derivative where z1 is exactly 0?",
        "dL/dp = 2 (p - y) / N; dz2 = dL/dp * p (1 - p) (the sigmoid's derivative stays); "
        "dW2 = dz2.T @ h; dz1 = (dz2 @ W2) * (z1 > 0); dW1 = dz1.T @ X; biases: sums over axis 0.",
        "z1 = X @ W1.T + b1; h = np.maximum(z1, 0); p = 1 / (1 + np.exp(-(h @ W2.T + b2))); "
        "dz2 = 2 * (p - y) / len(X) * p * (1 - p); dz1 = (dz2 @ W2) * (z1 > 0); return "
        "dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)",
    ),
)
def check_ex_relu_mse_backward(ex_relu_mse_backward):
    import torch

    from ..check import torch_grad

    before = {"X": _X, "y": _Y, "W1": _W1, "b1": _B1, "W2": _W2, "b2": _B2}
    inputs = {name: a.copy() for name, a in before.items()}
    result = ex_relu_mse_backward(*inputs.values())
    check_unchanged(
        "ex_relu_mse_backward",
        before,
        inputs,
        "{fn} changed its argument {name} in place; a backward pass only reads its inputs",
    )
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        raise Mistake(
            f"return the tuple (dW1, db1, dW2, db2); got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    Xt, yt = torch.from_numpy(_X), torch.from_numpy(_Y)

    def loss(W1, b1, W2, b2):
        p = torch.sigmoid(torch.relu(Xt @ W1.T + b1) @ W2.T + b2)
        return ((p - yt) ** 2).mean()

    want = dict(zip(("dW1", "db1", "dW2", "db2"), torch_grad(loss, _W1, _B1, _W2, _B2)))
    got = dict(zip(("dW1", "db1", "dW2", "db2"), result))
    variants = {
        k: dict(zip(("dW1", "db1", "dW2", "db2"), _backward_variant(k)))
        for k in ("bce delta", "no 2", "no 1/N", "sign", "kink 1", "no relu")
    }
    output_layer = {
        "the BCE shortcut dz2 = (p - y)/N: with MSE the sigmoid's derivative p(1 - p) does not "
        "cancel (the bug of section 6.2)": "bce delta",
        "the factor 2 of d/dp (p - y)^2 is missing": "no 2",
        "the 1/N of the mean is missing (a sum, not a mean)": "no 1/N",
        "the sign is flipped: dL/dp = 2 (p - y)/N, not 2 (y - p)/N": "sign",
    }
    hidden_layer = {
        "ReLU's derivative at z1 = 0 is taken as 1 (z1 >= 0); torch's, and the exercise's, is 0 "
        "(z1 > 0)": "kink 1",
        "ReLU's derivative is missing: dz1 = (dz2 @ W2) * (z1 > 0)": "no relu",
    }
    # The output layer first: its mistakes also spoil dW1, but they show on dW2 by name.
    for name in ("dW2", "db2", "dW1", "db1"):
        table = output_layer if name in ("dW2", "db2") else {**output_layer, **hidden_layer}
        expect(
            got[name],
            want[name],
            f"{name} (N=5 examples, 3 inputs, 4 hidden units)",
            mistakes={
                d: variants[k][name]
                for d, k in table.items()
                if not np.allclose(variants[k][name], want[name])
            },
        )
    return "all four gradients match torch autograd, a ReLU input exactly at its kink included"


# --- exercise 2: live ReLU units per seed ------------------------------------------------------
_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
# S = 5 seeds x H = 2 units, each unit built to separate one mistake from the right count:
# z1 = W1 x + b1 on the four XOR inputs.
_ALIVE_W1 = np.array(
    [
        [[1.0, 1.0], [-1.0, -1.0]],  # alive only on (1,1) (b -1.5) | dead: negative weights, b 0
        [
            [1.0, 1.0],
            [0.0, 0.0],
        ],  # z1 = 0 at (1,1), < 0 elsewhere (b -2): dead | z1 = 0 everywhere: dead
        [
            [-1.0, -1.0],
            [2.0, -1.0],
        ],  # alive by its bias only (b 0.5) | alive on two inputs (b -0.5)
        [[-0.5, 0.3], [0.4, 0.2]],  # alive on one input | alive on all four (b 0.1)
        [[-1.0, -1.0], [1.0, 1.0]],  # dead | alive: W1 read untransposed gives two live units
    ]
)
_ALIVE_B1 = np.array([[-1.5, 0.0], [-2.0, 0.0], [0.5, -0.5], [0.0, 0.1], [0.0, 0.0]])
_ALIVE_H3_W1 = np.array(
    [[[1.0, -1.0], [-1.0, 1.0], [-0.5, -0.5]], [[0.2, 0.3], [-1.0, 0.0], [0.0, 0.0]]]
)
_ALIVE_H3_B1 = np.array([[0.0, 0.0, 0.2], [0.0, -0.1, 0.0]])


def _alive_variant(W1: np.ndarray, b1: np.ndarray, kind: str) -> np.ndarray:
    z1 = np.einsum("nd,shd->snh", _XOR, W1) + (0 if kind == "no bias" else b1[:, None, :])
    positive = z1 >= 0 if kind == ">=" else z1 > 0  # (S, N, H)
    if kind == "all":
        return positive.all(axis=1).sum(axis=1)
    if kind == "inputs":
        return positive.any(axis=2).sum(axis=1)
    if kind == "not transposed":
        z1 = np.einsum("nd,sdh->snh", _XOR, W1) + b1[:, None, :]
        return (z1 > 0).any(axis=1).sum(axis=1)
    alive = positive.any(axis=1).sum(axis=1)
    return W1.shape[1] - alive if kind == "dead" else alive


@register(
    "ex_count_alive",
    hints=(
        "A nudge: build z1 for every seed, input and unit, shape (S, N, H). Then, for one unit, "
        "what must hold over its N values for it to be alive?",
        "z1 = X @ W1.transpose(0, 2, 1) + b1[:, None, :] has shape (S, N, H); a unit is alive if "
        "ANY of its N values is > 0 (strictly: 0 gives ReLU's derivative 0); count over the units.",
        "z1 = X @ W1.transpose(0, 2, 1) + b1[:, None, :]; return np.sum(np.any(z1 > 0, axis=1), axis=1)",
    ),
)
def check_ex_count_alive(ex_count_alive):
    for W1, b1 in ((_ALIVE_W1, _ALIVE_B1), (_ALIVE_H3_W1, _ALIVE_H3_B1)):
        S, H = b1.shape
        W1_in, b1_in = W1.copy(), b1.copy()
        got = ex_count_alive(_XOR.copy(), W1_in, b1_in)
        check_unchanged(
            "ex_count_alive",
            {"W1": W1, "b1": b1},
            {"W1": W1_in, "b1": b1_in},
            "{fn} changed {name} in place; counting only reads it",
        )
        want = np.array(
            [
                sum(any(_XOR[n] @ W1[s, j] + b1[s, j] > 0 for n in range(4)) for j in range(H))
                for s in range(S)
            ],
            dtype=np.float64,
        )
        got = np.asarray(got)
        got = got.astype(np.float64) if got.dtype.kind in "biuf" else got
        mistakes = {
            "'>= 0' counts a unit whose z1 is exactly 0 as alive; ReLU's derivative there is 0: "
            "use '> 0'": ">=",
            "a unit is alive if ANY of the inputs gives z1 > 0 (np.any over the inputs), not all": "all",
            "this counts the inputs that reach some live unit: take np.any over the inputs "
            "(axis 1 of (S, N, H)), then count the units": "inputs",
            "this counts the dead units, not the live ones": "dead",
            "the bias b1 is left out of z1": "no bias",
            "W1 is used untransposed: z1 = X @ W1.transpose(0, 2, 1) + b1[:, None, :], W1 is "
            "(S, H, 2)": "not transposed",
        }
        expect(
            got,
            want,
            f"live units per seed (S={S} seeds, H={H} units)",
            mistakes={
                d: _alive_variant(W1, b1, k).astype(np.float64)
                for d, k in mistakes.items()
                if (k != "not transposed" or H == 2)
                and not np.array_equal(_alive_variant(W1, b1, k), want)
            },
        )
    return (
        "hand-made units: alive on one input only, exactly at 0, by the bias alone, "
        "W1 read untransposed; the count matches on each"
    )


# --- exercise 3: rescue recipe B ----------------------------------------------------------------
FIELDS = ("hidden", "activation", "loss", "init", "std", "lr", "epochs")


@register(
    "ex_rescue",
    hints=(
        "A nudge: section 6.1 names two things that are small in recipe B. Which fields set them?",
        "The weights start tiny (std 0.01: the plateau) and the steps are small (lr 0.1). Start the "
        "weights at a sensible scale (Xavier, or std about 1, not 5: section 6.3's saturation) AND "
        "take much larger steps.",
        "return recipe.with_(init='xavier', lr=5.0)",
    ),
)
def check_ex_rescue(ex_rescue):
    from .. import xor as bx

    base = bx.Recipe(hidden=4, activation="sigmoid", loss="mse", init="normal", std=0.01, lr=0.1)
    recipe = ex_rescue(base)
    if not isinstance(recipe, bx.Recipe):
        raise Mistake(f"return a Recipe (recipe.with_(...)), got {type(recipe).__name__}")
    changed = [f for f in FIELDS if getattr(recipe, f) != getattr(base, f)]
    if recipe.activation != "sigmoid" or recipe.loss != "mse":
        raise Mistake(
            "the activation or the loss changed: the exercise keeps sigmoid units and "
            "MSE, and rescues them by the initialisation and the learning rate"
        )
    if recipe.epochs != base.epochs:
        raise Mistake("more epochs is not a rescue: the plateau of section 6.1 lasts; keep 1000")
    if len(changed) > 2:
        raise Mistake(f"at most two fields may change; you changed {len(changed)}: {changed}")
    solved = int(bx.train(recipe, seeds=range(100)).solved.sum())
    if solved >= 95:
        return f"changed {changed}: {solved}/100 seeds solve XOR (at least 95 needed)"
    std = {"normal": recipe.std}.get(recipe.init)
    if std is not None and std <= base.std:
        why = "the weights still start as tiny as B's (the plateau of section 6.1)"
    elif recipe.lr <= base.lr:
        why = "the learning rate is still 0.1: too small steps to leave the plateau in 1000 epochs"
    elif std is not None and std >= 3:
        why = f"std {std} is so large that the sigmoids start saturated (section 6.3)"
    else:
        why = "the steps or the initial scale are not yet large enough"
    raise Mistake(f"changed {changed}: only {solved}/100 seeds solve XOR; {why}")
