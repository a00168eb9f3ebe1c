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


def softmax_vjp_by_row_loop(s, g):
    """One row at a time with its Jacobian: right for any leading shape."""
    out = np.empty_like(s)
    for i in np.ndindex(s.shape[:-1]):
        out[i] = g[i] @ (np.diag(s[i]) - np.outer(s[i], s[i]))
    return out


def softmax_vjp_einsum_dot(s, g):
    return s * (g - np.einsum("...i,...i->...", g, s)[..., None])


def softmax_vjp_g_minus_s(s, g):
    return g - s


def softmax_vjp_s_minus_g(s, g):
    return s - g


def softmax_vjp_sum_everything(s, g):
    return s * (g - (g * s).sum())


def softmax_vjp_axis_one(s, g):
    """Right for the 2-D case (axis 1 is the last), wrong for (2, 3, 5)."""
    return s * (g - (g * s).sum(axis=1, keepdims=True))


def softmax_vjp_sign_flipped(s, g):
    return s * ((g * s).sum(axis=-1, keepdims=True) - g)


def softmax_vjp_plus(s, g):
    return s * (g + (g * s).sum(axis=-1, keepdims=True))


def softmax_vjp_s_on_g_only(s, g):
    return s * g - (g * s).sum(axis=-1, keepdims=True)


def softmax_vjp_mean(s, g):
    return s * (g - (g * s).mean(axis=-1, keepdims=True))


def softmax_vjp_matmul_dot(s, g):
    return s * (g - g @ s.swapaxes(-1, -2))


def softmax_vjp_of_log_softmax(s, g):
    return g - s * g.sum(axis=-1, keepdims=True)


def softmax_vjp_softmax_again(s, g):
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def softmax_vjp_jacobian_summed_first(s, g):
    """g_j J_ij summed over i: the columns of J sum to zero, so this is 0."""
    J = np.einsum("...i,ij->...ij", s, np.eye(s.shape[-1])) - s[..., :, None] * s[..., None, :]
    return (J * g[..., None, :]).sum(axis=-2)


def softmax_vjp_list(s, g):
    return correct_softmax_vjp(s, g).tolist()


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


def scores_grad_loops(dS, q, k):
    D = q.shape[-1]
    dq, dk = np.zeros_like(q), np.zeros_like(k)
    for b in range(q.shape[0]):
        for i in range(q.shape[1]):
            for j in range(k.shape[1]):
                dq[b, i] += dS[b, i, j] * k[b, j] / np.sqrt(D)
                dk[b, j] += dS[b, i, j] * q[b, i] / np.sqrt(D)
    return dq, dk


def scores_grad_as_list(dS, q, k):
    return list(correct_scores_grad(dS, q, k))


def scores_grad_scale_twice(dS, q, k):
    scale = 1 / np.sqrt(q.shape[-1])
    return (dS * scale) @ k * scale, (dS * scale).swapaxes(-1, -2) @ q * scale


def scores_grad_dk_unscaled(dS, q, k):
    scale = 1 / np.sqrt(q.shape[-1])
    return dS @ k * scale, dS.swapaxes(-1, -2) @ q


def scores_grad_scale_of_length(dS, q, k):
    scale = 1 / np.sqrt(q.shape[1])
    return dS @ k * scale, dS.swapaxes(-1, -2) @ q * scale


def scores_grad_scale_of_keys(dS, q, k):
    scale = 1 / np.sqrt(k.shape[1])
    return dS @ k * scale, dS.swapaxes(-1, -2) @ q * scale


def scores_grad_fixed_half(dS, q, k):
    return dS @ k * 0.5, dS.swapaxes(-1, -2) @ q * 0.5  # D = 4 in the first call only


def scores_grad_negated(dS, q, k):
    dq, dk = correct_scores_grad(dS, q, k)
    return -dq, -dk


