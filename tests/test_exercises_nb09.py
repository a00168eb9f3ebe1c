"""Catalogue of notebook 09's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_logit_max_backward ----------------------------------------------------------------------
def correct_logit_max(logits, dnorm_logits):
    dlogits = dnorm_logits.copy()
    rows = np.arange(len(logits))
    dlogits[rows, logits.argmax(1)] -= dnorm_logits.sum(1)
    return dlogits


def correct_logit_max_onehot(logits, dnorm_logits):
    onehot = logits == logits.max(1, keepdims=True)
    return dnorm_logits + onehot * -dnorm_logits.sum(1, keepdims=True)


def logit_max_no_branch(logits, dnorm_logits):
    return dnorm_logits.copy()


def logit_max_plus(logits, dnorm_logits):
    dlogits = dnorm_logits.copy()
    dlogits[np.arange(len(logits)), logits.argmax(1)] += dnorm_logits.sum(1)
    return dlogits


def logit_max_whole_row(logits, dnorm_logits):
    return dnorm_logits - dnorm_logits.sum(1, keepdims=True)


def logit_max_mean(logits, dnorm_logits):
    onehot = logits == logits.max(1, keepdims=True)
    return dnorm_logits - onehot * dnorm_logits.mean(1, keepdims=True)


def logit_max_axis0(logits, dnorm_logits):
    onehot = logits == logits.max(1, keepdims=True)
    return dnorm_logits - onehot * dnorm_logits.sum(0, keepdims=True)


def logit_max_in_place(logits, dnorm_logits):
    dnorm_logits[np.arange(len(logits)), logits.argmax(1)] -= dnorm_logits.sum(1)
    return dnorm_logits


def logit_max_returns_column(logits, dnorm_logits):
    return -dnorm_logits.sum(1, keepdims=True)


def correct_logit_max_eye(logits, dnorm_logits):
    onehot = np.eye(logits.shape[1])[logits.argmax(1)]
    return dnorm_logits - onehot * dnorm_logits.sum(1, keepdims=True)


def correct_logit_max_zero_of_norm(logits, dnorm_logits):
    """The largest element is where norm_logits is 0; put_along_axis for the max branch."""
    dlogit_maxes = -dnorm_logits.sum(1, keepdims=True)
    branch = np.zeros_like(dnorm_logits)
    np.put_along_axis(branch, logits.argmax(-1)[:, None], dlogit_maxes, axis=-1)
    assert ((logits - logits.max(1, keepdims=True) == 0) == (branch != 0)).all()
    return dnorm_logits + branch


def logit_max_no_direct(logits, dnorm_logits):
    onehot = (logits == logits.max(1, keepdims=True)).astype(float)
    return -onehot * dnorm_logits.sum(1, keepdims=True)


def logit_max_assign(logits, dnorm_logits):
    dlogits = dnorm_logits.copy()
    dlogits[np.arange(len(logits)), logits.argmax(1)] = -dnorm_logits.sum(1)
    return dlogits


def logit_max_own_only(logits, dnorm_logits):
    onehot = logits == logits.max(1, keepdims=True)
    return dnorm_logits - onehot * dnorm_logits


def logit_max_logsumexp(logits, dnorm_logits):
    counts = np.exp(logits - logits.max(1, keepdims=True))
    probs = counts / counts.sum(1, keepdims=True)
    return dnorm_logits - probs * dnorm_logits.sum(1, keepdims=True)


def logit_max_zeros(logits, dnorm_logits):
    return np.zeros_like(logits)  # "dlogit_maxes is zero", read as "the branch is nothing"


def logit_max_colon_index(logits, dnorm_logits):
    dlogits = dnorm_logits.copy()
    dlogits[:, logits.argmax(1)] -= dnorm_logits.sum(1)
    return dlogits


def logit_max_argmax_axis0(logits, dnorm_logits):
    dlogits = dnorm_logits.copy()
    dlogits[logits.argmax(0), np.arange(logits.shape[1])] -= dnorm_logits.sum(0)
    return dlogits


def logit_max_global_max(logits, dnorm_logits):
    return dnorm_logits - (logits == logits.max()) * dnorm_logits.sum(1, keepdims=True)


def logit_max_tuple(logits, dnorm_logits):
    dlogit_maxes = -dnorm_logits.sum(1, keepdims=True)
    dlogits = dnorm_logits.copy()
    dlogits[np.arange(len(logits)), logits.argmax(1)] += dlogit_maxes[:, 0]
    return dlogits, dlogit_maxes


def logit_max_float32(logits, dnorm_logits):
    return correct_logit_max(logits, dnorm_logits).astype(np.float32)


# --- ex_layernorm_backward ----------------------------------------------------------------------
def correct_layernorm(dy, x, weight, eps):
    mu = x.mean(1, keepdims=True)
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - mu) * rstd
    dxhat = dy * weight
    return rstd * (
        dxhat - dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True)
    )


def correct_layernorm_long(dy, x, weight, eps):
    """The long chain: through d = x - mu, var, rstd, then mu."""
    n = x.shape[1]
    mu = x.mean(-1, keepdims=True)
    d = x - mu
    var = (d**2).sum(-1, keepdims=True) / n
    rstd = (var + eps) ** -0.5
    dxhat = dy * weight
    drstd = (dxhat * d).sum(-1, keepdims=True)
    dd = dxhat * rstd
    dvar = -0.5 * (var + eps) ** -1.5 * drstd
    dd += 2 * d * dvar / n
    return dd - dd.sum(-1, keepdims=True) / n


def _compact(dy, x, weight, eps, axis=1, mean_path=True, var_path=True, ddof=0):
    mu = x.mean(axis, keepdims=True)
    rstd = 1 / np.sqrt(x.var(axis, keepdims=True, ddof=ddof) + eps)
    xhat = (x - mu) * rstd
    dxhat = dy * weight
    out = dxhat
    if mean_path:
        out = out - dxhat.mean(axis, keepdims=True)
    if var_path:
        out = out - xhat * (dxhat * xhat).mean(axis, keepdims=True)
    return rstd * out


def layernorm_direct_only(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, mean_path=False, var_path=False)


def layernorm_no_var_path(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, var_path=False)


def layernorm_no_mean_path(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, mean_path=False)


def layernorm_batch_axis(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, axis=0)


def layernorm_no_weight(dy, x, weight, eps):
    return _compact(dy, x, np.ones_like(weight), eps)


def layernorm_unbiased(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, ddof=1)


def correct_layernorm_sums(dy, x, weight, eps):
    """The form with sums: dx = rstd / D * (D * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))."""
    size = x.shape[-1]
    xhat = (x - x.mean(-1, keepdims=True)) * (x.var(-1, keepdims=True) + eps) ** -0.5
    dxhat = dy * weight
    total, projected = dxhat.sum(-1, keepdims=True), (dxhat * xhat).sum(-1, keepdims=True)
    return (
        (x.var(-1, keepdims=True) + eps) ** -0.5 / size * (size * dxhat - total - xhat * projected)
    )


def correct_layernorm_mean_path_first(dy, x, weight, eps):
    """The mean path applied to the direct term alone: the variance term's row sum is zero."""
    size = x.shape[1]
    d = x - x.mean(1, keepdims=True)
    var = (d**2).mean(1, keepdims=True)
    dxhat = dy * weight
    dd = dxhat * (var + eps) ** -0.5
    dvar = -0.5 * (var + eps) ** -1.5 * (dxhat * d).sum(1, keepdims=True)
    return dd - dd.sum(1, keepdims=True) / size + 2 * d * dvar / size


