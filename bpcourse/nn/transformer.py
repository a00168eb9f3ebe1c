"""The pre-LN transformer block and a tiny character-level language model, backward by hand.

The block (x: (B, T, E))::

    h = x + attn(ln1(x))          attention sub-layer, on the residual stream
    y = h + mlp(ln2(h))           mlp = Linear(E, F), ReLU, Linear(F, E), position by position

Backward reads the same lines from the bottom up; each residual ``+`` passes its gradient on
unchanged *and* into its branch, and the two are added::

    dh = dy + ln2.backward(mlp.backward(dy))
    dx = dh + ln1.backward(attn.backward(dh))

``residual=False`` drops the two identity paths (``h = attn(ln1(x))``, ``y = mlp(ln2(h))``),
to measure what they do for the gradient. ``TransformerLM`` puts token and position embeddings
below a stack of blocks and a final LayerNorm and Linear head above them: ids (B, T) -> logits
(B, T, vocab_size).
"""

from __future__ import annotations

from typing import cast

import numpy as np

from .._validate import (
    as_float_array,
    as_index_array,
    check_dtype,
    check_flag,
    check_int,
    numpy_rng,
)
from .activation import ReLU
from .attention import MultiheadAttention
from .container import Sequential
from .embedding import Embedding
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["TransformerBlock", "TransformerLM"]


class TransformerBlock(Module):
    """Pre-LN block: ``ln1``, ``attn`` (MultiheadAttention), ``ln2``, ``mlp`` (Sequential).

    forward(x): (B, T, E) -> (B, T, E). backward(grad_output): (B, T, E) -> dx (B, T, E),
    accumulating every parameter's gradient. ``dim_feedforward`` F defaults to 4E;
    ``causal=True`` masks the keys after each query.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dim_feedforward: int | None = None,
        *,
        causal: bool = True,
        residual: bool = True,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        E = self.embed_dim = check_int(embed_dim, "embed_dim", low=1)
        F = 4 * E if dim_feedforward is None else dim_feedforward
        self.dim_feedforward = check_int(F, "dim_feedforward", low=1)
        self.residual = check_flag(residual, "residual")
        dt = check_dtype(dtype)
        # One generator for every child (an int seed: drawn in order); None: numpy's global RNG.
        gen = cast(np.random.Generator | None, None if rng is None else numpy_rng(rng, typed=True))
        self.ln1 = LayerNorm(E, dtype=dt)
        self.attn = MultiheadAttention(E, num_heads, causal=causal, dtype=dt, rng=gen)
        self.ln2 = LayerNorm(E, dtype=dt)
        self.mlp = Sequential(
            Linear(E, self.dim_feedforward, dtype=dt, rng=gen),
            ReLU(),
            Linear(self.dim_feedforward, E, dtype=dt, rng=gen),
        )
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: object) -> np.ndarray:
        """x: (B, T, E) -> (B, T, E)."""
        E = self.embed_dim
        x = as_float_array(x, "x", dtype=self.ln1.dtype, ndim=3, shape=(None, None, E))
        B, T, _ = x.shape
        self._shape = x.shape
        a = self.attn(self.ln1(x))
        h = x + a if self.residual else a
        m = self.mlp(self.ln2(h).reshape(B * T, E)).reshape(B, T, E)
        return h + m if self.residual else m

    def backward(self, grad_output: object) -> np.ndarray:
        """grad_output: dL/dy (B, T, E) -> dL/dx (B, T, E)."""
        shape = self._cached(self._shape)
        B, T, E = shape
        dy = as_float_array(grad_output, "grad_output", dtype=self.ln1.dtype, shape=shape)
        d_mlp_in = cast(np.ndarray, self.mlp.backward(dy.reshape(B * T, E)))  # (B*T, E)
        dm = self.ln2.backward(d_mlp_in.reshape(B, T, E))
        dh = dy + dm if self.residual else dm
        da = self.ln1.backward(self.attn.backward(dh))
        return dh + da if self.residual else da

    def __repr__(self) -> str:
        return (
            f"TransformerBlock(embed_dim={self.embed_dim}, num_heads={self.attn.num_heads}, "
            f"dim_feedforward={self.dim_feedforward}, causal={self.attn.causal}, "
            f"residual={self.residual})"
        )


class TransformerLM(Module):
    """A causal language model: ``tok_emb``, ``pos_emb``, ``blocks``, ``ln_f``, ``head``.

    forward(idx): token ids (B, T), T <= context_length -> logits (B, T, vocab_size), the
    prediction of the token after each position. backward(grad_output): dL/dlogits
    (B, T, vocab_size) -> None (ids have no gradient); every parameter's gradient accumulates.
    """

    def __init__(
        self,
        vocab_size: int,
        context_length: int,
        embed_dim: int,
        num_heads: int,
        num_layers: int,
        dim_feedforward: int | None = None,
        *,
        residual: bool = True,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.vocab_size = check_int(vocab_size, "vocab_size", low=1)
        self.context_length = check_int(context_length, "context_length", low=1)
        self.num_layers = check_int(num_layers, "num_layers", low=1)
        dt = check_dtype(dtype)
        # One generator for every child (an int seed: drawn in order); None: numpy's global RNG.
        gen = cast(np.random.Generator | None, None if rng is None else numpy_rng(rng, typed=True))
        self.tok_emb = Embedding(vocab_size, embed_dim, dtype=dt, rng=gen)
        self.pos_emb = Embedding(context_length, embed_dim, dtype=dt, rng=gen)
        self.blocks = Sequential(
            *(
                TransformerBlock(
                    embed_dim,
                    num_heads,
                    dim_feedforward,
                    residual=residual,
                    dtype=dt,
                    rng=gen,
                )
                for _ in range(self.num_layers)
            )
        )
        self.ln_f = LayerNorm(embed_dim, dtype=dt)
        self.head = Linear(embed_dim, vocab_size, dtype=dt, rng=gen)
        self._shape: tuple[int, ...] | None = None

    def forward(self, idx: object) -> np.ndarray:
        """idx: ints (B, T) in [0, vocab_size) -> logits (B, T, vocab_size)."""
        idx = as_index_array(idx, "idx", high=self.vocab_size, what="vocab_size")
        if idx.ndim != 2:
            raise ValueError(f"idx must be 2-D (B, T) token ids, got shape {idx.shape}")
        x = self.tok_emb(idx)
        B, T, E = x.shape
        if T > self.context_length:
            raise ValueError(
                f"idx must have at most context_length={self.context_length} positions, "
                f"got shape {(B, T)}"
            )
        x = x + self.pos_emb(np.arange(T))
        h = self.ln_f(self.blocks(x))
        self._shape = (B, T, E)
        return self.head(h.reshape(B * T, E)).reshape(B, T, self.vocab_size)

    def backward(self, grad_output: object) -> None:
        """grad_output: dL/dlogits (B, T, vocab_size) -> None."""
        B, T, E = self._cached(self._shape)
        g = as_float_array(
            grad_output, "grad_output", dtype=self.head.weight.dtype, shape=(B, T, self.vocab_size)
        )
        dh = cast(np.ndarray, self.head.backward(g.reshape(B * T, self.vocab_size)))  # (B*T, E)
        dx = cast(np.ndarray, self.blocks.backward(self.ln_f.backward(dh.reshape(B, T, E))))
        self.pos_emb.backward(dx.sum(axis=0))  # one position row serves every sequence
        self.tok_emb.backward(dx)
        return None

    def __repr__(self) -> str:
        return (
            f"TransformerLM(vocab_size={self.vocab_size}, context_length={self.context_length}, "
            f"num_layers={self.num_layers})"
        )
