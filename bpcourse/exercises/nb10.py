"""Checks of notebook 10 (convolutions and pooling): the input gradient of a 1-D convolution,
col2im's accumulation, and max-pooling's routing.

Each check is adversarial: kernels that are not symmetric (a forgotten flip changes the
result), windows that overlap (a forgotten accumulation loses contributions), a stride that is
not 1, non-square images, batch and channel sizes unlike the other sizes, and windows with tied
maxima. References come from torch autograd (``conv1d``, ``fold``, ``max_pool2d``), never from
the learner's code or from ``bpcourse.conv``.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, expect, register


def _require_shape(got: object, shape: tuple[int, ...], what: str, hint: str) -> np.ndarray:
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{what} returned {type(got).__name__}, expected a numpy array of shape {shape}"
        )
    if got.shape != tuple(shape):
        raise Mistake(f"{what} has shape {got.shape}, expected {tuple(shape)}: {hint}")
    return got


def _distinct(mistakes: dict[str, object], want: np.ndarray) -> dict[str, object]:
    """The mistakes these inputs can tell from the right answer (a tie-free image cannot show a
    tie rule, stride 1 cannot show a missing stride; other inputs of the same check do)."""
    return {
        d: v
        for d, v in mistakes.items()
        if v is not None and not np.allclose(np.asarray(v, dtype=float), want)
    }


def _unchanged(arrays: dict[str, np.ndarray], before: dict[str, np.ndarray], fn: str) -> None:
    for name, arr in arrays.items():
        if not np.array_equal(arr, before[name]):
            raise Mistake(f"{fn} changed its input {name} in place: compute a new array")


# --- exercise 1: the input gradient of a 1-D convolution -----------------------------------------
def _conv1d_vjp(g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """dL/dx of L = sum(g * y), y = conv1d(x, w) (valid, stride 1), by torch autograd."""
    import torch

    n = len(g) + len(w) - 1
    x = torch.zeros((1, 1, n), dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv1d(x, torch.tensor(w).reshape(1, 1, -1))
    (y.reshape(-1) * torch.tensor(g)).sum().backward()
    assert x.grad is not None
    return x.grad.numpy().reshape(-1).copy()


@register(
    "ex_conv1d_input_grad",
    hints=(
        "x[j] is used by every output y[i] whose window covers it, once per such window. "
        "Write dL/dx[j] as a sum over those i: which weight multiplies x[j] in y[i]?",
        "y[i] = sum_k w[k] x[i + k], so x[j] appears in y[i] with weight w[j - i]: "
        "dx[j] = sum_i g[i] w[j - i]. That is a FULL convolution of g with w (the kernel "
        "flipped compared with the forward correlation); in a loop, dx[i + k] += g[i] * w[k].",
        "return np.convolve(g, w)   # mode 'full': length len(g) + len(w) - 1",
    ),
)
def check_ex_conv1d_input_grad(ex_conv1d_input_grad):
    rng = np.random.default_rng(100)
    cases = [
        (rng.standard_normal(5), np.array([1.0, -2.0, 0.5])),  # not symmetric: a flip shows
        (rng.standard_normal(4), np.array([0.3, 1.7])),  # an even kernel
        (rng.standard_normal(1), np.array([2.0, -1.0, 0.25, 3.0])),  # one output, x = kernel
    ]
    for g, w in cases:
        before = {"g": g.copy(), "w": w.copy()}
        got = ex_conv1d_input_grad(g, w)
        _unchanged({"g": g, "w": w}, before, "ex_conv1d_input_grad")
        n = len(g) + len(w) - 1
        what = f"dx for y = conv1d(x, w), len(x) = {n}, len(w) = {len(w)}"
        if isinstance(got, np.ndarray) and got.shape == g.shape and len(w) > 1:
            raise Mistake(
                f"{what} has the length of y ({len(g)}), the 'valid' or 'same' part only: dx "
                f"has the length of x ({n}), every pixel of x gets a gradient (a full convolution)"
            )
        if isinstance(got, np.ndarray) and got.shape == w.shape and len(w) != n:
            raise Mistake(
                f"{what} has the length of w ({len(w)}): that is the weight gradient's shape; "
                f"dx has the length of x ({n})"
            )
        _require_shape(got, (n,), what, "dx has the length of x, len(g) + len(w) - 1")
        want = _conv1d_vjp(g, w)
        last = np.zeros(n)  # dx[i + k] = g[i] * w[k]: the last window wins
        for i in range(len(g)):
            for k in range(len(w)):
                last[i + k] = g[i] * w[k]
        mistakes = {
            "the kernel is not flipped: dx[j] = sum_i g[i] w[j - i], a full CONVOLUTION "
            "(np.convolve(g, w)); np.correlate or w[i - j] slides the kernel the wrong way": (
                np.convolve(g, w[::-1])
            ),
            "dx[i + k] = g[i] * w[k] assigns: x[j] is in several windows, so its "
            "contributions must be added (+=), not overwritten": last,
            "used w in place of g * w: dx must weight each window's kernel by its g[i]": (
                np.convolve(np.ones_like(g), w)
            ),
            "the sign is flipped: L = sum(g * y) grows with x along +g w": -want,
        }
        expect(got, want, what, mistakes=_distinct(mistakes, want))
    return "a kernel that is not symmetric, an even kernel and one window all match torch"


# --- exercise 2: col2im ---------------------------------------------------------------------------
def _fold(dcols: np.ndarray, hw: tuple[int, int], k: int, s: int) -> np.ndarray:
    """torch's col2im (fold): each column's values added to the pixels of its window."""
    import torch

    out = torch.nn.functional.fold(torch.tensor(dcols), hw, k, stride=s)
    return out.numpy().copy()


def _wrong_col2im(dcols, x_shape, k, s, kind):
    N, C, H, W = x_shape
    OH, OW = (H - k) // s + 1, (W - k) // s + 1
    d = dcols.reshape(N, C, k, k, OH, OW)
    dx = np.zeros(x_shape)
    for p in range(k):
        for q in range(k):
            for i in range(OH):
                for j in range(OW):
                    if kind == "assign":
                        dx[:, :, i * s + p, j * s + q] = d[:, :, p, q, i, j]
                    elif kind == "no stride":
                        dx[:, :, i + p, j + q] += d[:, :, p, q, i, j]
                    elif kind == "swap pq":
                        dx[:, :, i * s + q, j * s + p] += d[:, :, p, q, i, j]
                    else:  # the output pixel's row and column swapped: (j, i)
                        dx[:, :, j * s + p, i * s + q] += d[:, :, p, q, i, j]
    return dx


@register(
    "ex_col2im",
    hints=(
        "im2col copied each pixel into every window that contains it. Going back, what should "
        "a pixel receive from the several copies of it in dcols?",
        "Row (c, p, q) of dcols[n], column i*OW + j came from pixel (c, i*s + p, j*s + q). "
        "Add it there with np.add.at (or += in a loop over p, q on the strided slice "
        "dx[:, :, p:p + s*OH:s, q:q + s*OW:s]): assignment keeps only the last window.",
        "d = dcols.reshape(N, C, k, k, OH, OW); for p, q: dx[:, :, p:p + s*OH:s, "
        "q:q + s*OW:s] += d[:, :, p, q]",
    ),
)
def check_ex_col2im(ex_col2im):
    rng = np.random.default_rng(101)
    cases = [((2, 3, 5, 6), 3, 1), ((1, 2, 7, 5), 3, 2), ((3, 1, 4, 4), 2, 2)]
    for x_shape, k, s in cases:
        N, C, H, W = x_shape
        OH, OW = (H - k) // s + 1, (W - k) // s + 1
        dcols = rng.standard_normal((N, C * k * k, OH * OW))
        before = {"dcols": dcols.copy()}
        got = ex_col2im(dcols, x_shape, k, s)
        _unchanged({"dcols": dcols}, before, "ex_col2im")
        what = f"col2im of dcols {dcols.shape} to x {x_shape}, kernel {k}, stride {s}"
        _require_shape(got, x_shape, what, "col2im returns a gradient of x's shape (N, C, H, W)")
        want = _fold(dcols.reshape(N, C * k * k, OH * OW), (H, W), k, s)
        mistakes = {
            "a pixel in several windows kept only the last window's value (assignment, or "
            "dx[idx] += v with repeated indices, which numpy buffers): add every contribution, "
            "with np.add.at or += on one strided slice per (p, q)": _wrong_col2im(
                dcols, x_shape, k, s, "assign"
            ),
            "the pixels of window (i, j) start at (i*s, j*s): the stride is missing": (
                _wrong_col2im(dcols, x_shape, k, s, "no stride") if s > 1 else None
            ),
            "p and q are swapped: row (c, p, q) is kernel row p, kernel column q": (
                _wrong_col2im(dcols, x_shape, k, s, "swap pq")
            ),
            "the window's row and column are swapped: column i*OW + j is output row i, "
            "output column j": _wrong_col2im(dcols, x_shape, k, s, "swap ij") if H == W else None,
        }
        counts = _fold(np.ones_like(dcols), (H, W), k, s)
        mistakes["divided by the number of windows: a gradient adds the contributions, it "
                 "does not average them"] = np.divide(want, np.maximum(counts, 1))  # fmt: skip
        expect(got, want, what, mistakes=_distinct(mistakes, want))
    return "overlapping windows, stride 2 and non-square images all match torch's fold"


# --- exercise 3: max-pooling's routing ---------------------------------------------------------------
def _max_pool_vjp(x: np.ndarray, g: np.ndarray, k: int) -> np.ndarray:
    import torch

    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, k).backward(torch.tensor(g))
    assert xt.grad is not None
    return xt.grad.numpy().copy()


def _routes(x: np.ndarray, g: np.ndarray, k: int, kind: str) -> np.ndarray:
    """What a typical wrong routing gives: every tied maximum, the last one, an even spread."""
    N, C, OH, OW = g.shape
    dx = np.zeros_like(x)
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * k : i * k + k, j * k : j * k + k].reshape(N, C, -1)
            gij = g[:, :, i, j][..., None]
            if kind == "all ties":
                share = (win == win.max(-1, keepdims=True)) * gij
            elif kind == "split ties":
                mask = win == win.max(-1, keepdims=True)
                share = mask * gij / mask.sum(-1, keepdims=True)
            elif kind == "last":
                pos = k * k - 1 - np.argmax(win[..., ::-1], axis=-1)
                share = (np.arange(k * k) == pos[..., None]) * gij
            elif kind == "even":
                share = np.broadcast_to(gij / (k * k), win.shape)
            else:  # the position's row and column swapped: q * k + p
                pos = np.argmax(win, axis=-1)
                pos = (pos % k) * k + pos // k
                share = (np.arange(k * k) == pos[..., None]) * gij
            dx[:, :, i * k : i * k + k, j * k : j * k + k] = share.reshape(N, C, k, k)
    return dx


@register(
    "ex_maxpool_backward",
    hints=(
        "Only one number of each window reached the output. How much does y change when you "
        "nudge one of the others? And when two values of a window tie, how many of them "
        "should get the gradient?",
        "For each window (i, j): find the FIRST maximum in window order, row by row "
        "(np.argmax of the flattened window), position (p, q) = divmod(argmax, k); give it "
        "g[n, c, i, j]; every other pixel gets 0. The windows do not overlap (stride = k).",
        "win = x[:, :, i*k:(i+1)*k, j*k:(j+1)*k].reshape(N, C, -1); a = win.argmax(-1); "
        "p, q = divmod(a, k); dx[n, c, i*k + p, j*k + q] = g[n, c, i, j] for every n, c",
    ),
)
def check_ex_maxpool_backward(ex_maxpool_backward):
    rng = np.random.default_rng(102)
    k = 2
    x = rng.integers(0, 3, size=(2, 3, 4, 6)).astype(float)  # small integers: ties in windows
    x[0, 0, :2, :2] = [[1.0, 0.0], [0.0, 0.0]]  # a window whose maximum is first and alone
    x[0, 1, :2, :2] = [[0.0, 2.0], [2.0, 0.0]]  # a tie: (0, 1) gets g, (1, 0) nothing
    x[1, 2, :2, :2] = [[0.0, 0.0], [1.0, 0.0]]  # a maximum at (1, 0): p, q swapped shows
    x_odd = rng.standard_normal((1, 2, 5, 5))  # no ties, the last row and column unused
    for xs in (x, x_odd):
        N, C, H, W = xs.shape
        g = rng.standard_normal((N, C, H // k, W // k))
        before = {"x": xs.copy(), "g": g.copy()}
        got = ex_maxpool_backward(xs, g, k)
        _unchanged({"x": xs, "g": g}, before, "ex_maxpool_backward")
        what = f"dx for max_pool2d(x of shape {xs.shape}, kernel {k})"
        if isinstance(got, np.ndarray) and got.shape == g.shape:
            raise Mistake(
                f"{what} has the shape of y {g.shape}: dx has x's shape {xs.shape}, zeros "
                f"except at each window's maximum"
            )
        _require_shape(got, xs.shape, what, "dx has the shape of x")
        want = _max_pool_vjp(xs, g, k)
        mistakes = {
            "every tied maximum got the gradient: only the first maximum in window order "
            "(row by row, np.argmax) gets it, so a tie is not counted twice": _routes(
                xs, g, k, "all ties"
            ),
            "the gradient was split between tied maxima: max-pooling sends all of it to the "
            "first maximum in window order (row by row)": _routes(xs, g, k, "split ties"),
            "the LAST maximum got the gradient: the rule is the first maximum in window order": (
                _routes(xs, g, k, "last")
            ),
            "the gradient was spread evenly over the window: that is average-pooling's "
            "backward; max-pooling routes it to the maximum only": _routes(xs, g, k, "even"),
            "the position in the window has its row and column swapped: divmod(argmax, k) "
            "gives (row p, column q)": _routes(xs, g, k, "swap"),
            "the maximum got 1 instead of g: multiply by the upstream gradient g[n, c, i, j]": (
                (want != 0) * 1.0
            ),
        }
        expect(got, want, what, mistakes=_distinct(mistakes, want))
    return "ties, a maximum in each position and an odd-sized image all match torch"
