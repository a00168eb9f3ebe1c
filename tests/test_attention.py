"""Scaled dot-product attention and nn.MultiheadAttention against torch: the functions against
F.scaled_dot_product_attention, the module against torch.nn.MultiheadAttention (batch_first,
self-attention) with copied weights, masks included, and the bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.check import to_torch
from bpcourse.nn import MultiheadAttention
from bpcourse.nn.attention import (
    attention,
    attention_backward,
    causal_mask,
    merge_heads,
    split_heads,
)


def random_mask(rng, T):
    """A bool (T, T) mask, True = blocked, that leaves the diagonal open (no empty row)."""
    m = rng.random((T, T)) < 0.4
    np.fill_diagonal(m, False)
    return m


@settings(max_examples=30)
@given(
    b=st.integers(1, 3),
    h=st.integers(1, 3),
    t=st.integers(1, 6),
    d=st.integers(1, 4),
    masking=st.sampled_from(["none", "causal", "random"]),
    seed=st.integers(0, 10_000),
)
def test_attention_and_its_backward_match_sdpa(b, h, t, d, masking, seed):
    rng = np.random.default_rng(seed)
    q, k, v, dO = (rng.normal(size=(b, h, t, d)) for _ in range(4))
    mask = {"none": None, "causal": causal_mask(t), "random": random_mask(rng, t)}[masking]
    O, P = attention(q, k, v, mask)
    dq, dk, dv = attention_backward(dO, q, k, v, P)

    qt, kt, vt = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    # sdpa's bool mask is the opposite convention: True = takes part.
    Ot = TF.scaled_dot_product_attention(
        qt, kt, vt, attn_mask=None if mask is None else torch.from_numpy(~mask)
    )
    (Ot * torch.from_numpy(dO)).sum().backward()
    assert_same(O, Ot)
    for mine, t_ in ((dq, qt), (dk, kt), (dv, vt)):
        assert_same(mine, t_.grad)
    if mask is not None:
        assert np.all(P[..., mask] == 0)  # blocked keys get no weight
    np.testing.assert_allclose(P.sum(-1), 1.0, rtol=1e-12)


@settings(max_examples=25)
@given(
    b=st.integers(1, 3),
    t=st.integers(1, 6),
    heads=st.integers(1, 3),
    head_dim=st.integers(1, 4),
    causal=st.booleans(),
    extra_mask=st.booleans(),
    bias=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_multihead_attention_matches_torch(b, t, heads, head_dim, causal, extra_mask, bias, seed):
    rng = np.random.default_rng(seed)
    E = heads * head_dim
    m = MultiheadAttention(E, heads, bias=bias, causal=causal, rng=rng)
    for p in m.parameters():  # nonzero biases, so a missing bias gradient shows
        p.data[...] = rng.normal(0, 0.5, size=p.shape)
    x, g = rng.normal(size=(b, t, E)), rng.normal(size=(b, t, E))
    mask = random_mask(rng, t) if extra_mask else None
    y = m(x, mask)
    dx = m.backward(g)

    twin = to_torch(m)
    xt = torch.tensor(x, requires_grad=True)
    yt = twin(xt, mask)
    (yt * torch.from_numpy(g)).sum().backward()
    assert_same(y, yt)
    assert_same(dx, xt.grad)
    theirs = dict(twin.named_parameters())
    for name, p in m.named_parameters():
        assert_same(p.grad, theirs[name].grad)


def test_the_twin_is_plain_torch_multihead_attention():
    """to_torch's twin is torch.nn.MultiheadAttention itself, called as attn(x, x, x, mask)."""
    rng = np.random.default_rng(0)
    m = MultiheadAttention(6, 2, causal=True, rng=rng)
    x = rng.normal(size=(2, 5, 6))
    ref = torch.nn.MultiheadAttention(6, 2, batch_first=True, dtype=torch.float64)
    ref.load_state_dict(to_torch(m).state_dict())
    xt = torch.from_numpy(x)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    want, w = ref(xt, xt, xt, attn_mask=mask, need_weights=True, average_attn_weights=False)
    assert_same(m(x), want)
    assert_same(m.attn_weights, w)


def test_gradients_accumulate_over_two_backward_passes():
    rng = np.random.default_rng(1)
    m = MultiheadAttention(4, 2, causal=True, rng=rng)
    x, g = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    m(x)
    dx1 = m.backward(g)
    first = [p.grad.copy() for p in m.parameters()]
    dx2 = m.backward(g)
    np.testing.assert_array_equal(dx1, dx2)
    for p, f in zip(m.parameters(), first):
        np.testing.assert_allclose(p.grad, 2 * f, rtol=1e-14)


def test_heads_split_and_merge():
    x = np.arange(2 * 3 * 6.0).reshape(2, 3, 6)
    s = split_heads(x, 3)
    assert s.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(s[1, 2, 0], x[1, 0, 4:6])  # head 2 holds features 4, 5
    np.testing.assert_array_equal(merge_heads(s), x)


