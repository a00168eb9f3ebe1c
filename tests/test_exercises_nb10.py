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


def conv1d_slices(g, w):
    dx = np.zeros(len(g) + len(w) - 1)
    for k in range(len(w)):
        dx[k : k + len(g)] += g * w[k]
    return dx


def conv1d_matrix(g, w):  # dx = T.T @ g, T the (m, n) matrix of the forward pass
    m, K = len(g), len(w)
    T = np.zeros((m, m + K - 1))
    for i in range(m):
        T[i, i : i + K] = w
    return T.T @ g


def conv1d_valid_mode(g, w):
    return np.convolve(g, w, mode="valid")


def conv1d_slices_assign(g, w):
    dx = np.zeros(len(g) + len(w) - 1)
    for k in range(len(w)):
        dx[k : k + len(g)] = g * w[k]
    return dx


def conv1d_reverses_g(g, w):
    return np.convolve(g[::-1], w)


def conv1d_reverses_result(g, w):
    return np.convolve(g, w)[::-1]


def conv1d_ignores_w(g, w):
    return np.convolve(g, np.ones_like(w))


def conv1d_pads_one_side(g, w):
    return np.correlate(np.pad(g, (len(w) - 1, 0)), w[::-1], mode="valid")


def conv1d_pads_too_much(g, w):
    return np.correlate(np.pad(g, len(w)), w[::-1], mode="valid")


def conv1d_float32(g, w):
    return np.convolve(g, w).astype(np.float32)


def conv1d_list(g, w):
    return list(np.convolve(g, w))


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


def col2im_window_loop(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for i in range(OH):
        for j in range(OW):
            dx[:, :, i * s : i * s + k, j * s : j * s + k] += d[:, :, :, :, i, j]
    return dx


def col2im_bincount(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    n, c, p, q, i, j = np.indices((N, C, k, k, OH, OW))
    flat = np.ravel_multi_index((n, c, i * s + p, j * s + q), x_shape).ravel()
    return np.bincount(flat, weights=dcols.ravel(), minlength=np.prod(x_shape)).reshape(x_shape)


def col2im_window_loop_assigns(dcols, x_shape, k, s):
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for i in range(OH):
        for j in range(OW):
            dx[:, :, i * s : i * s + k, j * s : j * s + k] = d[:, :, :, :, i, j]
    return dx


def col2im_channel_last_rows(dcols, x_shape, k, s):  # rows read as (p, q, c)
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, k, k, C, OH, OW).transpose(0, 3, 1, 2, 4, 5)
    return col2im_slices(d.reshape(N, C * k * k, OH * OW), x_shape, k, s)


def col2im_columns_j_i(dcols, x_shape, k, s):  # column j*OH + i
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C * k * k, OW, OH).swapaxes(2, 3)
    return col2im_slices(d.reshape(N, C * k * k, OH * OW), x_shape, k, s)


def col2im_flips_kernel(dcols, x_shape, k, s):  # the flip of exercise 1, where none belongs
    N, C, H, W, OH, OW = _sizes(dcols, x_shape, k, s)
    d = dcols.reshape(N, C, k, k, OH, OW)[:, :, ::-1, ::-1]
    return col2im_slices(d.reshape(N, C * k * k, OH * OW), x_shape, k, s)


def col2im_first_image_only(dcols, x_shape, k, s):
    dx = col2im_slices(dcols, x_shape, k, s)
    dx[1:] = 0
    return dx


def col2im_float32(dcols, x_shape, k, s):
    return col2im_slices(dcols, x_shape, k, s).astype(np.float32)


def col2im_mean(dcols, x_shape, k, s):
    return col2im_slices(dcols, x_shape, k, s) / (k * k)


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


def maxpool_vectorised(x, g, k):
    N, C, OH, OW = _windows(x, k)
    wins = x[:, :, : OH * k, : OW * k].reshape(N, C, OH, k, OW, k)
    wins = wins.transpose(0, 1, 2, 4, 3, 5).reshape(N, C, OH, OW, k * k)
    p, q = np.divmod(wins.argmax(-1), k)
    n, c, i, j = np.indices((N, C, OH, OW))
    dx = np.zeros_like(x)
    dx[n, c, i * k + p, j * k + q] = g
    return dx