def scores_grad_dk_as_weight(dS, q, k):
    """Summed over the batch like a weight's gradient: k is an activation, one per sequence."""
    scale = 1 / np.sqrt(q.shape[-1])
    return dS @ k * scale, np.einsum("bij,bid->jd", dS, q) * scale


def scores_grad_dk_transposed(dS, q, k):
    scale = 1 / np.sqrt(q.shape[-1])
    return dS @ k * scale, q.swapaxes(-1, -2) @ dS * scale  # (B, D, Tk)


def scores_grad_dict(dS, q, k):
    dq, dk = correct_scores_grad(dS, q, k)
    return {"dq": dq, "dk": dk}


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


def embedding_by_bincount(idx, dout, num_embeddings):
    flat_i, flat_g = idx.ravel(), dout.reshape(-1, dout.shape[-1])
    columns = [np.bincount(flat_i, weights=col, minlength=num_embeddings) for col in flat_g.T]
    return np.stack(columns, axis=1)


def embedding_by_one_hot(idx, dout, num_embeddings):
    return np.einsum("btv,bte->ve", np.eye(num_embeddings)[idx], dout)


def embedding_by_masks(idx, dout, num_embeddings):
    return np.stack([dout[idx == v].sum(axis=0) for v in range(num_embeddings)])


