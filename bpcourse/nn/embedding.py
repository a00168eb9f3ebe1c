"""``Embedding``: a lookup table of vectors, ``out = weight[idx]``, like ``torch.nn.Embedding``.

Forward picks rows: for token ids ``idx`` of any shape ``S``, ``out[s] = weight[idx[s]]``, so
``out`` has shape ``S + (embedding_dim,)``. Backward: every use of a row sends its gradient back
to that row, and a row used twice receives both, a scatter-add::

    weight.grad[i] += sum over positions s with idx[s] == i of grad_output[s]

``weight.grad[idx] += g`` would be wrong: numpy's buffered fancy assignment writes a repeated
index once. ``np.add.at`` adds every repeat. The input is a set of integers, not a
differentiable tensor, so ``backward`` returns None (torch gives ids no gradient either).
"""

from __future__ import annotations

import numpy as np

from .._validate import as_float_array, as_index_array, check_dtype, check_int, numpy_rng
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table ``weight`` (num_embeddings, embedding_dim) drawn from N(0, 1), torch's init.

    forward(idx): integer ids of any shape S, each in [0, num_embeddings) -> (*S, embedding_dim).
    backward(grad_output): (*S, embedding_dim) -> None; accumulates the scatter-add into
    ``weight.grad``. ``rng``: a ``np.random.Generator``, an int seed, or None (numpy's global RNG).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.num_embeddings = check_int(num_embeddings, "num_embeddings", low=1)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim", low=1)
        dt = check_dtype(dtype)
        gen = numpy_rng(rng, typed=True)
        w = gen.normal(0.0, 1.0, size=(self.num_embeddings, self.embedding_dim))
        self.weight = Parameter(np.asarray(w).astype(dt))
        self._idx: np.ndarray | None = None  # the ids, kept for the scatter-add

    def forward(self, idx: object) -> np.ndarray:
        """idx: ints of shape S in [0, num_embeddings) -> weight[idx]: (*S, embedding_dim)."""
        idx = as_index_array(idx, "idx", high=self.num_embeddings, what="num_embeddings")
        self._idx = idx
        return self.weight.data[idx]

    def backward(self, grad_output: object) -> None:
        """grad_output: (*S, embedding_dim) -> None; weight.grad gets the scatter-add."""
        idx = self._cached(self._idx)
        g = as_float_array(
            grad_output,
            "grad_output",
            dtype=self.weight.dtype,
            shape=(*idx.shape, self.embedding_dim),
        )
        np.add.at(self.weight.grad, idx.reshape(-1), g.reshape(-1, self.embedding_dim))
        return None

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"
