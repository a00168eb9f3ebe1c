"""Checks of notebook 12 (attention and the transformer block): the softmax VJP, the gradient
of the attention scores, the embedding's scatter-add.

Each check is adversarial: non-square shapes (queries and keys of different lengths, a head
width whose square root is not itself), a square case where a wrong axis keeps the shape,
repeated token ids within and across sequences and an id never used, so that every typical
mistake gives a value different from the right one. References come from torch autograd.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, expect, register


def _torch_grads(fn, arrays, upstream):
    """Gradients of sum(fn(*tensors) * upstream) w.r.t. every array, by torch autograd."""
    import torch

    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    (fn(*ts) * torch.tensor(upstream)).sum().backward()
    return [t.grad.numpy() for t in ts]


def _array_of_shape(got, shape, what, hint):
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{what} returned {type(got).__name__}, expected a numpy array of shape {shape}"
        )
    if got.shape != tuple(shape):
        raise Mistake(f"{what} has shape {got.shape}, expected {tuple(shape)}: {hint}")
    return got


# --- exercise 1: the softmax VJP -----------------------------------------------------------------
@register(
    "ex_softmax_vjp",
    hints=(
        "Each output s_i of a softmax depends on every input of its row, so dL/dx_j collects "
        "g_i * ds_i/dx_j over all i of the row. Write the Jacobian of one row first.",
        "ds_i/dx_j = s_i (delta_ij - s_j). Multiplied by g and summed over i this is "
        "s_j (g_j - sum_i g_i s_i): one dot product per row, kept as an axis (keepdims=True).",
        "return s * (g - (g * s).sum(axis=-1, keepdims=True))",
    ),
)
def check_ex_softmax_vjp(ex_softmax_vjp):
    import torch

    rng = np.random.default_rng(12)
    for shape in [(4, 4), (2, 3, 5)]:  # square first: a wrong axis keeps the shape
        x = rng.standard_normal(shape)
        s = np.exp(x - x.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        g = rng.standard_normal(shape)
        s_in, g_in = s.copy(), g.copy()
        got = ex_softmax_vjp(s_in, g_in)
        if not (np.array_equal(s_in, s) and np.array_equal(g_in, g)):
            raise Mistake("ex_softmax_vjp changed s or g in place: compute a new array")
        what = f"ex_softmax_vjp(s, g) for rows of shape {shape}"
        _array_of_shape(got, shape, what, "dL/dx has the shape of x (and of s)")
        (want,) = _torch_grads(lambda t: torch.softmax(t, dim=-1), [x], g)
        mistakes = {
            "multiplied g by s only: each s_i depends on the whole row, so the term "
            "- s_j * sum_i g_i s_i is missing": s * g,
            "used only the diagonal of the Jacobian, s * (1 - s) * g: the off-diagonal "
            "entries -s_i s_j are missing": s * (1 - s) * g,
            "left out the outer factor s: s * (g - sum(g * s))": g - (g * s).sum(-1, keepdims=True),
            "summed g without weighting it by s: the dot product is sum_i g_i s_i": s
            * (g - g.sum(-1, keepdims=True)),
            "summed over the wrong axis: each row (the last axis) is one distribution": s
            * (g - (g * s).sum(0, keepdims=True)),
        }
        if len(shape) == 2:
            mistakes[
                "summed without keepdims=True: the row sums broadcast along the wrong axis"
            ] = s * (g - (g * s).sum(-1))
        expect(got, want, what, mistakes=mistakes)
    return "square and batched rows match torch"


# --- exercise 2: the gradient of the attention scores -------------------------------------------
@register(
    "ex_attention_scores_grad",
    hints=(
        "S = q @ k^T / sqrt(D) is a (batched) matrix product with a constant factor: which two "
        "products give the gradients of its two operands, and what becomes of the factor?",
        "dq has q's shape (B, Tq, D): dS (B, Tq, Tk) times k (B, Tk, D). dk has k's shape: "
        "dS transposed in its last two axes times q. Both keep the 1/sqrt(D).",
        "scale = 1 / np.sqrt(q.shape[-1]); return dS @ k * scale, dS.swapaxes(-1, -2) @ q * scale",
    ),
)
def check_ex_attention_scores_grad(ex_attention_scores_grad):
    rng = np.random.default_rng(120)
    B, Tq, Tk, D = 2, 3, 5, 4  # every size different; sqrt(D) = 2 is not D
    q, k = rng.standard_normal((B, Tq, D)), rng.standard_normal((B, Tk, D))
    dS = rng.standard_normal((B, Tq, Tk))
    before = [a.copy() for a in (dS, q, k)]
    got = ex_attention_scores_grad(dS, q, k)
    if not all(np.array_equal(a, b) for a, b in zip((dS, q, k), before)):
        raise Mistake("ex_attention_scores_grad changed its inputs in place: compute new arrays")
    what = "(dq, dk) for S = q @ k^T / sqrt(D), q (2, 3, 4), k (2, 5, 4)"
    if not isinstance(got, tuple) or len(got) != 2:
        raise Mistake(f"{what}: return a tuple (dq, dk), got {type(got).__name__}")
    dq, dk = got
    if getattr(dq, "shape", None) == k.shape and getattr(dk, "shape", None) == q.shape:
        raise Mistake(f"{what}: returned (dk, dq), the wrong order: dq has q's shape {q.shape}")
    _array_of_shape(dq, q.shape, f"dq in {what}", "dq has the shape of q")
    _array_of_shape(dk, k.shape, f"dk in {what}", "dk has the shape of k")
    want_q, want_k = _torch_grads(lambda a, b: a @ b.transpose(-1, -2) / D**0.5, [q, k], dS)
    plain_q, plain_k = dS @ k, dS.swapaxes(-1, -2) @ q
    for name, mine, want, plain in (("dq", dq, want_q, plain_q), ("dk", dk, want_k, plain_k)):
        expect(
            mine,
            want,
            f"{name} in {what}",
            mistakes={
                "forgot the 1/sqrt(D) scale of the scores": plain,
                "multiplied by sqrt(D) instead of dividing by it": plain * D**0.5,
                "divided by D instead of sqrt(D)": plain / D,
            },
        )
    return "dq and dk match torch, with queries and keys of different lengths"


# --- exercise 3: the embedding's scatter-add --------------------------------------------------------
@register(
    "ex_embedding_backward",
    hints=(
        "out[b, t] = W[idx[b, t]]: a row of W is used once per position holding its id, in "
        "any sequence of the batch. What should its gradient collect?",
        "dW starts as zeros (num_embeddings, E). Add each dout[b, t] to row idx[b, t]; "
        "dW[idx] += dout writes a repeated id once (numpy buffers it), np.add.at adds them all.",
        "dW = np.zeros((num_embeddings, dout.shape[-1])); np.add.at(dW, idx, dout); return dW",
    ),
)
def check_ex_embedding_backward(ex_embedding_backward):
    import torch

    rng = np.random.default_rng(121)
    V, E = 6, 3
    idx = np.array([[2, 0, 2, 4], [4, 4, 1, 2]])  # 2 three times, 4 three times, 3 and 5 never
    dout = rng.standard_normal((*idx.shape, E))
    before = dout.copy(), idx.copy()
    got = ex_embedding_backward(idx, dout, V)
    if not (np.array_equal(dout, before[0]) and np.array_equal(idx, before[1])):
        raise Mistake("ex_embedding_backward changed idx or dout in place: compute a new array")
    what = "dW for out = W[idx], idx = [[2, 0, 2, 4], [4, 4, 1, 2]], W (6, 3)"
    if isinstance(got, np.ndarray) and got.shape == dout.shape:
        raise Mistake(
            f"{what}: returned an array of dout's shape {dout.shape}; dW has W's shape ({V}, {E}), "
            "each dout[b, t] added to row idx[b, t]"
        )
    used = np.unique(idx)
    if isinstance(got, np.ndarray) and got.shape == (len(used), E):
        raise Mistake(
            f"{what}: returned only the rows that were used, shape {got.shape}; rows never used "
            f"have gradient zero and dW has W's shape ({V}, {E})"
        )
    _array_of_shape(got, (V, E), what, "dW has the shape of the table W")

    def lookup(w):
        return torch.nn.functional.embedding(torch.from_numpy(idx), w)

    (want,) = _torch_grads(lookup, [np.zeros((V, E))], dout)
    flat_i, flat_g = idx.reshape(-1), dout.reshape(-1, E)
    last = np.zeros((V, E))
    last[flat_i] = flat_g
    counts = np.bincount(flat_i, minlength=V)[:, None]
    expect(
        got,
        want,
        what,
        mistakes={
            "a repeated id kept only one contribution (dW[idx] = dout or dW[idx] += dout "
            "writes once per id): use np.add.at(dW, idx, dout) to add every repeat": last,
            "averaged the contributions of a repeated id instead of adding them": want
            / np.maximum(counts, 1),
            "counted the uses (np.add.at(dW, idx, 1)) but ignored dout": counts * np.ones((1, E)),
            "divided by the number of positions B*T: the loss's mean is already in dout": want
            / idx.size,
            "added only the first sequence of the batch": _first_sequence(idx, dout, V),
        },
    )
    return "repeated ids (within and across sequences) and unused rows match torch"


def _first_sequence(idx, dout, V):
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, idx[0], dout[0])
    return dW
