"""``Parameter`` and ``Module``: the two classes every layer of ``bpcourse.nn`` builds on.

The contract, torch's but with the backward pass written by hand:

- ``module(x)`` calls ``forward(x)``, which stores what the backward pass needs;
- ``module.backward(grad_output)`` returns ``grad_input`` (dL/dx, the shape of ``x``) and
  *accumulates* each parameter's gradient into ``param.grad`` with ``+=``, as torch does;
- ``module.zero_grad()`` sets every ``.grad`` back to zero before the next batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import numpy as np

from .._validate import as_float_array

T = TypeVar("T")


class Parameter:
    """A learnable array: ``.data`` holds the value, ``.grad`` (same shape and dtype) dL/d(data).

    ``.grad`` starts at zeros and only ever grows by ``+=`` in backward passes, so two backward
    passes without ``zero_grad()`` in between add up, exactly like torch's ``.grad``.
    """

    def __init__(self, data: object, name: str = "parameter") -> None:
        self.data = np.array(as_float_array(data, name, allow_empty=True), copy=True)
        # Set to None by hand, a gradient is skipped by the optimizers (as in torch).
        self.grad: np.ndarray = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def zero_grad(self) -> None:
        """Set ``.grad`` to zeros, in place (a ``None`` gradient stays ``None``)."""
        if self.grad is not None:
            self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class Module:
    """Base class of layers and models: ``__call__`` runs ``forward``; ``backward`` goes back.

    Parameters and sub-modules are found by looking at the instance's attributes (in the order
    they were set), so ``named_parameters()`` gives the same names as the torch twin built by
    ``bpcourse.check.to_torch``: ``weight``, ``bias``, ``0.weight`` ...
    """

    training: bool = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not written")

    def backward(self, grad_output: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not written")

    # --- traversal -----------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(name, parameter)`` pairs, each parameter once, children's after the module's own."""
        seen: set[int] = set()
        for name, p in self._named_parameters(prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def _named_parameters(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child._named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def modules(self) -> Iterator[Module]:
        yield self
        for _, child in self.named_children():
            yield from child.modules()

    # --- state ---------------------------------------------------------------------------------
    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def _cached(self, value: T | None) -> T:
        """``value`` (what the forward pass stored), or the error of :meth:`_require_forward`."""
        self._require_forward(value)
        assert value is not None
        return value

    def _require_forward(self, *cached: object) -> None:
        """Raise a clear error when ``backward`` is called before ``forward``."""
        if any(c is None for c in cached):
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: "
                "run the forward pass on a batch first"
            )
