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

test_catalogue = run_catalogue(CATALOGUE)
