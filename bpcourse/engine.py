"""A scalar reverse-mode autograd engine: ``Value``, micrograd's surface, with the traps closed.

Each operation builds a new ``Value`` (its forward) and attaches a ``_backward`` closure that
pushes the output's gradient to its inputs with the local derivative (the chain rule), written
next to it. ``backward()`` orders the graph topologically and runs the closures from the output
back to the leaves. Three things differ from the minimal engines, each a known trap:

- the topological sort is iterative, so a chain of 100,000 nodes works (no recursion limit);
- a node used several times (``x * x``, ``a`` on several paths) receives the sum of the
  gradients of all its uses: every closure accumulates with ``+=``;
- calling ``backward()`` twice adds the same gradients twice, exactly like torch (see
  :meth:`Value.backward`); the naive version re-propagates the intermediate nodes' stale gradients.

Pure Python: no numpy, never torch (the tests compare it with torch).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # at run time, through __getattr__ at the bottom (engine_nn imports this module)
    from .engine_nn import MLP, Layer, Module, Neuron


def _describe(x: object) -> str:
    """A short description of an operand for error messages (type, and value or shape)."""
    shape = getattr(x, "shape", None)
    if shape is not None:
        return f"{type(x).__module__}.{type(x).__name__} of shape {tuple(shape)}"
    return f"{type(x).__name__} {x!r}"[:100]


def _as_value(x: object, op: str) -> Value:
    """``x`` as a Value (plain real numbers are wrapped as constants), or one clear TypeError."""
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or (isinstance(x, Real) and not isinstance(x, bool)):
        return Value(float(x))
    hint = ""
    if hasattr(x, "shape"):
        hint = " (Value is a scalar engine: use one Value per number, or bpcourse.nn for arrays)"
    raise TypeError(f"unsupported operand for Value {op}: {_describe(x)}; "
                    f"expected a Value or a real number (int or float){hint}")


def _no_backward() -> None:
    """The backward of a leaf: nothing to propagate."""


class Value:
    """One scalar of a computation graph: its value ``data`` and the gradient ``grad``.

    Attributes:
        data: the number (a Python float).
        grad: d(output)/d(this value), summed over every ``backward()`` call since the last
            ``zero_grad`` (0.0 at creation).
        label: an optional name, shown by ``bpcourse.graph.draw_graph``.
        _prev: the operands this value was computed from (a tuple; ``x * x`` holds ``x`` twice).
        _op: the operation that produced it (``""`` for a leaf).
    """

    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")
    __array_ufunc__ = None  # numpy array + Value: let Value.__radd__ refuse it clearly

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "",
                 label: str = "") -> None:
        if type(data) is not float:               # the fast path: every op makes a float
            if not isinstance(data, Real) or isinstance(data, bool):
                raise TypeError(f"Value(data) needs a real number (int or float), got "
                                f"{_describe(data)}")
            data = float(data)
        # A leaf (no _op: built by the user, or a constant) must be finite, as arrays are in
        # bpcourse.nn: one nan input makes every gradient nan. Op results are not checked,
        # to keep the per-operation cost at one string test.
        if not _op and not math.isfinite(data):
            raise ValueError(f"Value(data) must be finite, got {data!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._backward = _no_backward
        self._prev = tuple(_children)
        self._op = _op

    # --- operations: forward, then the local backward ---------------------------------------
    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad                 # d(a + b)/da = 1
            other.grad += out.grad                # d(a + b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other, "*")
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad    # d(a b)/da = b
            other.grad += self.data * out.grad    # d(a b)/db = a
        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        other = _as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self.data!r} / {other.data!r}")
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += out.grad / other.data                            # d(a/b)/da = 1/b
            other.grad += -self.data / (other.data * other.data) * out.grad  # d(a/b)/db = -a/b²
        out._backward = _backward
        return out

    def __pow__(self, n: float) -> Value:
        if isinstance(n, Value) or not isinstance(n, Real) or isinstance(n, bool):
            raise TypeError(f"unsupported exponent for Value **: {_describe(n)}; "
                            "expected a plain int or float (use (b * x.log()).exp() for x ** b)")
        n, x = float(n), self.data
        if x == 0.0 and n < 0:
            raise ZeroDivisionError(f"division by zero: {x!r} ** {n!r}")
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"{x!r} ** {n!r}: a negative base needs an integer exponent")
        try:
            out = Value(x ** n, (self,), f"**{n:g}")
        except OverflowError:
            raise OverflowError(f"{x!r} ** {n!r} is too large for a float") from None

        def _backward():
            if n == 0.0:
                return                            # d(x^0)/dx = 0, also at x = 0 (as torch)
            # d(x^n)/dx = n x^(n-1); at x = 0 with n < 1 that is infinite (as torch).
            local = math.copysign(math.inf, n) if x == 0.0 and n < 1 else n * x ** (n - 1)
            self.grad += local * out.grad
        out._backward = _backward
        return out

    def __rpow__(self, base: float) -> Value:     # 2 ** x, a positive number to a Value power
        if not isinstance(base, Real) or isinstance(base, bool):
            raise TypeError(f"unsupported base for ** Value: {_describe(base)}; expected a number")
        if base <= 0:
            raise ValueError(f"base ** Value needs a positive base, got {base!r}")
        base = float(base)
        try:
            out = Value(base ** self.data, (self,), f"{base:g}**")
        except OverflowError:
            raise OverflowError(f"{base!r} ** {self.data!r} is too large for a float") from None

        def _backward():
            self.grad += out.data * math.log(base) * out.grad  # d(c^a)/da = c^a log c
        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad                 # d(-a)/da = -1
        out._backward = _backward
        return out

    def relu(self) -> Value:
        """max(0, self); the local derivative is 1 where positive, 0 elsewhere (0 at the kink)."""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad  # 1 where positive; 0 at the kink, as torch
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """tanh(self); the local derivative 1 - tanh² is computed from the output."""
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1.0 - out.data * out.data) * out.grad  # 1 - tanh², from the output
        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """1 / (1 + e^-self), without overflow; the local derivative is σ (1 - σ)."""
        x = self.data
        # Never exp of a large positive number: both branches stay in range.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += (1.0 - out.data) * out.data * out.grad  # σ (1 - σ)
        out._backward = _backward
        return out

    def exp(self) -> Value:
        """e^self (OverflowError above ~709.78); the local derivative is e^self itself."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data!r}) is too large for a float") from None
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad      # d(e^a)/da = e^a, from the output
        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural log of a positive value (ValueError otherwise); the local derivative is 1/self."""
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive number: log({self.data!r})")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data     # d(log a)/da = 1/a
        out._backward = _backward
        return out

    # --- the other operators, written with the ones above ------------------------------------
    def __radd__(self, other: float) -> Value:   # 2 + x
        return _as_value(other, "+") + self

    def __sub__(self, other: Value | float) -> Value:
        return self + (-_as_value(other, "-"))

    def __rsub__(self, other: float) -> Value:   # 2 - x
        return _as_value(other, "-") + (-self)

    def __rmul__(self, other: float) -> Value:   # 2 * x
        return _as_value(other, "*") * self

    def __rtruediv__(self, other: float) -> Value:  # 2 / x
        return _as_value(other, "/") / self

    # --- backpropagation ----------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this value depends on, each after all of its operands (self last).

        A depth-first search with an explicit stack (the recursive one dies on deep graphs
        with RecursionError); a node reached along several paths appears once.
        """
        order: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))            # comes back once its operands are placed
            # Reversed, so operands are visited left to right, as the recursive version does.
            stack.extend((child, False) for child in reversed(node._prev)
                         if id(child) not in visited)
        return order

    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(node) * ``gradient`` to the ``grad`` of every node self depends on.

        Semantics, the same as torch's ``loss.backward(retain_graph=True)``:

        - the output is seeded with ``gradient`` (1.0 by default) on every call;
        - each call computes this call's gradients from scratch and *adds* them to ``.grad``;
          so a second call on the same graph adds the same gradients again (leaves end with
          twice the gradient, as torch leaves do), and gradients of several outputs sharing
          leaves add up. Call ``zero_grad`` between steps, as with torch.
        - intermediate nodes follow the same rule (torch keeps them only with
          ``retain_grad()``, and then accumulates them the same way).

        Within one call, the closures propagate this call's gradients only: the previous
        ``.grad`` of every node is set aside, and added back at the end. The naive engine that
        propagates the stored ``.grad`` instead would push the first call's gradients of
        intermediate nodes a second time.
        """
        if not isinstance(gradient, Real) or isinstance(gradient, bool):
            raise TypeError(f"backward(gradient) needs a real number, got {_describe(gradient)}")
        topo = self.topological_order()
        before = [v.grad for v in topo]
        for v in topo:
            v.grad = 0.0
        self.grad = float(gradient)
        for v in reversed(topo):                  # each node after everything that uses it
            v._backward()
        for v, g in zip(topo, before):
            v.grad += g

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{name})"


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Set ``grad`` to 0.0 on a Value or on each Value of an iterable (e.g. ``model.parameters()``)."""
    items = [values] if isinstance(values, Value) else list(values)
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad expects Values, got {_describe(v)}")
        v.grad = 0.0


__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "zero_grad"]


def __getattr__(name: str) -> object:
    """``from bpcourse.engine import MLP`` works: the small neural-network library built on Value
    (micrograd's nn.py) lives in ``bpcourse.engine_nn``, imported on first use (it imports this
    module, not the other way round)."""
    if name in ("MLP", "Layer", "Module", "Neuron"):
        from . import engine_nn

        return getattr(engine_nn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
