"""bpcourse.tensor.Tensor against torch autograd in float64: every operation over
Hypothesis-drawn shapes (broadcasting with size-1 and missing leading axes, reductions with
and without keepdims, ties in max, batched matmul, repeated indices), accumulation, repeated
backward, a deep chain, an MLP, float32, and one clear error per bad input."""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import BadInputs, assert_same
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.tensor import Tensor, cross_entropy, log_softmax, unbroadcast, zero_grad

SETTINGS = settings(max_examples=30)
seeds = st.integers(0, 2**32 - 1)


# --- strategies -------------------------------------------------------------------------------
@st.composite
def broadcast_shapes(draw, max_dims: int = 4):
    """Two shapes numpy broadcasts together: taken from one result shape by dropping leading
    axes and turning sizes into 1, independently for each operand."""
    full = draw(st.lists(st.integers(1, 4), min_size=0, max_size=max_dims))

    def operand():
        k = draw(st.integers(0, len(full)))  # missing leading axes
        return tuple(1 if draw(st.booleans()) else n for n in full[k:])  # size-1 axes

    return operand(), operand()


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


@st.composite
def shape_and_axis(draw):
    """A shape and an axis argument: None, one int (maybe negative) or a tuple of axes."""
    shape = draw(shapes)
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    return shape, tuple(
        draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    )


def pair(a: np.ndarray):
    """The same leaf for both engines: ours and torch's."""
    return Tensor(a.copy()), torch.tensor(a, requires_grad=True)


def run_both(ours, theirs, arrays, rng, rtol=1e-10, atol=1e-12):
    """Apply ``ours`` to Tensors and ``theirs`` to torch tensors, backpropagate the same random
    upstream gradient, and compare the outputs and every input's gradient (shape, dtype, values)."""
    leaves = [pair(a) for a in arrays]
    out = ours(*[mine for mine, _ in leaves])
    out_t = theirs(*[t for _, t in leaves])
    assert_same(out.data, out_t, rtol, atol)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    out_t.backward(torch.tensor(g))
    for mine, t in leaves:
        want = torch.zeros_like(t) if t.grad is None else t.grad
        assert_same(mine.grad, want, rtol, atol)
    return out


def away_from_zero(rng, shape, low=0.5):
    return rng.uniform(low, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# --- unbroadcast, from the definition -------------------------------------------------------------
def test_unbroadcast_sums_the_broadcast_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (2, 3, 4)), g)
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g[0].sum(0) + g[1].sum(0))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), (g[0] + g[1]).sum(axis=1).reshape(3, 1))
    np.testing.assert_array_equal(unbroadcast(g, (1, 1, 4)), g.sum(axis=(0, 1)).reshape(1, 1, 4))
    assert unbroadcast(g, ()).shape == () and unbroadcast(g, ()) == 276.0
    assert unbroadcast(np.ones((1, 3)), (1, 3)).shape == (1, 3)  # size 1 in both: nothing to sum
    with pytest.raises(ValueError, match=r"shape \(5,\) does not broadcast to .*\(2, 3, 4\)"):
        unbroadcast(g, (5,))


# --- elementwise binary operations with broadcasting --------------------------------------------
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", BINARY)
@SETTINGS
@given(shapes=broadcast_shapes(), seed=seeds)
def test_binary_ops_broadcast_like_torch(op, shapes, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shapes[0])
    b = away_from_zero(rng, shapes[1]) if op == "/" else rng.standard_normal(shapes[1])
    run_both(BINARY[op], BINARY[op], [a, b], rng)


@pytest.mark.parametrize(
    "op", ["radd", "rsub", "rmul", "rdiv", "array+", "array*", "array-", "array/", "x/3", "x-2"]
)
def test_numbers_and_arrays_on_either_side(op):
    rng = np.random.default_rng(0)
    c = away_from_zero(rng, (2, 1))
    fns = {
        "radd": lambda x: 2.5 + x,
        "rsub": lambda x: 2.5 - x,
        "rmul": lambda x: 2.5 * x,
        "rdiv": lambda x: 2.5 / x,
        "x/3": lambda x: x / 3,
        "x-2": lambda x: x - 2,
        "array+": lambda x: c + x,
        "array*": lambda x: c * x,
        "array-": lambda x: c - x,
        "array/": lambda x: c / x,
    }
    theirs = dict(fns)
    for k in ("array+", "array*", "array-", "array/"):
        theirs[k] = (lambda f: lambda x: f(x, torch.tensor(c)))(
            {
                "array+": lambda x, ct: ct + x,
                "array*": lambda x, ct: ct * x,
                "array-": lambda x, ct: ct - x,
                "array/": lambda x, ct: ct / x,
            }[k]
        )
    out = run_both(fns[op], theirs[op], [away_from_zero(rng, (2, 4))], rng)
    assert isinstance(out, Tensor)


