"""Catalogue of notebook 03's exercises: the right answer and typical wrong ones, as a learner writes them.

Each wrong answer must be rejected by the check the notebook calls, with a message naming its
mistake (the phrase); shape errors in the learner's own code come out as a short message.
"""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue

from bpcourse import functional as bf

# --- ex_tanh_grads(x, y, W1, b1, W2, b2): one example, tanh hidden layer, sigmoid output


def tanh_right(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2.T @ d2) * (1 - h**2)
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_right_with_package(x, y, W1, b1, W2, b2):
    z1 = W1 @ x + b1
    h = np.tanh(z1)
    z2 = W2 @ h + b2
    d2 = (bf.sigmoid(z2) - y) * bf.sigmoid_grad(z2)
    d1 = (W2.T @ d2) * bf.tanh_grad(z1)
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_sigmoid_derivative(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2.T @ d2) * h * (1 - h)  # copied from the sigmoid network
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_derivative_of_z(x, y, W1, b1, W2, b2):
    z1 = W1 @ x + b1
    h = np.tanh(z1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2.T @ d2) * (1 - z1**2)
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_twice(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2.T @ d2) * bf.tanh_grad(h)  # tanh_grad wants z, gets h
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_outer_transposed(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2.T @ d2) * (1 - h**2)
    return {"W1": np.outer(x, d1), "b1": d1, "W2": np.outer(h, d2), "b2": d2}


def tanh_no_transpose_in_bp2(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    d1 = (W2 @ d2) * (1 - h**2)  # (2, 4) @ (2,): shape error
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_bce_shortcut(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = out - y
    d1 = (W2.T @ d2) * (1 - h**2)
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_sign(x, y, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    out = bf.sigmoid(W2 @ h + b2)
    d2 = (y - out) * out * (1 - out)
    d1 = (W2.T @ d2) * (1 - h**2)
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


def tanh_returns_tuple(x, y, W1, b1, W2, b2):
    return tuple(tanh_right(x, y, W1, b1, W2, b2).values())


# --- ex_linear_backward(dZ, X, W) -> (dX, dW, db)


def lb_right(dZ, X, W):
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)


def lb_dX_with_W_T(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)  # (5, 4) @ (3, 4): shape error


def lb_dW_transposed(dZ, X, W):
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)


def lb_db_wrong_axis(dZ, X, W):
    return dZ @ W, dZ.T @ X, dZ.sum(axis=1)


def lb_db_mean(dZ, X, W):
    return dZ @ W, dZ.T @ X, dZ.mean(axis=0)


def lb_db_keepdims(dZ, X, W):
    return dZ @ W, dZ.T @ X, np.sum(dZ, axis=0, keepdims=True)


def lb_dW_over_N(dZ, X, W):
    N = X.shape[0]
    return dZ @ W, dZ.T @ X / N, dZ.sum(axis=0)


def lb_db_sum_all(dZ, X, W):
    return dZ @ W, dZ.T @ X, dZ.sum()


def lb_swapped(dZ, X, W):
    return dZ.T @ X, dZ @ W, dZ.sum(axis=0)


# --- ex_ce_grad(Z, k) -> dL/dZ of the mean cross-entropy


def ce_right(Z, k):
    P = bf.softmax(Z)
    P[np.arange(len(Z)), k] -= 1
    return P / len(Z)


def ce_right_onehot(Z, k):
    return (bf.softmax(Z) - np.eye(Z.shape[1])[k]) / Z.shape[0]


def ce_right_package(Z, k):
    return bf.cross_entropy_grad(Z, k)


def ce_no_mean(Z, k):
    P = bf.softmax(Z)
    P[np.arange(len(Z)), k] -= 1
    return P


def ce_no_onehot(Z, k):
    return bf.softmax(Z) / len(Z)


def ce_column_indexing(Z, k):
    P = bf.softmax(Z)
    P[:, k] -= 1
    return P / len(Z)


def ce_naive_softmax(Z, k):
    E = np.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    P[np.arange(len(Z)), k] -= 1
    return P / len(Z)


def ce_softmax_without_keepdims(Z, k):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1)  # (5, 3) / (5,): shape error
    P[np.arange(len(Z)), k] -= 1
    return P / len(Z)


def ce_over_classes(Z, k):
    N, C = Z.shape
    return (bf.softmax(Z) - np.eye(C)[k]) / C


def ce_sign(Z, k):
    return (np.eye(Z.shape[1])[k] - bf.softmax(Z)) / len(Z)


def ce_shifts_input(Z, k):
    Z -= Z.max(axis=1, keepdims=True)  # stable, but edits the caller's array
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    P[np.arange(len(Z)), k] -= 1
    return P / len(Z)


# --- ex_bce_grads(X, Y, W1, b1, W2, b2): mean BCE, sigmoid hidden and output


