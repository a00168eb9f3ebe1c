"""Catalogue of notebook 00's exercise: the right answer passes, typical wrong ones are named."""

import numpy as np
from helpers import Case, run_catalogue

from bpcourse.exercises import run


def correct_db(X, W, b, Y):
    return 2 / X.shape[0] * (X @ W.T + b - Y).sum(axis=0)


def correct_db_mean(X, W, b, Y):
    return 2 * (X @ W.T + b - Y).mean(axis=0)


def db_sum_not_mean(X, W, b, Y):
    return 2 * (X @ W.T + b - Y).sum(axis=0)


def db_without_the_2(X, W, b, Y):
    return (X @ W.T + b - Y).sum(axis=0) / X.shape[0]


def db_notebook_batch_size(X, W, b, Y):
    N = 5  # the notebook's N, copied in
    return 2 / N * (X @ W.T + b - Y).sum(axis=0)


def db_sign_flip(X, W, b, Y):
    return 2 / len(X) * (Y - X @ W.T - b).sum(axis=0)


def db_mean_over_everything_with_sum(X, W, b, Y):
    residual = X @ W.T + b - Y
    return 2 * residual.sum(axis=0) / residual.size


def db_wrong_axis(X, W, b, Y):
    return 2 / len(X) * (X @ W.T + b - Y).sum(axis=1)


def db_not_summed(X, W, b, Y):
    return 2 / len(X) * (X @ W.T + b - Y)


def db_keepdims(X, W, b, Y):
    return 2 / len(X) * (X @ W.T + b - Y).sum(axis=0, keepdims=True)


def db_scalar_mean(X, W, b, Y):
    return 2 * (X @ W.T + b - Y).mean()


def db_untransposed_weight(X, W, b, Y):
    return 2 / len(X) * (X @ W + b - Y).sum(axis=0)  # W is (out, in): a shape error


def db_residual_in_place(X, W, b, Y):
    Y -= X @ W.T + b  # saves an array: Y now holds minus the residual
    return -2 / len(X) * Y.sum(axis=0)


def db_forgets_return(X, W, b, Y):
    db = 2 / len(X) * (X @ W.T + b - Y).sum(axis=0)  # noqa: F841


CATALOGUE = [
    Case("ex_db", correct_db, None),
    Case("ex_db", correct_db_mean, None),
    Case("ex_db", db_sum_not_mean, "the 1/N factor is missing"),
    Case("ex_db", db_without_the_2, "factor 2"),
    Case("ex_db", db_notebook_batch_size, "the notebook's batch size"),
    Case("ex_db", db_sign_flip, "sign flip"),
    Case("ex_db", db_mean_over_everything_with_sum, "divides by N * out"),
    Case("ex_db", db_wrong_axis, "instead of axis 0"),
    Case("ex_db", db_not_summed, "not summed over the batch"),
    Case("ex_db", db_keepdims, "keepdims"),
    Case("ex_db", db_scalar_mean, "a mean over every element"),
    Case("ex_db", db_untransposed_weight, "ValueError"),
    Case("ex_db", db_residual_in_place, "changed its argument Y in place"),
    Case("ex_db", db_forgets_return, "returned None"),
]

test_catalogue = run_catalogue(CATALOGUE)


def test_the_stub_is_not_done():
    def ex_db(X, W, b, Y):
        raise NotImplementedError("Exercise: write your code here, then run the check cell below")

    assert run("ex_db", ex_db).status == "not done"
    assert run("ex_db", None).status == "not done"


def test_the_shape_error_names_the_learners_line():
    message = run("ex_db", db_untransposed_weight).message
    assert "db_untransposed_weight" in message and "X @ W + b" in message
    assert "shape" in message.lower()


