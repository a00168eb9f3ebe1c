"""Scaled dot-product attention and ``MultiheadAttention`` (self-attention), backward by hand.

For queries, keys and values ``q, k, v`` of shape (..., T, D) and a boolean ``mask`` (T, T)
whose True entries are *blocked* (torch.nn.MultiheadAttention's convention)::

    S = q @ k^T / sqrt(D)              scores          (..., T, T)
    S[mask] = -inf                     query t cannot see the blocked keys
    P = softmax(S, axis=-1)            one distribution over keys per query
    O = P @ v                          (..., T, D)

Backward, from dO (the same equations read right to left)::

    dP = dO @ v^T                      dv = P^T @ dO
    dS = P * (dP - (dP * P).sum(-1, keepdims=True))     the row-wise softmax VJP
    dq = dS @ k / sqrt(D)              dk = dS^T @ q / sqrt(D)

A blocked entry has P = 0, so its dS is 0 with no special case. ``MultiheadAttention`` projects
x (B, T, E) to q, k, v with one (3E, E) matrix, splits E into H heads of D = E / H (the
reshape (B, T, H, D) -> (B, H, T, D) and back), attends per head and projects the merged heads
with ``out_proj``: the parameters and layout of ``torch.nn.MultiheadAttention(E, H,
batch_first=True)`` used as self-attention, ``attn(x, x, x, attn_mask=mask)``.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from .._validate import as_float_array, check_dtype, check_flag, check_int, numpy_rng
from .linear import Linear
from .module import Module, Parameter

__all__ = [
    "MultiheadAttention",
    "attention",
    "attention_backward",
    "causal_mask",
    "merge_heads",
    "split_heads",
]


def causal_mask(T: int) -> np.ndarray:
    """(T, T) bool, True above the diagonal: query t is blocked from the keys after it."""
    T = check_int(T, "T", low=1)
    return np.triu(np.ones((T, T), dtype=bool), k=1)


def _as_mask(mask: object, Tq: int, Tk: int) -> np.ndarray:
    """``mask`` as a (Tq, Tk) bool array whose every row lets at least one key through."""
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise TypeError(
            f"attn_mask must be a boolean array (True = blocked), got {arr.dtype} array; "
            "use causal_mask(T) or a comparison such as m > 0"
        )
    if arr.shape != (Tq, Tk):
        raise ValueError(
            f"attn_mask must have shape ({Tq}, {Tk}) for {Tq} queries and {Tk} keys, "
            f"got shape {arr.shape}"
        )
    full = np.flatnonzero(arr.all(axis=-1))
    if full.size:
        raise ValueError(
            f"attn_mask blocks every key of query row {int(full[0])}: its softmax would be "
            "0/0 (NaN); leave at least one key per row unblocked"
        )
    return arr


def attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention: q (..., Tq, D), k (..., Tk, D), v (..., Tk, Dv),
    mask (Tq, Tk) bool (True = blocked) or None.

    Returns (O, P): the output (..., Tq, Dv) and the attention weights P (..., Tq, Tk), which
    the backward pass needs.
    """
    q = as_float_array(q, "q", ndim=(2, 3, 4))
    k = as_float_array(k, "k", dtype=q.dtype, ndim=q.ndim)
    v = as_float_array(v, "v", dtype=q.dtype, ndim=q.ndim)
    if k.shape[:-2] != q.shape[:-2] or k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"k must have q's leading axes and width D, (..., Tk, {q.shape[-1]}) for q of shape "
            f"{q.shape}, got k of shape {k.shape}"
        )
    if v.shape[:-1] != k.shape[:-1]:
        raise ValueError(
            f"v must have one row per key, shape {k.shape[:-1] + ('Dv',)} for k of shape "
            f"{k.shape}, got v of shape {v.shape}"
        )
    if mask is not None:
        mask = _as_mask(mask, q.shape[-2], k.shape[-2])
    D = q.shape[-1]
    S = q @ k.swapaxes(-1, -2) / math.sqrt(D)
    if mask is not None:
        S = np.where(mask, -np.inf, S)
    E = np.exp(S - S.max(axis=-1, keepdims=True))  # exp(-inf) = 0 for the blocked keys
    P = E / E.sum(axis=-1, keepdims=True)
    return P @ v, P


def attention_backward(
    dO: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray, P: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dO (..., T, D) and the forward's q, k, v, P -> (dq, dk, dv), each (..., T, D)."""
    D = q.shape[-1]
    dP = dO @ v.swapaxes(-1, -2)  # (..., T, T)
    dv = P.swapaxes(-1, -2) @ dO
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))  # softmax VJP, row by row
    dq = dS @ k / math.sqrt(D)
    dk = dS.swapaxes(-1, -2) @ q / math.sqrt(D)
    return dq, dk, dv