def test_a_broadcast_bias_gets_the_sum_over_the_batch():
    x = Tensor(np.ones((5, 3)))
    b = Tensor(np.zeros(3))
    (x + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [5.0, 5.0, 5.0])  # used by 5 rows
    assert b.grad.shape == (3,)


# --- powers and elementwise functions ------------------------------------------------------------
POWERS = [2, 3, -1, 0.5, -1.5, 0, 1]


@pytest.mark.parametrize("n", POWERS)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_pow_like_torch(n, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 3.0, shape) if not float(n).is_integer() else away_from_zero(rng, shape)
    run_both(lambda t: t**n, lambda t: t**n, [x], rng)


def test_pow_at_zero_follows_torch():
    for n in (0, 0.5, 2):
        x, xt = pair(np.array([0.0, 1.0]))
        (x**n).sum().backward()
        (xt**n).sum().backward()
        assert_same(x.grad, xt.grad)


UNARY = {
    "neg": (lambda t: -t, lambda t: -t, "any"),
    "exp": (lambda t: t.exp(), torch.exp, "any"),
    "log": (lambda t: t.log(), torch.log, "positive"),
    "tanh": (lambda t: t.tanh(), torch.tanh, "any"),
    "relu": (lambda t: t.relu(), torch.relu, "nonzero"),
    "sigmoid": (lambda t: t.sigmoid(), torch.sigmoid, "wide"),
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_unary_functions_like_torch(name, shape, seed):
    ours, theirs, domain = UNARY[name]
    rng = np.random.default_rng(seed)
    x = {
        "any": rng.standard_normal(shape) * 2,
        "positive": rng.uniform(0.01, 5, shape),
        "nonzero": away_from_zero(rng, shape, 0.01),
        "wide": rng.uniform(-800, 800, shape),
    }[domain]
    run_both(ours, theirs, [x], rng)


def test_relu_at_the_kink_has_gradient_zero_like_torch():
    x, xt = pair(np.array([-1.0, 0.0, 2.0]))
    x.relu().sum().backward()
    torch.relu(xt).sum().backward()
    assert_same(x.grad, xt.grad)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


# --- reductions ----------------------------------------------------------------------------------
def torch_dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@SETTINGS
@given(sa=shape_and_axis(), seed=seeds)
def test_reductions_over_axes_like_torch(name, keepdims, sa, seed):
    shape, axis = sa
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)  # continuous values: no ties in max
    dims = torch_dims(axis, len(shape))
    theirs = {
        "sum": lambda t: t.sum(dim=dims, keepdim=keepdims),
        "mean": lambda t: t.mean(dim=dims, keepdim=keepdims),
        "max": lambda t: torch.amax(t, dim=dims, keepdim=keepdims),
    }[name]
    run_both(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), theirs, [x], rng)


@pytest.mark.parametrize("keepdims", [False, True])
@SETTINGS
@given(sa=shape_and_axis(), seed=seeds)
def test_max_with_ties_splits_the_gradient_evenly_like_torch_amax(keepdims, sa, seed):
    """The tie rule: the gradient is shared equally by the tied maxima (torch.amax's rule;
    torch.max(dim=...) gives it to one index instead)."""
    shape, axis = sa
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(np.float64)  # small integers: many ties
    dims = torch_dims(axis, len(shape))
    run_both(
        lambda t: t.max(axis=axis, keepdims=keepdims),
        lambda t: torch.amax(t, dim=dims, keepdim=keepdims),
        [x],
        rng,
    )


def test_max_tie_rule_from_the_definition():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])


# --- matmul, reshape, transpose -----------------------------------------------------------------
@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_a, batch_b = draw(broadcast_shapes(max_dims=2))
    return batch_a + (n, k), batch_b + (k, m)


