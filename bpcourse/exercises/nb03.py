"""Checks of notebook 03 (backpropagation by hand): deltas, transposes, the 1/N, fused gradients.

Every check uses sizes that are all different (batch 5, inputs 3, hidden 4, outputs 2 or 1), so
a transposed gradient has the wrong shape and a missing or doubled 1/N changes the values; it
compares each gradient with torch autograd, in the order the backward pass computes them, so
that the first difference reported is the earliest mistake.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .core import Mistake, check_unchanged, expect, register
from .nb02 import _array, _torch

KEYS = ("W1", "b1", "W2", "b2")


def _grads_dict(got, fn: str) -> dict:
    if not isinstance(got, dict) or set(got) != set(KEYS):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        raise Mistake(f"{fn} must return a dict with keys 'W1', 'b1', 'W2', 'b2', got {keys}")
    return {k: _array(v, f"d{k}") for k, v in got.items()}


def _expect_all(got: dict, want: dict, mistakes: dict, where: str) -> None:
    """Output layer first, as the backward pass goes: the first mistake is named first."""
    for k in ("b2", "W2", "b1", "W1"):
        expect(
            got[k],
            want[k],
            f"d{k} {where}",
            mistakes={d: v[k] for d, v in mistakes.items() if _differs(v[k], want[k])},
        )


def _differs(a, b) -> bool:
    return np.shape(a) != np.shape(b) or not np.allclose(a, b, rtol=1e-7, atol=1e-10)


def _two_layer_grads(x, W1, W2, h, out, d2, dact1):
    """BP2-BP4 of one example from the output error d2 and the hidden derivative dact1."""
    d1 = (W2.T @ d2) * dact1
    return {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h), "b2": d2}


@register(
    "ex_tanh_grads",
    hints=(
        "Only the hidden layer's derivative changes. Which stored value lets you write tanh'(z1) "
        "without calling tanh twice, and which shape must each gradient have?",
        "Keep h = tanh(z1). BP1 at the sigmoid output is unchanged: d2 = (a2 - y) a2 (1 - a2). "
        "BP2 is d1 = (W2.T @ d2) * (1 - h**2); BP4 is an outer product delta times input, with the "
        "shape of the weight (out, in).",
        "h = np.tanh(W1 @ x + b1); out = bf.sigmoid(W2 @ h + b2); d2 = (out - y) * out * (1 - out); "
        "d1 = (W2.T @ d2) * (1 - h**2); return {'W1': np.outer(d1, x), 'b1': d1, "
        "'W2': np.outer(d2, h), 'b2': d2}",
    ),
)
def check_ex_tanh_grads(ex_tanh_grads):
    torch = _torch()
    rng = np.random.default_rng(30)
    # in = 3, hidden = 4, out = 2: a transposed gradient has the wrong shape
    x, y = rng.normal(size=3), np.array([0.9, 0.1])
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    arrays = {"x": x, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    copies = {k: v.copy() for k, v in arrays.items()}
    got = _grads_dict(ex_tanh_grads(x, y, W1, b1, W2, b2), "ex_tanh_grads")
    check_unchanged("ex_tanh_grads", copies, arrays)

    params = {k: torch.tensor(arrays[k], requires_grad=True) for k in KEYS}
    a2 = torch.sigmoid(
        params["W2"] @ torch.tanh(params["W1"] @ torch.tensor(x) + params["b1"]) + params["b2"]
    )
    (0.5 * ((torch.tensor(y) - a2) ** 2).sum()).backward()
    want = {k: p.grad.numpy() for k, p in params.items()}

    z1 = W1 @ x + b1
    h = np.tanh(z1)
    out = F.sigmoid(W2 @ h + b2)
    d2 = (out - y) * out * (1 - out)
    right = _two_layer_grads(x, W1, W2, h, out, d2, 1 - h**2)
    mistakes = {
        "the hidden layer uses the sigmoid's derivative h (1 - h); for tanh it is 1 - h**2": _two_layer_grads(
            x, W1, W2, h, out, d2, h * (1 - h)
        ),
        "tanh'(z1) is written with z1 (1 - z1**2); the formula 1 - tanh(z)**2 needs h = tanh(z1)": _two_layer_grads(
            x, W1, W2, h, out, d2, 1 - z1**2
        ),
        "tanh is applied twice (1 - tanh(h)**2); h is already tanh(z1)": _two_layer_grads(
            x, W1, W2, h, out, d2, 1 - np.tanh(h) ** 2
        ),
        "the output sigmoid's derivative a2 (1 - a2) is missing from BP1 (that shortcut is for "
        "binary cross-entropy, not for this squared error)": _two_layer_grads(
            x, W1, W2, h, out, out - y, 1 - h**2
        ),
        "the sign is flipped: dL/da2 = a2 - y for L = (y - a2)**2 / 2": _two_layer_grads(
            x, W1, W2, h, out, -d2, 1 - h**2
        ),
        "a weight gradient is transposed: np.outer(input, delta) has shape (in, out); dW must be "
        "np.outer(delta, input), shape (out, in) like W": {
            **right,
            "W1": right["W1"].T,
            "W2": right["W2"].T,
        },
    }
    _expect_all(got, want, mistakes, "for in = 3, hidden = 4, out = 2")
    return "all four gradients match autograd for a 3-4-2 tanh network, inputs unchanged"


@register(
    "ex_linear_backward",
    hints=(
        "Start from the shapes: dX must be (N, in), dW (out, in), db (out,). Which products of dZ "
        "(N, out) with X or W have exactly those shapes?",
        "Z = X @ W.T + b: dX = dZ @ W (N, out)(out, in); dW sums dZ_n x_n^T over the batch, "
        "dZ.T @ X; db sums dZ over the batch axis. dZ already carries any 1/N of the loss.",
        "return dZ @ W, dZ.T @ X, dZ.sum(axis=0)",
    ),
)
def check_ex_linear_backward(ex_linear_backward):
    torch = _torch()
    rng = np.random.default_rng(31)
    # N = 5, in = 3, out = 4
    X, W, b, dZ = (rng.normal(size=s) for s in [(5, 3), (4, 3), (4,), (5, 4)])
    arrays = {"dZ": dZ, "X": X, "W": W}
    copies = {k: v.copy() for k, v in arrays.items()}
    got = ex_linear_backward(dZ, X, W)
    check_unchanged("ex_linear_backward", copies, arrays)
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise Mistake("ex_linear_backward must return three arrays (dX, dW, db), in that order")
    dX, dW, db = (_array(g, n) for g, n in zip(got, ("dX", "dW", "db")))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in {"X": X, "W": W, "b": b}.items()}
    # sum(dZ * Z) has dL/dZ = dZ: autograd then applies exactly the chain rule through the layer
    (torch.tensor(dZ) * torch.nn.functional.linear(t["X"], t["W"], t["b"])).sum().backward()
    N = len(X)
    if dX.shape == (4, 3) and dW.shape == (5, 3):
        raise Mistake("the first two results are swapped: return (dX, dW, db), dX (N, in) first")
    expect(
        db,
        t["b"].grad.numpy(),
        "db for N = 5, out = 4",
        mistakes={
            "db sums over axis 1 (the outputs); the bias is shared by the N examples, so sum over axis 0": dZ.sum(
                axis=1
            ),
            "db is a mean over the batch: dZ already holds the loss's 1/N, dividing again makes it N times too small": dZ.mean(
                axis=0
            ),
            "db has shape (1, out): keepdims=True kept the summed axis; the bias is (out,)": dZ.sum(
                axis=0, keepdims=True
            ),
            "db is one number: dZ.sum() adds over every axis; sum over the batch axis only (axis=0)": dZ.sum(),
        },
    )
    expect(
        dW,
        t["W"].grad.numpy(),
        "dW for W (4, 3)",
        mistakes={
            "dW is transposed: X.T @ dZ has shape (in, out); the gradient has W's shape (out, in): dZ.T @ X": X.T
            @ dZ,
            "dW is divided by N: dZ already holds the loss's 1/N, so dW is N times too small": dZ.T
            @ X
            / N,
        },
    )
    expect(
        dX,
        t["X"].grad.numpy(),
        "dX for X (5, 3)",
        mistakes={
            "dX is divided by N: dZ already holds the loss's 1/N": dZ @ W / N,
        },
    )
    return "dX, dW and db match autograd for N = 5, in = 3, out = 4, inputs unchanged"


@register(
    "ex_ce_grad",
    hints=(
        "Section 4 gives the gradient of one example's cross-entropy with respect to its logits. "
        "What changes for the mean over N examples, and how do you pick each row's target entry?",
        "Row n of the gradient is softmax(Z[n]) minus the one-hot vector of k[n], and the mean "
        "divides everything by N. Index one entry per row with P[np.arange(N), k], not P[:, k]; "
        "use a stable softmax (bf.softmax).",
        "P = bf.softmax(Z); P[np.arange(len(Z)), k] -= 1; return P / len(Z)",
    ),
)
def check_ex_ce_grad(ex_ce_grad):
    torch = _torch()
    rng = np.random.default_rng(32)
    # N = 5 examples, C = 3 classes; one row with logits in the thousands
    Z = rng.normal(size=(5, 3))
    Z[2] = [1000.0, -1000.0, 0.0]
    k = np.array([0, 2, 1, 2, 2])
    copies = {"Z": Z.copy(), "k": k.copy()}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        got = ex_ce_grad(Z, k)
    check_unchanged("ex_ce_grad", copies, {"Z": Z, "k": k})
    got = _array(got, "dL/dZ")
    Zt = torch.tensor(Z, requires_grad=True)
    torch.nn.functional.cross_entropy(Zt, torch.tensor(k)).backward()
    want = Zt.grad.numpy()
    if got.shape == want.shape and not np.all(np.isfinite(got)):
        raise Mistake(
            "dL/dZ is not finite in the row [1000, -1000, 0]: exp(1000) overflows in a softmax "
            "written as exp(Z) / sum; subtract each row's max first (bf.softmax does)"
        )
    N = len(Z)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    onehot = np.eye(3)[k]
    every_row = P.copy()
    every_row[:, k] -= 1
    E = np.exp(Z - Z.max(axis=0))  # a softmax down the columns, for the axis-0 mistake
    expect(
        got,
        want,
        "dL/dZ for Z (5, 3)",
        mistakes={
            "the mean's 1/N is missing: every entry is N = 5 times too large": P - onehot,
            "divided by C = 3, the number of classes; the mean is over the N = 5 examples": (
                P - onehot
            )
            / 3,
            "the one-hot of the targets is not subtracted: that is softmax(Z) / N, not the gradient": P
            / N,
            "P[:, k] subtracts 1 in every row at every target column; one entry per row is "
            "P[np.arange(N), k]": every_row / N,
            "the sign is flipped: the gradient is p - onehot, not onehot - p": (onehot - P) / N,
            "the softmax normalises over axis 0 (the examples); each row (axis=1) must sum to 1": (
                E / E.sum(axis=0) - onehot
            )
            / N,
        },
    )
    return "matches autograd's mean cross-entropy gradient, logits in the thousands included"


@register(
    "ex_bce_grads",
    hints=(
        "Walk through the backward pass of notebook 03 with shapes written out. Which output error "
        "does a sigmoid followed by binary cross-entropy give, and where does the mean enter?",
        "D2 = (A2 - Y) / N (fused sigmoid + BCE, no a(1 - a)); D1 = (D2 @ W2) * A1 * (1 - A1); "
        "dW = D.T @ A_prev (out, in), db = D.sum(axis=0) (out,).",
        "H = bf.sigmoid(X @ W1.T + b1); out = bf.sigmoid(H @ W2.T + b2); d2 = (out - Y) / len(X); "
        "d1 = (d2 @ W2) * H * (1 - H); return {'W1': d1.T @ X, 'b1': d1.sum(axis=0), "
        "'W2': d2.T @ H, 'b2': d2.sum(axis=0)}",
    ),
)
def check_ex_bce_grads(ex_bce_grads):
    torch = _torch()
    rng = np.random.default_rng(33)
    # N = 5, in = 3, hidden = 4, out = 1
    X = rng.normal(size=(5, 3))
    Y = np.array([[1.0], [0.0], [0.0], [1.0], [1.0]])
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(1, 4)), rng.normal(size=1)
    arrays = {"X": X, "Y": Y, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    copies = {k: v.copy() for k, v in arrays.items()}
    got = _grads_dict(ex_bce_grads(X, Y, W1, b1, W2, b2), "ex_bce_grads")
    check_unchanged("ex_bce_grads", copies, arrays)

    TF = torch.nn.functional
    params = {k: torch.tensor(arrays[k], requires_grad=True) for k in KEYS}
    A2t = torch.sigmoid(
        TF.linear(
            torch.sigmoid(TF.linear(torch.tensor(X), params["W1"], params["b1"])),
            params["W2"],
            params["b2"],
        )
    )
    TF.binary_cross_entropy(A2t, torch.tensor(Y)).backward()
    want = {k: p.grad.numpy() for k, p in params.items()}

    N = len(X)
    Z1 = X @ W1.T + b1
    A1 = F.sigmoid(Z1)
    A2 = F.sigmoid(A1 @ W2.T + b2)

    def grads(D2, dsig1):
        D1 = (D2 @ W2) * dsig1
        return {"W1": D1.T @ X, "b1": D1.sum(axis=0), "W2": D2.T @ A1, "b2": D2.sum(axis=0)}

    D2 = (A2 - Y) / N
    right = grads(D2, A1 * (1 - A1))
    mistakes = {
        "the mean's 1/N is missing: every gradient is N = 5 times too large": grads(
            A2 - Y, A1 * (1 - A1)
        ),
        "the output error keeps a2 (1 - a2): with sigmoid + binary cross-entropy it cancels, "
        "D2 = (A2 - Y) / N": grads(D2 * A2 * (1 - A2), A1 * (1 - A1)),
        "sigma'(Z1) is computed as Z1 (1 - Z1): the form a (1 - a) needs the activation A1": grads(
            D2, Z1 * (1 - Z1)
        ),
        "sigma'(Z1) is computed from A1 with the z-form (sigmoid(A1) (1 - sigmoid(A1))); "
        "from the activation it is A1 (1 - A1)": grads(D2, F.sigmoid(A1) * (1 - F.sigmoid(A1))),
        "a weight gradient is transposed: A_prev.T @ D has shape (in, out); dW = D.T @ A_prev "
        "has W's shape (out, in)": {**right, "W1": right["W1"].T, "W2": right["W2"].T},
        "a bias gradient has shape (1, n): keepdims=True kept the summed axis; the bias is (n,)": {
            **right,
            "b1": right["b1"][None, :],
            "b2": right["b2"][None, :],
        },
        "the 1/N is applied twice: a bias gradient is a mean over the batch of a D that already "
        "holds 1/N; sum it": {**right, "b1": right["b1"] / N, "b2": right["b2"] / N},
        "the sign is flipped: the output error is A2 - Y": grads(-D2, A1 * (1 - A1)),
    }
    _expect_all(got, want, mistakes, "for N = 5, in = 3, hidden = 4")
    return "all four gradients match autograd's mean BCE for a 3-4-1 network on a batch of 5"
