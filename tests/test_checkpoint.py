"""bpcourse.tensor.checkpoint (gradient checkpointing) against torch autograd in float64: the
gradients equal torch's and the ones without checkpointing, over Hypothesis-drawn MLPs and
segment lengths; the graph kept after the forward holds fewer bytes (counted, and measured with
tracemalloc); the segment runs exactly once more in backward; bad inputs get one clear error."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
import torch
from helpers import Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.tensor import Tensor, checkpoint

SETTINGS = settings(max_examples=20)


def layer(h, W, b):
    """One tanh layer: h (N, D_in), W (D_in, D_out), b (D_out,) -> (N, D_out)."""
    return (h @ W + b).tanh()


def make_mlp(rng, n, widths):
    X = rng.standard_normal((n, widths[0]))
    params = [
        (rng.standard_normal((i, o)) / np.sqrt(i), rng.standard_normal(o) * 0.1)
        for i, o in zip(widths[:-1], widths[1:])
    ]
    return X, params


def forward(X, params, segment):
    """The MLP's loss with Tensors; ``segment`` layers per checkpoint (0: no checkpointing)."""
    h = Tensor(X)
    leaves = [(Tensor(W), Tensor(b)) for W, b in params]
    flat = [t for wb in leaves for t in wb]
    if segment == 0:
        for W, b in leaves:
            h = layer(h, W, b)
    else:
        for start in range(0, len(leaves), segment):
            chunk = leaves[start : start + segment]

            def run(h, *wbs):
                for W, b in zip(wbs[::2], wbs[1::2]):
                    h = layer(h, W, b)
                return h

            h = checkpoint(run, h, *[t for wb in chunk for t in wb])
    loss = (h * h).mean()
    return loss, flat


def torch_grads(X, params):
    h = torch.tensor(X)
    flat = [torch.tensor(a, requires_grad=True) for wb in params for a in wb]
    for j in range(len(params)):
        h = torch.tanh(h @ flat[2 * j] + flat[2 * j + 1])
    (h * h).mean().backward()
    return [t.grad for t in flat]


def kept_bytes(out):
    """Bytes of the arrays the graph of ``out`` holds for backward."""
    return sum(node.data.nbytes for node in out.topological_order())


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 5),
    widths=st.lists(st.integers(1, 5), min_size=2, max_size=6),
    segment=st.integers(1, 5),
)
def test_checkpointed_mlp_gradients_equal_torch_and_the_plain_ones(seed, n, widths, segment):
    X, params = make_mlp(np.random.default_rng(seed), n, widths)
    loss_ck, flat_ck = forward(X, params, segment)
    loss, flat = forward(X, params, 0)
    loss_ck.backward()
    loss.backward()
    assert_same(loss_ck.data, loss.data)
    for mine, plain, want in zip(flat_ck, flat, torch_grads(X, params)):
        assert_same(mine.grad, want)
        assert_same(mine.grad, plain.grad)


def test_checkpoint_keeps_fewer_bytes_only_the_segment_boundaries():
    X, params = make_mlp(np.random.default_rng(0), 32, [16, 16, 16, 16, 16])
    loss, _ = forward(X, params, 0)
    loss_ck, _ = forward(X, params, 1)
    act = 32 * 16 * 8  # one (32, 16) float64 activation
    weights = sum(W.nbytes + b.nbytes for W, b in params)
    # without: the input, and per layer h @ W, + b, tanh; then h * h and the mean
    assert kept_bytes(loss) == act + weights + 4 * 3 * act + act + 8
    # with: the input and each layer's output only
    assert kept_bytes(loss_ck) == act + weights + 4 * act + act + 8


def test_checkpoint_frees_the_segment_memory_measured_by_tracemalloc():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((500, 500)))  # 2 MB per array

    def segment(x):
        return ((x * 2.0).tanh() * 3.0).exp()  # four intermediate arrays of x's shape

    def traced(make):
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            out = make()
            gc.collect()  # a node and its _backward closure form a cycle: freed by the collector
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        return out, kept

    out, plain = traced(lambda: segment(x))
    out_ck, ck = traced(lambda: checkpoint(segment, x))
    array = x.data.nbytes
    # data + grad of four nodes without; data + grad of one node with
    assert plain >= 7 * array
    assert ck <= 3 * array
    out.backward(np.ones(out.shape))
    g = x.grad.copy()
    x.zero_grad()
    out_ck.backward(np.ones(out.shape))
    assert_same(x.grad, g)


def test_the_segment_runs_once_more_in_backward_and_only_then():
    calls = []

    def segment(x, w):
        calls.append(1)
        return (x * w).tanh()

    x, w = Tensor(np.arange(1.0, 4.0)), Tensor(np.full(3, 0.5))
    out = checkpoint(segment, x, w).sum()
    assert len(calls) == 1
    out.backward()
    assert len(calls) == 2
    out.backward()  # a second backward recomputes again and adds, as without checkpointing
    assert len(calls) == 3
    x_t = torch.tensor(x.data, requires_grad=True)
    w_t = torch.tensor(w.data, requires_grad=True)
    for _ in range(2):
        torch.tanh(x_t * w_t).sum().backward()
    assert_same(x.grad, x_t.grad)
    assert_same(w.grad, w_t.grad)


def test_a_weight_in_a_closure_and_an_input_used_twice_get_torchs_gradients():
    rng = np.random.default_rng(2)
    a, W = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    x, w = Tensor(a), Tensor(W)
    out = checkpoint(lambda p, q: (p @ w).tanh() + (q @ w), x, x)  # w captured, x passed twice
    (out * out).sum().backward()
    x_t, w_t = torch.tensor(a, requires_grad=True), torch.tensor(W, requires_grad=True)
    o = torch.tanh(x_t @ w_t) + x_t @ w_t
    (o * o).sum().backward()
    assert_same(x.grad, x_t.grad)
    assert_same(w.grad, w_t.grad)


def test_float32_stays_float32():
    x = Tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))
    out = checkpoint(lambda t: t.tanh() * t, x)
    out.sum().backward()
    x_t = torch.tensor(x.data, requires_grad=True)
    (torch.tanh(x_t) * x_t).sum().backward()
    assert out.dtype == np.float32
    assert_same(x.grad, x_t.grad, rtol=1e-5, atol=1e-6)


RAISES = [
    Raises(
        "checkpoint-fn-not-callable",
        checkpoint,
        (3.0, Tensor(np.ones(2))),
        exc=TypeError,
        match=r"checkpoint\(fn\) must be a function of Tensors, got float",
    ),
    Raises(
        "checkpoint-no-inputs",
        checkpoint,
        (lambda: Tensor(1.0),),
        match=r"needs at least one input Tensor, got none",
    ),
    Raises(
        "checkpoint-input-array",
        checkpoint,
        (lambda t: t, np.ones(2)),
        exc=TypeError,
        match=r"checkpoint\(inputs\[0\]\) must be a Tensor, got an array",
    ),
    Raises(
        "checkpoint-fn-returns-array",
        checkpoint,
        (lambda t: t.data * 2, Tensor(np.ones(2))),
        exc=TypeError,
        match=r"checkpoint\(fn\) must return a Tensor, got an array",
    ),
]
test_bad_checkpoint_input, _ = bad_input_tests(RAISES, [])


@pytest.mark.parametrize("segment", [1, 2, 3])
def test_checkpoint_and_plain_losses_are_the_same_number(segment):
    X, params = make_mlp(np.random.default_rng(3), 4, [3, 5, 2, 4])
    assert_same(forward(X, params, segment)[0].data, forward(X, params, 0)[0].data, 0, 0)