def embedding_loop_assign(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    for b in range(idx.shape[0]):
        for t in range(idx.shape[1]):
            dW[idx[b, t]] = dout[b, t]
    return dW


def embedding_buffered_per_sequence(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    for b in range(idx.shape[0]):
        dW[idx[b]] += dout[b]
    return dW


def embedding_reset_in_loop(idx, dout, num_embeddings):
    for b in range(idx.shape[0]):
        dW = np.zeros((num_embeddings, dout.shape[-1]))
        np.add.at(dW, idx[b], dout[b])
    return dW


def embedding_sum_batch_first(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, idx[0], dout.sum(axis=0))
    return dW


def embedding_hard_coded_table(idx, dout, num_embeddings):
    dW = np.zeros((6, 3))  # the sizes of the first call
    np.add.at(dW, idx, dout)
    return dW


def embedding_rows_from_idx(idx, dout, num_embeddings):
    dW = np.zeros((idx.max() + 1, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    return dW


def embedding_transposed(idx, dout, num_embeddings):
    one_hot = np.eye(num_embeddings)[idx.ravel()]
    return dout.reshape(-1, dout.shape[-1]).T @ one_hot


def embedding_float32(idx, dout, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]), dtype=np.float32)
    np.add.at(dW, idx, dout)
    return dW


def embedding_mutates_dout(idx, dout, num_embeddings):
    dW = correct_embedding_backward(idx, dout, num_embeddings)
    dout[...] = 0
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
    Case("ex_softmax_vjp", softmax_vjp_by_row_loop, None),
    Case("ex_softmax_vjp", softmax_vjp_einsum_dot, None),
    Case("ex_softmax_vjp", softmax_vjp_g_minus_s, "used g - s"),
    Case("ex_softmax_vjp", softmax_vjp_s_minus_g, "cross-entropy shortcut s - y with g for y"),
    Case("ex_softmax_vjp", softmax_vjp_sum_everything, "summed over the whole array"),
    Case("ex_softmax_vjp", softmax_vjp_axis_one, "summed over axis 1"),
    Case("ex_softmax_vjp", softmax_vjp_sign_flipped, "the sign is flipped"),
    Case("ex_softmax_vjp", softmax_vjp_plus, "instead of subtracting"),
    Case("ex_softmax_vjp", softmax_vjp_s_on_g_only, "multiplies only g"),
    Case("ex_softmax_vjp", softmax_vjp_mean, "took the mean"),
    Case("ex_softmax_vjp", softmax_vjp_matmul_dot, "g @ s.t takes the dot product of every row"),
    Case("ex_softmax_vjp", softmax_vjp_of_log_softmax, "the vjp of log_softmax"),
    Case("ex_softmax_vjp", softmax_vjp_softmax_again, "applied a softmax to s again"),
    Case("ex_softmax_vjp", softmax_vjp_jacobian_summed_first, "every entry is 0"),
    Case("ex_softmax_vjp", softmax_vjp_list, "returned list"),
    Case("ex_attention_scores_grad", correct_scores_grad, None),
    Case("ex_attention_scores_grad", scores_grad_einsum, None),
    Case("ex_attention_scores_grad", scores_grad_no_scale, "forgot the 1/sqrt(d) scale"),
    Case("ex_attention_scores_grad", scores_grad_times_sqrt, "multiplied by sqrt(d)"),
    Case("ex_attention_scores_grad", scores_grad_over_d, "divided by d instead of sqrt(d)"),
    Case("ex_attention_scores_grad", scores_grad_swapped, "the wrong order"),
    Case("ex_attention_scores_grad", scores_grad_dk_without_transpose, "matmul"),
    Case("ex_attention_scores_grad", scores_grad_loops, None),
    Case("ex_attention_scores_grad", scores_grad_as_list, None),
    Case("ex_attention_scores_grad", scores_grad_scale_twice, "applied the 1/sqrt(d) scale twice"),
    Case("ex_attention_scores_grad", scores_grad_dk_unscaled, "k (2, 5, 4): forgot the 1/sqrt(d)"),
    Case("ex_attention_scores_grad", scores_grad_scale_of_length, "q.shape[1], the length tq"),
    Case("ex_attention_scores_grad", scores_grad_scale_of_keys, "k.shape[1], the length tk"),
    Case("ex_attention_scores_grad", scores_grad_fixed_half, "a fixed scale 1/2"),
    Case("ex_attention_scores_grad", scores_grad_negated, "the sign is flipped"),
    Case("ex_attention_scores_grad", scores_grad_dk_as_weight, "dk has the shape of k"),
    Case("ex_attention_scores_grad", scores_grad_dk_transposed, "has shape (2, 4, 5)"),
    Case("ex_attention_scores_grad", scores_grad_dict, "return a tuple (dq, dk), got dict"),
    Case("ex_embedding_backward", correct_embedding_backward, None),
    Case("ex_embedding_backward", embedding_backward_by_loop, None),
    Case("ex_embedding_backward", embedding_buffered_add, "np.add.at(dw, idx, dout)"),
    Case("ex_embedding_backward", embedding_returns_dout, "dw has w's shape"),
    Case("ex_embedding_backward", embedding_counts, "ignored dout"),
    Case("ex_embedding_backward", embedding_mean, "averaged the contributions"),
    Case("ex_embedding_backward", embedding_used_rows_only, "only the rows that were used"),
    Case("ex_embedding_backward", embedding_over_positions, "divided by the number of positions"),
    Case("ex_embedding_backward", embedding_first_sequence, "only the first sequence"),
    Case("ex_embedding_backward", embedding_by_bincount, None),
    Case("ex_embedding_backward", embedding_by_one_hot, None),
    Case("ex_embedding_backward", embedding_by_masks, None),
    Case("ex_embedding_backward", embedding_loop_assign, "kept only one contribution"),
    Case("ex_embedding_backward", embedding_buffered_per_sequence, "repeated within one sequence"),
    Case("ex_embedding_backward", embedding_reset_in_loop, "only the last sequence"),
    Case("ex_embedding_backward", embedding_sum_batch_first, "summed dout over the batch"),
    Case("ex_embedding_backward", embedding_hard_coded_table, "index 6 is out of bounds"),
    Case("ex_embedding_backward", embedding_rows_from_idx, "sized dw by idx.max() + 1"),
    Case("ex_embedding_backward", embedding_transposed, "has shape (3, 6), expected (6, 3)"),
    Case("ex_embedding_backward", embedding_float32, "dtype float32"),
    Case("ex_embedding_backward", embedding_mutates_dout, "changed idx or dout in place"),
]

test_catalogue = run_catalogue(CATALOGUE)
