"""A tensor reverse-mode autograd engine: notebook 07's ``Value``, one numpy array per node.

Each operation computes its output array (the forward) and attaches a ``_backward`` closure,
written next to it, that pushes ``out.grad`` (an array of exactly ``out``'s shape) to its inputs
with the chain rule. ``backward()`` orders the graph topologically (iteratively: no recursion
limit) and runs the closures from the output back to the leaves. Every closure accumulates
with ``+=``: a tensor used twice receives the sum of both contributions.

What arrays add to the scalar engine, each a classic trap:

- **broadcasting**: ``x + b`` with ``x`` of shape (N, D) and ``b`` of shape (D,) uses ``b`` N
  times, so ``b``'s gradient is the *sum* of the N rows of ``out.grad`` (:func:`unbroadcast`);
- **reductions**: ``sum``/``mean``/``max`` over axes, with or without ``keepdims``; the backward
  puts the removed axes back before broadcasting the gradient;
- **matmul**: ``A @ B`` has two vector-Jacobian products, ``dA = dout @ B^T`` and
  ``dB = A^T @ dout`` (each summed over broadcast batch axes);
- **indexing**: ``x[idx]`` with a repeated index uses that element twice; the backward is a
  scatter-*add* (``np.add.at``): ``grad[idx] += dout`` would keep only one of the repeats;
- **memory**: every node keeps its array until backward; :func:`checkpoint` keeps only a
  segment's output and recomputes the segment in backward.

numpy only, never torch (the tests compare it with torch autograd).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np

from . import functional as F
from ._validate import as_float_array, describe

Shape = tuple[int, ...]


def unbroadcast(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added, so that it has shape ``shape``.

    Broadcasting (numpy's rules) aligns shapes on the right; an operand of shape ``shape`` was
    (1) given missing leading axes and (2) stretched along its size-1 axes. Its gradient is the
    sum of ``grad`` over both kinds of axes: e.g. ``(N, D) -> (D,)`` sums axis 0,
    ``(N, D) -> (N, 1)`` sums axis 1 keeping it, ``(B, N, D) -> (1, D)`` sums axes 0 and 1.

    Args:
        grad: the gradient of the broadcast result, shape ``S`` (``shape`` broadcast to ``S``).
        shape: the operand's shape.
    Returns:
        an array of shape ``shape``.
    """
    shape = tuple(shape)
    try:
        fits = np.broadcast_shapes(shape, grad.shape) == grad.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"unbroadcast: shape {shape} does not broadcast to the gradient's shape {grad.shape}"
        )
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))  # (1) missing leading axes
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)  # (2) size-1 axes
    return np.asarray(grad)


def _no_backward() -> None:
    """The backward of a leaf: nothing to propagate."""


def _axes(axis: object, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    items = tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in items:
        if not isinstance(a, Integral) or isinstance(a, bool):
            raise TypeError(f"{op}(axis) needs None, an int or a tuple of ints, got {axis!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{op}(axis): axis {a} is out of range for a tensor with {ndim} "
                f"dimension(s) (allowed: {-ndim} to {ndim - 1})"
            )
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}(axis): repeated axis in {axis!r}")
    return tuple(sorted(out))


