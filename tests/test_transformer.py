"""The pre-LN TransformerBlock and TransformerLM against torch twins built from torch modules
(LayerNorm, MultiheadAttention, Linear, ReLU, Embedding) with copied weights, float64."""

from __future__ import annotations

import numpy as np
import torch
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.check import to_torch
from bpcourse.nn import CrossEntropyLoss, TransformerBlock, TransformerLM


def randomise(model, rng):
    """Every parameter (LayerNorm's ones and zeros, zero biases too) drawn at random, so that a
    gradient that is missing or sent to the wrong parameter cannot hide behind an init value."""
    for p in model.parameters():
        p.data[...] = rng.normal(0, 0.5, size=p.shape)


def torch_block(m):
    """The block written out with torch modules and copied weights (not to_torch's twin)."""
    E = m.embed_dim
    tb = torch.nn.ModuleDict(
        {
            "ln1": torch.nn.LayerNorm(E, dtype=torch.float64),
            "attn": torch.nn.MultiheadAttention(
                E, m.attn.num_heads, batch_first=True, dtype=torch.float64
            ),
            "ln2": torch.nn.LayerNorm(E, dtype=torch.float64),
            "mlp": torch.nn.Sequential(
                torch.nn.Linear(E, m.dim_feedforward, dtype=torch.float64),
                torch.nn.ReLU(),
                torch.nn.Linear(m.dim_feedforward, E, dtype=torch.float64),
            ),
        }
    )
    theirs = dict(tb.named_parameters())
    with torch.no_grad():
        for name, p in m.named_parameters():
            theirs[name].copy_(torch.from_numpy(p.data))

    def forward(x):
        T = x.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1) if m.attn.causal else None
        a = tb["ln1"](x)
        a = tb["attn"](a, a, a, attn_mask=mask, need_weights=False)[0]
        h = x + a if m.residual else a
        y = tb["mlp"](tb["ln2"](h))
        return h + y if m.residual else y

    return forward, theirs


@settings(max_examples=20)
@given(
    b=st.integers(1, 3),
    t=st.integers(1, 5),
    heads=st.integers(1, 3),
    head_dim=st.integers(1, 3),
    ff=st.integers(1, 7),
    causal=st.booleans(),
    residual=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_block_matches_a_torch_block(b, t, heads, head_dim, ff, causal, residual, seed):
    rng = np.random.default_rng(seed)
    E = heads * head_dim
    m = TransformerBlock(E, heads, ff, causal=causal, residual=residual, rng=rng)
    randomise(m, rng)
    x, g = rng.normal(size=(b, t, E)), rng.normal(size=(b, t, E))
    y = m(x)
    dx = m.backward(g)

    forward, theirs = torch_block(m)
    xt = torch.tensor(x, requires_grad=True)
    yt = forward(xt)
    (yt * torch.from_numpy(g)).sum().backward()
    assert_same(y, yt)
    assert_same(dx, xt.grad)
    for name, p in m.named_parameters():
        assert_same(p.grad, theirs[name].grad)


@settings(max_examples=12)
@given(
    b=st.integers(1, 3),
    t=st.integers(1, 6),
    vocab=st.integers(2, 9),
    layers=st.integers(1, 2),
    seed=st.integers(0, 10_000),
)
def test_language_model_loss_gradients_match_torch(b, t, vocab, layers, seed):
    rng = np.random.default_rng(seed)
    lm = TransformerLM(vocab, 6, 4, 2, layers, 8, rng=rng)
    randomise(lm, rng)
    idx = rng.integers(0, vocab, size=(b, t))
    target = rng.integers(0, vocab, size=(b, t))
    crit = CrossEntropyLoss()
    loss = crit(lm(idx).reshape(b * t, vocab), target.reshape(-1))
    assert lm.backward(crit.backward().reshape(b, t, vocab)) is None

    twin = to_torch(lm)
    logits = twin(idx)
    loss_t = torch.nn.functional.cross_entropy(
        logits.reshape(b * t, vocab), torch.from_numpy(target.reshape(-1))
    )
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), rtol=1e-12)
    theirs = dict(twin.named_parameters())
    assert [n for n, _ in lm.named_parameters()] == list(theirs)
    for name, p in lm.named_parameters():
        assert_same(p.grad, theirs[name].grad)


