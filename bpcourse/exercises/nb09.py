"""Checks of notebook 09 (backprop by hand through a digit classifier): the max-subtraction
branch of a stable softmax, layer normalisation's backward, dropout's scaling in backward.

Each check is adversarial: an upstream gradient whose rows do not sum to zero (in cross-entropy
they do, which would hide a missing max branch), a batch size unlike the feature size (a mean
over the wrong axis changes the values, not the shape) and a feature size unlike the notebook's
H, an eps far from the notebook's EPS (a constant written in place of the argument, or eps
outside the root, changes the values), a dropout rate whose 1/p, 1/(1 - p) and (1 - p) all
differ and differ from the notebook's P_DROP. References come from torch autograd, never from
the learner's code.
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


def _unchanged(before, after, fn):
    """``before``: argument name -> a copy taken before the call; ``after``: name -> the array."""
    for name, value in before.items():
        if not np.array_equal(value, after[name]):
            raise Mistake(
                f"{fn} changed its argument {name} in place (e.g. {name} -= ... or {name}[...] "
                f"= ...): work on a copy and leave the caller's {name} as it was"
            )


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
    before = {"logits": logits.copy(), "dnorm_logits": dnorm.copy()}
    got = ex_logit_max_backward(logits, dnorm)
    what = "dlogits for norm_logits = logits - logits.max(1, keepdims=True)"
    _unchanged(before, {"logits": logits, "dnorm_logits": dnorm}, "ex_logit_max_backward")
    _array_of_shape(got, (n, c), what, "dlogits has the shape of logits")
    want = _torch_vjp(lambda z: z - z.amax(1, keepdim=True), logits, dnorm)
    rows, top = np.arange(n), logits.argmax(1)
    onehot = np.zeros((n, c))
    onehot[rows, top] = 1
    rowsum = dnorm.sum(1, keepdims=True)
    every_row = dnorm.copy()
    every_row[:, top] -= rowsum[:, 0]  # dlogits[:, argmax] pairs every row with every argmax
    columns = np.zeros((n, c))
    columns[logits.argmax(0), np.arange(c)] = 1
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
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
        "forgot the direct path: norm_logits = logits - logit_maxes passes dnorm_logits to "
        "every logit unchanged, and the max branch comes on top of it": -onehot * rowsum,
        "replaced (=) the gradient of the largest element instead of subtracting from it (-=): "
        "that element gets its direct gradient too": np.where(onehot == 1, -rowsum, dnorm),
        "took only the largest element's own dnorm_logits: the maximum was subtracted from the "
        "whole row, so it collects the sum of the row's dnorm_logits": dnorm - onehot * dnorm,
        "spread the max branch with softmax weights, which is the gradient of logsumexp: the "
        "maximum passes it to the largest element only": dnorm - softmax * rowsum,
        "returned zeros: the shift cancels in cross-entropy only because there the rows of "
        "dnorm_logits sum to zero; here they do not": np.zeros((n, c)),
        "indexed dlogits[:, argmax], which pairs every row with every row's argmax: index "
        "dlogits[np.arange(N), argmax] so that each row gets its own": every_row,
        "took the maximum of each column (argmax over axis 0): the maximum is over each row "
        "(axis 1)": dnorm - columns * dnorm.sum(0, keepdims=True),
        "compared with the maximum of the whole array (logits.max() with no axis): each row "
        "has its own maximum, logits.max(1, keepdims=True)": dnorm
        - (logits == logits.max()) * rowsum,
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
    # N != D != 128: statistics over the batch axis, or a division by len(x) or by the
    # notebook's H, give different values; eps is far from the notebook's EPS = 1e-5 so that a
    # constant written in place of the argument, or eps outside the root, is visible.
    n, d, eps = 3, 5, 0.1
    x = rng.normal(1.0, 2.0, (n, d))
    dy = rng.normal(size=(n, d))
    weight = rng.normal(1.0, 0.5, d)
    before = {"dy": dy.copy(), "x": x.copy(), "weight": weight.copy()}
    got = ex_layernorm_backward(dy, x, weight, eps)
    what = "dx of layer norm, x of shape (3, 5), eps = 0.1"
    _unchanged(before, {"dy": dy, "x": x, "weight": weight}, "ex_layernorm_backward")
    _array_of_shape(got, (n, d), what, "dx has the shape of x")
    w_t = torch.tensor(weight)
    want = _torch_vjp(lambda t: torch.nn.functional.layer_norm(t, (d,), w_t, None, eps), x, dy)

    def compact(dy, x, weight, axis, var_path=True, mean_path=True, ddof=0, eps=eps):
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

    def long_chain(size, half=0.5):
        """The notebook's long chain with the features counted as ``size``."""
        centred = x - x.mean(1, keepdims=True)
        var = (centred**2).mean(1, keepdims=True)
        dxhat = dy * weight
        dvar = -half * (var + eps) ** -1.5 * (dxhat * centred).sum(1, keepdims=True)
        dd = dxhat * (var + eps) ** -0.5 + 2 * centred * dvar / size
        return dd - dd.sum(1, keepdims=True) / size

    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    rstd, centred, dxhat = 1 / np.sqrt(var + eps), x - mu, dy * weight
    xhat = centred * rstd
    rstd_out = 1 / (np.sqrt(var) + eps)
    xhat_out = centred * rstd_out

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
        "used 1e-5 (the notebook's EPS) instead of the argument eps": compact(
            dy, x, weight, 1, eps=1e-5
        ),
        "forgot eps: rstd = 1 / sqrt(var + eps)": compact(dy, x, weight, 1, eps=0.0),
        "put eps outside the square root, 1 / (sqrt(var) + eps), instead of 1 / sqrt(var + "
        "eps)": rstd_out
        * (
            dxhat
            - dxhat.mean(1, keepdims=True)
            - xhat_out * (dxhat * xhat_out).mean(1, keepdims=True)
        ),
        "summed where the formula takes means: the two correction terms are averages over the "
        "D features": rstd
        * (dxhat - dxhat.sum(1, keepdims=True) - xhat * (dxhat * xhat).sum(1, keepdims=True)),
        "used the centred x - mu in the variance term where xhat = (x - mu) * rstd goes": rstd
        * (
            dxhat
            - dxhat.mean(1, keepdims=True)
            - centred * (dxhat * centred).mean(1, keepdims=True)
        ),
        "forgot the factor rstd in front: dx = rstd * (dxhat - ...)": dxhat
        - dxhat.mean(1, keepdims=True)
        - xhat * (dxhat * xhat).mean(1, keepdims=True),
        "multiplied by the weight at the end: the weight acts first, dxhat = dy * weight, and "
        "the means are of dxhat": weight * compact(dy, x, np.ones(d), 1),
        "used dy where dxhat = dy * weight goes in the mean and variance terms": rstd
        * (dxhat - dy.mean(1, keepdims=True) - xhat * (dy * xhat).mean(1, keepdims=True)),
        "the mean path has the wrong sign: dx subtracts mean(dxhat)": rstd
        * (dxhat + dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True)),
        "the variance path has the wrong sign: dx subtracts xhat * mean(dxhat * xhat)": rstd
        * (dxhat - dxhat.mean(1, keepdims=True) + xhat * (dxhat * xhat).mean(1, keepdims=True)),
        "the variance path is twice too large: d(var + eps) ** -0.5 / dvar = -0.5 * (var + "
        "eps) ** -1.5": long_chain(d, half=1.0),
        "the variance path is half what it should be: dvar / dd = 2 * d / D": long_chain(
            d, half=0.25
        ),
        "divided by len(x), the batch size N: the mean and variance average the D = "
        "x.shape[1] features of a row": long_chain(n),
        "divided by the notebook's H = 128: this x has D = x.shape[1] features": long_chain(128),
        "took the means of dxhat over the batch axis (axis 0): like mu and var they run over "
        "each row's features (axis 1)": rstd
        * (dxhat - dxhat.mean(0, keepdims=True) - xhat * (dxhat * xhat).mean(0, keepdims=True)),
        "took the statistics over the whole array (no axis): layer norm normalises each row "
        "over its features (axis 1)": compact(dy, x, weight, None),
    }
    expect(got, want, what, mistakes=mistakes)
    return "the direct, mean and variance paths match torch"