def _expand(grad: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """The gradient of a reduction over ``axes`` with its removed axes put back (size 1)."""
    return grad if keepdims else np.expand_dims(grad, axes)


class Tensor:
    """One array of a computation graph: its value ``data`` and the gradient ``grad``.

    Attributes:
        data: the array (float64 or float32; lists, numbers and integer arrays become float64).
        grad: d(output)/d(this tensor), an array of ``data``'s shape and dtype, summed over every
            ``backward()`` call since the last ``zero_grad`` (zeros at creation).
        label: an optional name.
        _prev: the operands this tensor was computed from (``x * x`` holds ``x`` twice).
        _op: the operation that produced it (``""`` for a leaf).
    """

    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")
    __array_ufunc__ = None  # ndarray + Tensor: numpy defers to Tensor.__radd__

    def __init__(
        self, data: object, _children: tuple[Tensor, ...] = (), _op: str = "", label: str = ""
    ) -> None:
        if not _op:  # a leaf built by the user: one clear error for a bad array
            data = as_float_array(data, "Tensor(data)", allow_empty=True)
        self.data = data if type(data) is np.ndarray else np.asarray(data)  # 0-d results too
        self.grad = np.zeros_like(self.data)
        self.label = label
        self._backward = _no_backward
        self._prev = tuple(_children)
        self._op = _op

    # --- conveniences ---------------------------------------------------------------------------
    @property
    def shape(self) -> Shape:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return float(self.data.reshape(()))

    def _lift(self, other: object, op: str) -> Tensor:
        """``other`` as a Tensor: numbers and arrays become constants (in ``self``'s dtype)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, Real) and not isinstance(other, bool):
            return Tensor(np.asarray(other, dtype=self.dtype))
        if isinstance(other, np.ndarray) and other.dtype.kind in "fiu":
            return Tensor(other)
        raise TypeError(
            f"unsupported operand for Tensor {op}: {describe(other)}; expected a "
            f"Tensor, a real number or a numpy array of numbers"
        )

    def _result_shape(self, other: Tensor, op: str) -> Shape:
        try:
            return np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(
                f"Tensor {op}: shapes {self.shape} and {other.shape} do not "
                f"broadcast (numpy aligns them on the right; each pair of sizes "
                f"must be equal or one of them 1)"
            ) from None

    # --- elementwise operations with broadcasting: forward, then the local backward -----------
    def __add__(self, other: Tensor | float) -> Tensor:
        other = self._lift(other, "+")
        self._result_shape(other, "+")
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += unbroadcast(out.grad, self.shape)  # d(a + b)/da = 1
            other.grad += unbroadcast(out.grad, other.shape)  # d(a + b)/db = 1

        out._backward = _backward
        return out

    def __mul__(self, other: Tensor | float) -> Tensor:
        other = self._lift(other, "*")
        self._result_shape(other, "*")
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += unbroadcast(other.data * out.grad, self.shape)  # d(a b)/da = b
            other.grad += unbroadcast(self.data * out.grad, other.shape)  # d(a b)/db = a

        out._backward = _backward
        return out

    def __truediv__(self, other: Tensor | float) -> Tensor:
        other = self._lift(other, "/")
        self._result_shape(other, "/")
        if np.any(other.data == 0):
            raise ZeroDivisionError(
                f"Tensor /: the divisor (shape {other.shape}) has a zero "
                f"at index {tuple(int(i) for i in np.argwhere(other.data == 0)[0])}"
            )
        out = Tensor(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += unbroadcast(out.grad / other.data, self.shape)  # d(a/b)/da = 1/b
            other.grad += unbroadcast(
                -self.data / other.data**2 * out.grad, other.shape
            )  # d(a/b)/db = -a/b²

        out._backward = _backward
        return out

    def __pow__(self, n: float) -> Tensor:
        if isinstance(n, Tensor) or not isinstance(n, Real) or isinstance(n, bool):
            raise TypeError(
                f"unsupported exponent for Tensor **: {describe(n)}; expected a plain int or float"
            )
        n = float(n)
        if not n.is_integer() and np.any(self.data < 0):
            raise ValueError(f"Tensor ** {n!r}: a negative base needs an integer exponent")
        if n < 0 and np.any(self.data == 0):
            raise ZeroDivisionError(f"Tensor ** {n!r}: the base has a zero")
        out = Tensor(self.data**n, (self,), f"**{n:g}")

        def _backward():
            if n == 0:
                return  # d(x^0)/dx = 0, also at 0
            with np.errstate(divide="ignore"):  # x = 0, n < 1: inf, as torch
                self.grad += n * self.data ** (n - 1) * out.grad  # d(x^n)/dx = n x^(n-1)

        out._backward = _backward
        return out

    def __neg__(self) -> Tensor:
        out = Tensor(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad  # d(-a)/da = -1

        out._backward = _backward
        return out

    # --- matrix product -------------------------------------------------------------------------
    def __matmul__(self, other: Tensor | np.ndarray) -> Tensor:
        """(..., N, K) @ (..., K, M) -> (..., N, M); leading (batch) axes broadcast."""
        other = self._lift(other, "@")
        a, b = self, other
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(
                f"Tensor @ needs at least 2-D operands, got shapes {a.shape} and "
                f"{b.shape} (reshape a vector to (1, K) or (K, 1))"
            )
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"Tensor @: shapes {a.shape} and {b.shape} do not match: the left "
                f"operand's last size {a.shape[-1]} must equal the right operand's "
                f"second-to-last size {b.shape[-2]}"
            )
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(
                f"Tensor @: the batch axes of shapes {a.shape} and {b.shape} do not broadcast"
            ) from None
        out = Tensor(a.data @ b.data, (a, b), "@")

        def _backward():
            # dA = dout @ B^T (N, M)(M, K) -> (N, K);  dB = A^T @ dout (K, N)(N, M) -> (K, M)
            a.grad += unbroadcast(out.grad @ np.swapaxes(b.data, -1, -2), a.shape)
            b.grad += unbroadcast(np.swapaxes(a.data, -1, -2) @ out.grad, b.shape)

        out._backward = _backward
        return out

    # --- reductions -----------------------------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes if None); each input element gets ``out.grad`` of its slot."""
        axes = _axes(axis, self.ndim, "sum")
        out = Tensor(self.data.sum(axis=axes, keepdims=keepdims), (self,), "sum")

        def _backward():
            self.grad += np.broadcast_to(_expand(out.grad, axes, keepdims), self.shape)

        out._backward = _backward
        return out

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``; each input element gets ``out.grad / n`` (n elements averaged)."""
        axes = _axes(axis, self.ndim, "mean")
        n = int(np.prod([self.shape[a] for a in axes]))
        if n == 0:
            raise ValueError(
                f"mean over axis {axis!r} of a tensor of shape {self.shape}: no elements to average"
            )
        out = Tensor(self.data.mean(axis=axes, keepdims=keepdims), (self,), "mean")

        def _backward():
            self.grad += np.broadcast_to(_expand(out.grad, axes, keepdims), self.shape) / n

        out._backward = _backward
        return out

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``. The gradient goes to the maximal element; **ties**: it is
        split evenly between the tied maxima (the rule of ``torch.amax``)."""
        axes = _axes(axis, self.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max of an empty tensor (shape {self.shape})")
        out = Tensor(self.data.max(axis=axes, keepdims=keepdims), (self,), "max")

        def _backward():
            top = self.data == _expand(out.data, axes, keepdims)  # where the maximum sits
            share = top / top.sum(axis=axes, keepdims=True)  # 1/(number of ties) there
            self.grad += share * _expand(out.grad, axes, keepdims)

        out._backward = _backward
        return out

    # --- shape operations -----------------------------------------------------------------------
    def reshape(self, *shape: int) -> Tensor:
        """The same elements in a new shape; the gradient is reshaped back."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            data = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} "
                f"({self.data.size} elements) into shape {tuple(shape)}"
            ) from None
        out = Tensor(data, (self,), "reshape")

        def _backward():
            self.grad += out.grad.reshape(self.shape)

        out._backward = _backward
        return out

    def transpose(self, *axes: int) -> Tensor:
        """Permute the axes (reverse them if none given); the gradient is permuted back."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        perm = tuple(range(self.ndim))[::-1] if not axes else tuple(axes)
        if sorted(a % max(self.ndim, 1) for a in perm) != list(range(self.ndim)):
            raise ValueError(
                f"transpose(axes): {tuple(axes)} is not a permutation of the "
                f"{self.ndim} axes of a tensor of shape {self.shape}"
            )
        out = Tensor(self.data.transpose(perm), (self,), "transpose")

        def _backward():
            self.grad += out.grad.transpose(np.argsort([a % self.ndim for a in perm]))

        out._backward = _backward
        return out

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __getitem__(self, idx: Any) -> Tensor:
        """numpy indexing (ints, slices, integer or boolean arrays). The backward is a
        scatter-add, ``np.add.at``: an element picked k times receives the sum of k gradients
        (``grad[idx] += dout`` would keep only the last of repeated indices)."""
        parts = idx if isinstance(idx, tuple) else (idx,)
        if any(isinstance(p, Tensor) for p in parts):
            raise TypeError(
                "Tensor indexing: the index must be ints, slices or numpy arrays, "
                "not a Tensor (use idx.data)"
            )
        try:
            data = self.data[idx]
        except IndexError as e:
            raise IndexError(f"Tensor indexing of shape {self.shape}: {e}") from None
        out = Tensor(np.array(data, copy=True), (self,), "index")

        def _backward():
            np.add.at(self.grad, idx, out.grad)

        out._backward = _backward
        return out

    # --- elementwise functions ------------------------------------------------------------------
    def exp(self) -> Tensor:
        """e^x; the local derivative is e^x itself (taken from the output)."""
        with np.errstate(over="raise"):
            try:
                e = np.exp(self.data)
            except FloatingPointError:
                raise OverflowError(
                    f"exp overflows for {self.data.max()} (the largest "
                    f"element of a tensor of shape {self.shape})"
                ) from None
        out = Tensor(e, (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Tensor:
        """Natural log of positive elements (ValueError otherwise); the local derivative is 1/x."""
        if np.any(self.data <= 0):
            raise ValueError(
                f"log of a non-positive number: {self.data.min()} in a tensor of shape {self.shape}"
            )
        out = Tensor(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Tensor:
        """tanh(x); the local derivative 1 - tanh² is computed from the output."""
        out = Tensor(np.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Tensor:
        """max(0, x); the local derivative is 1 where x > 0, 0 elsewhere (0 at the kink, as torch)."""
        out = Tensor(np.maximum(self.data, 0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x) without overflow; the local derivative is σ (1 - σ)."""
        out = Tensor(F.sigmoid(self.data), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad

        out._backward = _backward
        return out

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)) along ``axis``, stable (log-sum-exp with the maximum subtracted).

        The backward: d = dout - softmax * sum(dout along axis), softmax = e^out.
        """
        if not isinstance(axis, Integral) or isinstance(axis, bool):  # one axis, not a tuple
            raise TypeError(f"log_softmax(axis) needs an int, got {axis!r}")
        (ax,) = _axes(axis, self.ndim, "log_softmax")
        shifted = self.data - self.data.max(axis=ax, keepdims=True)
        out = Tensor(
            shifted - np.log(np.exp(shifted).sum(axis=ax, keepdims=True)), (self,), "log_softmax"
        )

        def _backward():
            self.grad += out.grad - np.exp(out.data) * out.grad.sum(axis=ax, keepdims=True)

        out._backward = _backward
        return out

    # --- the other operators, written with the ones above --------------------------------------
    def __radd__(self, other: float) -> Tensor:
        return self._lift(other, "+") + self

    def __sub__(self, other: Tensor | float) -> Tensor:
        return self + (-self._lift(other, "-"))

    def __rsub__(self, other: float) -> Tensor:
        return self._lift(other, "-") + (-self)

    def __rmul__(self, other: float) -> Tensor:
        return self._lift(other, "*") * self

    def __rtruediv__(self, other: float) -> Tensor:
        return self._lift(other, "/") / self

    def __rmatmul__(self, other: np.ndarray) -> Tensor:
        return self._lift(other, "@") @ self

    # --- backpropagation ------------------------------------------------------------------------
    def topological_order(self) -> list[Tensor]:
        """Every node this tensor depends on, each after all of its operands (self last).

        A depth-first search with an explicit stack, as ``bpcourse.engine.Value``'s.
        """
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            stack.extend(
                (child, False) for child in reversed(node._prev) if id(child) not in visited
            )
        return order

    def backward(self, gradient: object = None) -> None:
        """Add d(self)/d(node) · ``gradient`` to the ``grad`` of every node self depends on.

        ``gradient`` (the seed, shape ``self.shape``) may be omitted for a one-element output
        (then 1), as in torch. The semantics are ``bpcourse.engine.Value.backward``'s (those of
        torch with ``retain_graph=True``): each call adds its gradients to ``.grad``.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a one-element output, "
                    f"got shape {self.shape}; pass gradient= an array of that shape"
                )
            seed = np.ones_like(self.data)
        else:
            seed = as_float_array(
                gradient, "backward(gradient)", dtype=self.dtype, allow_empty=True
            )
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward(gradient) must have the output's shape "
                    f"{self.shape}, got shape {seed.shape}"
                )
        topo = self.topological_order()
        before = [v.grad for v in topo]
        for v in topo:
            v.grad = np.zeros_like(v.data)
        self.grad = seed.copy()
        for v in reversed(topo):  # each node after everything that uses it
            v._backward()
        for v, g in zip(topo, before):
            v.grad += g

    def zero_grad(self) -> None:
        self.grad = np.zeros_like(self.data)

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Tensor(shape={self.shape}, dtype={self.dtype}{name})"


# --- functions of tensors ---------------------------------------------------------------------
def _need_tensor(x: object, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {describe(x)}")
    return x


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x.log_softmax(axis)``."""
    return _need_tensor(x, "log_softmax(x)").log_softmax(axis)


def cross_entropy(logits: Tensor, targets: object) -> Tensor:
    """Mean negative log-likelihood of integer class ``targets`` (torch's ``F.cross_entropy``).

    Args:
        logits: Tensor of shape (N, C), unnormalised scores.
        targets: integer array of shape (N,), values in 0 .. C-1.
    Returns:
        a 0-d Tensor: mean over n of -log_softmax(logits)[n, targets[n]].
    """
    logits = _need_tensor(logits, "cross_entropy(logits)")
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(
            f"cross_entropy(logits) must be 2-D (N, C) with N >= 1, got shape {logits.shape}"
        )
    t = np.asarray(targets)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy(targets) must be integer class indices, got {describe(targets)}"
        )
    n, c = logits.shape
    if t.shape != (n,):
        raise ValueError(
            f"cross_entropy(targets) must have shape ({n},) to match logits of "
            f"shape {logits.shape}, got shape {t.shape}"
        )
    if np.any((t < 0) | (t >= c)):
        raise ValueError(f"cross_entropy(targets) must be in 0..{c - 1}, got {t.min()}..{t.max()}")
    logp = logits.log_softmax(axis=1)  # (N, C)
    return -logp[np.arange(n), t].mean()  # pick each row's target, average


def checkpoint(fn: Callable[..., Tensor], *inputs: Tensor) -> Tensor:
    """``fn(*inputs)`` with its inner graph dropped, and recomputed in backward (gradient
    checkpointing, as ``torch.utils.checkpoint.checkpoint``).

    The forward runs ``fn`` on fresh leaves holding the inputs' arrays and keeps only its output:
    the segment's intermediate arrays are freed at once. The backward runs ``fn`` again (the
    extra compute: one more forward of the segment), backpropagates ``out.grad`` through that
    new graph and adds the leaves' gradients to the inputs'. Memory traded for compute; the
    gradients are the ones without checkpointing. (A node and its ``_backward`` closure refer
    to each other, so a dropped graph is freed by Python's cycle collector, ``gc.collect()``.)

    Args:
        fn: a function of ``len(inputs)`` Tensors returning one Tensor; it must compute the same
            thing each time (no randomness). Tensors it reaches without taking them as arguments
            (a weight in a closure) receive their gradients too, during the recomputation.
        inputs: the Tensors the segment reads (pass the weights too: then the outer graph holds
            them and the bytes it keeps are all counted).
    Returns:
        a Tensor with ``fn``'s value, whose operands are ``inputs``.
    """
    if not callable(fn):
        raise TypeError(f"checkpoint(fn) must be a function of Tensors, got {describe(fn)}")
    if not inputs:
        raise ValueError("checkpoint(fn, *inputs) needs at least one input Tensor, got none")
    for i, x in enumerate(inputs):
        _need_tensor(x, f"checkpoint(inputs[{i}])")

    def segment(leaves: list[Tensor]) -> Tensor:
        result = fn(*leaves)
        if not isinstance(result, Tensor):
            raise TypeError(f"checkpoint(fn) must return a Tensor, got {describe(result)}")
        return result

    y = segment([Tensor(x.data) for x in inputs])  # forward; y's graph dies with this call
    out = Tensor(y.data, inputs, "checkpoint")

    def _backward():
        leaves = [Tensor(x.data) for x in inputs]
        y = segment(leaves)  # the segment's forward again: the price of the memory saved
        y.backward(out.grad)  # reverse mode through the recomputed graph
        for x, leaf in zip(inputs, leaves):
            x.grad += leaf.grad

    out._backward = _backward
    return out


def zero_grad(tensors: Tensor | Iterable[Tensor]) -> None:
    """Set ``grad`` to zeros on a Tensor or on each Tensor of an iterable."""
    items = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for t in items:
        _need_tensor(t, "zero_grad(tensors) item").zero_grad()


__all__ = ["Tensor", "checkpoint", "cross_entropy", "log_softmax", "unbroadcast", "zero_grad"]
