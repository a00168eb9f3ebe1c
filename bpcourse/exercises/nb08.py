"""Checks of notebook 08 (tensors and the two modes): the tangent rule of a division (forward
mode), the broadcast sum, the backward of a sum with and without keepdims, matmul's two
vector-Jacobian products, and the scatter-add of indexing.

Each check is a small adversarial test: square shapes where an axis mix-up keeps the shape,
non-square ones where a transpose or an order swap cannot hide, a batch of a size unlike the
others, repeated indices, ``keepdims`` both ways, so that every typical mistake gives a value different
from the right one. References come from torch autograd, never from the learner's code or from
bpcourse.tensor.
"""

from __future__ import annotations

import traceback
import warnings

import numpy as np

from .core import Mistake, _learner_frame, expect, register


def _torch_vjp(forward, shape, upstream):
    """d(sum(forward(x) * upstream))/dx for x of ``shape`` (any values), by torch autograd."""
    import torch

    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    forward(x).backward(torch.tensor(upstream))
    return x.grad.numpy()


def _require_shape(got, shape, what, hint):
    if not isinstance(got, np.ndarray):
        kind = "a single number" if np.ndim(got) == 0 else type(got).__name__
        raise Mistake(f"{what} returned {kind}, expected a numpy array of shape {shape}")
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
            (3, 1),
            {
                "summed a size-1 axis at its index in `shape` counted on grad, before removing "
                "the leading axes: shapes align on the right, so sum the leading axes first "
                "(then axis i of grad is axis i of the operand)": g4.sum(axis=1, keepdims=True).sum(
                    axis=0
                ),
            },
        ),
        (
            g4,
            (1, 4),
            {
                "summed only the missing leading axis, not the size-1 axis": g4.sum(axis=0),
                "took one copy (the first row) along the size-1 axis instead of their sum": g4.sum(
                    axis=0
                )[:1],
                "averaged the copies (mean) instead of summing them": g4.mean(axis=(0, 1)).reshape(
                    1, 4
                ),
            },
        ),
        (
            g4,
            (1, 3, 1),
            {
                "summed only the first size-1 axis: sum every axis where the operand has size 1 "
                "(here two of them)": g4.sum(axis=0, keepdims=True),
                "summed only the last size-1 axis: sum every axis where the operand has size 1 "
                "(here two of them)": g4.sum(axis=2, keepdims=True),
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
        if np.ndim(got) == 0 and shape != () and isinstance(got, (float, np.floating, np.ndarray)):
            raise Mistake(
                f"{what} returned a single number: it summed over every axis. Sum only the "
                f"broadcast axes, so that the result has the operand's shape {shape}"
            )
        want = _torch_vjp(lambda x, s=grad.shape: x.expand(s) * 1.0, shape, grad)
        extra = grad.ndim - len(shape)
        if (
            extra
            and isinstance(got, np.ndarray)
            and got.shape == (1,) * extra + tuple(shape)
            and np.allclose(got.reshape(shape), want)
        ):
            raise Mistake(
                f"{what} has shape {got.shape}, expected {shape}: it kept the leading axes the "
                f"operand lacks (keepdims=True); sum those away, keep only the size-1 axes"
            )
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
        if shape != ():
            mistakes["summed over every axis: sum only the broadcast axes"] = np.full(
                shape, grad.sum()
            )
        expect(
            got, want, what, mistakes={d: v for d, v in mistakes.items() if np.shape(v) == shape}
        )
    return "leading axes, one or two size-1 axes and square shapes all match torch"


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
    # row 2 picked three times, rows 1, 4, 5 never (so idx.max() + 1 is not n); then another D
    for idx, n, d in [(np.array([2, 0, 2, 3, 2]), 6, 3), (np.array([1, 0, 1, 1]), 3, 4)]:
        dout = rng.standard_normal((len(idx), d))
        before = dout.copy()
        got = ex_index_backward(dout, idx, n)
        if not np.array_equal(dout, before):
            raise Mistake("ex_index_backward changed dout in place: compute a new array")
        what = f"dx for out = x[{idx.tolist()}], x of shape ({n}, {d})"
        if isinstance(got, np.ndarray) and got.shape == dout.shape:
            raise Mistake(
                f"{what}: returned an array of out's shape {dout.shape}: dx must have x's "
                f"shape ({n}, {d}), with each row of dout added to the row it was taken from"
            )
        if isinstance(got, np.ndarray) and got.shape == (idx.max() + 1, d):
            raise Mistake(
                f"{what}: dx has shape {got.shape}, expected ({n}, {d}): x has n = {n} rows, "
                f"and the last ones may never be picked; make dx with n rows, not idx.max() + 1"
            )
        _require_shape(got, (n, d), what, "dx has the shape of x")
        want = _torch_vjp(lambda x, i=idx: x[torch_index(i)] * 1.0, (n, d), dout)
        last = np.zeros((n, d))
        last[idx] = dout  # what dx[idx] = dout (or +=) keeps: the last repeat
        first = np.zeros((n, d))
        first[idx[::-1]] = dout[::-1]  # the first repeat
        counts = np.bincount(idx, minlength=n)[:, None]
        one = (
            "a repeated index kept only one contribution (dx[idx] = dout or dx[idx] += dout "
            "writes once per index): use np.add.at(dx, idx, dout) to add every repeat"
        )
        expect(
            got,
            want,
            what,
            mistakes={
                one: last,
                "a repeated index kept only one contribution (its first): add every repeat, "
                "np.add.at(dx, idx, dout)": first,
                "counted the picks (np.add.at(dx, idx, 1)) but ignored dout": counts
                * np.ones((1, d)),
                "averaged the repeated gradients instead of adding them": np.divide(
                    want, np.maximum(counts, 1)
                ),
            },
        )
    return "repeated and unused rows (the last among them) match torch"


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
    cases = [  # (x's shape, axis, keepdims, what a failure on this case alone reveals)
        ((3, 3), 1, False, ""),  # square: a wrong axis keeps the shape
        (
            (3, 3),
            1,
            True,
            "with keepdims=True dout already has the summed axis (size 1): "
            "expand it only without keepdims",
        ),
        ((3, 3), 0, False, ""),
        (
            (3, 3),
            -1,
            False,
            "a negative axis counts from the end (shape[:axis] with axis=-1 "
            "is not the leading part): np.expand_dims(dout, axis) handles it",
        ),
        (
            (2, 3, 4),
            1,
            False,
            "x may have any number of axes, not only 2: put the summed axis "
            "back with np.expand_dims(dout, axis) and broadcast to x's shape",
        ),
    ]
    for shape, axis, keepdims, failure in cases:
        ax = axis % len(shape)
        out_shape = tuple(1 if i == ax else n for i, n in enumerate(shape) if keepdims or i != ax)
        dout = rng.standard_normal(out_shape)
        what = f"dx for x.sum(axis={axis}, keepdims={keepdims}), x of shape {shape}"
        before = dout.copy()
        try:
            got = ex_sum_backward(dout, shape, axis, keepdims)
        except (ValueError, IndexError) as err:
            if not failure:
                raise  # shown with the learner's line
            raise Mistake(_raised_on(what, err, failure)) from None
        if dout.shape != before.shape or not np.array_equal(dout, before):
            raise Mistake(
                "ex_sum_backward changed dout in place (its values or its shape): use "
                "np.expand_dims(dout, axis) or dout.reshape(...), which make a new array"
            )
        _require_shape(got, shape, what, "dx has the shape of x")
        want = _torch_vjp(lambda x, a=axis, k=keepdims: x.sum(dim=a, keepdim=k), shape, dout)
        flat = dout.reshape(-1)
        mistakes = {
            "divided by the number of summed elements: that is mean's rule, not sum's": want
            / shape[axis],
            "ignored dout: the local derivative 1 must be multiplied by dout": np.ones(shape),
        }
        if len(shape) == 2:
            wrong_axis = np.broadcast_to(flat[:, None] if axis == 0 else flat, shape)
            first = np.zeros(shape)
            np.moveaxis(first, axis, 0)[0] = flat  # dout given to one element per sum only
            mistakes |= {
                "dout broadcast along the wrong axis: without keepdims, put the summed axis "
                "back with np.expand_dims(dout, axis) before broadcasting": wrong_axis,
                "gave dout to one element of each sum: every summed element gets it": first,
            }
        expect(got, want, what, mistakes=mistakes)
    return "both axes, negative axis, keepdims both ways and a 3-D x match torch"


def _raised_on(what, err, advice):
    """The message for an error on a later case of a check: the learner's line and the advice."""
    lines = [f"{what}: your code raised {type(err).__name__}: {str(err).splitlines()[0]}"]
    frame = _learner_frame(traceback.extract_tb(err.__traceback__))
    if frame is not None:
        lines.append(f"  in {frame.name}, line {frame.lineno}: {(frame.line or '').strip()}")
    lines.append(f"It passed the earlier cases: {advice}")
    return "\n".join(lines)


# --- exercise 4: the tangent rule of a division (forward mode) -------------------------------------
@register(
    "ex_div_jvp",
    hints=(
        "a and b both carry a tangent. Start from a/b = a * b**-1 and apply the product rule, "
        "then the rule for b**-1: which terms appear, and with which sign?",
        "Two terms: da/b (b held fixed) and the change of 1/b along db, which is -db/b**2, "
        "times a. A larger b makes a/b smaller in magnitude.",
        "return (da * b - a * db) / b**2   (the same as da / b - a * db / b**2)",
    ),
)
def check_ex_div_jvp(ex_div_jvp):
    import torch

    rng = np.random.default_rng(84)
    a = rng.standard_normal(5)
    b = rng.uniform(1.5, 3.0, 5) * rng.choice([-1.0, 1.0], 5)  # |b| > 1: b != b**2
    da, db = rng.standard_normal(5), rng.standard_normal(5)
    args = [x.copy() for x in (a, da, b, db)]
    got = ex_div_jvp(*args)
    if not all(np.array_equal(x, y) for x, y in zip(args, (a, da, b, db))):
        raise Mistake("ex_div_jvp changed one of its inputs in place: compute a new array")
    if isinstance(got, (tuple, list)) and len(got) == 2:
        raise Mistake(
            f"ex_div_jvp returned a pair ({type(got).__name__} of two): return only the tangent "
            f"of a / b, one array of a's shape {a.shape} (not the value and the tangent)"
        )
    _require_shape(got, a.shape, "the tangent of a / b", "one tangent per element of a / b")
    with warnings.catch_warnings():  # torch loads its forward-mode rules through a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        _, want = torch.func.jvp(
            torch.div, (torch.tensor(a), torch.tensor(b)), (torch.tensor(da), torch.tensor(db))
        )
    expect(
        got,
        want.numpy(),
        "the tangent of a / b",
        mistakes={
            "the numerator is subtracted the wrong way round: it is da*b - a*db "
            "(a larger b makes a/b smaller)": (a * db - da * b) / b**2,
            "divided by b instead of b**2: the derivative of 1/b is -1/b**2": (da * b - a * db) / b,
            "used + where the quotient rule has -: (da*b + a*db)/b**2 is the product rule's "
            "pattern": (da * b + a * db) / b**2,
            "treated b as a constant (ignored db): b carries a tangent too": da / b,
            "ignored da: a carries a tangent too": -a * db / b**2,
            "divided the tangents (da/db): the tangent of a quotient is not the quotient of "
            "tangents": da / db,
            "returned the value a/b, not its tangent": a / b,
            "divided only the second term by b**2 (da/b - a*db/b is missing a b): the "
            "derivative of 1/b is -1/b**2": da / b - a * db / b,
            "missing parentheses: da*b - a*db/b**2 divides only a*db; the whole numerator "
            "(da*b - a*db) is divided by b**2": da * b - a * db / b**2,
            "the numerator da*b - a*db is not divided by b**2 (`/ b * b` divides by b, then "
            "multiplies by b again: operator precedence); write `/ b**2` or `/ (b * b)`": (
                da * b - a * db
            ),
        },
    )
    return "matches torch.func.jvp of torch.div, with both tangents non-zero"


# --- exercise 5: matmul's two vector-Jacobian products ----------------------------------------------
@register(
    "ex_matmul_backward",
    hints=(
        "Write the shape of every array: A (N, K), B (K, M), dout (N, M). dA must be (N, K) and "
        "dB (K, M): which product of dout with B (or A), transposed or not, has that shape?",
        "dA = dout @ B.T and dB = A.T @ dout. With a batch, A is (batch, N, K) and B is shared "
        "by every batch element: its gradient is the sum over the batch. `.T` on a 3-D array "
        "reverses all three axes.",
        "dA = dout @ B.T; dB = A.reshape(-1, A.shape[-1]).T @ dout.reshape(-1, dout.shape[-1]); "
        "return dA, dB",
    ),
)
def check_ex_matmul_backward(ex_matmul_backward):
    import torch

    rng = np.random.default_rng(85)
    n, k, m, batch = 4, 3, 5, 2  # every size different
    for a_shape in [(n, k), (batch, n, k)]:
        A, B = rng.standard_normal(a_shape), rng.standard_normal((k, m))
        dout = rng.standard_normal(a_shape[:-1] + (m,))
        what = f"(dA, dB) for out = A @ B, A of shape {A.shape}, B of shape {B.shape}"
        args = [A.copy(), B.copy(), dout.copy()]
        try:
            got = ex_matmul_backward(*args)
        except ValueError as err:
            if len(a_shape) == 2:
                raise  # the learner's shape error on plain matrices: shown with its line
            advice = (
                "on a batch, `.T` reverses all three axes (transpose only the last two: "
                "np.swapaxes(A, -1, -2)); B is shared by the batch, so for dB flatten the batch "
                "into the rows (A.reshape(-1, K)) or sum over it"
            )
            raise Mistake(_raised_on(what, err, advice)) from None

        if not all(np.array_equal(x, y) for x, y in zip(args, (A, B, dout))):
            raise Mistake("ex_matmul_backward changed one of its inputs in place")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            size = f" of {len(got)}" if isinstance(got, (tuple, list)) else ""
            raise Mistake(f"{what}: return the pair (dA, dB), got a {type(got).__name__}{size}")
        dA, dB = (np.asarray(g) if np.ndim(g) else g for g in got)
        A_t = torch.tensor(A, requires_grad=True)
        B_t = torch.tensor(B, requires_grad=True)
        (A_t @ B_t).backward(torch.tensor(dout))
        want_A, want_B = A_t.grad.numpy(), B_t.grad.numpy()
        shape = np.shape
        if shape(dA) == B.shape and shape(dB) == A.shape:
            raise Mistake(f"{what}: returned (dB, dA) in the wrong order: return dA first")
        if shape(dA) == a_shape[:-2] + (k, n) and np.allclose(np.swapaxes(dA, -1, -2), want_A):
            raise Mistake(
                f"{what}: dA is transposed (shape {shape(dA)}, B @ dout.T gives dA.T): "
                f"dA = dout @ B.T has A's shape"
            )
        if shape(dB) == (m, k) and np.allclose(np.transpose(dB), want_B):
            raise Mistake(
                f"{what}: dB is transposed (shape {(m, k)}; dout.T @ A gives dB.T): "
                f"dB = A.T @ dout has B's shape"
            )
        if len(a_shape) == 3 and shape(dB) == (batch, k, m):
            raise Mistake(
                f"{what}: dB has shape {shape(dB)}: it was not summed over the batch. B is "
                f"shared by all {batch} batch elements, so its gradient is the sum of theirs "
                f"and has B's shape {B.shape}"
            )
        if len(a_shape) == 2 and shape(dB) == (m,):
            raise Mistake(
                f"{what}: dB has shape {(m,)}: it summed A.T @ dout over its first axis, but "
                f"plain matrices have no batch axis; sum over the batch only when A is 3-D "
                f"(or flatten the batch into the rows: A.reshape(-1, K))"
            )
        if len(a_shape) == 3 and shape(dB) in [(k, batch, m), (batch, k, batch, m)]:
            raise Mistake(
                f"{what}: dB has shape {shape(dB)}, expected {B.shape}: np.dot of 3-D arrays is "
                f"not a product per batch element (it pairs every element with every other); "
                f"use @ (np.matmul), which multiplies the last two axes batch by batch"
            )
        _require_shape(dA, A.shape, f"{what}: dA", "dA = dout @ B.T has A's shape")
        _require_shape(dB, B.shape, f"{what}: dB", "dB = A.T @ dout has B's shape")
        ones = np.ones_like(dout)
        expect(
            dA,
            want_A,
            f"dA for A of shape {A.shape}",
            mistakes={
                "ignored dout: dA = dout @ B.T, not ones @ B.T": ones @ B.T,
                f"reshaped B to {(m, k)} instead of transposing it: reshape keeps the order of "
                f"the elements, only B.T swaps rows and columns": dout @ B.reshape(m, k),
            },
        )
        rows = A.reshape(-1, k)
        mistakes_B = {
            "ignored dout: dB = A.T @ dout": rows.T @ ones.reshape(-1, m),
            "reshaped A to (K, rows) instead of transposing it: reshape keeps the order of the "
            "elements, only .T swaps rows and columns": A.reshape(k, -1) @ dout.reshape(-1, m),
        }
        if len(a_shape) == 3:
            mistakes_B[
                f"averaged over the batch (mean) instead of summing: B is used by all {batch} "
                f"batch elements, each adds its gradient"
            ] = want_B / batch
            one = "took one batch element's gradient instead of the sum over the batch"
            mistakes_B[one] = A[0].T @ dout[0]
            mistakes_B[one + f" (the last of the {batch})"] = A[-1].T @ dout[-1]
        expect(
            dB, want_B, f"dB for B of shape {B.shape} (A of shape {A.shape})", mistakes=mistakes_B
        )
    return "non-square matrices and a batch sharing B match torch"