def split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """(B, T, E) -> (B, H, T, D), D = E / H: head h gets features h*D .. (h+1)*D - 1."""
    x = as_float_array(x, "x", ndim=3)
    num_heads = check_int(num_heads, "num_heads", low=1)
    B, T, E = x.shape
    if E % num_heads:
        raise ValueError(
            f"num_heads must divide the width E={E} of x (shape {x.shape}), got num_heads={num_heads}"
        )
    return x.reshape(B, T, num_heads, E // num_heads).transpose(0, 2, 1, 3)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """(B, H, T, D) -> (B, T, H*D), the inverse of split_heads (and its backward)."""
    B, H, T, D = x.shape
    return x.transpose(0, 2, 1, 3).reshape(B, T, H * D)


class MultiheadAttention(Module):
    """Multi-head self-attention with ``torch.nn.MultiheadAttention``'s parameters.

    ``in_proj_weight`` (3E, E) (rows: q, then k, then v; Xavier-uniform as in torch),
    ``in_proj_bias`` (3E,) zeros, ``out_proj`` a ``Linear(E, E)`` with a zero bias.
    ``causal=True`` blocks every key after the query (``causal_mask(T)``); ``forward`` also takes
    an ``attn_mask`` (T, T) bool, True = blocked, combined with the causal mask.

    forward(x): (B, T, E) -> (B, T, E). backward(grad_output): (B, T, E) -> dx (B, T, E),
    accumulating the four parameters' gradients. ``self.attn_weights`` (B, H, T, T) holds the
    last forward's P.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        bias: bool = True,
        *,
        causal: bool = False,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.embed_dim = check_int(embed_dim, "embed_dim", low=1)
        self.num_heads = check_int(num_heads, "num_heads", low=1)
        if self.embed_dim % self.num_heads:
            raise ValueError(
                f"embed_dim must be divisible by num_heads, got embed_dim={self.embed_dim} and "
                f"num_heads={self.num_heads} ({self.embed_dim} / {self.num_heads} is not an int)"
            )
        self.head_dim = self.embed_dim // self.num_heads
        self.causal = check_flag(causal, "causal")
        dt = check_dtype(dtype)
        gen = numpy_rng(rng, typed=True)
        E = self.embed_dim
        bound = math.sqrt(6.0 / (E + 3 * E))  # xavier_uniform_ on a (3E, E) matrix
        w = gen.uniform(-bound, bound, size=(3 * E, E))
        self.in_proj_weight = Parameter(np.asarray(w).astype(dt))
        self.in_proj_bias = Parameter(np.zeros(3 * E, dtype=dt)) if bias else None
        out_rng = None if rng is None else cast(np.random.Generator, gen)
        self.out_proj = Linear(E, E, bias=bias, dtype=dt, rng=out_rng)
        if self.out_proj.bias is not None:
            self.out_proj.bias.data[...] = 0  # torch zeroes out_proj.bias
        self.attn_weights: np.ndarray | None = None
        self._cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: object, attn_mask: object = None) -> np.ndarray:
        """x: (B, T, E); attn_mask: (T, T) bool, True = blocked, or None -> (B, T, E)."""
        E, H = self.embed_dim, self.num_heads
        x = as_float_array(x, "x", dtype=self.in_proj_weight.dtype, ndim=3, shape=(None, None, E))
        B, T, _ = x.shape
        mask = None if attn_mask is None else _as_mask(attn_mask, T, T)
        if self.causal:
            mask = causal_mask(T) if mask is None else mask | causal_mask(T)
        qkv = x @ self.in_proj_weight.data.T  # (B, T, 3E)
        if self.in_proj_bias is not None:
            qkv = qkv + self.in_proj_bias.data
        q, k, v = (split_heads(qkv[..., i * E : (i + 1) * E], H) for i in range(3))
        O, P = attention(q, k, v, mask)  # (B, H, T, D), (B, H, T, T)
        self.attn_weights = P
        self._cache = (x, q, k, v, P)
        y = self.out_proj(merge_heads(O).reshape(B * T, E))
        return y.reshape(B, T, E)

    def backward(self, grad_output: object) -> np.ndarray:
        """grad_output: dL/dy (B, T, E) -> dL/dx (B, T, E)."""
        x, q, k, v, P = self._cached(self._cache)
        B, T, E = x.shape
        g = as_float_array(grad_output, "grad_output", dtype=x.dtype, shape=x.shape)
        d_merged = self._cached(self.out_proj.backward(g.reshape(B * T, E)))  # (B*T, E)
        dO = split_heads(d_merged.reshape(B, T, E), self.num_heads)  # (B, H, T, D)
        dq, dk, dv = attention_backward(dO, q, k, v, P)
        dqkv = np.concatenate([merge_heads(dq), merge_heads(dk), merge_heads(dv)], axis=-1)
        self.in_proj_weight.grad += dqkv.reshape(B * T, 3 * E).T @ x.reshape(B * T, E)
        if self.in_proj_bias is not None:
            self.in_proj_bias.grad += dqkv.sum(axis=(0, 1))
        return dqkv @ self.in_proj_weight.data  # the three paths of x, added by the matmul

    def __repr__(self) -> str:
        return (
            f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
            f"causal={self.causal})"
        )
