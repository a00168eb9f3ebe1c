"""Notebook 04's exercises: the right answers pass, typical wrong ones are named.

Each wrong answer is written as a learner would write it, and runs through the very check the
notebook's check cell calls (``bpcourse.exercises.run``).
"""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_relu_mse_backward: ReLU hidden layer, sigmoid output, MSE --------------------------------------
def _forward(X, W1, b1, W2, b2):
    z1 = X @ W1.T + b1
    h = np.maximum(z1, 0)
    p = 1 / (1 + np.exp(-(h @ W2.T + b2)))
    return z1, h, p


def backward_right(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_bce_delta(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = (p - y) / len(X)  # as in section 2, where the loss was BCE
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_no_two(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_sum_not_mean(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_y_minus_p(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (y - p) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_kink_one(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 >= 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_no_relu_grad(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = dz2 @ W2
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_transposed_dW1(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return X.T @ dz1, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_bias_summed_to_scalar(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum()


def backward_W2_not_transposed(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2.T) * (z1 > 0)  # (N, 1) @ (H, 1): a shape error
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


def backward_relu_in_place(X, y, W1, b1, W2, b2):
    z1, h, p = _forward(X, W1, b1, W2, b2)
    dz2 = 2 * (p - y) / len(X) * p * (1 - p)
    dz1 = (dz2 @ W2) * (z1 > 0)
    W1 -= 0.5 * (dz1.T @ X)  # "while I am at it": a training step, in place
    return dz1.T @ X, dz1.sum(axis=0), dz2.T @ h, dz2.sum(axis=0)


# --- ex_count_alive ------------------------------------------------------------------------------
def _z1(X, W1, b1):
    return X @ W1.transpose(0, 2, 1) + b1[:, None, :]  # (S, N, H)


def alive_right(X, W1, b1):
    return np.sum(np.any(_z1(X, W1, b1) > 0, axis=1), axis=1)


def alive_ge_zero(X, W1, b1):
    return np.sum(np.any(_z1(X, W1, b1) >= 0, axis=1), axis=1)


def alive_on_all_inputs(X, W1, b1):
    return np.sum(np.all(_z1(X, W1, b1) > 0, axis=1), axis=1)


def alive_axes_swapped(X, W1, b1):
    return np.sum(np.any(_z1(X, W1, b1) > 0, axis=2), axis=1)


def alive_counts_dead(X, W1, b1):
    return np.sum(np.all(_z1(X, W1, b1) <= 0, axis=1), axis=1)


def alive_without_bias(X, W1, b1):
    return np.sum(np.any(X @ W1.transpose(0, 2, 1) > 0, axis=1), axis=1)


def alive_not_transposed(X, W1, b1):
    return np.sum(np.any(X @ W1 + b1[:, None, :] > 0, axis=1), axis=1)


def alive_relu_in_place(X, W1, b1):
    b1 += 0.0 * b1  # harmless ...
    W1[W1 < 0] = 0  # ... "clip the dead weights" in place
    return np.sum(np.any(_z1(X, W1, b1) > 0, axis=1), axis=1)


# --- ex_rescue -------------------------------------------------------------------------------------
def rescue_right(recipe):
    return recipe.with_(init="xavier", lr=5.0)


def rescue_std_one(recipe):
    return recipe.with_(std=1.0, lr=5.0)


def rescue_lr_only(recipe):
    return recipe.with_(lr=5.0)


def rescue_init_only(recipe):
    return recipe.with_(init="xavier")


def rescue_saturated(recipe):
    return recipe.with_(std=5.0, lr=5.0)


def rescue_tanh(recipe):
    return recipe.with_(activation="tanh", init="xavier")


def rescue_bce(recipe):
    return recipe.with_(loss="bce", init="xavier")


def rescue_three_fields(recipe):
    return recipe.with_(init="normal", std=1.0, lr=5.0, hidden=8)


def rescue_more_epochs(recipe):
    return recipe.with_(epochs=10000, lr=5.0)


def rescue_returns_dict(recipe):
    return {"init": "xavier", "lr": 5.0}


CATALOGUE = [
    Case("ex_relu_mse_backward", backward_right, None),
    Case("ex_relu_mse_backward", backward_bce_delta, "p(1 - p) does not cancel"),
    Case("ex_relu_mse_backward", backward_no_two, "factor 2"),
    Case("ex_relu_mse_backward", backward_sum_not_mean, "1/N of the mean is missing"),
    Case("ex_relu_mse_backward", backward_y_minus_p, "sign is flipped"),
    Case("ex_relu_mse_backward", backward_kink_one, "derivative at z1 = 0"),
    Case("ex_relu_mse_backward", backward_no_relu_grad, "relu's derivative is missing"),
    Case("ex_relu_mse_backward", backward_transposed_dW1, "transpose"),
    Case("ex_relu_mse_backward", backward_bias_summed_to_scalar, "shape"),
    Case("ex_relu_mse_backward", backward_W2_not_transposed, "ValueError"),
    Case("ex_relu_mse_backward", backward_relu_in_place, "changed its argument W1"),
    Case("ex_count_alive", alive_right, None),
    Case("ex_count_alive", alive_ge_zero, "use '> 0'"),
    Case("ex_count_alive", alive_on_all_inputs, "not all"),
    Case("ex_count_alive", alive_axes_swapped, "counts the inputs"),
    Case("ex_count_alive", alive_counts_dead, "counts the dead units"),
    Case("ex_count_alive", alive_without_bias, "bias b1 is left out"),
    Case("ex_count_alive", alive_not_transposed, "untransposed"),
    Case("ex_count_alive", alive_relu_in_place, "in place"),
    Case("ex_rescue", rescue_right, None),
    Case("ex_rescue", rescue_std_one, None),
    Case("ex_rescue", rescue_lr_only, "still start as tiny"),
    Case("ex_rescue", rescue_init_only, "learning rate is still 0.1"),
    Case("ex_rescue", rescue_saturated, "saturated"),
    Case("ex_rescue", rescue_tanh, "keeps sigmoid units"),
    Case("ex_rescue", rescue_bce, "activation or the loss changed"),
    Case("ex_rescue", rescue_three_fields, "at most two fields"),
    Case("ex_rescue", rescue_more_epochs, "more epochs"),
    Case("ex_rescue", rescue_returns_dict, "return a Recipe"),
]

test_catalogue = run_catalogue(CATALOGUE)
