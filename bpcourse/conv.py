"""2-D convolution and pooling by hand: explicit loops (the reference) and vectorised kernels.

Shapes: an input ``x`` is ``(N, C, H, W)``; a convolution weight ``(O, C, kh, kw)`` (torch's
layout), its bias ``(O,)``; the output ``(N, O, OH, OW)`` with, per spatial axis,

    OH = (H + 2 * padding - kh) // stride + 1

Convolution here is torch's: a cross-correlation, the kernel is not flipped in the forward pass,

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] * xp[n, c, i*s + p, j*s + q]

where ``xp`` is ``x`` padded with zeros. Its gradients, read off the same sum:

    dL/db[o]          = sum_{n, i, j} g[n, o, i, j]
    dL/dw[o, c, p, q] = sum_{n, i, j} g[n, o, i, j] * xp[n, c, i*s + p, j*s + q]
    dL/dxp[n, c, i*s + p, j*s + q] += sum_o g[n, o, i, j] * w[o, c, p, q]   (then crop the pad)

The last line *accumulates*: a pixel inside several windows gets one contribution per window.

Each operation comes twice: ``*_loop`` (explicit Python loops over every index, slow, written to
be read) and the vectorised form the layers of ``bpcourse.nn`` use:

- ``windows(xp, kernel, stride)``: every window as a strided *view* ``(N, C, OH, OW, kh, kw)``,
  no copy (``np.lib.stride_tricks.sliding_window_view``);
- ``im2col``: the windows copied into matrices ``(N, C*kh*kw, OH*OW)``, one column per output
  pixel, so that the convolution of an image is one matrix product ``w.reshape(O, -1) @ cols``;
- ``col2im``: the way back, each column's gradient added to the pixels it came from. It adds one
  kernel offset ``(p, q)`` at a time (``kh * kw`` strided slices, ``+=``): within one offset the
  slices do not overlap, so ``+=`` is safe, and the overlap between offsets is summed by the
  loop. ``col2im_add_at`` is the same with ``np.add.at`` over every index (slower, one line).

Pooling (``stride`` defaults to ``kernel_size`` in the layers, as in torch): max-pooling pads
with ``-inf``, average-pooling with zeros and divides by ``kh * kw`` (torch's default
``count_include_pad=True``). Max-pooling routes each window's gradient to ONE position: the
first maximum in window order (row by row, as ``np.argmax`` picks it), so tied values never
share it.

These functions are numpy only (never torch); argument checks are the layers' job, with
:func:`check_geometry` for the sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validate import check_int

__all__ = [
    "pair", "out_size", "check_geometry", "pad2d", "windows", "im2col", "col2im",
    "col2im_add_at", "conv2d", "conv2d_backward", "conv2d_loop", "conv2d_backward_loop",
    "max_pool2d", "max_pool2d_backward", "max_pool2d_loop", "max_pool2d_backward_loop",
    "avg_pool2d", "avg_pool2d_backward", "avg_pool2d_loop", "avg_pool2d_backward_loop",
]  # fmt: skip

Pair = tuple[int, int]


# --- sizes ----------------------------------------------------------------------------------------
def pair(value: object, name: str, *, low: int) -> Pair:
    """An int or a pair of ints (height, width), each >= ``low``, as a pair; else one clear error."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be an int or a pair (height, width), got {tuple(value)!r:.60}"
            )
        items = tuple(value)
    else:
        items = (value, value)
    expected = "an int or a pair of ints (height, width)"
    below = "positive" if low == 1 else f">= {low}"
    h, w = (check_int(v, name, low=low, expected=expected, below=below) for v in items)
    return h, w


def out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output length along one axis: ``(size + 2 * padding - kernel) // stride + 1``."""
    return (size + 2 * padding - kernel) // stride + 1


def check_geometry(
    shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair, what: str
) -> Pair:
    """``(OH, OW)`` for an input of ``shape`` (N, C, H, W), or one clear error when the kernel
    does not fit in the padded input."""
    H, W = shape[2], shape[3]
    Hp, Wp = H + 2 * padding[0], W + 2 * padding[1]
    if kernel[0] > Hp or kernel[1] > Wp:
        raise ValueError(
            f"{what}: kernel_size {kernel} is larger than the padded input ({Hp}, {Wp}) "
            f"(input height and width ({H}, {W}) plus padding {padding} on each side)"
        )
    return out_size(H, kernel[0], stride[0], padding[0]), out_size(
        W, kernel[1], stride[1], padding[1]
    )


