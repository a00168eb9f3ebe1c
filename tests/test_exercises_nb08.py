"""Catalogue of notebook 08's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_unbroadcast ----------------------------------------------------------------------------
def correct_unbroadcast(grad, shape):
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def unbroadcast_returns_grad(grad, shape):
    return grad


def unbroadcast_left_aligned(grad, shape):
    return grad.sum(axis=tuple(range(len(shape), grad.ndim)))


def unbroadcast_mean(grad, shape):
    extra = grad.ndim - len(shape)
    grad = grad.mean(axis=tuple(range(extra)))
    return grad.mean(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def unbroadcast_no_keepdims(grad, shape):
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1))


def unbroadcast_one_copy(grad, shape):
    while grad.ndim > len(shape):
        grad = grad[0]
    return grad


def unbroadcast_in_place(grad, shape):
    grad -= 0.0 * grad.mean()
    grad *= 1.0
    grad[...] = grad + 0.0
    grad += 1e-3  # "normalises" the input in place
    return correct_unbroadcast(grad - 1e-3, shape)


# --- ex_index_backward ------------------------------------------------------------------------
def correct_index_backward(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    np.add.at(dx, idx, dout)
    return dx


def index_assigns(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    dx[idx] = dout
    return dx


def index_buffered_add(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    dx[idx] += dout
    return dx


def index_returns_dout(dout, idx, n):
    return dout.copy()


def index_counts(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    np.add.at(dx, idx, 1)
    return dx


def index_averages(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    np.add.at(dx, idx, dout)
    return dx / np.maximum(np.bincount(idx, minlength=n), 1)[:, None]


def index_wrong_size(dout, idx, n):
    dx = np.zeros((idx.max(), dout.shape[1]))  # off by one: idx.max() + 1 rows needed
    np.add.at(dx, idx, dout)  # IndexError for the largest index
    return dx


# --- ex_sum_backward --------------------------------------------------------------------------
def correct_sum_backward(dout, shape, axis, keepdims):
    g = dout if keepdims else np.expand_dims(dout, axis)
    return np.broadcast_to(g, shape).copy()


def sum_backward_no_expand(dout, shape, axis, keepdims):
    return np.broadcast_to(dout.reshape(-1), shape).copy()


def sum_backward_mean_rule(dout, shape, axis, keepdims):
    g = dout if keepdims else np.expand_dims(dout, axis)
    return np.broadcast_to(g, shape) / shape[axis]


def sum_backward_one_element(dout, shape, axis, keepdims):
    dx = np.zeros(shape)
    np.moveaxis(dx, axis, 0)[0] = dout.reshape(-1)
    return dx


def sum_backward_ones(dout, shape, axis, keepdims):
    return np.ones(shape)


def sum_backward_returns_dout(dout, shape, axis, keepdims):
    return dout


CATALOGUE = [
    Case("ex_unbroadcast", correct_unbroadcast, None),
    Case("ex_unbroadcast", unbroadcast_returns_grad, "returned the gradient unsummed"),
    Case("ex_unbroadcast", unbroadcast_left_aligned, "aligns shapes on the right"),
    Case("ex_unbroadcast", unbroadcast_mean, "averaged the copies (mean)"),
    Case("ex_unbroadcast", unbroadcast_no_keepdims, "without keepdims=true"),
    Case("ex_unbroadcast", unbroadcast_one_copy, "took one copy"),
    Case("ex_unbroadcast", unbroadcast_in_place, "changed its input grad in place"),
    Case("ex_index_backward", correct_index_backward, None),
    Case("ex_index_backward", index_assigns, "kept only one contribution"),
    Case("ex_index_backward", index_buffered_add, "np.add.at(dx, idx, dout)"),
    Case("ex_index_backward", index_returns_dout, "dx must have x's shape"),
    Case("ex_index_backward", index_counts, "ignored dout"),
    Case("ex_index_backward", index_averages, "averaged the repeated gradients"),
    Case("ex_index_backward", index_wrong_size, "IndexError"),
    Case("ex_sum_backward", correct_sum_backward, None),
    Case("ex_sum_backward", sum_backward_no_expand, "broadcast along the wrong axis"),
    Case("ex_sum_backward", sum_backward_mean_rule, "mean's rule"),
    Case("ex_sum_backward", sum_backward_one_element, "one element of each sum"),
    Case("ex_sum_backward", sum_backward_ones, "ignored dout"),
    Case("ex_sum_backward", sum_backward_returns_dout, "dx has the shape of x"),
]


# --- ex_div_jvp -------------------------------------------------------------------------------
def correct_div_jvp(a, da, b, db):
    return (da * b - a * db) / b**2


def div_jvp_split(a, da, b, db):
    return da / b - a * db / b**2  # the same rule, written as two terms


def div_jvp_swapped_numerator(a, da, b, db):
    return (a * db - da * b) / b**2


def div_jvp_no_square(a, da, b, db):
    return (da * b - a * db) / b


def div_jvp_product_rule_sign(a, da, b, db):
    return (da * b + a * db) / b**2


def div_jvp_b_constant(a, da, b, db):
    return da / b


def div_jvp_ratio_of_tangents(a, da, b, db):
    return da / db


def div_jvp_value(a, da, b, db):
    return a / b


def div_jvp_in_place(a, da, b, db):
    b **= 2  # reuses b for b**2
    return (da * np.sqrt(b) * np.sign(b) - a * db) / b


# --- ex_matmul_backward -------------------------------------------------------------------------
def correct_matmul_backward(A, B, dout):
    dA = dout @ B.T
    dB = A.reshape(-1, A.shape[-1]).T @ dout.reshape(-1, dout.shape[-1])
    return dA, dB


def matmul_backward_swapaxes(A, B, dout):
    dA = dout @ np.swapaxes(B, -1, -2)
    dB = np.swapaxes(A, -1, -2) @ dout
    if dB.ndim == 3:
        dB = dB.sum(axis=0)  # B is shared by the batch
    return dA, dB


def matmul_backward_wrong_order(A, B, dout):
    dA, dB = correct_matmul_backward(A, B, dout)
    return dB, dA


def matmul_backward_dB_transposed(A, B, dout):
    return dout @ B.T, dout.reshape(-1, dout.shape[-1]).T @ A.reshape(-1, A.shape[-1])


def matmul_backward_dA_transposed(A, B, dout):
    return B @ np.swapaxes(dout, -1, -2), correct_matmul_backward(A, B, dout)[1]


def matmul_backward_no_batch_sum(A, B, dout):
    return dout @ B.T, np.swapaxes(A, -1, -2) @ dout


def matmul_backward_batch_mean(A, B, dout):
    dB = np.swapaxes(A, -1, -2) @ dout
    return dout @ B.T, dB.mean(axis=0) if dB.ndim == 3 else dB


def matmul_backward_dot_T_on_batch(A, B, dout):
    return dout @ B.T, A.T @ dout  # .T of a 3-D A reverses all axes


def matmul_backward_no_transpose(A, B, dout):
    return dout @ B, A @ dout  # shapes do not line up


def matmul_backward_ignores_dout(A, B, dout):
    ones = np.ones_like(dout)
    return ones @ B.T, A.reshape(-1, A.shape[-1]).T @ ones.reshape(-1, ones.shape[-1])


def matmul_backward_first_batch_only(A, B, dout):
    dB = A.T @ dout if A.ndim == 2 else A[0].T @ dout[0]
    return dout @ B.T, dB


CATALOGUE += [
    Case("ex_div_jvp", correct_div_jvp, None),
    Case("ex_div_jvp", div_jvp_split, None),
    Case("ex_div_jvp", div_jvp_swapped_numerator, "subtracted the wrong way round"),
    Case("ex_div_jvp", div_jvp_no_square, "divided by b instead of b**2"),
    Case("ex_div_jvp", div_jvp_product_rule_sign, "used + where the quotient rule has -"),
    Case("ex_div_jvp", div_jvp_b_constant, "ignored db"),
    Case("ex_div_jvp", div_jvp_ratio_of_tangents, "divided the tangents"),
    Case("ex_div_jvp", div_jvp_value, "not its tangent"),
    Case("ex_div_jvp", div_jvp_in_place, "changed one of its inputs in place"),
    Case("ex_matmul_backward", correct_matmul_backward, None),
    Case("ex_matmul_backward", matmul_backward_swapaxes, None),
    Case("ex_matmul_backward", matmul_backward_wrong_order, "(dB, dA) in the wrong order"),
    Case("ex_matmul_backward", matmul_backward_dB_transposed, "dB is transposed"),
    Case("ex_matmul_backward", matmul_backward_dA_transposed, "dA is transposed"),
    Case("ex_matmul_backward", matmul_backward_no_batch_sum, "not summed over the batch"),
    Case("ex_matmul_backward", matmul_backward_batch_mean, "averaged over the batch"),
    Case("ex_matmul_backward", matmul_backward_dot_T_on_batch, "reverses all three axes"),
    Case("ex_matmul_backward", matmul_backward_no_transpose, "shape error"),
    Case("ex_matmul_backward", matmul_backward_ignores_dout, "ignored dout"),
    Case("ex_matmul_backward", matmul_backward_first_batch_only, "one batch element's gradient"),
]

test_catalogue = run_catalogue(CATALOGUE)