def _long(dy, x, weight, eps, size, half=0.5):
    d = x - x.mean(-1, keepdims=True)
    var = (d**2).mean(-1, keepdims=True)
    dxhat = dy * weight
    dvar = -half * (var + eps) ** -1.5 * (dxhat * d).sum(-1, keepdims=True)
    dd = dxhat * (var + eps) ** -0.5 + 2 * d * dvar / size
    return dd - dd.sum(-1, keepdims=True) / size


def layernorm_notebook_eps(dy, x, weight, eps):
    return _compact(dy, x, weight, 1e-5)  # the notebook's EPS, not the argument


def layernorm_no_eps(dy, x, weight, eps):
    return _compact(dy, x, weight, 0.0)


def layernorm_eps_outside(dy, x, weight, eps):
    mu, sigma = x.mean(1, keepdims=True), x.std(1, keepdims=True)
    rstd = 1 / (sigma + eps)
    xhat = (x - mu) * rstd
    dxhat = dy * weight
    return rstd * (
        dxhat - dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True)
    )


def layernorm_sums(dy, x, weight, eps):
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - x.mean(1, keepdims=True)) * rstd
    dxhat = dy * weight
    return rstd * (
        dxhat - dxhat.sum(1, keepdims=True) - xhat * (dxhat * xhat).sum(1, keepdims=True)
    )


def layernorm_centred_not_xhat(dy, x, weight, eps):
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    d = x - x.mean(1, keepdims=True)
    dxhat = dy * weight
    return rstd * (dxhat - dxhat.mean(1, keepdims=True) - d * (dxhat * d).mean(1, keepdims=True))


def layernorm_no_outer_rstd(dy, x, weight, eps):
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - x.mean(1, keepdims=True)) * rstd
    dxhat = dy * weight
    return dxhat - dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True)