# --- exercise 3: dropout's scaling in backward -----------------------------------------------------
def _other_mask(got, dy, mask, p):
    """The mistake of an answer that drops elements, but not those of ``mask``, or None."""
    got = np.asarray(got, dtype=np.float64)
    dropped = got == 0
    for factor, scaled in ((1 / (1 - p), ""), (1.0, ", and forgot the scaling by 1 / (1 - p)")):
        kept = np.isclose(got, dy * factor, rtol=1e-7, atol=0.0)
        if (kept | dropped).all() and dropped.any() and (dropped != ~mask).any():
            return (
                "zeroed other elements than the mask drops: the backward must reuse the "
                f"forward's mask, not draw a new one{scaled}"
            )
    return None


@register(
    "ex_dropout_backward",
    hints=(
        "In training, y = x * mask / (1 - p): y is linear in x. What is the derivative of an "
        "element of y with respect to its x when the element is kept, and when it is dropped?",
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
    before = {"dy": dy.copy(), "mask": mask.copy()}
    got = ex_dropout_backward(dy, mask, p)
    what = "dx of inverted dropout with p = 0.25"
    _unchanged(before, {"dy": dy, "mask": mask}, "ex_dropout_backward")
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
        "used 0.1 (the notebook's P_DROP) instead of the argument p": dy * mask / (1 - 0.1),
        "multiplied by p: the kept elements are divided by 1 - p": dy * mask * p,
        "multiplied every element by 1 - p and forgot the mask: a dropped element gets no "
        "gradient, a kept one dy / (1 - p)": dy * (1 - p),
        "returned dy unchanged, which is eval mode (dropout is the identity there): in training "
        "the mask and the factor 1 / (1 - p) apply": dy,
        "wrote 1 / 1 - p, which Python reads as (1 / 1) - p: write / (1 - p) with the "
        "parentheses": dy * mask - p,
    }
    try:
        expect(got, want, what, mistakes=mistakes)
    except Mistake as err:
        other = None if any(m in str(err) for m in mistakes) else _other_mask(got, dy, mask, p)
        if other is None:
            raise
        raise Mistake(f"{what}: {other}") from None
    return "kept elements scaled by 1 / (1 - p), dropped ones zero, as in torch"
