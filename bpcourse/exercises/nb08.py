"""Checks of notebook 08 (tensors and the two modes): the broadcast sum, the scatter-add of
indexing, the backward of a sum with and without keepdims.

Each check is a small adversarial test: square shapes where an axis mix-up keeps the shape,
repeated indices, ``keepdims`` both ways, so that every typical mistake gives a value different
from the right one. References come from torch autograd, never from the learner's code or from
bpcourse.tensor.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, expect, register


def _torch_vjp(forward, shape, upstream):
    """d(sum(forward(x) * upstream))/dx for x of ``shape`` (any values), by torch autograd."""
    import torch

    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    forward(x).backward(torch.tensor(upstream))
    return x.grad.numpy()


def _require_shape(got, shape, what, hint):
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{what} returned {type(got).__name__}, expected a numpy array of shape {shape}"
        )
    if got.shape != tuple(shape):
        raise Mistake(f"{what} has shape {got.shape}, expected {tuple(shape)}: {hint}")


# --- exercise 1: the sum over broadcast axes ----------------------------------------------------
@register(
    "ex_unbroadcast",
    hints=(
        "An operand of shape `shape` was used many times by broadcasting: once per position along "
        "the axes it was stretched over. What happens to the gradients of all those uses?",
        "Two kinds of broadcast axes: leading axes the operand lacks (sum them away) and axes "
        "where the operand has size 1 (sum them, keeping the axis with keepdims=True). "
        "Shapes align on the right.",
        "extra = grad.ndim - len(shape); grad = grad.sum(axis=tuple(range(extra))); then "
        "grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)",
    ),
)
def check_ex_unbroadcast(ex_unbroadcast):
    rng = np.random.default_rng(8)
    g3 = rng.standard_normal((3, 3))
    cases = [  # (grad, operand shape, mistakes on these inputs)
        (
            g3,
            (3,),
            {
                "summed over the last axis: broadcasting aligns shapes on the right, so a (3,) "
                "operand was repeated along the first axis": g3.sum(axis=1),
                "took one copy (grad[0]) instead of the sum over the broadcast axis": g3[0],
                "averaged the copies (mean) instead of summing them": g3.mean(axis=0),
            },
        ),
        (
            g3,
            (3, 1),
            {
                "summed the size-1 axis without keepdims=True: the result lost its axis": g3.sum(1),
                "summed over the first axis: the operand has size 1 along the last axis": g3.sum(
                    axis=0, keepdims=True
                ).T,
                "averaged the copies (mean) instead of summing them": g3.mean(
                    axis=1, keepdims=True
                ),
            },
        ),
    ]
    g4 = rng.standard_normal((2, 3, 4))
    cases += [
        (
            g4,
            (1, 4),
            {
                "summed only the missing leading axis, not the size-1 axis": g4.sum(axis=0)[:1],
                "averaged the copies (mean) instead of summing them": g4.mean(axis=(0, 1)).reshape(
                    1, 4
                ),
            },
        ),
        (g4, (2, 3, 4), {"changed a gradient that needed no summing": g4.sum(axis=0)}),
        (g4, (), {}),
    ]
    for grad, shape, mistakes in cases:
        before = grad.copy()
        got = ex_unbroadcast(grad, shape)
        if not np.array_equal(grad, before):
            raise Mistake("ex_unbroadcast changed its input grad in place: compute a new array")
        what = f"ex_unbroadcast(grad of shape {grad.shape}, {shape})"
        if not isinstance(got, np.ndarray) and np.ndim(got) == 0 and shape == ():
            got = np.asarray(got)
        if isinstance(got, np.ndarray) and got.shape == grad.shape and shape != grad.shape:
            raise Mistake(
                f"{what} returned the gradient unsummed, shape {grad.shape}: the "
                f"operand was used once per broadcast position, so its gradient is "
                f"the sum over the broadcast axes"
            )
        for d, v in mistakes.items():  # a recognised mistake of another shape first
            if (
                isinstance(got, np.ndarray)
                and got.shape == np.shape(v)
                and got.shape != shape
                and np.allclose(got, v)
            ):
                raise Mistake(f"{what}: {d}")
        _require_shape(got, shape, what, "the gradient of an operand has the operand's shape")
        want = _torch_vjp(lambda x, s=grad.shape: x.expand(s) * 1.0, shape, grad)
        expect(
            got, want, what, mistakes={d: v for d, v in mistakes.items() if np.shape(v) == shape}
        )
    return "leading axes, size-1 axes and square shapes all match torch"


# --- exercise 2: the backward of indexing --------------------------------------------------------
@register(
    "ex_index_backward",
    hints=(
        "out = x[idx] copies rows of x; a row picked twice is used twice. How many contributions "
        "should its gradient receive?",
        "dx starts as zeros of x's shape; each row of dout is added to the row of dx it came from. "
        "dx[idx] += dout does not add twice for a repeated index (numpy buffers the write).",
        "dx = np.zeros((n, dout.shape[1])); np.add.at(dx, idx, dout); return dx",
    ),
)
def check_ex_index_backward(ex_index_backward):
    rng = np.random.default_rng(80)
    n, d = 4, 3
    idx = np.array([2, 0, 2, 3, 2])  # row 2 three times, row 1 never
    dout = rng.standard_normal((len(idx), d))
    before = dout.copy()
    got = ex_index_backward(dout, idx, n)
    if not np.array_equal(dout, before):
        raise Mistake("ex_index_backward changed dout in place: compute a new array")
    if isinstance(got, np.ndarray) and got.shape == dout.shape:
        raise Mistake(
            f"returned an array of out's shape {dout.shape}: dx must have x's shape "
            f"({n}, {d}), with each row of dout added to the row it was taken from"
        )
    _require_shape(got, (n, d), "ex_index_backward(dout, idx, n)", "dx has the shape of x")
    want = _torch_vjp(lambda x: x[torch_index(idx)] * 1.0, (n, d), dout)
    last = np.zeros((n, d))
    last[idx] = dout  # what dx[idx] = dout (or +=) keeps
    counts = np.bincount(idx, minlength=n)[:, None]
    expect(
        got,
        want,
        "dx for out = x[[2, 0, 2, 3, 2]]",
        mistakes={
            "a repeated index kept only one contribution (dx[idx] = dout or dx[idx] += dout "
            "writes once per index): use np.add.at(dx, idx, dout) to add every repeat": last,
            "counted the picks (np.add.at(dx, idx, 1)) but ignored dout": counts * np.ones((1, d)),
            "averaged the repeated gradients instead of adding them": np.divide(
                want, np.maximum(counts, 1)
            ),
        },
    )
    return "repeated and unused rows match torch"


def torch_index(idx):
    import torch

    return torch.tensor(idx)


# --- exercise 3: the backward of a sum over an axis ------------------------------------------------
@register(
    "ex_sum_backward",
    hints=(
        "Every element of x that was added into out[j] has derivative 1 with respect to it: each "
        "gets dout[j]. Which axis of x lines up with dout's axes?",
        "Without keepdims, the summed axis is gone from dout: put it back (np.expand_dims(dout, "
        "axis)) before broadcasting to x's shape, or dout lines up with the wrong axis. With "
        "keepdims=True it is already there.",
        "g = dout if keepdims else np.expand_dims(dout, axis); return np.broadcast_to(g, shape).copy()",
    ),
)
def check_ex_sum_backward(ex_sum_backward):
    rng = np.random.default_rng(81)
    shape = (3, 3)  # square: a wrong axis keeps the shape
    for axis, keepdims in [(1, False), (1, True), (0, False), (-1, False)]:
        out_shape = (3, 1) if keepdims else (3,)
        if keepdims and axis == 0:
            out_shape = (1, 3)
        dout = rng.standard_normal(out_shape)
        got = ex_sum_backward(dout, shape, axis, keepdims)
        what = f"dx for x.sum(axis={axis}, keepdims={keepdims}), x of shape {shape}"
        _require_shape(got, shape, what, "dx has the shape of x")
        want = _torch_vjp(lambda x, a=axis, k=keepdims: x.sum(dim=a, keepdim=k), shape, dout)
        flat = dout.reshape(-1)
        wrong_axis = np.broadcast_to(flat[:, None] if axis == 0 else flat, shape)
        first = np.zeros(shape)
        np.moveaxis(first, axis, 0)[0] = flat  # dout given to one element per sum only
        mistakes = {
            "dout broadcast along the wrong axis: without keepdims, put the summed axis "
            "back with np.expand_dims(dout, axis) before broadcasting": wrong_axis,
            "divided by the number of summed elements: that is mean's rule, not sum's": want / 3,
            "gave dout to one element of each sum: every summed element gets it": first,
            "ignored dout: the local derivative 1 must be multiplied by dout": np.ones(shape),
        }
        expect(got, want, what, mistakes=mistakes)
    return "both axes, negative axis and keepdims both ways match torch"
