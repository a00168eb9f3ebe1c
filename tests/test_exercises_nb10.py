"""Catalogue of notebook 10's exercises: the right answers and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_conv1d_input_grad -----------------------------------------------------------------------
def conv1d_full_convolution(g, w):
    return np.convolve(g, w)


def conv1d_loop(g, w):
    dx = np.zeros(len(g) + len(w) - 1)
    for i in range(len(g)):
        for k in range(len(w)):
            dx[i + k] += g[i] * w[k]
    return dx


def conv1d_correlate_flipped(g, w):  # the same as a full convolution, written as a correlation
    gp = np.pad(g, len(w) - 1)
    return np.correlate(gp, w[::-1], mode="valid")


def conv1d_not_flipped(g, w):
    gp = np.pad(g, len(w) - 1)
    return np.correlate(gp, w, mode="valid")


def conv1d_assigns(g, w):
    dx = np.zeros(len(g) + len(w) - 1)
    for i in range(len(g)):
        for k in range(len(w)):
            dx[i + k] = g[i] * w[k]
    return dx


def conv1d_same_mode(g, w):
    return np.convolve(g, w, mode="same")


def conv1d_returns_dw(g, w):
    n = len(g) + len(w) - 1
    x = np.arange(n, dtype=float)
    return np.array([np.dot(g, x[k : k + len(g)]) for k in range(len(w))])


def conv1d_ignores_g(g, w):
    return np.convolve(np.ones_like(g), w)


def conv1d_in_place(g, w):
    g *= 1.0
    g += 0.0
    w[...] = w[::-1].copy()
    return np.convolve(g, w[::-1])


# --- ex_col2im ----------------------------------------------------------------------------------
def _sizes(dcols, x_shape, k, s):
    N, C, H, W = x_shape
    return N, C, H, W, (H - k) // s + 1, (W - k) // s + 1


def col2im_slices(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for p in range(k):
        for q in range(k):
            dx[:, :, p : p + s * OH : s, q : q + s * OW : s] += d[:, :, p, q]
    return dx


def col2im_add_at(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    n, c, p, q, i, j = np.indices((N, C, k, k, OH, OW), sparse=True)
    dx = np.zeros(x_shape)
    np.add.at(dx, (n, c, i * s + p, j * s + q), dcols.reshape(N, C, k, k, OH, OW))
    return dx


def col2im_buffered(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    n, c, p, q, i, j = np.indices((N, C, k, k, OH, OW), sparse=True)
    dx = np.zeros(x_shape)
    dx[n, c, i * s + p, j * s + q] += dcols.reshape(N, C, k, k, OH, OW)
    return dx


def col2im_assigns_slices(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for p in range(k):
        for q in range(k):
            dx[:, :, p : p + s * OH : s, q : q + s * OW : s] = d[:, :, p, q]
    return dx


def col2im_no_stride(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for p in range(k):
        for q in range(k):
            dx[:, :, p : p + OH, q : q + OW] += d[:, :, p, q]
    return dx


def col2im_swaps_pq(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for p in range(k):
        for q in range(k):
            dx[:, :, q : q + s * OH : s, p : p + s * OW : s] += d[:, :, p, q]
    return dx


def col2im_averages(dcols, x_shape, k, s):
    ones = col2im_slices(np.ones_like(dcols), x_shape, k, s)
    return col2im_slices(dcols, x_shape, k, s) / np.maximum(ones, 1)


def col2im_wrong_shape(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    return dcols.reshape(N, C, k * k, OH, OW).sum(axis=2)


# --- ex_maxpool_backward --------------------------------------------------------------------------
def _windows(x, k):
    N, C, H, W = x.shape
    OH, OW = H // k, W // k
    return N, C, OH, OW


def maxpool_first_argmax(x, g, k):
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : i * k + k, j * k : j * k + k].reshape(N, C, -1)
            p, q = np.divmod(win.argmax(-1), k)
            n, c = np.indices((N, C))
            dx[n, c, i * k + p, j * k + q] = g[:, :, i, j]
    return dx


def maxpool_loops(x, g, k):
    dx = np.zeros_like(x)
    N, C, OH, OW = _windows(x, k)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    win = x[n, c, i * k : i * k + k, j * k : j * k + k]
                    p, q = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * k + p, j * k + q] += g[n, c, i, j]
    return dx


def maxpool_all_ties(x, g, k):
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : i * k + k, j * k : j * k + k]
            mask = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * k : i * k + k, j * k : j * k + k] = mask * g[:, :, i, j][..., None, None]
    return dx


def maxpool_split_ties(x, g, k):
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : i * k + k, j * k : j * k + k]
            mask = win == win.max(axis=(2, 3), keepdims=True)
            share = mask / mask.sum(axis=(2, 3), keepdims=True)
            dx[:, :, i * k : i * k + k, j * k : j * k + k] = share * g[:, :, i, j][..., None, None]
    return dx


def maxpool_last_max(x, g, k):
    dx = np.zeros_like(x)
    N, C, OH, OW = _windows(x, k)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    win = x[n, c, i * k : i * k + k, j * k : j * k + k].reshape(-1)
                    a = len(win) - 1 - np.argmax(win[::-1])
                    p, q = divmod(a, k)
                    dx[n, c, i * k + p, j * k + q] = g[n, c, i, j]
    return dx


def maxpool_spread_evenly(x, g, k):
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    dx[:, :, : OH * k, : OW * k] = np.repeat(np.repeat(g, k, axis=2), k, axis=3) / (k * k)
    return dx


def maxpool_swaps_pq(x, g, k):
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : i * k + k, j * k : j * k + k].reshape(N, C, -1)
            q, p = np.divmod(win.argmax(-1), k)
            n, c = np.indices((N, C))
            dx[n, c, i * k + p, j * k + q] = g[:, :, i, j]
    return dx


def maxpool_forgets_g(x, g, k):
    return maxpool_first_argmax(x, np.ones_like(g), k)


def maxpool_returns_y_shape(x, g, k):
    return g.copy()


CATALOGUE = [
    Case("ex_conv1d_input_grad", conv1d_full_convolution, None),
    Case("ex_conv1d_input_grad", conv1d_loop, None),
    Case("ex_conv1d_input_grad", conv1d_correlate_flipped, None),
    Case("ex_conv1d_input_grad", conv1d_not_flipped, "the kernel is not flipped"),
    Case("ex_conv1d_input_grad", conv1d_assigns, "must be added (+=)"),
    Case("ex_conv1d_input_grad", conv1d_same_mode, "'valid' or 'same' part only"),
    Case("ex_conv1d_input_grad", conv1d_returns_dw, "the weight gradient's shape"),
    Case("ex_conv1d_input_grad", conv1d_ignores_g, "weight each window's kernel by its g[i]"),
    Case("ex_conv1d_input_grad", conv1d_in_place, "changed its input w in place"),
    Case("ex_col2im", col2im_slices, None),
    Case("ex_col2im", col2im_add_at, None),
    Case("ex_col2im", col2im_buffered, "kept only the last window's value"),
    Case("ex_col2im", col2im_assigns_slices, "kept only the last window's value"),
    Case("ex_col2im", col2im_no_stride, "the stride is missing"),
    Case("ex_col2im", col2im_swaps_pq, "p and q are swapped"),
    Case("ex_col2im", col2im_averages, "divided by the number of windows"),
    Case("ex_col2im", col2im_wrong_shape, "gradient of x's shape"),
    Case("ex_maxpool_backward", maxpool_first_argmax, None),
    Case("ex_maxpool_backward", maxpool_loops, None),
    Case("ex_maxpool_backward", maxpool_all_ties, "every tied maximum got the gradient"),
    Case("ex_maxpool_backward", maxpool_split_ties, "split between tied maxima"),
    Case("ex_maxpool_backward", maxpool_last_max, "the last maximum got the gradient"),
    Case("ex_maxpool_backward", maxpool_spread_evenly, "average-pooling's backward"),
    Case("ex_maxpool_backward", maxpool_swaps_pq, "row and column swapped"),
    Case("ex_maxpool_backward", maxpool_forgets_g, "the maximum got 1 instead of g"),
    Case("ex_maxpool_backward", maxpool_returns_y_shape, "has the shape of y"),
]

test_catalogue = run_catalogue(CATALOGUE)
