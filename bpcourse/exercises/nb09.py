"""Checks of notebook 09 (backprop by hand through a digit classifier): the max-subtraction
branch of a stable softmax, layer normalisation's backward, dropout's scaling in backward.

Each check is adversarial: an upstream gradient whose rows do not sum to zero (in cross-entropy
they do, which would hide a missing max branch), a batch size unlike the feature size (a mean
over the wrong axis changes the values, not the shape), a dropout rate whose 1/p, 1/(1 - p) and
(1 - p) all differ. References come from torch autograd, never from the learner's code.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, expect, register


def _torch_vjp(forward, x, upstream):
    """d(sum(forward(x) * upstream))/dx at ``x`` by torch autograd (float64)."""
    import torch

    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    forward(xt).backward(torch.tensor(upstream))
    return xt.grad.numpy()


def _array_of_shape(got, shape, what, hint):
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{what} returned {type(got).__name__}, expected a numpy array of shape {shape}"
        )
    if got.shape != tuple(shape):
        raise Mistake(f"{what} has shape {got.shape}, expected {tuple(shape)}: {hint}")


def _unchanged(before, after, what):
    for name, b, a in zip(("its first input", "its second input"), before, after):
        if not np.array_equal(b, a):
            raise Mistake(f"{what} changed {name} in place: compute a new array")


# --- exercise 1: the max-subtraction branch ------------------------------------------------------
@register(
    "ex_logit_max_backward",
    hints=(
        "norm_logits = logits - logit_maxes uses logits twice: directly, and through the row "
        "maximum. Which elements of a row does the maximum depend on?",
        "Direct path: dlogits = dnorm_logits. Max path: dlogit_maxes = -dnorm_logits.sum(1, "
        "keepdims=True) (logit_maxes was broadcast over the row), and the max passes it only to "
        "the element that was largest in each row.",
        "dlogits = dnorm_logits.copy(); rows = np.arange(len(logits)); "
        "dlogits[rows, logits.argmax(1)] -= dnorm_logits.sum(1); return dlogits",
    ),
)
def check_ex_logit_max_backward(ex_logit_max_backward):
    rng = np.random.default_rng(9)
    n, c = 5, 4  # batch != classes: a sum over the wrong axis has the wrong values
    logits = rng.normal(0, 2, (n, c))
    dnorm = rng.normal(size=(n, c))  # rows do NOT sum to zero: the max branch is visible
    before = (logits.copy(), dnorm.copy())
    got = ex_logit_max_backward(logits, dnorm)
    what = "dlogits for norm_logits = logits - logits.max(1, keepdims=True)"
    _unchanged(before, (logits, dnorm), "ex_logit_max_backward")
    _array_of_shape(got, (n, c), what, "dlogits has the shape of logits")
    want = _torch_vjp(lambda z: z - z.amax(1, keepdim=True), logits, dnorm)
    rows, top = np.arange(n), logits.argmax(1)
    onehot = np.zeros((n, c))
    onehot[rows, top] = 1
    rowsum = dnorm.sum(1, keepdims=True)
    mistakes = {
        "forgot the branch through logit_maxes: logits is used twice, directly and through "
        "the row maximum": dnorm,
        "the max branch has the wrong sign: logit_maxes is subtracted, so its gradient is "
        "-dnorm_logits.sum(1)": dnorm + onehot * rowsum,
        "spread the max branch over the whole row: the maximum depends on the largest "
        "element only (use argmax)": dnorm - rowsum,
        "averaged instead of summed over the row: logit_maxes was broadcast to every "
        "column, so its gradient is the sum": dnorm - onehot * rowsum / c,
        "summed over the batch axis (axis 0) instead of the row (axis 1)": dnorm
        - onehot * dnorm.sum(0, keepdims=True),
    }
    expect(got, want, what, mistakes=mistakes)
    return "the direct path and the max branch match torch"


# --- exercise 2: layer normalisation's backward ---------------------------------------------------
@register(
    "ex_layernorm_backward",
    hints=(
        "x reaches xhat = (x - mu) / sqrt(var + eps) three ways: directly, through the mean mu "
        "and through the variance var. Over which axis are mu and var taken?",
        "With dxhat = dy * weight and rstd = 1 / sqrt(var + eps), means over the LAST axis "
        "(keepdims=True): dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).",
        "mu = x.mean(1, keepdims=True); rstd = 1 / np.sqrt(x.var(1, keepdims=True) + eps); "
        "xhat = (x - mu) * rstd; dxhat = dy * weight; return rstd * (dxhat - "
        "dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True))",
    ),
)
def check_ex_layernorm_backward(ex_layernorm_backward):
    import torch

    rng = np.random.default_rng(90)
    n, d, eps = 3, 5, 1e-5  # N != D: statistics over the batch axis give different values
    x = rng.normal(1.0, 2.0, (n, d))
    dy = rng.normal(size=(n, d))
    weight = rng.normal(1.0, 0.5, d)
    before = (x.copy(), dy.copy())
    got = ex_layernorm_backward(dy, x, weight, eps)
    what = "dx of layer norm, x of shape (3, 5)"
    _unchanged(before, (x, dy), "ex_layernorm_backward")
    _array_of_shape(got, (n, d), what, "dx has the shape of x")
    w_t = torch.tensor(weight)
    want = _torch_vjp(lambda t: torch.nn.functional.layer_norm(t, (d,), w_t, None, eps), x, dy)

    def compact(dy, x, weight, axis, var_path=True, mean_path=True, ddof=0):
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

    mistakes = {
        "forgot the path through the mean and the variance: only the direct term dxhat * rstd": (
            compact(dy, x, weight, 1, var_path=False, mean_path=False)
        ),
        "forgot the path through the variance (the -xhat * mean(dxhat * xhat) term)": compact(
            dy, x, weight, 1, var_path=False
        ),
        "forgot the path through the mean (the -mean(dxhat) term)": compact(
            dy, x, weight, 1, mean_path=False
        ),
        "took the statistics over the batch axis (axis 0, batch norm's) instead of each "
        "sample's features (the last axis)": compact(dy, x, weight, 0),
        "forgot the weight: dxhat = dy * weight, not dy": compact(dy, x, np.ones(d), 1),
        "used the unbiased variance (ddof=1): layer norm normalises with the biased one": compact(
            dy, x, weight, 1, ddof=1
        ),
    }
    expect(got, want, what, mistakes=mistakes)
    return "the direct, mean and variance paths match torch"


# --- exercise 3: dropout's scaling in backward -----------------------------------------------------
@register(
    "ex_dropout_backward",
    hints=(
        "In training, y = x * mask / (1 - p): y is linear in x. What is dy/dx for a kept "
        "element, and for a dropped one?",
        "The backward uses the SAME mask as the forward and the same factor 1 / (1 - p): a "
        "dropped element gets no gradient, a kept one gets dy / (1 - p).",
        "return dy * mask / (1 - p)",
    ),
)
def check_ex_dropout_backward(ex_dropout_backward):
    import torch

    rng = np.random.default_rng(91)
    p = 0.25  # 1 / (1 - p), (1 - p) and 1 / p all differ
    dy = rng.normal(size=(4, 6))
    mask = rng.uniform(size=(4, 6)) >= p
    mask[0, :2] = [True, False]  # at least one kept and one dropped element
    before = (dy.copy(), mask.copy())
    got = ex_dropout_backward(dy, mask, p)
    what = "dx of inverted dropout with p = 0.25"
    _unchanged(before, (dy, mask), "ex_dropout_backward")
    _array_of_shape(got, dy.shape, what, "dx has the shape of x")
    m_t = torch.tensor(mask)
    want = _torch_vjp(lambda t: t * m_t / (1 - p), np.zeros(dy.shape), dy)
    mistakes = {
        "forgot the scaling: the forward divided the kept elements by 1 - p, so the backward "
        "must too": dy * mask,
        "multiplied by 1 - p instead of dividing by it": dy * mask * (1 - p),
        "divided by p instead of 1 - p: p is the probability of DROPPING": dy * mask / p,
        "scaled every element: a dropped element (mask False) passed nothing forward and gets "
        "no gradient": dy / (1 - p),
        "used the inverted mask: True in the mask means KEPT": dy * ~mask / (1 - p),
    }
    expect(got, want, what, mistakes=mistakes)
    return "kept elements scaled by 1 / (1 - p), dropped ones zero, as in torch"