def maxpool_first_of_mask(x, g, k):  # the tie mask, then only its first True (cumsum == 1)
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : (i + 1) * k, j * k : (j + 1) * k].reshape(N, C, -1)
            mask = win == win.max(-1, keepdims=True)
            first = mask & (np.cumsum(mask, -1) == 1)
            share = first * g[:, :, i, j][..., None]
            dx[:, :, i * k : (i + 1) * k, j * k : (j + 1) * k] = share.reshape(N, C, k, k)
    return dx


def maxpool_no_stride(x, g, k):  # window (i, j) taken at (i, j)
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    n, c = np.indices((N, C))
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i : i + k, j : j + k].reshape(N, C, -1)
            p, q = np.divmod(win.argmax(-1), k)
            dx[n, c, i + p, j + q] = g[:, :, i, j]
    return dx


def maxpool_column_order(x, g, k):  # the first maximum column by column
    N, C, OH, OW = _windows(x, k)
    dx = np.zeros_like(x)
    n, c = np.indices((N, C))
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : (i + 1) * k, j * k : (j + 1) * k]
            q, p = np.divmod(win.swapaxes(2, 3).reshape(N, C, -1).argmax(-1), k)
            dx[n, c, i * k + p, j * k + q] = g[:, :, i, j]
    return dx


def maxpool_reshape_no_transpose(x, g, k):
    N, C, OH, OW = _windows(x, k)
    wins = x[:, :, : OH * k, : OW * k].reshape(N, C, OH, OW, k * k)
    p, q = np.divmod(wins.argmax(-1), k)
    n, c, i, j = np.indices((N, C, OH, OW))
    dx = np.zeros_like(x)
    dx[n, c, i * k + p, j * k + q] = g
    return dx


def maxpool_routes_y(x, g, k):
    N, C, OH, OW = _windows(x, k)
    y = x[:, :, : OH * k, : OW * k].reshape(N, C, OH, k, OW, k).max(axis=(3, 5))
    return maxpool_first_argmax(x, y, k)


def maxpool_times_x(x, g, k):
    return maxpool_first_argmax(x, g, k) * x


def maxpool_all_zeros(x, g, k):
    return np.zeros_like(x)