def test_the_batch_is_not_the_notebooks():
    """The check's batch size differs from the notebook's 5 and from the number of outputs, so
    a hard-coded N, a sum over the wrong axis and a missing 1/N all give other values."""
    seen = {}

    def spy(X, W, b, Y):
        seen["shapes"] = (X.shape, W.shape, b.shape, Y.shape)
        return correct_db(X, W, b, Y)

    assert run("ex_db", spy).status == "ok"
    (n, n_in), (n_out, _), _, _ = seen["shapes"]
    assert n not in (5, n_out, 2) and n_out != 2
    assert seen["shapes"][2] == (n_out,)


# Tried as a learner would (issue 13): more wrong answers, each with the phrase naming it, and
# right answers written differently.
n_out = 2  # the notebook's global, which a learner may use


def db_a_list(X, W, b, Y):
    r = X @ W.T + b - Y
    return [2 / len(X) * r[:, j].sum() for j in range(r.shape[1])]


def db_notebook_n_out(X, W, b, Y):
    db = np.zeros(n_out)
    r = X @ W.T + b - Y
    for j in range(n_out):
        db[j] = 2 / len(X) * r[:, j].sum()
    return db


def db_features_for_n(X, W, b, Y):
    return 2 / X.shape[1] * (X @ W.T + b - Y).sum(axis=0)


def db_outputs_for_n(X, W, b, Y):
    return 2 / Y.shape[1] * (X @ W.T + b - Y).sum(axis=0)


def db_mean_then_divides(X, W, b, Y):
    return 2 / X.shape[0] * (X @ W.T + b - Y).mean(axis=0)


def db_forgets_b(X, W, b, Y):
    return 2 / X.shape[0] * (X @ W.T - Y).sum(axis=0)


def db_total_sum(X, W, b, Y):
    return 2 / X.shape[0] * np.sum(X @ W.T + b - Y)


def db_copies_dw(X, W, b, Y):
    return 2 / X.shape[0] * (X @ W.T + b - Y).T @ X


def db_squares_residual(X, W, b, Y):
    return 2 / X.shape[0] * ((X @ W.T + b - Y) ** 2).sum(axis=0)


def db_and_a_step(X, W, b, Y):
    db = 2 / X.shape[0] * (X @ W.T + b - Y).sum(axis=0)
    b -= 0.1 * db  # "and update b while at it"
    return db


def db_float32(X, W, b, Y):
    return (2 / X.shape[0] * (X @ W.T + b - Y).sum(axis=0)).astype(np.float32)


def db_einsum(X, W, b, Y):
    return np.mean(2 * (np.einsum("ni,oi->no", X, W) + b[None, :] - Y), axis=0)


def db_by_torch(X, W, b, Y):
    import torch

    bt = torch.tensor(b, requires_grad=True)
    ((torch.tensor(X) @ torch.tensor(W).T + bt - torch.tensor(Y)) ** 2).sum(1).mean().backward()
    return bt.grad.numpy()


def db_ones_vector(X, W, b, Y):
    return 2 / len(X) * np.ones(len(X)) @ (X @ W.T + b - Y)


CATALOGUE_LEARNER = [
    Case("ex_db", db_a_list, "returned a list"),
    Case("ex_db", db_notebook_n_out, "the notebook's n_out"),
    Case("ex_db", db_features_for_n, "divides by X.shape[1]"),
    Case("ex_db", db_outputs_for_n, "the number of outputs"),
    Case("ex_db", db_mean_then_divides, "divides by N twice"),
    Case("ex_db", db_forgets_b, "leaves out b"),
    Case("ex_db", db_total_sum, "a sum over every element"),
    Case("ex_db", db_copies_dw, "this is dL/dW"),
    Case("ex_db", db_squares_residual, "the residual is squared"),
    Case("ex_db", db_and_a_step, "changed its argument b in place"),
    Case("ex_db", db_float32, "float32"),
    Case("ex_db", db_einsum, None),
    Case("ex_db", db_by_torch, None),
    Case("ex_db", db_ones_vector, None),
]

test_catalogue_learner = run_catalogue(CATALOGUE_LEARNER)


CATALOGUE = (
    CATALOGUE + CATALOGUE_LEARNER
)  # the whole table, as tests/test_exercise_catalogue.py reads it
