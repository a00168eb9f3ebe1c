"""nn.Embedding against torch.nn.Embedding: the lookup, the scatter-add backward with repeated
indices, torch's N(0, 1) init, and the bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import ATOL, RTOL, Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.check import to_torch
from bpcourse.nn import Embedding


@settings(max_examples=30)
@given(
    n=st.integers(1, 7),
    d=st.integers(1, 5),
    shape=st.sampled_from([(1,), (6,), (2, 5), (3, 4), (2, 2, 3)]),
    seed=st.integers(0, 10_000),
)
def test_forward_and_scatter_add_match_torch(n, d, shape, seed):
    rng = np.random.default_rng(seed)
    emb = Embedding(n, d, rng=rng)
    idx = rng.integers(0, n, size=shape)  # n <= 7 and often more ids: repeats are common
    g = rng.normal(size=(*shape, d))
    out = emb(idx)
    assert emb.backward(g) is None

    twin = to_torch(emb)
    out_t = twin(torch.as_tensor(idx))
    (out_t * torch.from_numpy(g)).sum().backward()
    assert_same(out, out_t)
    assert_same(emb.weight.grad, twin.weight.grad)


def test_repeated_index_receives_every_contribution():
    emb = Embedding(4, 2, rng=0)
    idx = np.array([[2, 0, 2], [2, 3, 3]])  # row 2 three times, row 1 never
    g = np.arange(12.0).reshape(2, 3, 2)
    emb(idx)
    emb.backward(g)
    want = np.zeros((4, 2))  # written out: each position adds its row of g
    want[2] = g[0, 0] + g[0, 2] + g[1, 0]
    want[0] = g[0, 1]
    want[3] = g[1, 1] + g[1, 2]
    np.testing.assert_array_equal(emb.weight.grad, want)
    emb(idx)
    emb.backward(g)  # a second backward accumulates
    np.testing.assert_array_equal(emb.weight.grad, 2 * want)


def test_init_is_standard_normal_and_seeded():
    w = Embedding(400, 50, rng=3).weight.data
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02  # 20,000 draws: sd of mean 0.007
    np.testing.assert_array_equal(w, Embedding(400, 50, rng=3).weight.data)
    assert not np.array_equal(w, Embedding(400, 50, rng=4).weight.data)


def test_float32_follows_the_table():
    emb = Embedding(5, 3, dtype=np.float32, rng=1)
    out = emb(np.array([1, 4, 1]))
    assert out.dtype == np.float32
    emb.backward(np.ones((3, 3), dtype=np.float32))
    assert emb.weight.grad.dtype == np.float32
    np.testing.assert_array_equal(emb.weight.grad[1], [2, 2, 2])


def _emb():
    return Embedding(10, 3, rng=0)


def _torch_lookup(idx):
    e = _emb()
    return e.weight.data[np.asarray(idx, dtype=np.int64)]


def _backward_before_forward():
    _emb().backward(np.ones((2, 3)))


def _backward_wrong_shape():
    e = _emb()
    e(np.array([1, 2]))
    e.backward(np.ones((3, 3)))


RAISES = [
    Raises("idx out of range", lambda: _emb()(np.array([1, 12])), match=r"idx must hold indices in \[0, 10\) \(num_embeddings=10\), got 12 at index \(1,\)"),
    Raises("idx negative", lambda: _emb()(np.array([[0, -1]])), match=r"\[0, 10\).*got -1 at index \(0, 1\)"),
    Raises("idx float", lambda: _emb()(np.array([1.0, 2.0])), exc=TypeError, match=r"idx must be an array of ints .*float64"),
    Raises("idx bool", lambda: _emb()(np.array([True, False])), exc=TypeError, match=r"idx must be an array of ints"),
    Raises("idx torch", lambda: _emb()(torch.tensor([1, 2])), exc=TypeError, match=r"idx must be a numpy array of ints.*detach\(\)\.numpy\(\)"),
    Raises("idx empty", lambda: _emb()(np.array([], dtype=int)), match=r"idx must not be empty"),
    Raises("idx None", lambda: _emb()(None), exc=TypeError, match=r"idx must be an array of ints"),
    Raises("num_embeddings 0", lambda: Embedding(0, 3), match=r"num_embeddings must be >= 1, got 0"),
    Raises("embedding_dim 0", lambda: Embedding(5, 0), match=r"^embedding_dim must be >= 1, got 0"),
    Raises("embedding_dim str", lambda: Embedding(5, "3"), exc=TypeError, match=r"embedding_dim must be an int, got '3'"),
    Raises("rng str", lambda: Embedding(5, 3, rng="0"), exc=TypeError, match=r"rng must be a np.random.Generator, an int seed or None, got str"),
    Raises("backward before forward", _backward_before_forward, exc=RuntimeError, match=r"Embedding.backward called before forward"),
    Raises("grad_output shape", _backward_wrong_shape, match=r"grad_output must have shape \(2, 3\), got .*\(3, 3\)"),
]  # fmt: skip

ACCEPTS = [
    Accepts("idx list", lambda: _emb()([[1, 1], [9, 0]]), expected=lambda: _torch_lookup([[1, 1], [9, 0]])),
    Accepts("idx int32", lambda: _emb()(np.array([3, 3], dtype=np.int32)), expected=lambda: _torch_lookup([3, 3])),
    Accepts("idx 0-d", lambda: _emb()(np.int64(7)), expected=lambda: _torch_lookup(7)),
]  # fmt: skip

test_bad_input_raises, test_legitimate_input = bad_input_tests(RAISES, ACCEPTS)


def test_reference_of_the_accepts_table_is_torch():
    """The Accepts table's reference reads the table by hand; torch agrees with it."""
    e = _emb()
    got = torch.nn.functional.embedding(
        torch.tensor([[1, 1], [9, 0]]), torch.from_numpy(e.weight.data)
    )
    np.testing.assert_allclose(_torch_lookup([[1, 1], [9, 0]]), got.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("n,d", [(3, 1), (1, 4)])
def test_repr_and_sizes(n, d):
    e = Embedding(n, d)
    assert repr(e) == f"Embedding({n}, {d})" and e.weight.shape == (n, d)