def maxpool_k2_written_in(x, g, k):
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    n, c = np.indices((N, C))
    for i in range(H // 2):
        for j in range(W // 2):
            win = x[:, :, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].reshape(N, C, 4)
            p, q = np.divmod(win.argmax(-1), 2)
            dx[n, c, 2 * i + p, 2 * j + q] = g[:, :, i, j]
    return dx


def maxpool_reshape_not_cropped(x, g, k):
    N, C, H, W = x.shape
    wins = x.reshape(N, C, H // k, k, W // k, k).transpose(0, 1, 2, 4, 3, 5)
    p, q = np.divmod(wins.reshape(N, C, H // k, W // k, k * k).argmax(-1), k)
    n, c, i, j = np.indices(g.shape)
    dx = np.zeros_like(x)
    dx[n, c, i * k + p, j * k + q] = g
    return dx


CATALOGUE = [
    Case("ex_conv1d_input_grad", conv1d_full_convolution, None),
    Case("ex_conv1d_input_grad", conv1d_loop, None),
    Case("ex_conv1d_input_grad", conv1d_correlate_flipped, None),
    Case("ex_conv1d_input_grad", conv1d_not_flipped, "the kernel is not flipped"),
    Case("ex_conv1d_input_grad", conv1d_assigns, "must be added (+=)"),
    Case("ex_conv1d_input_grad", conv1d_same_mode, "mode='same'"),
    Case("ex_conv1d_input_grad", conv1d_returns_dw, "the weight gradient's shape"),
    Case("ex_conv1d_input_grad", conv1d_ignores_g, "weight each window's kernel by its g[i]"),
    Case("ex_conv1d_input_grad", conv1d_in_place, "changed its input w in place"),
    Case("ex_conv1d_input_grad", conv1d_slices, None),
    Case("ex_conv1d_input_grad", conv1d_matrix, None),
    Case("ex_conv1d_input_grad", conv1d_valid_mode, "mode='valid'"),
    Case("ex_conv1d_input_grad", conv1d_slices_assign, "dx[k:k + m] = g * w[k]"),
    Case("ex_conv1d_input_grad", conv1d_reverses_g, "g is reversed"),
    Case("ex_conv1d_input_grad", conv1d_reverses_result, "dx is reversed end to end"),
    Case("ex_conv1d_input_grad", conv1d_ignores_w, "w is missing"),
    Case("ex_conv1d_input_grad", conv1d_pads_one_side, "zeros on both sides"),
    Case("ex_conv1d_input_grad", conv1d_pads_too_much, "not more, not less"),
    Case("ex_conv1d_input_grad", conv1d_float32, "has dtype float32, expected float64"),
    Case("ex_conv1d_input_grad", conv1d_list, "returned list"),
    Case("ex_col2im", col2im_slices, None),
    Case("ex_col2im", col2im_add_at, None),
    Case("ex_col2im", col2im_buffered, "kept only the last window's value"),
    Case("ex_col2im", col2im_assigns_slices, "kept only the last window's value"),
    Case("ex_col2im", col2im_no_stride, "the stride is missing"),
    Case("ex_col2im", col2im_swaps_pq, "p and q are swapped"),
    Case("ex_col2im", col2im_averages, "divided by the number of windows"),
    Case("ex_col2im", col2im_wrong_shape, "gradient of x's shape"),
    Case("ex_col2im", col2im_window_loop, None),
    Case("ex_col2im", col2im_bincount, None),
    Case("ex_col2im", col2im_window_loop_assigns, "dx[:, :, i*s:i*s + k, j*s:j*s + k] = ..."),
    Case("ex_col2im", col2im_channel_last_rows, "read as (p, q, c)"),
    Case("ex_col2im", col2im_columns_j_i, "read as j*OH + i"),
    Case("ex_col2im", col2im_flips_kernel, "col2im flips nothing"),
    Case("ex_col2im", col2im_first_image_only, "only the first image of the batch"),
    Case("ex_col2im", col2im_float32, "has dtype float32, expected float64"),
    Case("ex_col2im", col2im_mean, "a factor 9 is missing"),
    Case("ex_maxpool_backward", maxpool_first_argmax, None),
    Case("ex_maxpool_backward", maxpool_loops, None),
    Case("ex_maxpool_backward", maxpool_all_ties, "every tied maximum got the gradient"),
    Case("ex_maxpool_backward", maxpool_split_ties, "split between tied maxima"),
    Case("ex_maxpool_backward", maxpool_last_max, "the last maximum got the gradient"),
    Case("ex_maxpool_backward", maxpool_spread_evenly, "average-pooling's backward"),
    Case("ex_maxpool_backward", maxpool_swaps_pq, "row and column swapped"),
    Case("ex_maxpool_backward", maxpool_forgets_g, "the maximum got 1 instead of g"),
    Case("ex_maxpool_backward", maxpool_returns_y_shape, "has the shape of y"),
    Case("ex_maxpool_backward", maxpool_vectorised, None),
    Case("ex_maxpool_backward", maxpool_first_of_mask, None),
    Case("ex_maxpool_backward", maxpool_no_stride, "the windows start at (i, j)"),
    Case("ex_maxpool_backward", maxpool_column_order, "taken column by column"),
    Case("ex_maxpool_backward", maxpool_reshape_no_transpose, "mixes pixels of different windows"),
    Case("ex_maxpool_backward", maxpool_routes_y, "got its value y instead of g"),
    Case("ex_maxpool_backward", maxpool_times_x, "dx was multiplied by x"),
    Case("ex_maxpool_backward", maxpool_all_zeros, "dx is all zeros"),
    Case("ex_maxpool_backward", maxpool_k2_written_in, "is a 2 written where k belongs"),
    Case("ex_maxpool_backward", maxpool_reshape_not_cropped, "H and W are not multiples of k"),
]

test_catalogue = run_catalogue(CATALOGUE)