@SETTINGS
@given(sh=matmul_shapes(), seed=seeds)
def test_matmul_batched_and_broadcast_like_torch(sh, seed):
    rng = np.random.default_rng(seed)
    run_both(
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        [rng.standard_normal(sh[0]), rng.standard_normal(sh[1])],
        rng,
    )


def test_matmul_3d_batches_and_a_shared_weight():
    rng = np.random.default_rng(1)
    run_both(
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        [rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 4, 5))],
        rng,
    )
    # one (4, 5) weight used by all 3 batches: its gradient sums the 3 products
    run_both(
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        [rng.standard_normal((3, 2, 4)), rng.standard_normal((4, 5))],
        rng,
    )
    run_both(
        lambda a: np.ones((2, 3)) @ a,
        lambda a: torch.ones(2, 3, dtype=torch.float64) @ a,
        [rng.standard_normal((3, 4))],
        rng,
    )


@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_reshape_and_transpose_like_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    new = (-1,) + (shape[0],) if len(shape) > 1 else (shape[0], 1)
    run_both(
        lambda t: t.transpose(perm).reshape(new) * 2,
        lambda t: t.permute(perm).reshape(new) * 2,
        [rng.standard_normal(shape)],
        rng,
    )
    run_both(
        lambda t: t.T * 1,
        lambda t: t.permute(tuple(range(len(shape)))[::-1]) * 1,
        [rng.standard_normal(shape)],
        rng,
    )


# --- indexing: the scatter-add ----------------------------------------------------------------------
@SETTINGS
@given(n=st.integers(1, 5), d=st.integers(1, 3), seed=seeds, data=st.data())
def test_fancy_indexing_with_repeated_indices_like_torch(n, d, seed, data):
    rng = np.random.default_rng(seed)
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=8)))
    run_both(lambda t: t[idx], lambda t: t[torch.tensor(idx)], [rng.standard_normal((n, d))], rng)
    cols = np.array(
        data.draw(st.lists(st.integers(0, d - 1), min_size=len(idx), max_size=len(idx)))
    )
    run_both(
        lambda t: t[idx, cols],
        lambda t: t[torch.tensor(idx), torch.tensor(cols)],
        [rng.standard_normal((n, d))],
        rng,
    )


def test_repeated_index_gets_the_sum_of_its_gradients():
    x = Tensor(np.array([10.0, 20.0, 30.0]))
    y = x[np.array([0, 2, 0, 0])]  # x[0] used three times
    y.backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [8.0, 0.0, 2.0])  # 1 + 3 + 4, not 4


@pytest.mark.parametrize("key", ["slice", "int", "mask", "newaxis"])
def test_basic_indexing_like_torch(key):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3))
    mask = x[:, 0] > 0
    ours = {
        "slice": lambda t: t[1:3, ::2],
        "int": lambda t: t[2],
        "mask": lambda t: t[mask],
        "newaxis": lambda t: t[None, :, 1],
    }[key]
    theirs = {
        "slice": lambda t: t[1:3, ::2],
        "int": lambda t: t[2],
        "mask": lambda t: t[torch.tensor(mask)],
        "newaxis": lambda t: t[None, :, 1],
    }[key]
    run_both(ours, theirs, [x], rng)


# --- log_softmax and cross-entropy --------------------------------------------------------------
@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_log_softmax_along_any_axis_like_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = rng.standard_normal(shape) * 30  # large logits: the stable form is needed
    run_both(lambda t: t.log_softmax(axis), lambda t: torch.log_softmax(t, dim=axis), [x], rng)
    run_both(lambda t: log_softmax(t, axis), lambda t: torch.log_softmax(t, dim=axis), [x], rng)


