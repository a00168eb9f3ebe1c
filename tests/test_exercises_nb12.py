"""Catalogue of notebook 12's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_softmax_vjp -----------------------------------------------------------------------------
def correct_softmax_vjp(s, g):
    return s * (g - (g * s).sum(axis=-1, keepdims=True))


def softmax_vjp_by_jacobian(s, g):
    """The full Jacobian of each row, diag(s) - s s^T, then g^T J: right, and slower."""
    J = np.einsum("...i,ij->...ij", s, np.eye(s.shape[-1])) - s[..., :, None] * s[..., None, :]
    return np.einsum("...i,...ij->...j", g, J)


def softmax_vjp_elementwise(s, g):
    return s * g


def softmax_vjp_diagonal(s, g):
    return s * (1 - s) * g


def softmax_vjp_no_outer_s(s, g):
    return g - (g * s).sum(axis=-1, keepdims=True)


def softmax_vjp_unweighted_sum(s, g):
    return s * (g - g.sum(axis=-1, keepdims=True))


def softmax_vjp_wrong_axis(s, g):
    return s * (g - (g * s).sum(axis=0, keepdims=True))


def softmax_vjp_no_keepdims(s, g):
    return s * (g - (g * s).sum(axis=-1))


def softmax_vjp_in_place(s, g):
    g *= s
    return s * (g / s - (g).sum(axis=-1, keepdims=True))


# --- ex_attention_scores_grad -------------------------------------------------------------------
def correct_scores_grad(dS, q, k):
    scale = 1 / np.sqrt(q.shape[-1])
    return dS @ k * scale, dS.swapaxes(-1, -2) @ q * scale


def scores_grad_einsum(dS, q, k):
    D = q.shape[-1]
    return np.einsum("bij,bjd->bid", dS, k) / D**0.5, np.einsum("bij,bid->bjd", dS, q) / D**0.5


def scores_grad_no_scale(dS, q, k):
    return dS @ k, dS.swapaxes(-1, -2) @ q


def scores_grad_times_sqrt(dS, q, k):
    scale = np.sqrt(q.shape[-1])
    return dS @ k * scale, dS.swapaxes(-1, -2) @ q * scale


def scores_grad_over_d(dS, q, k):
    D = q.shape[-1]
    return dS @ k / D, dS.swapaxes(-1, -2) @ q / D


def scores_grad_swapped(dS, q, k):
    dq, dk = correct_scores_grad(dS, q, k)
    return dk, dq


def scores_grad_dk_without_transpose(dS, q, k):
    scale = 1 / np.sqrt(q.shape[-1])
    return dS @ k * scale, dS @ q * scale  # (2, 3, 5) @ (2, 3, 4): matmul refuses


# --- ex_embedding_backward ---------------------------------------------------------------------
def correct_embedding_backward(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    return dW


def embedding_backward_by_loop(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    for b in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            dW[idx[b, t]] += dout[b, t]
    return dW


def embedding_buffered_add(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    dW[idx] += dout
    return dW


def embedding_returns_dout(idx, dout, num_embeddings):
    return dout.copy()


def embedding_counts(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, idx, 1.0)
    return dW


def embedding_mean(idx, dout, num_embeddings):
    dW = correct_embedding_backward(idx, dout, num_embeddings)
    return dW / np.maximum(np.bincount(idx.ravel(), minlength=num_embeddings), 1)[:, None]


def embedding_used_rows_only(idx, dout, num_embeddings):
    rows = np.unique(idx)
    return np.stack([dout[idx == r].sum(axis=0) for r in rows])


def embedding_over_positions(idx, dout, num_embeddings):
    return correct_embedding_backward(idx, dout, num_embeddings) / idx.size


def embedding_first_sequence(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, idx[0], dout[0])
    return dW


CATALOGUE = [
    Case("ex_softmax_vjp", correct_softmax_vjp, None),
    Case("ex_softmax_vjp", softmax_vjp_by_jacobian, None),
    Case("ex_softmax_vjp", softmax_vjp_elementwise, "multiplied g by s only"),
    Case("ex_softmax_vjp", softmax_vjp_diagonal, "only the diagonal of the jacobian"),
    Case("ex_softmax_vjp", softmax_vjp_no_outer_s, "left out the outer factor s"),
    Case("ex_softmax_vjp", softmax_vjp_unweighted_sum, "without weighting it by s"),
    Case("ex_softmax_vjp", softmax_vjp_wrong_axis, "summed over the wrong axis"),
    Case("ex_softmax_vjp", softmax_vjp_no_keepdims, "without keepdims=true"),
    Case("ex_softmax_vjp", softmax_vjp_in_place, "changed s or g in place"),
    Case("ex_attention_scores_grad", correct_scores_grad, None),
    Case("ex_attention_scores_grad", scores_grad_einsum, None),
    Case("ex_attention_scores_grad", scores_grad_no_scale, "forgot the 1/sqrt(d) scale"),
    Case("ex_attention_scores_grad", scores_grad_times_sqrt, "multiplied by sqrt(d)"),
    Case("ex_attention_scores_grad", scores_grad_over_d, "divided by d instead of sqrt(d)"),
    Case("ex_attention_scores_grad", scores_grad_swapped, "the wrong order"),
    Case("ex_attention_scores_grad", scores_grad_dk_without_transpose, "matmul"),
    Case("ex_embedding_backward", correct_embedding_backward, None),
    Case("ex_embedding_backward", embedding_backward_by_loop, None),
    Case("ex_embedding_backward", embedding_buffered_add, "np.add.at(dw, idx, dout)"),
    Case("ex_embedding_backward", embedding_returns_dout, "dw has w's shape"),
    Case("ex_embedding_backward", embedding_counts, "ignored dout"),
    Case("ex_embedding_backward", embedding_mean, "averaged the contributions"),
    Case("ex_embedding_backward", embedding_used_rows_only, "only the rows that were used"),
    Case("ex_embedding_backward", embedding_over_positions, "divided by the number of positions"),
    Case("ex_embedding_backward", embedding_first_sequence, "only the first sequence"),
]

test_catalogue = run_catalogue(CATALOGUE)
