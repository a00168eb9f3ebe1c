"""Catalogue of notebook 06's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue

from bpcourse.nn import BCEWithLogitsLoss, Linear


# --- ex_batchnorm_backward ---------------------------------------------------------------------
def correct_bn(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(axis=0), x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    g = dy * gamma
    dx = inv_std * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def _bn(dy, x, gamma, eps, *, dx_terms="all", ddof=0, eps_outside=False, axis=0, use_gamma=True):
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
    inv_std = 1.0 / (np.sqrt(var) + eps) if eps_outside else 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    g = dy * gamma if use_gamma else dy
    kd = axis == 1
    if dx_terms == "eval":
        dx = g * inv_std
    elif dx_terms == "no variance term":
        dx = inv_std * (g - g.mean(axis=axis, keepdims=kd))
    else:
        dx = inv_std * (
            g - g.mean(axis=axis, keepdims=kd) - xhat * (g * xhat).mean(axis=axis, keepdims=kd)
        )
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_eval_mode_formula(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, dx_terms="eval")


def bn_no_variance_term(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, dx_terms="no variance term")


def bn_forgets_gamma(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, use_gamma=False)


def bn_unbiased_variance(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, ddof=1)


def bn_eps_outside_sqrt(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, eps_outside=True)


def bn_means_over_features(dy, x, gamma, eps=1e-5):
    return _bn(dy, x, gamma, eps, axis=1)


def bn_hardcoded_eps(dy, x, gamma, eps=1e-5):
    return correct_bn(dy, x, gamma)


def bn_dbeta_mean(dy, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = correct_bn(dy, x, gamma, eps)
    return dx, dgamma, dy.mean(axis=0)


def bn_dgamma_without_xhat(dy, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = correct_bn(dy, x, gamma, eps)
    return dx, dy.sum(axis=0), dbeta


def bn_dgamma_wrong_axis(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    dx, _, dbeta = correct_bn(dy, x, gamma, eps)
    return dx, (dy * xhat).sum(axis=1), dbeta


def bn_centres_x_in_place(dy, x, gamma, eps=1e-5):
    x -= x.mean(axis=0)
    return correct_bn(dy, x, gamma, eps)


def bn_returns_two(dy, x, gamma, eps=1e-5):
    dx, dgamma, _ = correct_bn(dy, x, gamma, eps)
    return dx, dgamma


# --- ex_grad_norms -----------------------------------------------------------------------------
def correct_norms(net, X, Y):
    crit = BCEWithLogitsLoss()
    net.zero_grad()
    crit(net(X), Y)
    net.backward(crit.backward())
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_without_zero_grad(net, X, Y):
    crit = BCEWithLogitsLoss()
    crit(net(X), Y)
    net.backward(crit.backward())
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_output_side_first(net, X, Y):
    return correct_norms(net, X, Y)[::-1]


def norms_of_weights(net, X, Y):
    correct_norms(net, X, Y)
    return [float(np.linalg.norm(m.weight.data)) for m in net if isinstance(m, Linear)]


def norms_backward_from_ones(net, X, Y):
    net.zero_grad()
    out = net(X)
    net.backward(np.ones_like(out))
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_of_every_parameter(net, X, Y):
    correct_norms(net, X, Y)
    return [float(np.linalg.norm(p.grad)) for p in net.parameters()]


def norms_zero_grad_after_backward(net, X, Y):
    crit = BCEWithLogitsLoss()
    crit(net(X), Y)
    net.backward(crit.backward())
    net.zero_grad()
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


# --- ex_init_std -------------------------------------------------------------------------------
def correct_std(fan_in, negative_slope):
    return np.sqrt(2.0 / ((1 + negative_slope**2) * fan_in))


def std_gain_one(fan_in, negative_slope):
    return 1.0 / np.sqrt(fan_in)


def std_he_relu(fan_in, negative_slope):
    return np.sqrt(2.0 / fan_in)


def std_returns_variance(fan_in, negative_slope):
    return 2.0 / ((1 + negative_slope**2) * fan_in)


def std_one_minus_a2(fan_in, negative_slope):
    return np.sqrt(2.0 / ((1 - negative_slope**2) * fan_in))


def std_one_plus_a(fan_in, negative_slope):
    return np.sqrt(2.0 / ((1 + negative_slope) * fan_in))


def std_times_sqrt_fan_in(fan_in, negative_slope):
    return np.sqrt(2.0 / (1 + negative_slope**2)) * np.sqrt(fan_in)


CATALOGUE = [
    Case("ex_batchnorm_backward", correct_bn, None),
    Case("ex_batchnorm_backward", bn_eval_mode_formula, "eval-mode formula"),
    Case("ex_batchnorm_backward", bn_no_variance_term, "term through the variance"),
    Case("ex_batchnorm_backward", bn_forgets_gamma, "forgets gamma"),
    Case("ex_batchnorm_backward", bn_unbiased_variance, "unbiased variance"),
    Case("ex_batchnorm_backward", bn_eps_outside_sqrt, "outside the square root"),
    Case("ex_batchnorm_backward", bn_means_over_features, "over the features"),
    Case("ex_batchnorm_backward", bn_hardcoded_eps, "eps argument"),
    Case("ex_batchnorm_backward", bn_dbeta_mean, "dbeta is a mean"),
    Case("ex_batchnorm_backward", bn_dgamma_without_xhat, "dgamma is sum(dy)"),
    Case("ex_batchnorm_backward", bn_dgamma_wrong_axis, "shape"),
    Case("ex_batchnorm_backward", bn_centres_x_in_place, "in place"),
    Case("ex_batchnorm_backward", bn_returns_two, "expected the tuple (dx, dgamma, dbeta)"),
    Case("ex_grad_norms", correct_norms, None),
    Case("ex_grad_norms", norms_without_zero_grad, "call net.zero_grad() before backward"),
    Case("ex_grad_norms", norms_output_side_first, "reverse order"),
    Case("ex_grad_norms", norms_of_weights, "norms of the weights"),
    Case("ex_grad_norms", norms_backward_from_ones, "backward starts from ones"),
    Case("ex_grad_norms", norms_of_every_parameter, "one per parameter"),
    Case("ex_grad_norms", norms_zero_grad_after_backward, "zero_grad() was called after"),
    Case("ex_init_std", correct_std, None),
    Case("ex_init_std", std_gain_one, "the gain is 1"),
    Case("ex_init_std", std_he_relu, "negative slope is ignored"),
    Case("ex_init_std", std_returns_variance, "not the standard deviation"),
    Case("ex_init_std", std_one_minus_a2, "uses 1 - a**2"),
    Case("ex_init_std", std_one_plus_a, "uses 1 + a"),
    Case("ex_init_std", std_times_sqrt_fan_in, "multiplies by sqrt(fan_in)"),
]


# More wrong answers, and right answers written differently (they must pass).
def bn_statistics_over_all_entries(dy, x, gamma, eps=1e-5):
    inv_std = 1.0 / np.sqrt(x.var() + eps)
    xhat = (x - x.mean()) * inv_std
    g = dy * gamma
    dx = inv_std * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_gamma_factored_out(dy, x, gamma, eps=1e-5):
    n = x.shape[0]
    xmu = x - x.mean(axis=0)
    ivar = 1.0 / np.sqrt((xmu**2).sum(axis=0) / n + eps)
    xhat = xmu * ivar
    dx = gamma * ivar / n * (n * dy - dy.sum(axis=0) - xhat * (dy * xhat).sum(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def norms_summed_loss(net, X, Y):
    crit = BCEWithLogitsLoss(reduction="sum")
    net.zero_grad()
    crit(net(X), Y)
    net.backward(crit.backward())
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_every_other_parameter(net, X, Y):
    crit = BCEWithLogitsLoss()
    net.zero_grad()
    crit(net(X), Y)
    net.backward(crit.backward())
    return np.array([np.linalg.norm(p.grad) for p in net.parameters()[::2]])


def norms_per_column(net, X, Y):
    correct_norms(net, X, Y)
    return [np.linalg.norm(m.weight.grad, axis=0) for m in net if isinstance(m, Linear)]


def std_gain_only(fan_in, negative_slope):
    return np.sqrt(2.0 / (1 + negative_slope**2))


def std_uniform_bound(fan_in, negative_slope):
    return np.sqrt(3.0) * np.sqrt(2.0 / ((1 + negative_slope**2) * fan_in))


def std_via_torch_gain_formula(fan_in, negative_slope):
    gain = np.sqrt(2.0 / (1 + negative_slope**2))
    return gain / np.sqrt(fan_in)


CATALOGUE += [
    Case("ex_batchnorm_backward", bn_statistics_over_all_entries, "over all entries"),
    Case("ex_batchnorm_backward", bn_gamma_factored_out, None),
    Case("ex_grad_norms", norms_summed_loss, "summed over the batch"),
    Case("ex_grad_norms", norms_every_other_parameter, None),
    Case("ex_grad_norms", norms_per_column, "one number per Linear layer"),
    Case("ex_init_std", std_gain_only, "the gain alone"),
    Case("ex_init_std", std_uniform_bound, "bound of a uniform init"),
    Case("ex_init_std", std_via_torch_gain_formula, None),
]

test_catalogue = run_catalogue(CATALOGUE)


# Tried as a learner would (issue 13): more wrong answers, each with the phrase naming it, and
# right answers written differently.
def _bn_parts(x, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    return inv_std, (x - mu) * inv_std


def bn_scales_dy_in_place(dy, x, gamma, eps=1e-5):
    inv_std, xhat = _bn_parts(x, eps)
    dgamma = (dy * xhat).sum(axis=0)
    dy *= gamma  # g, "without a copy"
    dx = inv_std * (dy - dy.mean(axis=0) - xhat * (dy * xhat).mean(axis=0))
    return dx, dgamma, dy.sum(axis=0)


def bn_folds_into_gamma_in_place(dy, x, gamma, eps=1e-5):
    inv_std, xhat = _bn_parts(x, eps)
    gamma *= inv_std  # fold the 1/std into gamma
    g = dy * gamma
    dx = g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_keepdims_sums(dy, x, gamma, eps=1e-5):
    dx, _, _ = correct_bn(dy, x, gamma, eps)
    inv_std, xhat = _bn_parts(x, eps)
    return dx, (dy * xhat).sum(axis=0, keepdims=True), dy.sum(axis=0, keepdims=True)


def bn_without_inv_std(dy, x, gamma, eps=1e-5):
    inv_std, xhat = _bn_parts(x, eps)
    g = dy * gamma
    dx = g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_variance_term_sign(dy, x, gamma, eps=1e-5):
    inv_std, xhat = _bn_parts(x, eps)
    g = dy * gamma
    dx = inv_std * (g - g.mean(axis=0) + xhat * (g * xhat).mean(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_n_from_the_features(dy, x, gamma, eps=1e-5):
    N = x.shape[1]  # should be shape[0]
    inv_std, xhat = _bn_parts(x, eps)
    g = dy * gamma
    dx = inv_std / N * (N * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_mean_term_without_gamma(dy, x, gamma, eps=1e-5):
    inv_std, xhat = _bn_parts(x, eps)
    g = dy * gamma
    dx = inv_std * (g - dy.mean(axis=0) - xhat * (g * xhat).mean(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def bn_returns_a_list(dy, x, gamma, eps=1e-5):
    return list(correct_bn(dy, x, gamma, eps))


def bn_staged_graph(dy, x, gamma, eps=1e-5):
    """CS231n's staged backward through the computational graph, node by node."""
    n = x.shape[0]
    xmu = x - x.mean(axis=0)
    var = (xmu**2).mean(axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    dxhat = dy * gamma
    dxmu1 = dxhat * ivar
    dvar = 0.5 / sqrtvar * (-1.0 / sqrtvar**2) * (dxhat * xmu).sum(axis=0)
    dxmu2 = 2 * xmu * np.ones_like(x) / n * dvar
    dx1 = dxmu1 + dxmu2
    dx = dx1 - dx1.sum(axis=0) / n
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def _measured(net, X, Y):
    crit = BCEWithLogitsLoss()
    net.zero_grad()
    crit(net(X), Y)
    net.backward(crit.backward())
    return [m for m in net if isinstance(m, Linear)]


def norms_squared(net, X, Y):
    return [float((m.weight.grad**2).sum()) for m in _measured(net, X, Y)]


def norms_of_bias_grads(net, X, Y):
    return [float(np.linalg.norm(m.bias.grad)) for m in _measured(net, X, Y)]


def norms_spectral(net, X, Y):
    return [float(np.linalg.norm(m.weight.grad, 2)) for m in _measured(net, X, Y)]  # as in 06


def norms_mean_abs(net, X, Y):
    return [float(np.abs(m.weight.grad).mean()) for m in _measured(net, X, Y)]


def norms_backward_from_residual(net, X, Y):
    net.zero_grad()
    out = net(X)
    net.backward(out - Y)
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_zero_grad_once(net, X, Y, _done=[]):  # noqa: B006 (state kept between calls)
    if not _done:
        net.zero_grad()
        _done.append(True)
    crit = BCEWithLogitsLoss()
    crit(net(X), Y)
    net.backward(crit.backward())
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


def norms_then_a_step(net, X, Y):
    layers = _measured(net, X, Y)
    norms = [float(np.linalg.norm(m.weight.grad)) for m in layers]
    for p in net.parameters():
        p.data -= 0.1 * p.grad  # "while we are at it"
    return norms


def norms_by_torch_twin(net, X, Y):
    import torch

    from bpcourse.check import to_torch

    twin = to_torch(net)
    torch.nn.BCEWithLogitsLoss()(twin(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    return [m.weight.grad.norm().item() for m in twin if isinstance(m, torch.nn.Linear)]


def std_root_of_the_2_only(fan_in, negative_slope):
    return np.sqrt(2.0) / ((1 + negative_slope**2) * fan_in)


def std_without_the_2(fan_in, negative_slope):
    return np.sqrt(1.0 / ((1 + negative_slope**2) * fan_in))


def std_square_of_the_sum(fan_in, negative_slope):
    return np.sqrt(2.0 / ((1 + negative_slope) ** 2 * fan_in))


def std_torch_default_slope(fan_in, negative_slope):
    a = 0.01  # LeakyReLU's default
    return np.sqrt(2.0 / ((1 + a**2) * fan_in))


def std_returns_the_weights(fan_in, negative_slope):
    std = np.sqrt(2.0 / ((1 + negative_slope**2) * fan_in))
    return np.random.default_rng(0).normal(0.0, std, (fan_in, fan_in))


def std_torch_gain(fan_in, negative_slope):
    import math

    import torch

    return torch.nn.init.calculate_gain("leaky_relu", negative_slope) / math.sqrt(fan_in)


def std_powers(fan_in, negative_slope):
    return (2 / (1 + negative_slope**2)) ** 0.5 * fan_in**-0.5


CATALOGUE_LEARNER = [
    Case("ex_batchnorm_backward", bn_scales_dy_in_place, "changed its input dy in place"),
    Case("ex_batchnorm_backward", bn_folds_into_gamma_in_place, "changed its input gamma"),
    Case("ex_batchnorm_backward", bn_keepdims_sums, "drop keepdims=True"),
    Case("ex_batchnorm_backward", bn_without_inv_std, "not divided by sqrt(var + eps)"),
    Case("ex_batchnorm_backward", bn_variance_term_sign, "sign of the variance term"),
    Case("ex_batchnorm_backward", bn_n_from_the_features, "x.shape[1]"),
    Case("ex_batchnorm_backward", bn_mean_term_without_gamma, "mean term uses dy"),
    Case("ex_batchnorm_backward", bn_returns_a_list, None),
    Case("ex_batchnorm_backward", bn_staged_graph, None),
    Case("ex_grad_norms", norms_squared, "squared norms"),
    Case("ex_grad_norms", norms_of_bias_grads, "biases' gradients"),
    Case("ex_grad_norms", norms_spectral, "spectral norm"),
    Case("ex_grad_norms", norms_mean_abs, "mean absolute values"),
    Case("ex_grad_norms", norms_backward_from_residual, "backward starts from net(X) - Y"),
    Case("ex_grad_norms", norms_zero_grad_once, "call net.zero_grad() before backward"),
    Case("ex_grad_norms", norms_then_a_step, "changed the network's weights"),
    Case("ex_grad_norms", norms_by_torch_twin, None),
    Case("ex_init_std", std_root_of_the_2_only, "covers only the 2"),
    Case("ex_init_std", std_without_the_2, "factor 2 is missing"),
    Case("ex_init_std", std_square_of_the_sum, "(1 + a)**2"),
    Case("ex_init_std", std_torch_default_slope, "fixed slope 0.01"),
    Case("ex_init_std", std_returns_the_weights, "not the weights"),
    Case("ex_init_std", std_torch_gain, None),
    Case("ex_init_std", std_powers, None),
]

test_catalogue_learner = run_catalogue(CATALOGUE_LEARNER)


def _notebook_model():
    from bpcourse.nn import Sequential, Sigmoid

    rng = np.random.default_rng(0)
    layers = []
    for n_in, n_out in ((3, 8), (8, 8), (8, 8), (8, 8)):
        layers += [Linear(n_in, n_out, rng=rng), Sigmoid()]
    return Sequential(*layers, Linear(8, 1, rng=rng))


MODEL = _notebook_model()  # stands for the notebook's own `model`


def norms_of_the_notebooks_model(net, X, Y):
    crit = BCEWithLogitsLoss()
    MODEL.zero_grad()
    crit(MODEL(X), Y)
    MODEL.backward(crit.backward())
    return [float(np.linalg.norm(m.weight.grad)) for m in MODEL if isinstance(m, Linear)]


test_catalogue_globals = run_catalogue(
    [
        Case("ex_grad_norms", norms_of_the_notebooks_model, "uses the notebook's network 'MODEL'"),
    ]
)


def norms_backward_twice(net, X, Y):
    crit = BCEWithLogitsLoss()
    net.zero_grad()
    crit(net(X), Y)
    net.backward(crit.backward())
    net.backward(crit.backward())  # "to be sure"
    return [float(np.linalg.norm(m.weight.grad)) for m in net if isinstance(m, Linear)]


test_catalogue_more = run_catalogue(
    [
        Case("ex_grad_norms", norms_backward_twice, "the backward pass ran twice in one call"),
    ]
)


CATALOGUE = (
    CATALOGUE + CATALOGUE_LEARNER
)  # the whole table, as tests/test_exercise_catalogue.py reads it


def std_precedence(fan_in, negative_slope):
    return np.sqrt(2.0 / (1 + negative_slope**2) * fan_in)  # (2 / (1 + a**2)) * fan_in


test_catalogue_precedence = run_catalogue(
    [
        Case("ex_init_std", std_precedence, "put the product in parentheses"),
    ]
)


def norms_hidden_layers_only(net, X, Y):
    layers = _measured(net, X, Y)
    return [float(np.linalg.norm(m.weight.grad)) for m in layers[:-1]]  # "the hidden layers"


test_catalogue_count = run_catalogue(
    [
        Case("ex_grad_norms", norms_hidden_layers_only, "one norm per Linear"),
    ]
)