def test_init_as_torch():
    m = MultiheadAttention(16, 4, rng=5)
    bound = np.sqrt(6 / (16 + 48))  # Xavier-uniform on (48, 16)
    w = m.in_proj_weight.data
    assert w.shape == (48, 16) and np.abs(w).max() <= bound
    assert w.min() < -0.9 * bound and w.max() > 0.9 * bound  # U(-bound, bound): both ends
    assert m.head_dim == 4 and type(m.head_dim) is int  # torch's attribute, embed_dim // heads
    assert m.attn_weights is None  # no forward yet
    assert not m.in_proj_bias.data.any() and not m.out_proj.bias.data.any()
    assert np.abs(m.out_proj.weight.data).max() <= 1 / 4  # torch's Linear: U(-1/sqrt(16), ...)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    # a seed gives every parameter, out_proj's too (drawn from the same generator)
    for p, q in zip(m.parameters(), MultiheadAttention(16, 4, rng=5).parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_float32_follows_the_weights():
    m = MultiheadAttention(4, 2, dtype=np.float32, causal=True, rng=0)
    y = m(np.ones((1, 3, 4)))
    assert y.dtype == np.float32 and m.backward(np.ones((1, 3, 4), np.float32)).dtype == np.float32
    assert m.backward(np.ones((1, 3, 4))).dtype == np.float32  # a float64 gradient too
    # attention() takes k and v in q's dtype
    O, P = attention(np.ones((3, 2), np.float32), np.ones((3, 2)), np.ones((3, 2)))
    assert O.dtype == P.dtype == np.float32


@pytest.mark.parametrize("shape", [(4, 3), (2, 4, 3)], ids=["2-D", "3-D"])
def test_attention_without_a_head_axis_matches_sdpa(shape):
    """(T, D) and (B, T, D) with T != D: every transpose must be of the last two axes."""
    rng = np.random.default_rng(11)
    q, k, v, dO = (rng.normal(size=shape) for _ in range(4))
    O, P = attention(q, k, v)
    dq, dk, dv = attention_backward(dO, q, k, v, P)
    qt, kt, vt = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    Ot = TF.scaled_dot_product_attention(qt, kt, vt)
    (Ot * torch.from_numpy(dO)).sum().backward()
    assert_same(O, Ot)
    for mine, t_ in ((dq, qt), (dk, kt), (dv, vt)):
        assert_same(mine, t_.grad)


def test_softmax_is_stable_for_large_scores_and_rows_of_different_scale():
    """Scores near 1e3 overflow exp unless each row's own maximum is taken out first."""
    q = np.array([[40.0, 0.0], [-40.0, 0.0]])  # row 0 scores about +1e3, row 1 about -1e3
    k = np.array([[35.0, 0.0], [36.0, 0.0]])
    v = np.array([[1.0, 2.0], [3.0, 4.0]])
    O, P = attention(q, k, v)
    assert np.isfinite(O).all()
    assert_same(O, TF.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v))))


def _mha(**kw):
    return MultiheadAttention(4, 2, rng=0, **kw)


def _backward_before_forward():
    _mha().backward(np.ones((1, 2, 4)))


def _backward_wrong_shape():
    m = _mha()
    m(np.ones((1, 2, 4)))
    m.backward(np.ones((1, 3, 4)))


X = np.random.default_rng(7).normal(size=(2, 3, 4))