@SETTINGS
@given(n=st.integers(1, 6), c=st.integers(1, 5), seed=seeds)
def test_cross_entropy_like_torch(n, c, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    run_both(
        lambda t: cross_entropy(t, y),
        lambda t: F.cross_entropy(t, torch.tensor(y)),
        [rng.standard_normal((n, c)) * 5],
        rng,
    )


def test_mlp_trained_three_steps_matches_torch():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((7, 4)), rng.integers(0, 3, 7)
    params = [
        rng.standard_normal((4, 5)) * 0.5,
        np.zeros(5),
        rng.standard_normal((5, 3)) * 0.5,
        np.zeros(3),
    ]
    ours = [Tensor(p.copy()) for p in params]
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    for _ in range(3):
        W1, b1, W2, b2 = ours
        loss = cross_entropy(((Tensor(X) @ W1 + b1).tanh() @ W2 + b2), y)
        zero_grad(ours)
        loss.backward()
        V1, c1, V2, c2 = theirs
        loss_t = F.cross_entropy(torch.tanh(torch.tensor(X) @ V1 + c1) @ V2 + c2, torch.tensor(y))
        for t in theirs:
            t.grad = None
        loss_t.backward()
        assert abs(loss.item() - loss_t.item()) < 1e-12
        for p, t in zip(ours, theirs):
            assert_same(p.grad, t.grad)
            p.data -= 0.5 * p.grad
            with torch.no_grad():
                t -= 0.5 * t.grad


# --- accumulation, repeated backward, deep graphs ----------------------------------------------------
def test_a_tensor_used_twice_accumulates_like_torch():
    rng = np.random.default_rng(4)
    run_both(
        lambda x: x * x + x.exp() * x,
        lambda x: x * x + x.exp() * x,
        [rng.standard_normal((2, 3))],
        rng,
    )
    # a diamond: one tensor feeding two branches that meet again
    run_both(
        lambda x, w: (x @ w).tanh() * (x @ w).sigmoid() + x.sum(axis=1, keepdims=True),
        lambda x, w: torch.tanh(x @ w) * torch.sigmoid(x @ w) + x.sum(dim=1, keepdim=True),
        [rng.standard_normal((2, 3)), rng.standard_normal((3, 3))],
        rng,
    )


def test_backward_twice_adds_the_gradients_twice_like_torch():
    x, xt = pair(np.array([0.5, -1.0, 2.0]))
    y, yt = (x * x).tanh().sum(), torch.tanh(xt * xt).sum()
    y.backward()
    y.backward()
    yt.backward(retain_graph=True)
    yt.backward()
    assert_same(x.grad, xt.grad)
    x.zero_grad()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


def test_deep_chain_needs_no_recursion():
    depth = 30_000
    assert sys.getrecursionlimit() < depth  # a recursive topological sort would die here
    gc.disable()
    try:
        x = Tensor(np.array([0.3, -0.2]))
        y = x
        for _ in range(depth):
            y = y * 1.0001
        y.sum().backward()
    finally:
        gc.enable()
    np.testing.assert_allclose(x.grad, [1.0001**depth] * 2, rtol=1e-10)


@pytest.mark.parametrize("name", UNARY)
def test_a_tensor_used_twice_through_the_same_function_gets_both_gradients_like_torch(name):
    """Both uses of x go through the same local backward: each must add (+=), not assign."""
    ours, theirs, _ = UNARY[name]
    rng = np.random.default_rng(6)
    x = rng.uniform(0.5, 2.0, (2, 3))  # inside every function's domain
    run_both(lambda t: ours(t) * ours(t) + t, lambda t: theirs(t) * theirs(t) + t, [x], rng)


def test_each_operation_records_its_name_for_the_graph():
    x = Tensor(np.ones((2, 2)))
    ops = [x + x, x * x, x / x, x**2, -x, x @ x, x.sum(), x.mean(), x.max(), x.reshape(4)]
    ops += [x.T, x[0], x.exp(), x.log(), x.tanh(), x.relu(), x.sigmoid(), x.log_softmax()]
    assert [v._op for v in ops] == [
        "+",
        "*",
        "/",
        "**2",
        "neg",
        "@",
        "sum",
        "mean",
        "max",
        "reshape",
        "transpose",
        "index",
        "exp",
        "log",
        "tanh",
        "relu",
        "sigmoid",
        "log_softmax",
    ]
    assert all(v._prev[0] is x for v in ops)


def test_topological_order_puts_each_node_once_after_its_operands():
    a = Tensor(np.ones(2))
    b = a * a
    c = b + a
    order = c.topological_order()
    assert len(order) == 3 and order[-1] is c
    pos = {id(n): i for i, n in enumerate(order)}
    assert all(pos[id(p)] < pos[id(n)] for n in order for p in n._prev)


# --- dtypes ----------------------------------------------------------------------------------------
def test_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 2)).astype(np.float32)
    out = run_both(
        lambda x, w: ((x @ w).tanh() * 2.0 + 1).log_softmax(1).mean(),
        lambda x, w: torch.log_softmax(torch.tanh(x @ w) * 2.0 + 1, 1).mean(),
        [x, w],
        rng,
        rtol=1e-5,
        atol=1e-6,
    )
    assert out.dtype == np.float32


