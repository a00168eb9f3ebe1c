"""Checks of notebook 12 (attention and the transformer block): the softmax VJP, the gradient
of the attention scores, the embedding's scatter-add.

Each check is adversarial: non-square shapes (queries and keys of different lengths, a head
width whose square root is not itself), a square case where a wrong axis keeps the shape,
repeated token ids within and across sequences and an id never used, so that every typical
mistake gives a value different from the right one. The attention and embedding checks call
the answer twice with different sizes, so that a size copied from the first call fails.
References come from torch autograd.
"""

from __future__ import annotations

import numpy as np

from ..functional import softmax
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
        s = softmax(x)
        g = rng.standard_normal(shape)
        s_in, g_in = s.copy(), g.copy()
        got = ex_softmax_vjp(s_in, g_in)
        if not (np.array_equal(s_in, s) and np.array_equal(g_in, g)):
            raise Mistake("ex_softmax_vjp changed s or g in place: compute a new array")
        what = f"ex_softmax_vjp(s, g) for rows of shape {shape}"
        _array_of_shape(got, shape, what, "dL/dx has the shape of x (and of s)")
        (want,) = _torch_grads(lambda t: torch.softmax(t, dim=-1), [x], g)
        dot = (g * s).sum(-1, keepdims=True)
        mistakes = {
            "multiplied g by s only: each s_i depends on the whole row, so the term "
            "- s_j * sum_i g_i s_i is missing": s * g,
            "used only the diagonal of the Jacobian, s * (1 - s) * g: the off-diagonal "
            "entries -s_i s_j are missing": s * (1 - s) * g,
            "left out the outer factor s: s * (g - sum(g * s))": g - dot,
            "the outer factor s multiplies only g: it multiplies the whole bracket, "
            "s * (g - sum(g * s))": s * g - dot,
            "summed g without weighting it by s: the dot product is sum_i g_i s_i": s
            * (g - g.sum(-1, keepdims=True)),
            "took the mean of g * s over the row: the dot product sum_i g_i s_i is a sum": s
            * (g - (g * s).mean(-1, keepdims=True)),
            "summed over the wrong axis: each row (the last axis) is one distribution": s
            * (g - (g * s).sum(0, keepdims=True)),
            "summed over the whole array: each row is its own softmax, so take one dot "
            "product per row, (g * s).sum(axis=-1, keepdims=True)": s * (g - (g * s).sum()),
            "the sign is flipped: s * (g - sum(g * s)), g first": s * (dot - g),
            "added the dot product instead of subtracting it: s * (g - sum(g * s))": s * (g + dot),
            "used the softmax-with-cross-entropy shortcut s - y with g for y: it holds only "
            "for that loss; for any upstream g, dL/dx = s * (g - sum(g * s))": s - g,
            "used g - s (the cross-entropy shortcut s - y, turned round): for an upstream g "
            "the softmax's VJP is s * (g - sum(g * s))": g - s,
            "that is the VJP of log_softmax, g - s * sum(g); softmax's own VJP is "
            "s * (g - sum(g * s))": g - s * g.sum(-1, keepdims=True),
            "applied a softmax to s again: s is already the softmax's output": softmax(s)
            * (g - (g * softmax(s)).sum(-1, keepdims=True)),
            "every entry is 0: the rows and columns of the Jacobian sum to zero, so summing J "
            "over an index before multiplying by g cancels; the VJP is sum_i g_i J_ij": np.zeros(
                shape
            ),
        }
        if len(shape) == 2:
            mistakes[
                "summed without keepdims=True: the row sums broadcast along the wrong axis"
            ] = s * (g - (g * s).sum(-1))
            mistakes[
                "g @ s.T takes the dot product of every row of g with every row of s: one dot "
                "product per row is (g * s).sum(axis=-1, keepdims=True)"
            ] = s * (g - g @ s.T)
        else:
            mistakes[
                "summed over axis 1: that is the last axis of a 2-D s only; a row is always "
                "the last axis, axis=-1"
            ] = s * (g - (g * s).sum(1, keepdims=True))
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
    # every size different in each case; sqrt(D) is neither D nor another size of the same case,
    # and the second case changes D (a hard-coded scale fails) and has Tq > Tk
    for B, Tq, Tk, D in [(2, 3, 5, 4), (5, 6, 2, 9)]:
        q, k = rng.standard_normal((B, Tq, D)), rng.standard_normal((B, Tk, D))
        dS = rng.standard_normal((B, Tq, Tk))
        _check_scores_grad(ex_attention_scores_grad, dS, q, k)
    return "dq and dk match torch, with queries and keys of different lengths"


