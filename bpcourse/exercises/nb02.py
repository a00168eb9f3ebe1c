"""Checks of notebook 02 (the forward pass): shapes, activations' derivatives, stable losses.

Each check calls the learner's function on inputs where the typical mistakes of the notebook
give a different result than the right answer: non-square weights (a missing transpose is a
shape error or a different value), a batch size unlike every other size, a batch of one
(``(n,)`` against ``(1, n)``), logits in the thousands (overflow), and a copy of every input
to see that it is left unchanged. References come from torch.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .core import Mistake, check_unchanged, expect, register


def _torch():
    import torch

    return torch


def _array(got, what: str) -> np.ndarray:
    if not hasattr(got, "shape"):
        raise Mistake(f"{what}: expected a numpy array, got {type(got).__name__}")
    return np.asarray(got)


@register(
    "ex_linear_forward",
    hints=(
        "Write the shape of X, W and the result beside each other: which matrix product turns "
        "(N, in) and (out, in) into (N, out)?",
        "Each row of X (one example) must be dotted with each row of W (one neuron): that needs "
        "W's transpose, then the bias broadcast over the N rows.",
        "return X @ W.T + b",
    ),
)
def check_ex_linear_forward(ex_linear_forward):
    torch = _torch()
    rng = np.random.default_rng(20)
    # N = 5, in = 3, out = 4: every size different, so a transpose cannot go unnoticed
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    copies = {"X": X.copy(), "W": W.copy(), "b": b.copy()}
    Z = ex_linear_forward(X, W, b)
    check_unchanged("ex_linear_forward", copies, {"X": X, "W": W, "b": b})
    want = torch.nn.functional.linear(*map(torch.tensor, (X, W, b))).numpy()
    expect(
        _array(Z, "Z"),
        want,
        "Z for X (5, 3), W (4, 3), b (4,)",
        mistakes={
            "the bias b is missing": X @ W.T,
            "returns Z.T, shape (out, N): that is the textbook's column form W @ X.T; "
            "the course wants one example per row, (N, out)": (X @ W.T + b).T,
            "b is subtracted instead of added": X @ W.T - b,
        },
    )
    # a square layer: X @ W runs without error here, and is wrong
    Ws = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [0.5, 0.0, 1.0]])
    bs = np.array([0.1, -0.2, 0.3])
    want = torch.nn.functional.linear(*map(torch.tensor, (X, Ws, bs))).numpy()
    expect(
        _array(ex_linear_forward(X, Ws, bs), "Z"),
        want,
        "Z for a square W (3, 3)",
        mistakes={
            "X @ W uses the weight in the tutorial layout (in, out); torch's W is (out, in), so the "
            "product needs W.T (with a square W there is no shape error to warn you)": X @ Ws + bs,
        },
    )
    # a batch of one example stays a batch: (1, out), not (out,)
    x1 = X[:1]
    want = torch.nn.functional.linear(*map(torch.tensor, (x1, W, b))).numpy()
    expect(
        _array(ex_linear_forward(x1, W, b), "Z"),
        want,
        "Z for a batch of one, X (1, 3)",
        mistakes={
            "the batch axis is squeezed away: a batch of one must give (1, out), not (out,)": (
                x1 @ W.T + b
            )[0],
        },
    )
    return "non-square and square weights, a batch of one, inputs unchanged: all match torch"


@register(
    "ex_tanh_grad_from_output",
    hints=(
        "Write tanh'(z) as a function of tanh(z) (notebook section 4's table), then remember what a "
        "already is.",
        "a is tanh(z) itself, so nothing needs tanh again: tanh'(z) = 1 - tanh(z)**2 becomes a "
        "polynomial in a.",
        "return 1 - a**2",
    ),
)
def check_ex_tanh_grad_from_output(ex_tanh_grad_from_output):
    torch = _torch()
    z = np.array([[-2.5, -0.7, 0.0], [0.3, 1.2, 3.0]])  # (2, 3): the shape must come back
    a = np.tanh(z)
    copy = a.copy()
    got = ex_tanh_grad_from_output(a)
    check_unchanged("ex_tanh_grad_from_output", {"a": copy}, {"a": a})
    zt = torch.tensor(z, requires_grad=True)
    torch.tanh(zt).sum().backward()
    want = zt.grad.numpy()
    expect(
        _array(got, "tanh'(z)"),
        want,
        "tanh'(z) from a = tanh(z)",
        mistakes={
            "tanh is applied to a again: a is already tanh(z), so tanh'(z) = 1 - a**2, not 1 - tanh(a)**2": 1
            - np.tanh(a) ** 2,
            "that is the sigmoid's derivative a (1 - a); tanh's is different": a * (1 - a),
            "a is not squared: 1 - a is not tanh's derivative": 1 - a,
            "(1 - a)**2 squares the difference; the square belongs to a alone": (1 - a) ** 2,
            "the sign of the square is flipped: 1 + a**2 grows, tanh's slope is at most 1": 1
            + a**2,
            "that is the derivative with respect to a of a**2, not tanh's derivative": 2 * a,
        },
    )
    return "tanh'(z) from the output matches autograd, shape (2, 3), input unchanged"


@register(
    "ex_logsumexp",
    hints=(
        "exp(1000) is inf in float64. Which number can you take out of every exp of a row, and put "
        "back afterwards, so that no exponent is large and positive?",
        "log sum_j exp(z_j) = m + log sum_j exp(z_j - m) for any m; with m = the row's max, every "
        "exponent is <= 0. Take the max per row (axis=1) and keep it as a column so it broadcasts.",
        "m = Z.max(axis=1, keepdims=True); return (m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True)))[:, 0]",
    ),
)
def check_ex_logsumexp(ex_logsumexp):
    torch = _torch()
    Z = np.array(
        [  # N = 4 rows, C = 3 classes
            [1.0, 2.0, 3.0],
            [1000.0, 0.0, -1000.0],  # exp overflows unless the max is taken out
            [-800.0, -801.0, -799.0],  # exp underflows to 0 unless this row's own max is taken out
            [0.5, 4.0, -2.0],
        ]
    )
    copy = Z.copy()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        got = ex_logsumexp(Z)
    check_unchanged("ex_logsumexp", {"Z": copy}, {"Z": Z})
    Z = copy
    got = _array(got, "logsumexp")
    want = torch.logsumexp(torch.tensor(Z), dim=1).numpy()
    m_row = Z.max(axis=1, keepdims=True)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        global_max = Z.max() + np.log(np.exp(Z - Z.max()).sum(axis=1))
        naive = np.log(np.exp(Z).sum(axis=1))
    if got.shape == (Z.shape[1],):
        raise Mistake(
            "logsumexp has shape (3,), one number per class: the sum ran over axis 0 (the "
            "examples); a row's log-sum-exp sums over axis=1, giving (N,) = (4,)"
        )
    if got.shape == want.shape and not np.all(np.isfinite(got)):
        if np.array_equal(got, global_max):
            raise Mistake(
                "logsumexp is -inf for the row [-800, -801, -799]: one max for the whole array "
                "(Z.max()) leaves that row's exponents near -1800, which underflow to 0; take "
                "each row's own max (axis=1)"
            )
        if np.array_equal(got, naive) or np.isinf(got[1]):
            raise Mistake(
                "logsumexp is not finite for the row [1000, 0, -1000]: exp(1000) overflows to "
                "inf; subtract each row's max before exp and add it back after the log"
            )
        raise Mistake(f"logsumexp has non-finite entries {got}: some exp overflowed or underflowed")
    expect(
        got,
        want,
        "logsumexp per row of Z (4, 3)",
        mistakes={
            "the max m was subtracted before exp but never added back after the log": np.log(
                np.exp(Z - m_row).sum(axis=1)
            ),
            "shape (N, 1) instead of (N,): the keepdims=True column was not flattened": m_row
            + np.log(np.exp(Z - m_row).sum(axis=1, keepdims=True)),
            "that is the row's max alone: the log of the sum was dropped": m_row[:, 0],
        },
    )
    return "finite and equal to torch.logsumexp for logits from -1000 to 1000, input unchanged"


@register(
    "ex_forward",
    hints=(
        "Go layer by layer and write each shape: X (N, in), W1 (hidden, in), W2 (out, hidden). "
        "What does each layer compute, and what comes after each linear step?",
        "Z1 = X @ W1.T + b1, then the sigmoid gives A1; the second layer takes A1 (not Z1) with W2.T "
        "and b2, and the output also goes through the sigmoid.",
        "A1 = bf.sigmoid(X @ W1.T + b1); return bf.sigmoid(A1 @ W2.T + b2)",
    ),
)
def check_ex_forward(ex_forward):
    torch = _torch()
    rng = np.random.default_rng(21)
    # N = 5, in = 3, hidden = 4, out = 2: no two sizes alike
    X = rng.normal(size=(5, 3))
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    arrays = {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    copies = {k: v.copy() for k, v in arrays.items()}
    got = ex_forward(X, W1, b1, W2, b2)
    check_unchanged("ex_forward", copies, arrays)
    t = {k: torch.tensor(v) for k, v in arrays.items()}
    linear = torch.nn.functional.linear
    want = torch.sigmoid(
        linear(torch.sigmoid(linear(t["X"], t["W1"], t["b1"])), t["W2"], t["b2"])
    ).numpy()
    Z1 = X @ W1.T + b1
    A1 = F.sigmoid(Z1)
    expect(
        _array(got, "A2"),
        want,
        "A2 for X (5, 3), W1 (4, 3), W2 (2, 4)",
        mistakes={
            "the output has no sigmoid: that is Z2, the logits, not A2": A1 @ W2.T + b2,
            "the hidden layer has no sigmoid: Z1 goes into the second layer instead of A1 = sigmoid(Z1)": F.sigmoid(
                Z1 @ W2.T + b2
            ),
            "the output bias b2 is missing": F.sigmoid(A1 @ W2.T),
            "the hidden bias b1 is missing": F.sigmoid(F.sigmoid(X @ W1.T) @ W2.T + b2),
            "that is A1, the hidden layer's output: the second layer is missing": A1,
        },
    )
    return "A2 matches torch for a 3-4-2 network on a batch of 5, inputs unchanged"