def test_lists_and_integers_become_float64():
    t = Tensor([[1, 2], [3, 4]])
    assert t.dtype == np.float64 and t.shape == (2, 2) and t.grad.dtype == np.float64
    assert Tensor(2).shape == () and Tensor(2).item() == 2.0


# --- conveniences: item, repr, zero_grad ---------------------------------------------------------
def test_item_of_any_one_element_tensor_is_a_python_float():
    for t in (Tensor(2.5), Tensor([2.5]), Tensor([[2.5]])):
        assert type(t.item()) is float and t.item() == 2.5


def test_repr_shows_the_shape_the_dtype_and_a_label_if_any():
    assert repr(Tensor(np.ones((2, 3)))) == "Tensor(shape=(2, 3), dtype=float64)"
    w = Tensor(np.ones(2, dtype=np.float32), label="w")
    assert repr(w) == "Tensor(shape=(2,), dtype=float32, label='w')"


def test_zero_grad_takes_one_tensor_or_an_iterable_of_tensors():
    a, b = Tensor([1.0, 2.0]), Tensor([[3.0]])
    (a * 2.0).sum().backward()
    (b * 2.0).sum().backward()
    zero_grad(a)  # one Tensor, not iterated over its elements
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    (a * 2.0).sum().backward()
    zero_grad(t for t in (a, b))  # any iterable, a generator too
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    np.testing.assert_array_equal(b.grad, [[0.0]])