def _check_scores_grad(ex_attention_scores_grad, dS, q, k):
    (B, Tq, D), Tk = q.shape, k.shape[1]
    before = [a.copy() for a in (dS, q, k)]
    got = ex_attention_scores_grad(dS, q, k)
    if not all(np.array_equal(a, b) for a, b in zip((dS, q, k), before)):
        raise Mistake("ex_attention_scores_grad changed its inputs in place: compute new arrays")
    what = f"(dq, dk) for S = q @ k^T / sqrt(D), q {q.shape}, k {k.shape}"
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mistake(f"{what}: return a tuple (dq, dk), got {type(got).__name__}")
    dq, dk = got
    if getattr(dq, "shape", None) == k.shape and getattr(dk, "shape", None) == q.shape:
        raise Mistake(f"{what}: returned (dk, dq), the wrong order: dq has q's shape {q.shape}")
    _array_of_shape(dq, q.shape, f"dq in {what}", "dq has the shape of q")
    _array_of_shape(dk, k.shape, f"dk in {what}", "dk has the shape of k")
    want_q, want_k = _torch_grads(lambda a, b: a @ b.transpose(-1, -2) / D**0.5, [q, k], dS)
    plain_q, plain_k = dS @ k, dS.swapaxes(-1, -2) @ q
    for name, mine, want, plain in (("dq", dq, want_q, plain_q), ("dk", dk, want_k, plain_k)):
        mistakes = {
            "forgot the 1/sqrt(D) scale of the scores": plain,
            "multiplied by sqrt(D) instead of dividing by it": plain * D**0.5,
            "divided by D instead of sqrt(D) (or applied the 1/sqrt(D) scale twice)": plain / D,
            "the sign is flipped: S = q k^T / sqrt(D) has no minus sign": -plain / D**0.5,
        }
        for size, label in (
            (B, "q.shape[0], the batch B"),
            (Tq, "q.shape[1], the length Tq"),
            (Tk, "k.shape[1], the length Tk"),
        ):
            mistakes[
                f"took the square root of {label} = {size}: D is the width of a query, "
                f"q.shape[-1] = {D}"
            ] = plain / size**0.5
        if D != 4:
            mistakes[
                "used a fixed scale 1/2, right for the first call's D = 4 only: take D from "
                "q.shape[-1]"
            ] = plain / 2
        expect(mine, want, f"{name} in {what}", mistakes=mistakes)


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
    rng = np.random.default_rng(121)
    # repeats within and across sequences, rows never used; the second call changes every size
    # (a hard-coded table fails), uses the last row, and has more sequences than the first
    for idx, V, E in [
        (np.array([[2, 0, 2, 4], [4, 4, 1, 2]]), 6, 3),  # 2 and 4 three times, 3 and 5 never
        (np.array([[6, 1, 1], [0, 6, 3], [5, 1, 6]]), 7, 2),  # 2 and 4 never
    ]:
        _check_embedding_backward(
            ex_embedding_backward, idx, rng.standard_normal((*idx.shape, E)), V
        )
    return "repeated ids (within and across sequences) and unused rows match torch"


def _check_embedding_backward(ex_embedding_backward, idx, dout, V):
    import torch

    E = dout.shape[-1]
    before = dout.copy(), idx.copy()
    got = ex_embedding_backward(idx, dout, V)
    if not (np.array_equal(dout, before[0]) and np.array_equal(idx, before[1])):
        raise Mistake("ex_embedding_backward changed idx or dout in place: compute a new array")
    what = f"dW for out = W[idx], idx = {idx.tolist()}, W ({V}, {E})"
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
    if isinstance(got, np.ndarray) and got.shape == (idx.max() + 1, E) and idx.max() + 1 != V:
        raise Mistake(
            f"{what}: sized dW by idx.max() + 1 = {idx.max() + 1}; the table has num_embeddings "
            f"= {V} rows, used or not"
        )
    _array_of_shape(got, (V, E), what, "dW has the shape of the table W")

    def lookup(w):
        return torch.nn.functional.embedding(torch.from_numpy(idx), w)

    (want,) = _torch_grads(lookup, [np.zeros((V, E))], dout)
    flat_i, flat_g = idx.reshape(-1), dout.reshape(-1, E)
    last = np.zeros((V, E))
    last[flat_i] = flat_g
    per_sequence = np.zeros((V, E))
    for b in range(idx.shape[0]):
        per_sequence[idx[b]] += dout[b]
    counts = np.bincount(flat_i, minlength=V)[:, None]
    expect(
        got,
        want,
        what,
        mistakes={
            "a repeated id kept only one contribution (dW[idx] = dout or dW[idx] += dout "
            "writes once per id): use np.add.at(dW, idx, dout) to add every repeat": last,
            "an id repeated within one sequence kept only one contribution (dW[idx[b]] += "
            "dout[b] writes once per id): use np.add.at(dW, idx, dout) to add every repeat": (
                per_sequence
            ),
            "averaged the contributions of a repeated id instead of adding them": want
            / np.maximum(counts, 1),
            "counted the uses (np.add.at(dW, idx, 1)) but ignored dout": counts * np.ones((1, E)),
            "divided by the number of positions B*T: the loss's mean is already in dout": want
            / idx.size,
            "added only the first sequence of the batch": _one_sequence(idx, dout, V, 0),
            "kept only the last sequence of the batch (dW reset or overwritten inside the "
            "loop?): every sequence adds to the same dW": _one_sequence(idx, dout, V, -1),
            "summed dout over the batch before scattering with idx[0]: each sequence holds "
            "its own ids": _one_sequence(idx, dout.sum(0, keepdims=True), V, 0),
        },
    )


def _one_sequence(idx, dout, V, b):
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, idx[b], dout[b])
    return dW
