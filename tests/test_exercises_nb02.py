"""Catalogue of notebook 02's exercises: the right answer and typical wrong ones, as a learner writes them.

Each wrong answer must be rejected by the check the notebook calls, with a message naming its
mistake (the phrase); shape errors in the learner's own code come out as a short message.
"""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue

from bpcourse import functional as bf

# --- ex_linear_forward(X, W, b) -> Z (N, out)


def linear_right(X, W, b):
    return X @ W.T + b


def linear_column_form_transposed_back(X, W, b):
    return (W @ X.T + b[:, None]).T


def linear_tutorial_layout(X, W, b):
    return X @ W + b  # (5, 3) @ (4, 3): a shape error in the learner's line


def linear_no_bias(X, W, b):
    return X @ W.T


def linear_column_form(X, W, b):
    return W @ X.T + b[:, None]  # (out, N)


def linear_bias_as_column(X, W, b):
    return X @ W.T + b[:, None]  # (N, out) + (out, 1): broadcast error


def linear_squeezed(X, W, b):
    return np.squeeze(X @ W.T + b)


def linear_square_only(X, W, b):  # transposes only when the shapes force it
    return X @ W + b if W.shape[0] == W.shape[1] else X @ W.T + b


# --- ex_tanh_grad_from_output(a)


def tanh_grad_right(a):
    return 1 - a**2


def tanh_grad_right_square(a):
    return 1.0 - np.square(a)


def tanh_grad_tanh_again(a):
    return 1 - np.tanh(a) ** 2


def tanh_grad_sech(a):
    return 1 / np.cosh(a) ** 2


def tanh_grad_sigmoid_formula(a):
    return a * (1 - a)


def tanh_grad_no_square(a):
    return 1 - a


def tanh_grad_square_of_difference(a):
    return (1 - a) ** 2


def tanh_grad_in_place(a):
    a **= 2
    return 1 - a


# --- ex_logsumexp(Z) -> (N,)


def lse_right(Z):
    m = Z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True)))[:, 0]


def lse_right_logaddexp(Z):
    return np.logaddexp.reduce(Z, axis=1)


def lse_naive(Z):
    return np.log(np.exp(Z).sum(axis=1))


def lse_global_max(Z):
    m = Z.max()
    return m + np.log(np.exp(Z - m).sum(axis=1))


def lse_max_not_added_back(Z):
    m = Z.max(axis=1, keepdims=True)
    return np.log(np.exp(Z - m).sum(axis=1))


def lse_keepdims_column(Z):
    m = Z.max(axis=1, keepdims=True)
    return m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))


def lse_max_without_keepdims(Z):
    m = Z.max(axis=1)
    return m + np.log(np.exp(Z - m).sum(axis=1))  # (4, 3) - (4,): broadcast error


def lse_wrong_axis(Z):
    m = Z.max(axis=0)
    return m + np.log(np.exp(Z - m).sum(axis=0))


def lse_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    return np.log(np.exp(Z).sum(axis=1)) + 0.0  # and the max is lost with it


# --- ex_forward(X, W1, b1, W2, b2) -> A2 (N, out)


def forward_right(X, W1, b1, W2, b2):
    A1 = bf.sigmoid(X @ W1.T + b1)
    return bf.sigmoid(A1 @ W2.T + b2)


def forward_tutorial_layout(X, W1, b1, W2, b2):
    A1 = bf.sigmoid(X @ W1 + b1)
    return bf.sigmoid(A1 @ W2 + b2)


def forward_returns_logits(X, W1, b1, W2, b2):
    A1 = bf.sigmoid(X @ W1.T + b1)
    return A1 @ W2.T + b2


def forward_z1_into_layer_two(X, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    A1 = bf.sigmoid(Z1)  # noqa: F841 (computed, then not used: the mistake)
    return bf.sigmoid(Z1 @ W2.T + b2)


def forward_no_output_bias(X, W1, b1, W2, b2):
    A1 = bf.sigmoid(X @ W1.T + b1)
    return bf.sigmoid(A1 @ W2.T)


def forward_dZ_style_transpose(X, W1, b1, W2, b2):
    A1 = bf.sigmoid(X @ W1.T + b1)
    return bf.sigmoid(A1 @ W2 + b2)  # (5, 4) @ (2, 4)


def forward_one_layer(X, W1, b1, W2, b2):
    return bf.sigmoid(X @ W1.T + b1)


CATALOGUE = [
    Case("ex_linear_forward", linear_right, None),
    Case("ex_linear_forward", linear_column_form_transposed_back, None),
    Case("ex_linear_forward", linear_tutorial_layout, "return X @ W + b"),
    Case("ex_linear_forward", linear_no_bias, "the bias b is missing"),
    Case("ex_linear_forward", linear_column_form, "returns Z.T"),
    Case("ex_linear_forward", linear_bias_as_column, "X @ W.T + b[:, None]"),
    Case("ex_linear_forward", linear_squeezed, "batch axis is squeezed away"),
    Case("ex_linear_forward", linear_square_only, "tutorial layout (in, out)"),
    Case("ex_tanh_grad_from_output", tanh_grad_right, None),
    Case("ex_tanh_grad_from_output", tanh_grad_right_square, None),
    Case("ex_tanh_grad_from_output", tanh_grad_tanh_again, "tanh is applied to a again"),
    Case("ex_tanh_grad_from_output", tanh_grad_sech, "tanh is applied to a again"),
    Case("ex_tanh_grad_from_output", tanh_grad_sigmoid_formula, "sigmoid's derivative"),
    Case("ex_tanh_grad_from_output", tanh_grad_no_square, "a is not squared"),
    Case("ex_tanh_grad_from_output", tanh_grad_square_of_difference, "squares the difference"),
    Case("ex_tanh_grad_from_output", tanh_grad_in_place, "changed its argument a in place"),
    Case("ex_logsumexp", lse_right, None),
    Case("ex_logsumexp", lse_right_logaddexp, None),
    Case("ex_logsumexp", lse_naive, "exp(1000) overflows"),
    Case("ex_logsumexp", lse_global_max, "one max for the whole array"),
    Case("ex_logsumexp", lse_max_not_added_back, "never added back"),
    Case("ex_logsumexp", lse_keepdims_column, "keepdims=True column was not flattened"),
    Case("ex_logsumexp", lse_max_without_keepdims, "m + np.log(np.exp(Z - m).sum(axis=1))"),
    Case("ex_logsumexp", lse_wrong_axis, "sum ran over axis 0"),
    Case("ex_logsumexp", lse_in_place, "changed its argument Z in place"),
    Case("ex_forward", forward_right, None),
    Case("ex_forward", forward_tutorial_layout, "X @ W1 + b1"),
    Case("ex_forward", forward_returns_logits, "output has no sigmoid"),
    Case("ex_forward", forward_z1_into_layer_two, "hidden layer has no sigmoid"),
    Case("ex_forward", forward_no_output_bias, "output bias b2 is missing"),
    Case("ex_forward", forward_dZ_style_transpose, "A1 @ W2 + b2"),
    Case("ex_forward", forward_one_layer, "second layer is missing"),
]

test_catalogue = run_catalogue(CATALOGUE)