def layernorm_weight_last(dy, x, weight, eps):
    return weight * _compact(dy, x, np.ones_like(weight), eps)


def layernorm_dy_in_corrections(dy, x, weight, eps):
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - x.mean(1, keepdims=True)) * rstd
    return rstd * (
        dy * weight - dy.mean(1, keepdims=True) - xhat * (dy * xhat).mean(1, keepdims=True)
    )


def layernorm_len_x(dy, x, weight, eps):
    return _long(dy, x, weight, eps, len(x))  # len(x) is the batch size N


def layernorm_notebook_h(dy, x, weight, eps):
    return _long(dy, x, weight, eps, 128)  # block_backward's H, copied


def layernorm_no_half(dy, x, weight, eps):
    return _long(dy, x, weight, eps, x.shape[1], half=1.0)


def layernorm_means_axis0(dy, x, weight, eps):
    rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - x.mean(1, keepdims=True)) * rstd
    dxhat = dy * weight
    return rstd * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))


def layernorm_no_axis(dy, x, weight, eps):
    return _compact(dy, x, weight, eps, axis=None)


def layernorm_x_in_place(dy, x, weight, eps):
    x -= x.mean(1, keepdims=True)
    return _compact(dy, x, weight, eps)


def layernorm_weight_in_place(dy, x, weight, eps):
    weight *= 1.0
    dy = dy * weight
    weight[...] = 1.0
    return _compact(dy, x, weight, eps)


def layernorm_returns_weight_grad(dy, x, weight, eps):
    xhat = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)
    return (dy * xhat).sum(0)


# --- ex_dropout_backward ------------------------------------------------------------------------
def correct_dropout(dy, mask, p):
    return dy * mask / (1 - p)


def correct_dropout_where(dy, mask, p):
    return np.where(mask, dy / (1 - p), 0.0)


def dropout_no_scale(dy, mask, p):
    return dy * mask


def dropout_times_keep(dy, mask, p):
    return dy * mask * (1 - p)


def dropout_over_p(dy, mask, p):
    return dy * mask / p


def dropout_no_mask(dy, mask, p):
    return dy / (1 - p)


def dropout_inverted_mask(dy, mask, p):
    return dy * ~mask / (1 - p)


def dropout_in_place(dy, mask, p):
    dy *= mask / (1 - p)
    return dy


def dropout_new_mask(dy, mask, p):
    return dy * (np.random.default_rng(0).uniform(size=dy.shape) >= p) / (1 - p)


def correct_dropout_copy(dy, mask, p):
    dx = dy.copy()
    dx[~mask] = 0.0
    dx /= 1 - p
    return dx


def dropout_precedence(dy, mask, p):
    return dy * mask * 1 / 1 - p


def dropout_notebook_p(dy, mask, p):
    return dy * mask / (1 - 0.1)  # the notebook's P_DROP, not the argument


def dropout_times_p(dy, mask, p):
    return dy * mask * p


def dropout_keep_everywhere(dy, mask, p):
    return dy * (1 - p)


def dropout_eval_identity(dy, mask, p):
    return dy


def dropout_new_mask_unscaled(dy, mask, p):
    return dy * (np.random.rand(*dy.shape) > p)


def dropout_boolean_index(dy, mask, p):
    return dy[mask] / (1 - p)


def dropout_mask_in_place(dy, mask, p):
    mask ^= True  # the dropped elements, in place: the caller's mask is now inverted
    dx = dy.copy()
    dx[mask] = 0.0
    return dx / (1 - p)


def dropout_float32(dy, mask, p):
    return (dy * mask / (1 - p)).astype(np.float32)


