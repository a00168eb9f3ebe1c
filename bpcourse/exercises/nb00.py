"""Checks of notebook 00 (start here): the bias gradient of a batch's mean squared error."""

from __future__ import annotations

import numpy as np

from .core import Mistake, check_unchanged, expect, register

NOTEBOOK_N = 5  # the batch size of notebook 00's own X: a learner may hard-code it
NOTEBOOK_OUT = 2  # its number of outputs (n_out), a global a learner may use too


@register(
    "ex_db",
    hints=(
        "A nudge: b is added to every row of X @ W.T, so every example of the batch pulls on b. "
        "How do the pulls of several examples combine, and what does the mean in L do to them?",
        "dL/db is the mean over the batch of 2 (X_n W^T + b - Y_n): sum the residuals over axis 0 "
        "(the batch), times 2/N, where N is the number of rows of the X the function is given.",
        "return 2 / X.shape[0] * (X @ W.T + b - Y).sum(axis=0)",
    ),
)
def check_ex_db(ex_db):
    """A batch of 7 (not the notebook's 5) with 3 outputs: N, out and 2 all differ."""
    import torch

    rng = np.random.default_rng(2024)
    n, n_in, n_out = 7, 4, 3
    X = rng.standard_normal((n, n_in))
    W = rng.standard_normal((n_out, n_in))
    b = rng.standard_normal(n_out)
    Y = rng.standard_normal((n, n_out))
    args = {"X": X, "W": W, "b": b, "Y": Y}
    before = {name: a.copy() for name, a in args.items()}

    got = ex_db(X, W, b, Y)
    check_unchanged(
        "ex_db",
        before,
        args,
        "{fn} changed its argument {name} in place: it must only compute the "
        "gradient (the residual as a new array, no -= or update step)",
    )
    if got is None:
        raise Mistake("ex_db returned None: it must return the gradient (shape (out,))")
    if isinstance(got, (list, tuple)):
        raise Mistake(
            f"ex_db returned a {type(got).__name__}: return a numpy array of shape "
            "(out,), computed on whole arrays (a sum over axis 0), so that "
            "b - lr * db works"
        )
    if np.shape(got) == (NOTEBOOK_OUT,):
        raise Mistake(
            f"ex_db returned shape ({NOTEBOOK_OUT},), the notebook's n_out, for a W "
            f"with {n_out} outputs: take sizes from the arguments (W.shape[0], or "
            "sum over axis 0), not from the notebook's globals"
        )

    bt = torch.tensor(b, requires_grad=True)
    ((torch.tensor(X) @ torch.tensor(W).T + bt - torch.tensor(Y)) ** 2).sum().div(n).backward()
    want = bt.grad.numpy()

    residual = X @ W.T + b - Y  # (N, out)
    expect(
        got,
        want,
        f"dL/db for a batch of N = {n} examples and {n_out} outputs",
        mistakes={
            "a sum over the batch, not a mean: the 1/N factor is missing": 2 * residual.sum(axis=0),
            "the factor 2 from the square is missing": residual.sum(axis=0) / n,
            f"divides by {NOTEBOOK_N}, the notebook's batch size, instead of the number of rows of "
            f"the X it is given (here {n}): use X.shape[0]": 2 / NOTEBOOK_N * residual.sum(axis=0),
            "a sign flip: the residual is written Y - (X W^T + b) instead of (X W^T + b) - Y": -want,
            "divides by N * out: L sums over the outputs and averages over the batch only": 2
            / (n * n_out)
            * residual.sum(axis=0),
            "summed over axis 1 (the outputs) instead of axis 0 (the batch)": 2
            / n
            * residual.sum(axis=1),
            "not summed over the batch: one row per example, shape (N, out)": 2 / n * residual,
            "shape (1, out) from keepdims=True: the bias has shape (out,)": 2
            / n
            * residual.sum(axis=0, keepdims=True),
            "a mean over every element (a single number): sum over the batch, axis 0, only": 2
            * residual.mean(),
            "a sum over every element (a single number): sum over the batch, axis 0, only": 2
            / n
            * residual.sum(),
            f"divides by X.shape[1] (the {n_in} input features) instead of X.shape[0] (the {n} "
            "examples)": 2 / n_in * residual.sum(axis=0),
            f"divides by the number of outputs ({n_out}) instead of the batch size N = {n}": 2
            / n_out
            * residual.sum(axis=0),
            "divides by N twice: a mean over the batch already contains 1/N": 2
            / n**2
            * residual.sum(axis=0),
            "the residual leaves out b: the forward is X W^T + b - Y": 2
            / n
            * (X @ W.T - Y).sum(axis=0),
            "the residual is squared: the derivative of r**2 is 2r, not 2r**2": 2
            / n
            * (residual**2).sum(axis=0),
            "this is dL/dW, (out, in): dL/db sums the residual over the batch, without X": 2
            / n
            * residual.T
            @ X,
        },
    )
    return "matches torch autograd on a new batch of 7 examples and 3 outputs"
