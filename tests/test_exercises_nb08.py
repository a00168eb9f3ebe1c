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


# --- learner red-team: more answers, each once accepted or misdiagnosed, or typical -------------
def unbroadcast_loop(grad, shape):  # right: one axis at a time
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad


def unbroadcast_negative_axes(grad, shape):  # right: size-1 axes counted from the right
    lead = tuple(range(grad.ndim - len(shape)))
    ones = tuple(i - len(shape) for i, n in enumerate(shape) if n == 1)
    return grad.sum(axis=lead + ones, keepdims=True).reshape(shape)


def unbroadcast_first_size1_only(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    if 1 in shape:
        grad = grad.sum(axis=shape.index(1), keepdims=True)
    return grad


def unbroadcast_2d_only(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    if len(shape) == 2 and shape[1] == 1:
        return grad.sum(axis=1, keepdims=True)
    if len(shape) == 2 and shape[0] == 1:
        return grad.sum(axis=0, keepdims=True)
    return grad


def unbroadcast_sum_everything(grad, shape):
    return grad.sum()


def unbroadcast_sum_everything_broadcast(grad, shape):
    return np.broadcast_to(grad.sum(), shape).copy()


def unbroadcast_leading_keepdims(grad, shape):
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)), keepdims=True)
    return grad.sum(axis=tuple(extra + i for i, n in enumerate(shape) if n == 1), keepdims=True)


def unbroadcast_size1_before_leading(grad, shape):
    grad = grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


def unbroadcast_float32(grad, shape):
    return correct_unbroadcast(grad, shape).astype(np.float32)


def index_loop(dout, idx, n):  # right: one row at a time
    dx = np.zeros((n, *dout.shape[1:]))
    for k, i in enumerate(idx):
        dx[i] += dout[k]
    return dx


def index_one_hot(dout, idx, n):  # right: the scatter as a product with a one-hot matrix
    return np.eye(n)[idx].T @ dout


def index_rows_from_max(dout, idx, n):
    dx = np.zeros((idx.max() + 1, dout.shape[1]))
    np.add.at(dx, idx, dout)
    return dx


def index_width_three(dout, idx, n):
    dx = np.zeros((n, 3))  # the width of the first example, not dout.shape[1]
    np.add.at(dx, idx, dout)
    return dx