def test_residual_paths_carry_the_gradient_when_the_branches_give_none():
    """With every branch's output weight zero, y = x and dx = dy exactly (both identity paths)."""
    rng = np.random.default_rng(2)
    m = TransformerBlock(4, 2, rng=rng)
    m.attn.out_proj.weight.data[...] = 0
    m.mlp[2].weight.data[...] = 0
    m.mlp[2].bias.data[...] = 0  # out_proj.bias starts at zero as in torch
    x, g = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(m(x), x)
    np.testing.assert_array_equal(m.backward(g), g)


def test_causal_language_model_does_not_look_ahead():
    """Changing the last token changes no logit before it (the mask is applied in every block)."""
    lm = TransformerLM(7, 5, 8, 2, 2, rng=3)
    a = np.array([[1, 2, 3, 4, 5]])
    b = a.copy()
    b[0, -1] = 6
    la, lb = lm(a), lm(b)
    np.testing.assert_array_equal(la[:, :-1], lb[:, :-1])
    assert not np.allclose(la[:, -1], lb[:, -1])


def _lm():
    return TransformerLM(5, 4, 4, 2, 1, rng=0)


def _lm_backward_before_forward():
    _lm().backward(np.ones((1, 2, 5)))


def _block_backward(g):
    block = TransformerBlock(4, 2, rng=0)
    block(np.ones((1, 2, 4)))
    return block.backward(g)


def _lm_backward(g):
    lm = _lm()
    lm(np.array([[1, 2]]))
    return lm.backward(g)


def _torch_lm_logits(idx):
    lm = _lm()
    return to_torch(lm)(np.asarray(idx)).detach().numpy()


RAISES = [
    Raises("block heads do not divide", lambda: TransformerBlock(6, 4), match=r"embed_dim must be divisible by num_heads, got embed_dim=6 and num_heads=4"),
    Raises("block dim_feedforward 0", lambda: TransformerBlock(4, 2, 0), match=r"dim_feedforward must be >= 1, got 0"),
    Raises("block residual str", lambda: TransformerBlock(4, 2, residual="yes"), exc=TypeError, match=r"residual must be True or False, got 'yes'"),
    Raises("block x width", lambda: TransformerBlock(4, 2)(np.ones((1, 2, 3))), match=r"x must have shape \(N, N, 4\), got an array of shape \(1, 2, 3\)"),
    Raises("block backward before forward", lambda: TransformerBlock(4, 2).backward(np.ones((1, 2, 4))), exc=RuntimeError, match=r"TransformerBlock.backward called before forward"),
    Raises("block grad_output shape", _block_backward, (np.ones((1, 2, 3)),), match=r"^grad_output must have shape \(1, 2, 4\), got an array of shape \(1, 2, 3\) and dtype float64$"),
    Raises("block grad_output str", _block_backward, ("a",), exc=TypeError, match=r"^grad_output must be an array of numbers, got str 'a'$"),
    Raises("lm grad_output shape", _lm_backward, (np.ones((1, 2, 4)),), match=r"^grad_output must have shape \(1, 2, 5\), got an array of shape \(1, 2, 4\) and dtype float64$"),
    Raises("lm grad_output str", _lm_backward, ("a",), exc=TypeError, match=r"^grad_output must be an array of numbers, got str 'a'$"),
    Raises("block embed_dim 0", lambda: TransformerBlock(0, 2), match=r"^embed_dim must be >= 1, got 0$"),
    Raises("block embed_dim str", lambda: TransformerBlock("a", 2), exc=TypeError, match=r"^embed_dim must be an int, got 'a'$"),
    Raises("block x 2-D", lambda: TransformerBlock(4, 2)(np.ones((2, 4))), match=r"^x must be 3-D, got an array of shape \(2, 4\) and dtype float64$"),
    Raises("block rng a string", lambda: TransformerBlock(4, 2, rng="0"), exc=TypeError, match=r"^rng must be a np\.random\.Generator, an int seed or None, got str '0'$"),
    Raises("lm rng a string", lambda: TransformerLM(5, 4, 4, 2, 1, rng="0"), exc=TypeError, match=r"^rng must be a np\.random\.Generator, an int seed or None, got str '0'$"),
    Raises("lm vocab_size 0", lambda: TransformerLM(0, 4, 4, 2, 1), match=r"^vocab_size must be >= 1, got 0$"),
    Raises("lm context_length 0", lambda: TransformerLM(5, 0, 4, 2, 1), match=r"^context_length must be >= 1, got 0$"),
    Raises("lm token out of range", lambda: _lm()(np.array([[0, 5]])), match=r"idx must hold indices in \[0, 5\) \(vocab_size=5\), got 5 at index \(0, 1\)"),
    Raises("lm too long", lambda: _lm()(np.zeros((1, 5), int)), match=r"idx must have at most context_length=4 positions, got shape \(1, 5\)"),
    Raises("lm idx 1-D", lambda: _lm()(np.array([1, 2])), match=r"idx must be 2-D \(B, T\) token ids, got shape \(2,\)"),
    Raises("lm float ids", lambda: _lm()(np.ones((1, 2))), exc=TypeError, match=r"idx must be an array of ints"),
    Raises("lm num_layers 0", lambda: TransformerLM(5, 4, 4, 2, 0), match=r"num_layers must be >= 1, got 0"),
    Raises("lm backward before forward", _lm_backward_before_forward, exc=RuntimeError, match=r"TransformerLM.backward called before forward"),
]  # fmt: skip