# --- bad input: one clear error naming the argument ----------------------------------------------
# Bad inputs: one clear error each (the table runner of tests/helpers.py).
_EXPECTED = "expected a Tensor, a real number or a numpy array of numbers$"
_BAD_CALLS = [
    (lambda: Tensor("abc"), TypeError, r"Tensor\(data\) must be an array of numbers"),
    (lambda: Tensor(torch.ones(2)), TypeError, r"Tensor\(data\) must be a numpy array.*detach"),
    (lambda: Tensor([1.0, np.nan]), ValueError, r"Tensor\(data\) must be finite"),
    (
        lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(4)),
        ValueError,
        r"shapes \(2, 3\) and \(4,\) do not broadcast",
    ),
    (
        lambda: Tensor(np.ones((2, 3))) * np.ones((3, 2)),
        ValueError,
        r"shapes \(2, 3\) and \(3, 2\) do not broadcast",
    ),
    (
        lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))),
        ValueError,
        r"shapes \(2, 3\) and \(2, 3\) do not match.*last size 3.*second-to-last size 2",
    ),
    (lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 2))), ValueError, r"at least 2-D.*\(3,\)"),
    (
        lambda: Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 1))),
        ValueError,
        r"batch axes of shapes \(2, 2, 3\) and \(3, 3, 1\)",
    ),
    (lambda: Tensor(np.ones(2)) + "a", TypeError, r"unsupported operand for Tensor \+: str"),
    # a bad left operand: the reflected operators name their operator too
    (
        lambda: "a" + Tensor(np.ones(2)),
        TypeError,
        r"^unsupported operand for Tensor \+: str 'a'; " + _EXPECTED,
    ),
    (
        lambda: 1j - Tensor(np.ones(2)),
        TypeError,
        r"^unsupported operand for Tensor -: complex 1j; " + _EXPECTED,
    ),
    (
        lambda: None * Tensor(np.ones(2)),
        TypeError,
        r"^unsupported operand for Tensor \*: NoneType None; " + _EXPECTED,
    ),
    (
        lambda: [2.0] / Tensor(np.ones(2)),
        TypeError,
        r"^unsupported operand for Tensor /: list \[2\.0\]; " + _EXPECTED,
    ),
    (
        lambda: np.array([["a"]]) @ Tensor(np.ones((1, 1))),
        TypeError,
        r"^unsupported operand for Tensor @: an array of shape \(1, 1\) and dtype <U1; "
        + _EXPECTED,
    ),
    (lambda: Tensor(np.ones(2)) ** Tensor(np.ones(2)), TypeError, r"exponent for Tensor \*\*"),
    (
        lambda: Tensor(-np.ones(2)) ** 0.5,
        ValueError,
        r"negative base needs an integer exponent",
    ),
    (lambda: Tensor(np.zeros(2)) ** -1, ZeroDivisionError, r"the base has a zero"),
    (
        lambda: Tensor(np.ones(2)) / Tensor(np.array([1.0, 0.0])),
        ZeroDivisionError,
        r"divisor \(shape \(2,\)\) has a zero at index \(1,\)",
    ),
    (lambda: Tensor(np.array([1.0, -2.0])).log(), ValueError, r"log of a non-positive number"),
    (
        lambda: Tensor(np.array([1.0, 0.0])).log(),
        ValueError,
        r"^log of a non-positive number: 0\.0 in a tensor of shape \(2,\)$",
    ),
    (
        lambda: Tensor(np.array([1.0, 800.0])).exp(),
        OverflowError,
        r"^exp overflows for 800\.0 \(the largest element of a tensor of shape \(2,\)\)$",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).sum(axis=2),
        ValueError,
        r"sum\(axis\): axis 2 is out of range.*2 dimension",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).max(axis=(0, -2)),
        ValueError,
        r"max\(axis\): repeated axis",
    ),
    (lambda: Tensor(np.ones((2, 3))).mean(axis=1.0), TypeError, r"mean\(axis\) needs None"),
    (
        lambda: Tensor(np.ones((2, 3))).sum(axis=-3),
        ValueError,
        r"^sum\(axis\): axis -3 is out of range for a tensor with 2 dimension\(s\) "
        r"\(allowed: -2 to 1\)$",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).max(axis=(0, -2)),
        ValueError,
        r"^max\(axis\): repeated axis in \(0, -2\)$",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).mean(axis=True),
        TypeError,
        r"^mean\(axis\) needs None, an int or a tuple of ints, got True$",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).log_softmax(axis=(0, 1)),
        TypeError,
        r"^log_softmax\(axis\) needs an int, got \(0, 1\)$",
    ),
    (
        lambda: log_softmax(Tensor(np.ones((2, 3))), axis=2),
        ValueError,
        r"^log_softmax\(axis\): axis 2 is out of range for a tensor with 2 dimension\(s\)",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).reshape(4),
        ValueError,
        r"cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4,\)",
    ),
    (lambda: Tensor(np.ones((2, 3))).transpose(0, 0), ValueError, r"not a permutation"),
    (lambda: Tensor(np.ones(3))[Tensor(np.zeros(1))], TypeError, r"not a Tensor"),
    (lambda: Tensor(np.ones(3))[np.array([3])], IndexError, r"Tensor indexing of shape \(3,\)"),
    (
        lambda: Tensor(np.ones((2, 3))).backward(),
        ValueError,
        r"one-element output, got shape \(2, 3\)",
    ),
    (
        lambda: Tensor(np.ones((2, 3))).backward(np.ones(3)),
        ValueError,
        r"backward\(gradient\) must have the output's shape \(2, 3\), got shape \(3,\)",
    ),
    (
        lambda: Tensor(np.ones(2)).item(),
        ValueError,
        r"item\(\) needs a tensor with one element",
    ),
    (
        lambda: cross_entropy(np.ones((2, 3)), [0, 1]),
        TypeError,
        r"cross_entropy\(logits\) must be a Tensor",
    ),
    (lambda: cross_entropy(Tensor(np.ones(3)), [0]), ValueError, r"must be 2-D \(N, C\)"),
    (
        lambda: cross_entropy(Tensor(np.ones((2, 3))), [0.0, 1.0]),
        TypeError,
        r"cross_entropy\(targets\) must be integer class indices",
    ),
    (
        lambda: cross_entropy(Tensor(np.ones((2, 3))), [0, 1, 2]),
        ValueError,
        r"targets\) must have shape \(2,\) to match logits of shape \(2, 3\), got shape \(3,\)",
    ),
    (
        lambda: cross_entropy(Tensor(np.ones((2, 3))), [0, 3]),
        ValueError,
        r"must be in 0..2, got 0..3",
    ),
    (
        lambda: zero_grad([Tensor(1.0), 2.0]),
        TypeError,
        r"zero_grad\(tensors\) item must be a Tensor",
    ),
]
BAD_INPUT = BadInputs()
for _make, _err, _phrase in _BAD_CALLS:
    BAD_INPUT.raises(_phrase, _make, exc=_err, match=_phrase)
test_bad_input_gives_one_clear_error, _ = BAD_INPUT.tests()


def test_tensor_never_imports_torch():
    code = "import sys, bpcourse.tensor, bpcourse.forward; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
