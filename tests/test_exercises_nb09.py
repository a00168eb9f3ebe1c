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


CATALOGUE = [
    Case("ex_logit_max_backward", correct_logit_max, None),
    Case("ex_logit_max_backward", correct_logit_max_onehot, None),
    Case("ex_logit_max_backward", logit_max_no_branch, "forgot the branch through logit_maxes"),
    Case("ex_logit_max_backward", logit_max_plus, "wrong sign"),
    Case("ex_logit_max_backward", logit_max_whole_row, "over the whole row"),
    Case("ex_logit_max_backward", logit_max_mean, "averaged instead of summed"),
    Case("ex_logit_max_backward", logit_max_axis0, "batch axis (axis 0)"),
    Case("ex_logit_max_backward", logit_max_in_place, "changed its second input in place"),
    Case("ex_logit_max_backward", logit_max_returns_column, "has the shape of logits"),
    Case("ex_layernorm_backward", correct_layernorm, None),
    Case("ex_layernorm_backward", correct_layernorm_long, None),
    Case("ex_layernorm_backward", layernorm_direct_only, "only the direct term"),
    Case("ex_layernorm_backward", layernorm_no_var_path, "path through the variance"),
    Case("ex_layernorm_backward", layernorm_no_mean_path, "path through the mean"),
    Case("ex_layernorm_backward", layernorm_batch_axis, "over the batch axis"),
    Case("ex_layernorm_backward", layernorm_no_weight, "forgot the weight"),
    Case("ex_layernorm_backward", layernorm_unbiased, "biased one"),
    Case("ex_layernorm_backward", layernorm_returns_weight_grad, "dx has the shape of x"),
    Case("ex_dropout_backward", correct_dropout, None),
    Case("ex_dropout_backward", correct_dropout_where, None),
    Case("ex_dropout_backward", dropout_no_scale, "forgot the scaling"),
    Case("ex_dropout_backward", dropout_times_keep, "multiplied by 1 - p"),
    Case("ex_dropout_backward", dropout_over_p, "divided by p instead"),
    Case("ex_dropout_backward", dropout_no_mask, "scaled every element"),
    Case("ex_dropout_backward", dropout_inverted_mask, "inverted mask"),
    Case("ex_dropout_backward", dropout_in_place, "changed its first input in place"),
    Case("ex_dropout_backward", dropout_new_mask, "dx of inverted dropout"),
]

test_catalogue = run_catalogue(CATALOGUE)