ACCEPTS = [
    Accepts("lm ids as a list", lambda: _lm()([[1, 0, 4]]), expected=lambda: _torch_lm_logits([[1, 0, 4]])),
    Accepts("lm of one token type and one position", lambda: TransformerLM(1, 1, 4, 2, 1, rng=0)(np.array([[0]])).shape, expected=lambda: (1, 1, 1)),
    Accepts("lm one token", lambda: _lm()(np.array([[3]], dtype=np.int32)), expected=lambda: _torch_lm_logits([[3]])),
]  # fmt: skip

test_bad_input_raises, test_legitimate_input = bad_input_tests(RAISES, ACCEPTS)


def test_without_rng_every_child_draws_from_numpy_global_generator():
    np.random.seed(0)
    a = TransformerLM(5, 4, 4, 2, 1)
    np.random.seed(0)
    b = TransformerLM(5, 4, 4, 2, 1)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert not np.array_equal(a.tok_emb.weight.data[0], a.pos_emb.weight.data[0])


def test_defaults_and_what_the_language_model_passes_to_its_blocks():
    block = TransformerBlock(8, 2, rng=0)
    assert block.dim_feedforward == 32 and block.mlp[0].weight.shape == (32, 8)  # 4 * embed_dim
    lm = TransformerLM(5, 4, 8, 2, 2, rng=0)
    assert [b.residual for b in lm.blocks] == [True, True]
    assert [b.dim_feedforward for b in lm.blocks] == [32, 32]
    lm = TransformerLM(5, 4, 8, 2, 1, dim_feedforward=12, residual=False, rng=0)
    assert lm.blocks[0].dim_feedforward == 12 and lm.blocks[0].mlp[0].weight.shape == (12, 8)
    assert lm.blocks[0].residual is False


def test_float32_language_model_takes_a_float64_gradient_in_float32():
    lm = TransformerLM(5, 4, 4, 2, 1, dtype=np.float32, rng=0)
    logits = lm(np.array([[1, 2, 0]]))
    lm.backward(np.ones(logits.shape))  # float64
    grads = {name: p.grad.dtype for name, p in lm.named_parameters()}
    assert logits.dtype == np.float32 and grads == dict.fromkeys(grads, np.float32)


def test_float32_block_follows_its_weights_and_agrees_with_float64():
    m64 = TransformerBlock(8, 2, 16, rng=4)
    m32 = TransformerBlock(8, 2, 16, dtype=np.float32, rng=4)
    x, g = np.random.default_rng(5).normal(size=(2, 3, 8)), np.ones((2, 3, 8))
    y32 = m32(x)  # float64 input and gradient are taken in the block's dtype
    dx32 = m32.backward(g)
    assert y32.dtype == dx32.dtype == np.float32
    grads = {name: p.grad.dtype for name, p in m32.named_parameters()}
    assert grads == dict.fromkeys(grads, np.float32)
    np.testing.assert_allclose(y32, m64(x), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dx32, m64.backward(g), rtol=1e-4, atol=1e-5)
