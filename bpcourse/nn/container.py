"""``Sequential``: modules applied one after the other; the backward pass runs them in reverse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validate import check_flag, check_int
from .conv import Conv2d
from .linear import Linear
from .module import Module

__all__ = ["Sequential"]


def _has_parameters(module: Module) -> bool:
    return next(module.named_parameters(), None) is not None


class Sequential(Module):
    """``Sequential(m0, m1, ...)``: forward is ``... m1(m0(x))``; backward goes m_last ... m0.

    Children are attributes named "0", "1", ..., so parameter names match torch's
    (``0.weight``, ``0.bias``, ``2.weight`` ...). Index with ``model[i]``; ``model[a:b]`` is a
    ``Sequential`` of the same (shared) modules.
    """

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential takes bpcourse.nn modules, got {type(m).__name__} at position {i}"
                )
            setattr(self, str(i), m)
        self._len = len(modules)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Module]:
        return (getattr(self, str(i)) for i in range(self._len))

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(*list(self)[index])
        index = check_int(index, "Sequential index", expected="an int or a slice")
        if not -self._len <= index < self._len:
            raise IndexError(f"index {index} is out of range for a Sequential of {self._len}")
        return getattr(self, str(index % self._len))

    def forward(self, x: Any) -> Any:
        """x: the first module's input, e.g. (N, D_in) -> the last module's output."""
        for m in self:
            x = m(x)
        return x

    def backward(self, grad_output: object, input_grad: bool = True) -> np.ndarray | None:
        """dL/d(output) -> dL/dx, through every module in reverse order (chain rule).

        ``input_grad=False`` when nobody needs dL/dx (x is a batch of data): returns None and,
        as torch does for an input that does not require grad, computes only what the
        parameters need. The backward pass stops at the first module that has parameters,
        which is asked to skip its own dL/dx if it can (``Linear``, ``Sequential``). A train
        step: ``model.backward(criterion.backward(), input_grad=False)``.
        """
        input_grad = check_flag(input_grad, "input_grad")
        modules = list(self)
        first = 0
        if not input_grad:  # modules before the first parameter need no gradient at all
            first = next((i for i, m in enumerate(modules) if _has_parameters(m)), len(modules))
        g: Any = grad_output
        for i in range(len(modules) - 1, first - 1, -1):
            m = modules[i]
            if i == first and not input_grad and isinstance(m, _SKIPS_INPUT_GRAD):
                m.backward(g, input_grad=False)
            else:
                g = m.backward(g)
        return g if input_grad else None

    def __repr__(self) -> str:
        if not self._len:
            return "Sequential()"
        lines = [f"  ({i}): " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


# Modules whose backward takes ``input_grad=False`` (and then skips computing dL/dx).
_SKIPS_INPUT_GRAD = (Linear, Conv2d, Sequential)