CATALOGUE = [
    Case("ex_logit_max_backward", correct_logit_max, None),
    Case("ex_logit_max_backward", correct_logit_max_onehot, None),
    Case("ex_logit_max_backward", logit_max_no_branch, "forgot the branch through logit_maxes"),
    Case("ex_logit_max_backward", logit_max_plus, "wrong sign"),
    Case("ex_logit_max_backward", logit_max_whole_row, "over the whole row"),
    Case("ex_logit_max_backward", logit_max_mean, "averaged instead of summed"),
    Case("ex_logit_max_backward", logit_max_axis0, "batch axis (axis 0)"),
    Case("ex_logit_max_backward", logit_max_in_place, "changed its argument dnorm_logits in place"),
    Case("ex_logit_max_backward", logit_max_returns_column, "has the shape of logits"),
    Case("ex_logit_max_backward", correct_logit_max_eye, None),
    Case("ex_logit_max_backward", correct_logit_max_zero_of_norm, None),
    Case("ex_logit_max_backward", logit_max_no_direct, "forgot the direct path"),
    Case("ex_logit_max_backward", logit_max_assign, "instead of subtracting"),
    Case("ex_logit_max_backward", logit_max_own_only, "only the largest element's own"),
    Case("ex_logit_max_backward", logit_max_logsumexp, "gradient of logsumexp"),
    Case("ex_logit_max_backward", logit_max_zeros, "returned zeros"),
    Case("ex_logit_max_backward", logit_max_colon_index, "dlogits[np.arange(N), argmax]"),
    Case("ex_logit_max_backward", logit_max_argmax_axis0, "maximum of each column"),
    Case("ex_logit_max_backward", logit_max_global_max, "maximum of the whole array"),
    Case("ex_logit_max_backward", logit_max_tuple, "returned tuple"),
    Case("ex_logit_max_backward", logit_max_float32, "only the dtype is wrong"),
    Case("ex_layernorm_backward", correct_layernorm, None),
    Case("ex_layernorm_backward", correct_layernorm_long, None),
    Case("ex_layernorm_backward", layernorm_direct_only, "only the direct term"),
    Case("ex_layernorm_backward", layernorm_no_var_path, "path through the variance"),
    Case("ex_layernorm_backward", layernorm_no_mean_path, "path through the mean"),
    Case("ex_layernorm_backward", layernorm_batch_axis, "over the batch axis"),
    Case("ex_layernorm_backward", layernorm_no_weight, "forgot the weight"),
    Case("ex_layernorm_backward", layernorm_unbiased, "biased one"),
    Case("ex_layernorm_backward", layernorm_returns_weight_grad, "dx has the shape of x"),
    Case("ex_layernorm_backward", correct_layernorm_sums, None),
    Case("ex_layernorm_backward", correct_layernorm_mean_path_first, None),
    Case("ex_layernorm_backward", layernorm_notebook_eps, "the notebook's EPS"),
    Case("ex_layernorm_backward", layernorm_no_eps, "forgot eps"),
    Case("ex_layernorm_backward", layernorm_eps_outside, "eps outside the square root"),
    Case("ex_layernorm_backward", layernorm_sums, "summed where the formula takes means"),
    Case("ex_layernorm_backward", layernorm_centred_not_xhat, "centred x - mu"),
    Case("ex_layernorm_backward", layernorm_no_outer_rstd, "factor rstd in front"),
    Case("ex_layernorm_backward", layernorm_weight_last, "weight at the end"),
    Case("ex_layernorm_backward", layernorm_dy_in_corrections, "used dy where dxhat"),
    Case("ex_layernorm_backward", layernorm_len_x, "divided by len(x)"),
    Case("ex_layernorm_backward", layernorm_notebook_h, "notebook's H = 128"),
    Case("ex_layernorm_backward", layernorm_no_half, "twice too large"),
    Case("ex_layernorm_backward", layernorm_means_axis0, "means of dxhat over the batch axis"),
    Case("ex_layernorm_backward", layernorm_no_axis, "whole array (no axis)"),
    Case("ex_layernorm_backward", layernorm_x_in_place, "changed its argument x in place"),
    Case("ex_layernorm_backward", layernorm_weight_in_place, "changed its argument weight"),
    Case("ex_dropout_backward", correct_dropout, None),
    Case("ex_dropout_backward", correct_dropout_where, None),
    Case("ex_dropout_backward", dropout_no_scale, "forgot the scaling"),
    Case("ex_dropout_backward", dropout_times_keep, "multiplied by 1 - p"),
    Case("ex_dropout_backward", dropout_over_p, "divided by p instead"),
    Case("ex_dropout_backward", dropout_no_mask, "scaled every element"),
    Case("ex_dropout_backward", dropout_inverted_mask, "inverted mask"),
    Case("ex_dropout_backward", dropout_in_place, "changed its argument dy in place"),
    Case("ex_dropout_backward", dropout_new_mask, "reuse the forward's mask"),
    Case("ex_dropout_backward", correct_dropout_copy, None),
    Case("ex_dropout_backward", dropout_precedence, "1 / 1 - p"),
    Case("ex_dropout_backward", dropout_notebook_p, "the notebook's P_DROP"),
    Case("ex_dropout_backward", dropout_times_p, "multiplied by p"),
    Case("ex_dropout_backward", dropout_keep_everywhere, "forgot the mask"),
    Case("ex_dropout_backward", dropout_eval_identity, "eval mode"),
    Case("ex_dropout_backward", dropout_new_mask_unscaled, "forgot the scaling by 1 / (1 - p)"),
    Case("ex_dropout_backward", dropout_boolean_index, "dx has the shape of x"),
    Case("ex_dropout_backward", dropout_mask_in_place, "changed its argument mask in place"),
    Case("ex_dropout_backward", dropout_float32, "only the dtype is wrong"),
]

test_catalogue = run_catalogue(CATALOGUE)