def _torch_self_attention(x, mask=None):
    m = _mha()
    t = torch.nn.MultiheadAttention(4, 2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        t.in_proj_weight.copy_(torch.from_numpy(m.in_proj_weight.data))
        t.out_proj.weight.copy_(torch.from_numpy(m.out_proj.weight.data))
    xt = torch.tensor(np.asarray(x, dtype=np.float64))
    mt = None if mask is None else torch.from_numpy(mask)
    return t(xt, xt, xt, attn_mask=mt, need_weights=False)[0].detach().numpy()


RAISES = [
    Raises("embed_dim not divisible", lambda: MultiheadAttention(6, 4), match=r"embed_dim must be divisible by num_heads, got embed_dim=6 and num_heads=4"),
    Raises("embed_dim 0", lambda: MultiheadAttention(0, 1), match=r"^embed_dim must be >= 1, got 0"),
    Raises("rng a string", lambda: MultiheadAttention(4, 2, rng="0"), exc=TypeError, match=r"^rng must be a np\.random\.Generator, an int seed or None, got str '0'"),
    Raises("num_heads 0", lambda: MultiheadAttention(4, 0), match=r"num_heads must be >= 1, got 0"),
    Raises("embed_dim float", lambda: MultiheadAttention(4.0, 2), exc=TypeError, match=r"embed_dim must be an int, got 4.0"),
    Raises("causal int", lambda: _mha(causal=1), exc=TypeError, match=r"causal must be True or False, got 1"),
    Raises("x 2-D", lambda: _mha()(np.ones((3, 4))), match=r"x must be 3-D, got an array of shape \(3, 4\)"),
    Raises("x wrong width", lambda: _mha()(np.ones((1, 3, 5))), match=r"x must have shape \(N, N, 4\), got an array of shape \(1, 3, 5\)"),
    Raises("mask float", lambda: _mha()(X, np.zeros((3, 3))), exc=TypeError, match=r"^attn_mask must be a boolean array \(True = blocked\), got float64 array; use causal_mask\(T\) or a comparison such as m > 0$"),
    Raises("mask shape", lambda: _mha()(X, np.zeros((3, 2), bool)), match=r"attn_mask must have shape \(3, 3\) for 3 queries and 3 keys, got shape \(3, 2\)"),
    Raises("mask blocks a whole row", lambda: _mha()(X, np.array([[0, 1, 1], [1, 1, 1], [0, 0, 0]], bool)), match=r"^attn_mask blocks every key of query row 1: its softmax would be 0/0 \(NaN\); leave at least one key per row unblocked$"),
    Raises("backward before forward", _backward_before_forward, exc=RuntimeError, match=r"MultiheadAttention.backward called before forward"),
    Raises("grad_output shape", _backward_wrong_shape, match=r"grad_output must have shape \(1, 2, 4\), got .*\(1, 3, 4\)"),
    Raises("attention k width", lambda: attention(np.ones((2, 3, 4)), np.ones((2, 5, 3)), np.ones((2, 5, 4))), match=r"k must have q's leading axes and width D, \(\.\.\., Tk, 4\) for q of shape \(2, 3, 4\), got k of shape \(2, 5, 3\)"),
    Raises("attention v rows", lambda: attention(np.ones((3, 4)), np.ones((5, 4)), np.ones((4, 4))), match=r"v must have one row per key, shape \(5, 'Dv'\) for k of shape \(5, 4\), got v of shape \(4, 4\)"),
    Raises("attention k 2-D for 3-D q", lambda: attention(np.ones((2, 3, 4)), np.ones((5, 4)), np.ones((5, 4))), match=r"k must be 3-D, got an array of shape \(5, 4\)"),
    Raises("attention mask not (Tq, Tk)", lambda: attention(np.ones((3, 4)), np.ones((5, 4)), np.ones((5, 4)), np.zeros((3, 3), bool)), match=r"attn_mask must have shape \(3, 5\) for 3 queries and 5 keys"),
    Raises("split_heads does not divide", lambda: split_heads(np.ones((2, 3, 6)), 4), match=r"num_heads must divide the width E=6 of x \(shape \(2, 3, 6\)\), got num_heads=4"),
    Raises("split_heads 2-D", lambda: split_heads(np.ones((3, 6)), 2), match=r"x must be 3-D, got an array of shape \(3, 6\)"),
    Raises("attention q 1-D", lambda: attention(np.ones(3), np.ones(3), np.ones(3)), match=r"^q must be 2-D or 3-D or 4-D, got an array of shape \(3,\) and dtype float64$"),
    Raises("attention v 3-D for 2-D q", lambda: attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3, 1))), match=r"^v must be 2-D, got an array of shape \(2, 3, 1\) and dtype float64$"),
    Raises("attention v rows, 3-D", lambda: attention(np.ones((1, 2, 3)), np.ones((1, 2, 3)), np.ones((1, 3, 3))), match=r"^v must have one row per key, shape \(1, 2, 'Dv'\) for k of shape \(1, 2, 3\), got v of shape \(1, 3, 3\)$"),
    Raises("split_heads num_heads 0", lambda: split_heads(np.ones((1, 2, 4)), 0), match=r"^num_heads must be >= 1, got 0$"),
    Raises("split_heads num_heads str", lambda: split_heads(np.ones((1, 2, 4)), "a"), exc=TypeError, match=r"^num_heads must be an int, got 'a'$"),
    Raises("causal_mask T 0", lambda: causal_mask(0), match=r"T must be >= 1, got 0"),
]  # fmt: skip

_g = np.random.default_rng(35)
Q35 = (_g.normal(size=(3, 4)), _g.normal(size=(5, 4)), _g.normal(size=(5, 2)))  # Tq != Tk, Dv != D
M35 = _g.random((3, 5)) < 0.5
M35[:, 0] = False  # every query sees key 0


def _sdpa(q, k, v, mask):
    m = None if mask is None else torch.from_numpy(~mask)
    q, k, v = (torch.from_numpy(a) for a in (q, k, v))
    return TF.scaled_dot_product_attention(q, k, v, attn_mask=m).numpy()


MASK = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], bool)
ACCEPTS = [
    Accepts("x nested list", lambda: _mha()(X.tolist()), expected=lambda: _torch_self_attention(X)),
    Accepts("sequence of one", lambda: _mha(causal=True)(X[:, :1]), expected=lambda: _torch_self_attention(X[:, :1])),
    Accepts("attention of 3 queries on 5 keys", lambda: attention(Q35[0], Q35[1], Q35[2], M35)[0], expected=lambda: _sdpa(*Q35, M35)),
    Accepts("attention on lists", lambda: attention(*(a.tolist() for a in Q35))[0], expected=lambda: _sdpa(*Q35, None)),
    Accepts("a non-causal mask", lambda: _mha()(X, MASK), expected=lambda: _torch_self_attention(X, MASK)),
]  # fmt: skip

test_bad_input_raises, test_legitimate_input = bad_input_tests(RAISES, ACCEPTS)
