"""Checks of notebook 06 (vanishing gradients): batch norm's backward, gradient norms, an init.

Each check is a small adversarial test: non-square shapes, a batch size different from every
other size, gamma and eps away from their defaults, two calls in a row on the same network, a
negative slope that separates every typical init rule. References come from torch autograd or
from the maths, never from the learner's code.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, check_unchanged, expect, register


# --- exercise 1: BatchNorm's backward pass -----------------------------------------------------
def _bn_variants(dy, x, gamma, eps):
    """dx of typical wrong derivations (numpy maths), description -> value, for the messages."""
    mu, var = x.mean(axis=0), x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    g = dy * gamma
    var1 = x.var(axis=0, ddof=1)
    inv1 = 1.0 / np.sqrt(var1 + eps)
    xhat1 = (x - mu) * inv1
    inv_out = 1.0 / (np.sqrt(var) + eps)
    xhat_out = (x - mu) * inv_out
    return {
        "dx treats the batch mean and variance as constants (the eval-mode formula g / "
        "sqrt(var + eps)): the two terms through the batch statistics are missing": g * inv,
        "dx is missing the term through the variance, - xhat * mean(g * xhat)": inv
        * (g - g.mean(axis=0)),
        "dx is missing the term through the mean, - mean(g)": inv
        * (g - xhat * (g * xhat).mean(axis=0)),
        "dx forgets gamma: g = gamma * dy is the gradient reaching xhat": inv
        * (dy - dy.mean(axis=0) - xhat * (dy * xhat).mean(axis=0)),
        "dx uses the unbiased variance (N - 1): batch norm normalises with the biased one (N)": inv1
        * (g - g.mean(axis=0) - xhat1 * (g * xhat1).mean(axis=0)),
        "eps is added outside the square root, sqrt(var) + eps, instead of sqrt(var + eps)": inv_out
        * (g - g.mean(axis=0) - xhat_out * (g * xhat_out).mean(axis=0)),
        "the means run over the features (axis=1) instead of over the batch (axis=0)": inv
        * (g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).mean(axis=1, keepdims=True)),
        "eps is ignored (the default 1e-5 is used, not the eps argument)": _bn_dx(
            dy, x, gamma, 1e-5
        ),
        "the mean and variance are taken over all entries (no axis): batch norm normalises "
        "each feature over the batch (axis=0)": _bn_dx_all_entries(dy, x, gamma, eps),
        "dx is not divided by sqrt(var + eps): the whole bracket is scaled by 1/sqrt(var + eps)": g
        - g.mean(axis=0)
        - xhat * (g * xhat).mean(axis=0),
        "the sign of the variance term is flipped: dx subtracts xhat * mean(g * xhat)": inv
        * (g - g.mean(axis=0) + xhat * (g * xhat).mean(axis=0)),
        "N is taken as x.shape[1] (the number of features): the batch size is x.shape[0]": inv
        * (g - g.sum(axis=0) / x.shape[1] - xhat * (g * xhat).sum(axis=0) / x.shape[1]),
        "the mean term uses dy instead of g = gamma * dy": inv
        * (g - dy.mean(axis=0) - xhat * (g * xhat).mean(axis=0)),
    }


def _bn_dx_all_entries(dy, x, gamma, eps):
    inv = 1.0 / np.sqrt(x.var() + eps)
    xhat = (x - x.mean()) * inv
    g = dy * gamma
    return inv * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0))


def _bn_dx(dy, x, gamma, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    g = dy * gamma
    return inv * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0))


@register(
    "ex_batchnorm_backward",
    hints=(
        "In training mode the batch mean and variance depend on every example: the gradient "
        "reaches x directly, through the mean and through the variance. Which term is which?",
        "With g = gamma * dy and xhat = (x - mean) / sqrt(var + eps) (biased var, means over "
        "axis 0): dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps); "
        "dgamma and dbeta are sums over the batch.",
        "dgamma = (dy * xhat).sum(axis=0); dbeta = dy.sum(axis=0); "
        "dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / np.sqrt(var + eps)",
    ),
)
def check_ex_batchnorm_backward(ex_batchnorm_backward):
    import torch

    from bpcourse.check import torch_grad

    # N = 6 examples, D = 4 features: the sizes differ, so an axis mix-up cannot pass. gamma is
    # not all ones, the mean and variance are far from 0 and 1, and eps is large enough to matter.
    rng = np.random.default_rng(7)
    x = rng.normal(1.5, 2.0, (6, 4))
    dy = rng.normal(size=(6, 4))
    gamma, beta, eps = np.array([0.5, -1.2, 2.0, 0.8]), np.array([0.1, 0.2, -0.3, 0.0]), 0.3
    x_before = x.copy()

    def torch_bn(x, gamma, beta):  # the reference: torch's batch_norm in training mode
        y = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
        return (y * torch.from_numpy(dy)).sum()

    want_dx, want_dgamma, want_dbeta = torch_grad(torch_bn, x, gamma, beta)
    dy_before, gamma_before = dy.copy(), gamma.copy()
    out = ex_batchnorm_backward(dy, x, gamma, eps=eps)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise Mistake(
            f"ex_batchnorm_backward returned {type(out).__name__}"
            f"{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}, "
            "expected the tuple (dx, dgamma, dbeta)"
        )
    for name, new, old, fix in (
        ("x", x, x_before, "x = x - mu, not x -= mu"),
        ("dy", dy, dy_before, "g = dy * gamma, not dy *= gamma"),
        ("gamma", gamma, gamma_before, "a new array, not gamma *= ..."),
    ):
        check_unchanged(
            "ex_batchnorm_backward",
            {name: old},
            {name: new},
            "{fn} changed its input {name} in place: the caller's array is modified. "
            f"Compute into a new array ({fix})",
        )
    dx, dgamma, dbeta = out
    expect(dx, want_dx, "dx", mistakes=_bn_variants(dy, x, gamma, eps))
    expect(
        dbeta,
        want_dbeta,
        "dbeta",
        mistakes={
            "dbeta is a mean over the batch; it is a sum (each example adds its dy)": dy.mean(
                axis=0
            ),
            "dbeta is multiplied by gamma: beta is added after the scaling": (dy * gamma).sum(
                axis=0
            ),
        },
    )
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    expect(
        dgamma,
        want_dgamma,
        "dgamma",
        mistakes={
            "dgamma is sum(dy): gamma multiplies xhat, so dgamma = sum(dy * xhat)": dy.sum(axis=0),
            "dgamma uses x instead of the normalised xhat": (dy * x).sum(axis=0),
            "dgamma is a mean over the batch; it is a sum": (dy * xhat).mean(axis=0),
        },
    )
    return "dx, dgamma and dbeta match torch's batch_norm (N = 6, D = 4, eps = 0.3)"


# --- exercise 2: gradient norms per layer, measured by hand ------------------------------------
def _small_net():
    """2 Linear layers of different sizes with tanh (3 -> 5 -> 4 -> 1), fixed weights."""
    from bpcourse.nn import Linear, Sequential, Tanh

    rng = np.random.default_rng(11)
    return Sequential(
        Linear(3, 5, rng=rng), Tanh(), Linear(5, 4, rng=rng), Tanh(), Linear(4, 1, rng=rng)
    )


def _torch_norms(net, X, Y, loss="bce", which="weight", ord=None):
    """Frobenius norms of dL/dW of each Linear, input side first, by torch autograd.

    The other arguments give the values of typical mistakes: loss "sum" (backward from ones) or
    "mse" (backward from net(X) - Y), which="bias", ord=2 (spectral) or "meanabs".
    """
    import torch

    from bpcourse.check import to_torch

    twin = to_torch(net)
    out = twin(torch.from_numpy(X))
    if loss == "bce":
        torch.nn.BCEWithLogitsLoss()(out, torch.from_numpy(Y)).backward()
    elif loss == "mse":  # d/d out of 0.5 sum (out - Y)**2 is out - Y
        (0.5 * ((out - torch.from_numpy(Y)) ** 2).sum()).backward()
    else:  # the gradient of the sum of the outputs: backward started from ones
        out.sum().backward()
    grads = [getattr(m, which).grad for m in twin if isinstance(m, torch.nn.Linear)]
    if ord == "meanabs":
        return np.array([g.abs().mean().item() for g in grads])
    if ord == 2:
        return np.array([torch.linalg.matrix_norm(g, 2).item() for g in grads])
    return np.array([torch.linalg.norm(g).item() for g in grads])


@register(
    "ex_grad_norms",
    hints=(
        "Gradients in bpcourse accumulate (+=), as in torch. What does a second call on the same "
        "network find in .grad before its backward pass?",
        "net.zero_grad(); crit = BCEWithLogitsLoss(); crit(net(X), Y); net.backward(crit.backward()); "
        "then one np.linalg.norm(layer.weight.grad) per Linear, in the order of the layers.",
        "return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)] "
        "after zero_grad, the loss and net.backward(crit.backward())",
    ),
)
def check_ex_grad_norms(ex_grad_norms):
    from bpcourse.nn import Linear

    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 3))  # a batch of 7: no size of the network is 7
    Y = (rng.random((7, 1)) < 0.5).astype(np.float64)
    net = _small_net()
    want = _torch_norms(net, X, Y)
    n_linear = sum(isinstance(m, Linear) for m in net)
    weights = np.array([np.linalg.norm(m.weight.data) for m in net if isinstance(m, Linear)])

    from bpcourse.nn import Module

    names = getattr(getattr(ex_grad_norms, "__code__", None), "co_names", ())
    scope = getattr(ex_grad_norms, "__globals__", {})
    networks = [n for n in names if isinstance(scope.get(n), Module)]
    if networks:
        raise Mistake(
            f"ex_grad_norms uses the notebook's network {networks[0]!r}: measure net, "
            "the network it is given (the check passes its own)"
        )
    params_before = [p.data.copy() for p in net.parameters()]
    for call in ("first", "second"):
        answer = ex_grad_norms(net, X, Y)
        if not all(np.array_equal(p.data, old) for p, old in zip(net.parameters(), params_before)):
            raise Mistake(
                f"{call} call: ex_grad_norms changed the network's weights (an "
                "optimizer step?): it must only measure the gradients"
            )
        try:
            got = np.asarray(answer, dtype=np.float64)
        except (TypeError, ValueError):
            got = None
        if got is None or got.ndim != 1:
            shapes = [np.shape(v) for v in answer] if isinstance(answer, (list, tuple)) else None
            raise Mistake(
                f"ex_grad_norms should return one number per Linear layer; it returned "
                f"{type(answer).__name__}{f' of items shaped {shapes}' if shapes else ''}"
                ". np.linalg.norm(m.weight.grad), without axis=, is the norm of the "
                "whole matrix"
            )
        if got.shape == (2 * n_linear,):
            raise Mistake(
                f"{call} call: {got.size} norms, one per parameter: the exercise asks "
                f"for the {n_linear} weight matrices (m.weight.grad of each Linear)"
            )
        if got.shape != (n_linear,):
            raise Mistake(
                f"{call} call: {got.size} norms, but the network passed as net has "
                f"{n_linear} Linear layers: loop over net, the argument (not a network "
                "of the notebook), one norm per Linear"
            )
        mistakes = {
            "the norms are in reverse order: the input side comes first": want[::-1],
            "these are the norms of the weights (m.weight.data), not of their gradients": weights,
            "backward starts from ones (the gradient of the sum of the outputs); start from "
            "criterion.backward(), the gradient of the loss": _torch_norms(net, X, Y, loss="sum"),
            "the norms are all 0: zero_grad() was called after the backward pass, erasing it": np.zeros_like(
                want
            ),
            "these are squared norms (sum of squares): take the square root, np.linalg.norm": want
            ** 2,
            "these are the norms of the biases' gradients: the exercise asks for m.weight.grad": _torch_norms(
                net, X, Y, which="bias"
            ),
            "np.linalg.norm(g, 2) of a matrix is its largest singular value (the spectral norm); "
            "the exercise asks for the Frobenius norm, np.linalg.norm(g) without 2": _torch_norms(
                net, X, Y, ord=2
            ),
            "these are mean absolute values, np.abs(g).mean(): the exercise asks for the norm, "
            "np.linalg.norm(g)": _torch_norms(net, X, Y, ord="meanabs"),
            "backward starts from net(X) - Y (the gradient of a squared error on the logits); "
            "start from criterion.backward() of BCEWithLogitsLoss": _torch_norms(
                net, X, Y, loss="mse"
            ),
        }
        mistakes[
            "the loss is summed over the batch, not averaged (BCEWithLogitsLoss's "
            f"reduction='mean'): the norms are {len(X)} times too large"
        ] = len(X) * want
        if call == "first":
            mistakes[
                "the norms are twice torch's: the backward pass ran twice in one call, and "
                "gradients accumulate (+=)"
            ] = 2 * want
        if call == "second":
            mistakes = {
                "the second call on the same network returns twice the first's norms: "
                "gradients accumulate (+=), call net.zero_grad() before backward": 2 * want,
                **mistakes,
            }
        expect(got, want, f"ex_grad_norms, {call} call on the same network", mistakes=mistakes)
    return "two calls in a row on the same network both match torch autograd"


# --- exercise 3: an initialisation for leaky ReLU ----------------------------------------------
def _torch_std(fan_in, a):
    import torch

    return torch.nn.init.calculate_gain("leaky_relu", a) / np.sqrt(fan_in)


@register(
    "ex_init_std",
    hints=(
        "Var(z) = fan_in * Var(W) * E[h^2]. What fraction of E[z^2] does a leaky ReLU keep, when "
        "half of the z are kept and the other half scaled by a? Which Var(W) makes the product 1? "
        "Then: the function returns a standard deviation.",
        "A leaky ReLU keeps (1 + a**2)/2 of E[z^2]: (1/2) from the positive half, (a**2/2) from "
        "the negative half.",
        "Var(W) = 2 / ((1 + a**2) * fan_in); the standard deviation is its square root.",
        "return np.sqrt(2.0 / ((1 + negative_slope**2) * fan_in))",
    ),
)
def check_ex_init_std(ex_init_std):
    # fan_in 48 and slope 0.5 separate every rule below; then two more pairs, slope 0 included.
    for fan_in, a in [(48, 0.5), (300, 0.2), (10, 0.0)]:
        got = ex_init_std(fan_in, a)
        if np.ndim(got) > 0:
            raise Mistake(
                f"ex_init_std({fan_in}, {a}) returned {type(got).__name__} of shape "
                f"{np.shape(got)}: it returns the standard deviation, one number "
                "(not the weights)"
            )
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise Mistake(
                f"ex_init_std({fan_in}, {a}) returned {type(got).__name__}, expected a number"
            ) from None
        want = _torch_std(fan_in, a)
        mistakes = {
            "the gain is 1 (LeCun's 1/sqrt(fan_in)): a leaky ReLU needs sqrt(2 / (1 + a**2))": 1
            / np.sqrt(fan_in),
            "the negative slope is ignored: sqrt(2 / fan_in) is He's rule for a plain ReLU": np.sqrt(
                2 / fan_in
            ),
            "this is the variance, not the standard deviation: take the square root": 2
            / ((1 + a**2) * fan_in),
            "uses 1 - a**2: a leaky ReLU keeps (1 + a**2)/2 of the second moment": np.sqrt(
                2 / ((1 - a**2) * fan_in)
            )
            if a < 1
            else np.nan,
            "uses 1 + a: the negative part is scaled by a, so its square contributes a**2": np.sqrt(
                2 / ((1 + a) * fan_in)
            ),
            "multiplies by sqrt(fan_in) instead of dividing (2 / (1 + a**2) * fan_in is "
            "(2 / (1 + a**2)) * fan_in: put the product in parentheses)": np.sqrt(2 / (1 + a**2))
            * np.sqrt(fan_in),
            "this is the gain alone: divide it by sqrt(fan_in)": np.sqrt(2 / (1 + a**2)),
            "this is the bound of a uniform init, sqrt(3) times the standard deviation; "
            "the exercise asks for the std of a normal init": np.sqrt(3) * want,
            "the square root covers only the 2: sqrt(2) / ((1 + a**2) fan_in); take the root of "
            "the whole variance": np.sqrt(2) / ((1 + a**2) * fan_in),
            "the factor 2 is missing: a leaky ReLU keeps (1 + a**2)/2 of E[z^2], so "
            "Var(W) = 2 / ((1 + a**2) fan_in)": np.sqrt(1 / ((1 + a**2) * fan_in)),
            "uses (1 + a)**2: it is 1 + a**2 (each part squared separately)": np.sqrt(
                2 / ((1 + a) ** 2 * fan_in)
            ),
            "uses a fixed slope 0.01 (torch's default) instead of the negative_slope argument": np.sqrt(
                2 / ((1 + 0.01**2) * fan_in)
            ),
        }
        if a == 0.0:  # the rules that differ only through a coincide here
            mistakes = {k: v for k, v in mistakes.items() if not np.isclose(v, want)}
        expect(got, want, f"ex_init_std({fan_in}, {a})", mistakes=mistakes)

    # What the rule is for: the pre-activations keep their size through 30 leaky ReLU layers
    # of width 256 (wide enough that the drift of one random draw stays small).
    rng = np.random.default_rng(5)
    h = rng.normal(size=(500, 256))
    first = last = None
    for _ in range(30):
        z = h @ rng.normal(0.0, float(ex_init_std(256, 0.2)), (256, 256))
        first = z.std() if first is None else first
        last = z.std()
        h = np.where(z > 0, z, 0.2 * z)
    if not 0.5 < last / first < 2:
        raise Mistake(
            f"the pre-activation std drifted from {first:.2f} to {last:.2f} through 30 layers"
        )
    return (
        f"torch's rule for three (fan_in, slope) pairs, and a std of {first:.2f} -> "
        f"{last:.2f} through 30 leaky ReLU layers"
    )