def pad2d(x: np.ndarray, padding: Pair, value: float = 0.0) -> np.ndarray:
    """x: (N, C, H, W) -> (N, C, H + 2 ph, W + 2 pw), ``value`` around the edge (x itself if no pad)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    N, C, H, W = x.shape
    xp = np.full((N, C, H + 2 * ph, W + 2 * pw), value, dtype=x.dtype)
    xp[:, :, ph : ph + H, pw : pw + W] = x
    return xp


def _crop(xp: np.ndarray, padding: Pair) -> np.ndarray:
    """The inverse of pad2d: (N, C, H + 2 ph, W + 2 pw) -> (N, C, H, W)."""
    ph, pw = padding
    return xp[:, :, ph : xp.shape[2] - ph, pw : xp.shape[3] - pw]


# --- im2col and col2im ------------------------------------------------------------------------------
def windows(xp: np.ndarray, kernel: Pair, stride: Pair) -> np.ndarray:
    """xp: (N, C, Hp, Wp), already padded -> a read-only view (N, C, OH, OW, kh, kw).

    ``windows(xp)[n, c, i, j]`` is the ``kh x kw`` patch that output pixel ``(i, j)`` sees.
    """
    view = np.lib.stride_tricks.sliding_window_view(xp, kernel, axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1]]


def im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """x: (N, C, H, W) -> cols: (N, C*kh*kw, OH*OW). Column ``i*OW + j`` of ``cols[n]`` is the
    patch output pixel ``(i, j)`` of image ``n`` sees, flattened in the order ``(c, p, q)`` of
    ``w.reshape(O, -1)``; so ``w.reshape(O, -1) @ cols[n]`` is the whole convolution of image n.

    Filled one kernel offset ``(p, q)`` at a time: row ``(c, p, q)`` holds the pixels
    ``xp[n, c, i*s + p, j*s + q]`` for every output pixel, one strided slice of the padded input.
    """
    xp = pad2d(x, padding)
    N, C = x.shape[:2]
    (kh, kw), (sh, sw) = kernel, stride
    OH, OW = out_size(x.shape[2], kh, sh, padding[0]), out_size(x.shape[3], kw, sw, padding[1])
    cols = np.empty((N, C, kh, kw, OH, OW), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            cols[:, :, p, q] = xp[:, :, p : p + sh * OH : sh, q : q + sw * OW : sw]
    return cols.reshape(N, C * kh * kw, OH * OW)


def col2im(
    dcols: np.ndarray, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """dcols: (N, C*kh*kw, OH*OW), the gradient of im2col's output -> dx: (N, C, H, W).

    Every entry of ``dcols`` is added to the pixel it was copied from: a pixel in several
    windows gets the sum. One kernel offset ``(p, q)`` at a time, im2col backwards: the pixels
    ``(i*s + p, j*s + q)`` of one offset are all different, so ``+=`` on that strided slice is
    exact, and the loop over offsets adds up the overlaps.
    """
    N, C, H, W = x_shape
    (kh, kw), (sh, sw) = kernel, stride
    OH, OW = out_size(H, kh, sh, padding[0]), out_size(W, kw, sw, padding[1])
    d = dcols.reshape(N, C, kh, kw, OH, OW)
    dxp = np.zeros((N, C, H + 2 * padding[0], W + 2 * padding[1]), dtype=dcols.dtype)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p : p + sh * OH : sh, q : q + sw * OW : sw] += d[:, :, p, q]
    return _crop(dxp, padding)


def col2im_add_at(
    dcols: np.ndarray, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """The same as :func:`col2im` with one ``np.add.at`` over every entry of dcols.

    ``np.add.at`` adds once per occurrence of an index; ``dxp[idx] += v`` would not (numpy
    buffers the write, so a pixel listed twice keeps the last value only).
    """
    N, C, H, W = x_shape
    (kh, kw), (sh, sw) = kernel, stride
    OH, OW = out_size(H, kh, sh, padding[0]), out_size(W, kw, sw, padding[1])
    n, c, p, q, i, j = np.indices((N, C, kh, kw, OH, OW), sparse=True)
    dxp = np.zeros((N, C, H + 2 * padding[0], W + 2 * padding[1]), dtype=dcols.dtype)
    np.add.at(dxp, (n, c, i * sh + p, j * sw + q), dcols.reshape(N, C, kh, kw, OH, OW))
    return _crop(dxp, padding)


# --- convolution ---------------------------------------------------------------------------------
def conv2d_loop(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: Pair, padding: Pair
) -> np.ndarray:
    """x: (N, C, H, W), w: (O, C, kh, kw), b: (O,) or None -> y: (N, O, OH, OW). Loops."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    (sh, sw), xp = stride, pad2d(x, padding)
    OH, OW = out_size(H, kh, sh, padding[0]), out_size(W, kw, sw, padding[1])
    y = np.zeros((N, O, OH, OW), dtype=np.result_type(x, w))
    for n in range(N):
        for o in range(O):
            for i in range(OH):
                for j in range(OW):
                    patch = xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]  # (C, kh, kw)
                    y[n, o, i, j] = np.sum(patch * w[o]) + (b[o] if b is not None else 0)
    return y