def index_first_wins(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    seen = set()
    for k, i in enumerate(idx):
        if i not in seen:
            dx[i] = dout[k]
            seen.add(i)
    return dx


def index_unique(dout, idx, n):
    dx = np.zeros((n, dout.shape[1]))
    rows, first = np.unique(idx, return_index=True)
    dx[rows] += dout[first]
    return dx


def index_zeros_like_dout(dout, idx, n):
    dx = np.zeros_like(dout)
    np.add.at(dx, idx, dout)
    return dx


def index_list(dout, idx, n):
    return correct_index_backward(dout, idx, n).tolist()


def sum_backward_ndim_test(dout, shape, axis, keepdims):  # right: keepdims read from dout
    g = dout if dout.ndim == len(shape) else np.expand_dims(dout, axis)
    return g * np.ones(shape)


def sum_backward_repeat(dout, shape, axis, keepdims):  # right: np.repeat along the axis
    g = dout if keepdims else np.expand_dims(dout, axis)
    return np.repeat(g, shape[axis], axis=axis)


def sum_backward_2d_only(dout, shape, axis, keepdims):
    d = dout.reshape(-1)
    return np.broadcast_to(d[:, None] if axis in (1, -1) else d[None, :], shape).copy()


def sum_backward_slice_shape(dout, shape, axis, keepdims):
    return np.broadcast_to(dout.reshape(shape[:axis] + (1,) + shape[axis + 1 :]), shape).copy()


def sum_backward_always_expand(dout, shape, axis, keepdims):
    return np.broadcast_to(np.expand_dims(dout, axis), shape).copy()


def sum_backward_sets_dout_shape(dout, shape, axis, keepdims):
    if not keepdims:
        kept = list(shape)
        kept[axis] = 1
        dout.shape = kept  # changes the caller's array
    return np.broadcast_to(dout, shape).copy()


def sum_backward_ones_times_dout(dout, shape, axis, keepdims):
    return np.ones(shape) * dout


def sum_backward_float32(dout, shape, axis, keepdims):
    return correct_sum_backward(dout, shape, axis, keepdims).astype(np.float32)


CATALOGUE += [
    Case("ex_unbroadcast", unbroadcast_loop, None),
    Case("ex_unbroadcast", unbroadcast_negative_axes, None),
    Case("ex_unbroadcast", unbroadcast_first_size1_only, "summed only the first size-1 axis"),
    Case("ex_unbroadcast", unbroadcast_2d_only, "returned the gradient unsummed"),
    Case("ex_unbroadcast", unbroadcast_sum_everything, "summed over every axis"),
    Case("ex_unbroadcast", unbroadcast_sum_everything_broadcast, "summed over every axis"),
    Case("ex_unbroadcast", unbroadcast_leading_keepdims, "kept the leading axes"),
    Case("ex_unbroadcast", unbroadcast_size1_before_leading, "sum the leading axes first"),
    Case("ex_unbroadcast", unbroadcast_float32, "dtype float32"),
    Case("ex_index_backward", index_loop, None),
    Case("ex_index_backward", index_one_hot, None),
    Case("ex_index_backward", index_rows_from_max, "not idx.max() + 1"),
    Case("ex_index_backward", index_width_three, "array is not broadcastable"),
    Case("ex_index_backward", index_first_wins, "kept only one contribution (its first)"),
    Case("ex_index_backward", index_unique, "kept only one contribution"),
    Case("ex_index_backward", index_zeros_like_dout, "dx must have x's shape"),
    Case("ex_index_backward", index_list, "returned list"),
    Case("ex_sum_backward", sum_backward_ndim_test, None),
    Case("ex_sum_backward", sum_backward_repeat, None),
    Case("ex_sum_backward", sum_backward_2d_only, "not only 2"),
    Case("ex_sum_backward", sum_backward_slice_shape, "a negative axis counts from the end"),
    Case("ex_sum_backward", sum_backward_always_expand, "dout already has the summed axis"),
    Case("ex_sum_backward", sum_backward_sets_dout_shape, "changed dout in place"),
    Case("ex_sum_backward", sum_backward_ones_times_dout, "broadcast along the wrong axis"),
    Case("ex_sum_backward", sum_backward_float32, "dtype float32"),
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


# --- learner red-team: more answers for ex_div_jvp and ex_matmul_backward ---------------------
def div_jvp_log_derivative(a, da, b, db):  # right: (a/b) (da/a - db/b)
    return (a / b) * (da / a - db / b)


def div_jvp_factored(a, da, b, db):  # right: (da - (a/b) db) / b
    return (da - a / b * db) / b


def div_jvp_second_term_no_square(a, da, b, db):
    return da / b - a * db / b


def div_jvp_precedence(a, da, b, db):
    return (da * b - a * db) / b * b


def div_jvp_no_parentheses(a, da, b, db):
    return da * b - a * db / b**2


def div_jvp_numerator_only(a, da, b, db):
    return da * b - a * db


def div_jvp_xor(a, da, b, db):
    return (da * b - a * db) / b ^ 2


def div_jvp_value_and_tangent(a, da, b, db):
    return a / b, (da * b - a * db) / b**2


def div_jvp_list(a, da, b, db):
    return list((da * b - a * db) / b**2)


def div_jvp_summed(a, da, b, db):
    return np.sum((da * b - a * db) / b**2)


def matmul_backward_tensordot(A, B, dout):  # right: contract every axis but the last
    axes = list(range(A.ndim - 1))
    return dout @ B.T, np.tensordot(A, dout, axes=(axes, axes))


def matmul_backward_loop(A, B, dout):  # right: the batch summed by a loop
    if A.ndim == 2:
        return dout @ B.T, A.T @ dout
    dB = np.zeros_like(B)
    for a, d in zip(A, dout):
        dB += a.T @ d
    return dout @ B.T, dB


def matmul_backward_einsum_ellipsis(A, B, dout):
    return dout @ B.T, np.einsum("...nk,...nm->km", A, dout)  # numpy keeps '...' in the output


def matmul_backward_np_dot(A, B, dout):
    dB = np.dot(np.swapaxes(A, -1, -2), dout)
    return np.dot(dout, B.T), dB.sum(axis=0) if dB.ndim > 2 else dB


def matmul_backward_sum_without_batch(A, B, dout):
    return dout @ B.T, (np.swapaxes(A, -1, -2) @ dout).sum(axis=0)


def matmul_backward_reshape_A(A, B, dout):
    K, M = B.shape
    return dout @ B.T, A.reshape(K, -1) @ dout.reshape(-1, M)


def matmul_backward_reshape_B(A, B, dout):
    K, M = B.shape
    return dout @ B.reshape(M, K), correct_matmul_backward(A, B, dout)[1]


def matmul_backward_last_batch_only(A, B, dout):
    return dout @ B.T, A[-1].T @ dout[-1] if A.ndim == 3 else A.T @ dout


def matmul_backward_three_values(A, B, dout):
    dA, dB = correct_matmul_backward(A, B, dout)
    return dA, dB, A @ B


def matmul_backward_dA_summed_too(A, B, dout):
    dA = dout @ B.T
    return dA.sum(axis=0) if dA.ndim == 3 else dA, correct_matmul_backward(A, B, dout)[1]


CATALOGUE += [
    Case("ex_div_jvp", div_jvp_log_derivative, None),
    Case("ex_div_jvp", div_jvp_factored, None),
    Case("ex_div_jvp", div_jvp_second_term_no_square, "divided only the second term by b**2"),
    Case("ex_div_jvp", div_jvp_precedence, "operator precedence"),
    Case("ex_div_jvp", div_jvp_no_parentheses, "missing parentheses"),
    Case("ex_div_jvp", div_jvp_numerator_only, "not divided by b**2"),
    Case("ex_div_jvp", div_jvp_xor, "bitwise xor, not a power"),
    Case("ex_div_jvp", div_jvp_value_and_tangent, "return only the tangent"),
    Case("ex_div_jvp", div_jvp_list, "returned list"),
    Case("ex_div_jvp", div_jvp_summed, "returned a single number"),
    Case("ex_matmul_backward", matmul_backward_tensordot, None),
    Case("ex_matmul_backward", matmul_backward_loop, None),
    Case("ex_matmul_backward", matmul_backward_einsum_ellipsis, "flatten the batch into the rows"),
    Case("ex_matmul_backward", matmul_backward_np_dot, "np.dot of 3-d arrays"),
    Case("ex_matmul_backward", matmul_backward_sum_without_batch, "plain matrices have no batch"),
    Case("ex_matmul_backward", matmul_backward_reshape_A, "reshaped a to (k, rows)"),
    Case("ex_matmul_backward", matmul_backward_reshape_B, "reshaped b to (5, 3)"),
    Case("ex_matmul_backward", matmul_backward_last_batch_only, "one batch element's gradient"),
    Case("ex_matmul_backward", matmul_backward_three_values, "got a tuple of 3"),
    Case("ex_matmul_backward", matmul_backward_dA_summed_too, "dA has shape (4, 3)"),
]

test_catalogue = run_catalogue(CATALOGUE)
