"""Neuron, Layer and MLP made of ``Value`` scalars (micrograd's nn.py, with torch's init).

``bpcourse.engine`` gives them too (``from bpcourse.engine import MLP, Value``). Every weight is its own ``Value``: slow (one Python
object per number) but every step of backprop is visible. ``bpcourse.nn`` is the same model
on numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._validate import check_int, python_rng
from .engine import Value, zero_grad

ACTIVATIONS = ("relu", "tanh", "sigmoid", None)


def _count(n: object, name: str) -> int:
    return check_int(n, name, low=1, expected="a positive int", below="a positive int")


class Module:
    """Base class: ``parameters()`` lists the Values to train, ``zero_grad()`` resets them."""

    def parameters(self) -> list[Value]:
        """The trainable Values (none in the base class)."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (gradients accumulate across ``backward()`` calls)."""
        zero_grad(self.parameters())


class Neuron(Module):
    """``act(w · x + b)``: ``nin`` weights and a bias, U(-1/sqrt(nin), 1/sqrt(nin)) like torch.

    Args:
        nin: number of inputs.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or None (linear).
        rng: None (the global ``random``), an int seed or a ``random.Random``.
    """

    def __init__(self, nin: int, activation: str | None = "relu", rng: object = None) -> None:
        nin = _count(nin, "nin")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        gen, bound = python_rng(rng), 1.0 / math.sqrt(nin)
        self.w = [Value(gen.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(gen.uniform(-bound, bound))
        self.activation = activation

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """act(w · x + b) for ``nin`` inputs (numbers or Values), building its part of the graph."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return getattr(act, self.activation)() if self.activation else act

    def parameters(self) -> list[Value]:
        """The ``nin`` weights, then the bias."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout`` Values."""

    def __init__(
        self, nin: int, nout: int, activation: str | None = "relu", rng: object = None
    ) -> None:
        gen = python_rng(rng)
        self.neurons = [Neuron(nin, activation, gen) for _ in range(_count(nout, "nout"))]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """The ``nout`` outputs for ``nin`` inputs."""
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        """Neuron by neuron, weights then bias."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """Layers of sizes ``nouts`` on ``nin`` inputs; ``activation`` after all but the last layer.

    ``MLP(2, [16, 16, 1])(x)`` with ``x`` a list of 2 numbers or Values returns one Value
    (a list when the last layer has several outputs). Parameters are listed layer by layer,
    neuron by neuron, weights then bias.
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str | None = "relu", rng: object = None
    ) -> None:
        if not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        gen = python_rng(rng)
        sizes = [_count(nin, "nin"), *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else None, gen)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The output for ``nin`` inputs: one Value, or a list if the last layer has several."""
        for layer in self.layers:
            x = out = layer(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron, weights then bias (torch's order, row by row)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
