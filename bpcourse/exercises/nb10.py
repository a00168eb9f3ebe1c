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

from .core import Mistake, _error_message, expect, register


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
def _wrong_mode(got: np.ndarray, g: np.ndarray, w: np.ndarray, what: str, n: int) -> None:
    """Raise a Mistake when ``got`` is np.convolve or np.correlate in mode 'valid' or 'same'."""
    for fn in (np.convolve, np.correlate):
        for mode in ("valid", "same"):
            value = fn(g, w, mode=mode)
            if value.shape == got.shape and np.allclose(got, value):
                raise Mistake(
                    f"{what} equals np.{fn.__name__}(g, w, mode={mode!r}), of length "
                    f"{len(value)}: that mode keeps only part of the result; dx has the length "
                    f"of x ({n}), every x[j] gets a gradient: a full convolution (mode 'full', "
                    f"np.convolve's default, or g padded with len(w) - 1 zeros on both sides)"
                )


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
        if isinstance(got, np.ndarray) and got.shape != (n,):
            _wrong_mode(got, g, w, what, n)
        if isinstance(got, np.ndarray) and got.shape == g.shape and len(w) > 1:
            raise Mistake(
                f"{what} has the length of y ({len(g)}), the 'valid' or 'same' part only: dx "
                f"has the length of x ({n}), every pixel of x gets a gradient (a full "
                f"convolution: mode 'full', or g padded with len(w) - 1 zeros on BOTH sides)"
            )
        if isinstance(got, np.ndarray) and got.shape == w.shape and len(w) != n:
            raise Mistake(
                f"{what} has the length of w ({len(w)}): that is the weight gradient's shape; "
                f"dx has the length of x ({n})"
            )
        _require_shape(
            got,
            (n,),
            what,
            "dx has the length of x, len(g) + len(w) - 1 (a full convolution: g padded with "
            "len(w) - 1 zeros on each side, not more, not less)",
        )
        want = _conv1d_vjp(g, w)
        last = np.zeros(n)  # dx[i + k] = g[i] * w[k]: the last window wins
        for i in range(len(g)):
            for k in range(len(w)):
                last[i + k] = g[i] * w[k]
        last_k = np.zeros(n)  # dx[k:k + m] = g * w[k]: the last kernel position wins
        for k in range(len(w)):
            last_k[k : k + len(g)] = g * w[k]
        mistakes = {
            "the kernel is not flipped: dx[j] = sum_i g[i] w[j - i], a full CONVOLUTION "
            "(np.convolve(g, w)); np.correlate or w[i - j] slides the kernel the wrong way": (
                np.convolve(g, w[::-1])
            ),
            "dx[i + k] = g[i] * w[k] assigns: x[j] is in several windows, so its "
            "contributions must be added (+=), not overwritten": last,
            "dx[k:k + m] = g * w[k] (or a loop over k, then i) assigns: x[j] is in several "
            "windows, so its contributions must be added (+=), not overwritten": last_k,
            "used w in place of g * w: dx must weight each window's kernel by its g[i]": (
                np.convolve(np.ones_like(g), w)
            ),
            "w is missing: each g[i] reaches x[i + k] multiplied by the weight w[k]": (
                np.convolve(g, np.ones_like(w))
            ),
            "g is reversed (g[::-1]): the flip is of the kernel only; g[i] stays at window i": (
                np.convolve(g[::-1], w)
            ),
            "dx is reversed end to end: dx[0] belongs to x[0], which only window 0 covers, so "
            "dx[0] = g[0] * w[0]": np.convolve(g, w)[::-1],
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
    if kind == "rows p, q, c":  # rows read as (p, q, c), channel last
        d = dcols.reshape(N, k, k, C, OH, OW).transpose(0, 3, 1, 2, 4, 5)
    elif kind == "columns j, i":  # columns read as j*OH + i
        d = dcols.reshape(N, C, k, k, OW, OH).swapaxes(4, 5)
    elif kind == "flipped":  # kernel position (p, q) taken as (k-1-p, k-1-q)
        d = d[:, :, ::-1, ::-1]
    elif kind == "first image":
        d = d.copy()
        d[1:] = 0
    dx = np.zeros(x_shape)
    if kind == "assign windows":  # dx[window (i, j)] = its k x k block: the last window wins
        for i in range(OH):
            for j in range(OW):
                dx[:, :, i * s : i * s + k, j * s : j * s + k] = d[:, :, :, :, i, j]
        return dx
    for p in range(k):
        for q in range(k):
            for i in range(OH):
                for j in range(OW):
                    if kind == "assign":
                        dx[:, :, i * s + p, j * s + q] = d[:, :, p, q, i, j]
                    elif kind == "no stride":
                        dx[:, :, i + p, j + q] += d[:, :, p, q, i, j]
                    elif kind in ("rows p, q, c", "columns j, i", "flipped", "first image"):
                        dx[:, :, i * s + p, j * s + q] += d[:, :, p, q, i, j]
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
        mistakes.update(
            {
                "a pixel in several windows kept only the last window's value "
                "(dx[:, :, i*s:i*s + k, j*s:j*s + k] = ... assigns): add it with +=": (
                    _wrong_col2im(dcols, x_shape, k, s, "assign windows")
                ),
                "the rows were read as (p, q, c), channel last: im2col's row index is "
                "c*k*k + p*k + q, so reshape to (N, C, k, k, OH, OW)": (
                    _wrong_col2im(dcols, x_shape, k, s, "rows p, q, c") if C > 1 else None
                ),
                "the columns were read as j*OH + i: column i*OW + j is output row i, output "
                "column j (reshape the last axis to (OH, OW))": (
                    _wrong_col2im(dcols, x_shape, k, s, "columns j, i") if OH != OW else None
                ),
                "the kernel positions are flipped (p -> k-1-p): col2im flips nothing, row "
                "(c, p, q) goes back to pixel (i*s + p, j*s + q)": (
                    _wrong_col2im(dcols, x_shape, k, s, "flipped")
                ),
                "only the first image of the batch got its gradient: every n gets its own "
                "dcols[n]": _wrong_col2im(dcols, x_shape, k, s, "first image") if N > 1 else None,
            }
        )
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


def _point_routes(x: np.ndarray, g: np.ndarray, k: int, kind: str) -> np.ndarray:
    """Routings that write one pixel per window: windows without the stride, the first maximum
    in column order, the value y in place of g, windows cut by a reshape without a transpose."""
    N, C, OH, OW = g.shape
    s = 1 if kind == "no stride" else k
    n, c = np.indices((N, C))
    dx = np.zeros_like(x)
    if kind == "reshape":  # x.reshape(N, C, OH, OW, k*k): windows made of the wrong pixels
        wins = x[:, :, : OH * k, : OW * k].reshape(N, C, OH, OW, k * k)
        p, q = np.divmod(wins.argmax(-1), k)
        _, _, i, j = np.indices((N, C, OH, OW))
        dx[n[..., None, None], c[..., None, None], i * k + p, j * k + q] = g
        return dx
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * s : i * s + k, j * s : j * s + k]
            if kind == "column order":  # the first maximum column by column
                q, p = np.divmod(win.swapaxes(2, 3).reshape(N, C, -1).argmax(-1), k)
            else:
                p, q = np.divmod(win.reshape(N, C, -1).argmax(-1), k)
            value = win.max(axis=(2, 3)) if kind == "y" else g[:, :, i, j]
            dx[n, c, i * s + p, j * s + q] = value
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
    x = rng.integers(0, 3, size=(2, 3, 4, 6)).astype(float)  # small integers: ties in windows
    x[0, 0, :2, :2] = [[1.0, 0.0], [0.0, 0.0]]  # a window whose maximum is first and alone
    x[0, 1, :2, :2] = [[0.0, 2.0], [2.0, 0.0]]  # a tie: (0, 1) gets g, (1, 0) nothing
    x[1, 2, :2, :2] = [[0.0, 0.0], [1.0, 0.0]]  # a maximum at (1, 0): p, q swapped shows
    x_odd = rng.standard_normal((1, 2, 5, 5))  # no ties, the last row and column unused
    x_k3 = rng.integers(0, 4, size=(1, 2, 6, 9)).astype(float)  # k = 3: no k = 2 built in
    for xs, k in ((x, 2), (x_odd, 2), (x_k3, 3)):
        N, C, H, W = xs.shape
        g = rng.standard_normal((N, C, H // k, W // k))
        before = {"x": xs.copy(), "g": g.copy()}
        what = f"dx for max_pool2d(x of shape {xs.shape}, kernel {k})"
        try:
            got = ex_maxpool_backward(xs, g, k)
        except (ValueError, IndexError) as err:  # say what is new in these inputs
            if H % k or W % k:
                new = (
                    "H and W are not multiples of k here: the last rows and columns are in no "
                    "window (their dx is 0); reshape only x[:, :, :OH*k, :OW*k]"
                )
            elif k != 2:
                new = f"k = {k} here (it was 2 before): is a 2 written where k belongs?"
            else:
                raise
            raise Mistake(
                f"{_error_message('ex_maxpool_backward', err)}\nOn {what}: {new}"
            ) from None
        _unchanged({"x": xs, "g": g}, before, "ex_maxpool_backward")
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
            "the windows start at (i, j): with stride k, window (i, j) covers rows i*k to "
            "i*k + k - 1 and columns j*k to j*k + k - 1": _point_routes(xs, g, k, "no stride"),
            "the first maximum was taken column by column: window order is row by row, as "
            "np.argmax of the flattened window (reshape(N, C, -1)) reads it": (
                _point_routes(xs, g, k, "column order")
            ),
            "the windows were cut by x.reshape(N, C, OH, OW, k*k), which mixes pixels of "
            "different windows: reshape to (N, C, OH, k, OW, k), then transpose (0, 1, 2, 4, 3, "
            "5) before merging the two k axes": _point_routes(xs, g, k, "reshape"),
            "the maximum got its value y instead of g: dy/dx is 1 at the maximum, so dx there "
            "is the upstream gradient g[n, c, i, j]": _point_routes(xs, g, k, "y"),
            "dx was multiplied by x: dy/dx is 1 at the maximum (y = x there), so dx = g there": (
                want * xs
            ),
            "dx is all zeros: each window's maximum must receive g[n, c, i, j]": np.zeros_like(xs),
        }
        expect(got, want, what, mistakes=_distinct(mistakes, want))
    return "ties, a maximum in each position, an odd-sized image and kernel 3 all match torch"