def bce_right(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * H * (1 - H)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_right_with_logits(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    d2 = bf.binary_cross_entropy_with_logits_grad(H @ W2.T + b2, Y)  # (A2 - Y) / Y.size
    d1 = (d2 @ W2) * bf.sigmoid_grad(X @ W1.T + b1)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_no_mean(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = out - Y
    d1 = (d2 @ W2) * H * (1 - H)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_mse_delta(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) * out * (1 - out) / len(X)
    d1 = (d2 @ W2) * H * (1 - H)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_sigmoid_grad_of_z_form(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    H = bf.sigmoid(Z1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * Z1 * (1 - Z1)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_sigmoid_grad_of_activation(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * bf.sigmoid_grad(H)
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


def bce_transposed(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * H * (1 - H)
    return {"W1": X.T @ d1, "b1": d1.sum(axis=0), "W2": H.T @ d2, "b2": d2.sum(axis=0)}


def bce_keepdims(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * H * (1 - H)
    return {
        "W1": d1.T @ X,
        "b1": d1.sum(axis=0, keepdims=True),
        "W2": d2.T @ H,
        "b2": d2.sum(axis=0, keepdims=True),
    }


def bce_bias_mean(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2) * H * (1 - H)
    return {"W1": d1.T @ X, "b1": d1.mean(axis=0), "W2": d2.T @ H, "b2": d2.mean(axis=0)}


def bce_bp2_transposed(X, Y, W1, b1, W2, b2):
    H = bf.sigmoid(X @ W1.T + b1)
    out = bf.sigmoid(H @ W2.T + b2)
    d2 = (out - Y) / len(X)
    d1 = (d2 @ W2.T) * H * (1 - H)  # (5, 1) @ (4, 1): shape error
    return {"W1": d1.T @ X, "b1": d1.sum(axis=0), "W2": d2.T @ H, "b2": d2.sum(axis=0)}


CATALOGUE = [
    Case("ex_tanh_grads", tanh_right, None),
    Case("ex_tanh_grads", tanh_right_with_package, None),
    Case("ex_tanh_grads", tanh_sigmoid_derivative, "sigmoid's derivative h (1 - h)"),
    Case("ex_tanh_grads", tanh_derivative_of_z, "written with z1"),
    Case("ex_tanh_grads", tanh_twice, "tanh is applied twice"),
    Case("ex_tanh_grads", tanh_outer_transposed, "weight gradient is transposed"),
    Case("ex_tanh_grads", tanh_no_transpose_in_bp2, "d1 = (W2 @ d2) * (1 - h**2)"),
    Case("ex_tanh_grads", tanh_bce_shortcut, "sigmoid's derivative a2 (1 - a2) is missing"),
    Case("ex_tanh_grads", tanh_sign, "sign is flipped"),
    Case("ex_tanh_grads", tanh_returns_tuple, "must return a dict"),
    Case("ex_linear_backward", lb_right, None),
    Case("ex_linear_backward", lb_dX_with_W_T, "return dZ @ W.T, dZ.T @ X"),
    Case("ex_linear_backward", lb_dW_transposed, "dW is transposed"),
    Case("ex_linear_backward", lb_db_wrong_axis, "sums over axis 1"),
    Case("ex_linear_backward", lb_db_mean, "db is a mean over the batch"),
    Case("ex_linear_backward", lb_db_keepdims, "keepdims=True kept the summed axis"),
    Case("ex_linear_backward", lb_dW_over_N, "dW is divided by N"),
    Case("ex_linear_backward", lb_swapped, "swapped"),
    Case("ex_linear_backward", lb_db_sum_all, "dZ.sum() adds over every axis"),
    Case("ex_ce_grad", ce_right, None),
    Case("ex_ce_grad", ce_right_onehot, None),
    Case("ex_ce_grad", ce_right_package, None),
    Case("ex_ce_grad", ce_no_mean, "1/N is missing"),
    Case("ex_ce_grad", ce_no_onehot, "one-hot of the targets is not subtracted"),
    Case("ex_ce_grad", ce_column_indexing, "P[np.arange(N), k]"),
    Case("ex_ce_grad", ce_naive_softmax, "exp(1000) overflows"),
    Case("ex_ce_grad", ce_softmax_without_keepdims, "P = E / E.sum(axis=1)"),
    Case("ex_ce_grad", ce_sign, "sign is flipped"),
    Case("ex_ce_grad", ce_over_classes, "divided by C = 3, the number of classes"),
    Case("ex_ce_grad", ce_shifts_input, "changed its argument Z in place"),
    Case("ex_bce_grads", bce_right, None),
    Case("ex_bce_grads", bce_right_with_logits, None),
    Case("ex_bce_grads", bce_no_mean, "1/N is missing"),
    Case("ex_bce_grads", bce_mse_delta, "output error keeps a2 (1 - a2)"),
    Case("ex_bce_grads", bce_sigmoid_grad_of_z_form, "computed as Z1 (1 - Z1)"),
    Case("ex_bce_grads", bce_sigmoid_grad_of_activation, "from the activation it is A1 (1 - A1)"),
    Case("ex_bce_grads", bce_transposed, "weight gradient is transposed"),
    Case("ex_bce_grads", bce_keepdims, "keepdims=True kept the summed axis"),
    Case("ex_bce_grads", bce_bias_mean, "1/N is applied twice"),
    Case("ex_bce_grads", bce_bp2_transposed, "d1 = (d2 @ W2.T)"),
]

test_catalogue = run_catalogue(CATALOGUE)