def conv2d_backward_loop(
    g: np.ndarray, x: np.ndarray, w: np.ndarray, stride: Pair, padding: Pair
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """g: dL/dy (N, O, OH, OW) -> (dx (N, C, H, W), dw (O, C, kh, kw), db (O,)). Loops.

    The forward loop read backwards: every product ``w[o] * patch`` sends ``g * patch`` to dw
    and ``g * w[o]`` to the patch's pixels, with ``+=`` since windows overlap.
    """
    N, O, OH, OW = g.shape
    _, _, kh, kw = w.shape
    (sh, sw), xp = stride, pad2d(x, padding)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    db = np.zeros(O, dtype=w.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(OH):
                for j in range(OW):
                    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                    dw[o] += g[n, o, i, j] * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g[n, o, i, j] * w[o]
                    db[o] += g[n, o, i, j]
    return _crop(dxp, padding), dw, db


def conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: Pair, padding: Pair
) -> tuple[np.ndarray, np.ndarray]:
    """x: (N, C, H, W), w: (O, C, kh, kw), b: (O,) or None -> (y (N, O, OH, OW), cols).

    ``cols`` (N, C*kh*kw, OH*OW) is im2col(x), kept by the layer for the backward pass.
    """
    N, _, H, W = x.shape
    O, _, kh, kw = w.shape
    OH, OW = out_size(H, kh, stride[0], padding[0]), out_size(W, kw, stride[1], padding[1])
    cols = im2col(x, (kh, kw), stride, padding)
    y = w.reshape(O, -1) @ cols  # (N, O, OH*OW): one matrix product per image does every window
    if b is not None:
        y += b[:, None]
    return y.reshape(N, O, OH, OW), cols


def conv2d_backward(
    g: np.ndarray,
    cols: np.ndarray,
    x_shape: tuple[int, ...],
    w: np.ndarray,
    stride: Pair,
    padding: Pair,
    input_grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """g: dL/dy (N, O, OH, OW), cols from :func:`conv2d` -> (dx or None, dw, db).

    The backward of ``y[n] = w2 @ cols[n] + b`` (w2 = w as (O, C*kh*kw), g2[n] = g[n] as
    (O, OH*OW)): ``dw = sum_n g2[n] @ cols[n].T``, ``db = sum over n and pixels of g``,
    ``dcols[n] = w2.T @ g2[n]`` and ``dx = col2im(dcols)``.
    """
    N, O = g.shape[:2]
    g2 = g.reshape(N, O, -1)  # (N, O, OH*OW)
    dw = (g2 @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    db = g2.sum(axis=(0, 2))
    if not input_grad:
        return None, dw, db
    dcols = w.reshape(O, -1).T @ g2  # (N, C*kh*kw, OH*OW)
    return col2im(dcols, x_shape, (w.shape[2], w.shape[3]), stride, padding), dw, db


# --- max-pooling -----------------------------------------------------------------------------------
def max_pool2d_loop(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """x: (N, C, H, W) -> y: (N, C, OH, OW), the maximum of each window. Loops."""
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), xp = kernel, stride, pad2d(x, padding, -np.inf)
    OH, OW = out_size(H, kh, sh, padding[0]), out_size(W, kw, sw, padding[1])
    y = np.zeros((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y[n, c, i, j] = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw].max()
    return y


def max_pool2d_backward_loop(
    g: np.ndarray, x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """g: dL/dy (N, C, OH, OW) -> dx (N, C, H, W): each g goes to its window's first maximum."""
    N, C, OH, OW = g.shape
    (kh, kw), (sh, sw), xp = kernel, stride, pad2d(x, padding, -np.inf)
    dxp = np.zeros_like(xp)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    p, q = divmod(int(np.argmax(window)), kw)  # first maximum, row by row
                    dxp[n, c, i * sh + p, j * sw + q] += g[n, c, i, j]  # windows may overlap
    return _crop(dxp, padding)


def max_pool2d(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair
) -> tuple[np.ndarray, np.ndarray]:
    """x: (N, C, H, W) -> (y (N, C, OH, OW), arg (N, C, OH, OW)): ``arg`` is the position of
    each window's first maximum in window order (``p * kw + q``), kept for the backward pass."""
    win = windows(pad2d(x, padding, -np.inf), kernel, stride)
    flat = win.reshape(*win.shape[:4], -1)  # (N, C, OH, OW, kh*kw), a copy
    return flat.max(axis=-1), flat.argmax(axis=-1)


def max_pool2d_backward(
    g: np.ndarray,
    arg: np.ndarray,
    x_shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
) -> np.ndarray:
    """g: dL/dy (N, C, OH, OW), arg from :func:`max_pool2d` -> dx (N, C, H, W).

    Offset by offset as in col2im: the windows whose maximum sits at ``(p, q)`` send ``g`` to
    the pixel ``(i*s + p, j*s + q)``; ``+=`` sums overlapping windows (stride < kernel).
    """
    N, C, H, W = x_shape
    (kh, kw), (sh, sw) = kernel, stride
    OH, OW = g.shape[2], g.shape[3]
    dxp = np.zeros((N, C, H + 2 * padding[0], W + 2 * padding[1]), dtype=g.dtype)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p : p + sh * OH : sh, q : q + sw * OW : sw] += g * (arg == p * kw + q)
    return _crop(dxp, padding)


# --- average-pooling -----------------------------------------------------------------------------
def avg_pool2d_loop(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """x: (N, C, H, W) -> y: (N, C, OH, OW), each window's sum over ``kh * kw`` (zeros padded). Loops."""
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), xp = kernel, stride, pad2d(x, padding)
    OH, OW = out_size(H, kh, sh, padding[0]), out_size(W, kw, sw, padding[1])
    y = np.zeros((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y[n, c, i, j] = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw].sum() / (
                        kh * kw
                    )
    return y


def avg_pool2d_backward_loop(
    g: np.ndarray, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """g: dL/dy (N, C, OH, OW) -> dx (N, C, H, W): each g spread evenly, g / (kh*kw) per pixel."""
    N, C, OH, OW = g.shape
    (kh, kw), (sh, sw) = kernel, stride
    dxp = np.zeros((N, C, x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1]), g.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    dxp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw] += g[n, c, i, j] / (
                        kh * kw
                    )
    return _crop(dxp, padding)


def avg_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """x: (N, C, H, W) -> y: (N, C, OH, OW), the mean of each zero-padded window."""
    return windows(pad2d(x, padding), kernel, stride).mean(axis=(4, 5))


def avg_pool2d_backward(
    g: np.ndarray, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """g: dL/dy (N, C, OH, OW) -> dx (N, C, H, W): g / (kh*kw) added to every pixel of its window."""
    N, C, H, W = x_shape
    (kh, kw), (sh, sw) = kernel, stride
    OH, OW = g.shape[2], g.shape[3]
    share = g / (kh * kw)
    dxp = np.zeros((N, C, H + 2 * padding[0], W + 2 * padding[1]), dtype=g.dtype)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p : p + sh * OH : sh, q : q + sw * OW : sw] += share
    return _crop(dxp, padding)
