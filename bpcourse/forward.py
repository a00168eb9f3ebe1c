"""Forward-mode differentiation with dual numbers: each quantity carries its tangent.

A :class:`Dual` holds a value ``x`` and a tangent ``dx`` (the derivative of ``x`` along one
chosen input direction ``v``). Every operation computes its value and, next to it, its tangent
with the chain rule *forwards*: ``d(a b) = da b + a db``. One pass through ``f`` with tangent
``v`` on the inputs gives ``f(x)`` and the Jacobian-vector product ``J v`` (:func:`jvp`).

The cost model the notebook measures: the full gradient of a scalar loss of n inputs needs n
forward-mode passes (one per input direction, :func:`jacobian`), but one reverse-mode pass
(``bpcourse.tensor``). Forward mode keeps nothing for later: memory stays flat.

Values and tangents are floats or numpy arrays of the same shape. numpy only, never torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from . import functional as F
from ._validate import as_float_array, describe


class Dual:
    """A value and its tangent (the directional derivative along the seed direction).

    Attributes:
        value: a float64/float32 array (0-d for a scalar).
        tangent: an array of ``value``'s shape: d(value) along the seed direction.
    """

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None  # ndarray + Dual: numpy defers to Dual.__radd__

    def __init__(self, value: object, tangent: object = 0.0) -> None:
        self.value = as_float_array(value, "Dual(value)", allow_empty=True)
        tangent = as_float_array(tangent, "Dual(tangent)", dtype=self.value.dtype, allow_empty=True)
        if tangent.shape != self.value.shape:
            if tangent.ndim:
                raise ValueError(
                    f"Dual(tangent) must have the value's shape "
                    f"{self.value.shape}, got shape {tangent.shape}"
                )
            tangent = np.full_like(self.value, tangent)  # a number: the same everywhere
        self.tangent = tangent

    @classmethod
    def _make(cls, value: np.ndarray, tangent: np.ndarray) -> Dual:
        """An op's result, without re-validating (shapes already agree)."""
        out = cls.__new__(cls)
        out.value, out.tangent = np.asarray(value), np.asarray(tangent)
        return out

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"

    # --- arithmetic: value, then tangent (forward chain rule) -----------------------------------
    def __add__(self, other: object) -> Dual:
        o = _lift(other, "+")
        return Dual._make(self.value + o.value, self.tangent + o.tangent)  # da + db

    def __mul__(self, other: object) -> Dual:
        o = _lift(other, "*")
        return Dual._make(
            self.value * o.value, self.tangent * o.value + self.value * o.tangent
        )  # da b + a db

    def __truediv__(self, other: object) -> Dual:
        o = _lift(other, "/")
        if np.any(o.value == 0):
            raise ZeroDivisionError("Dual /: the divisor has a zero value")
        return Dual._make(
            self.value / o.value, (self.tangent * o.value - self.value * o.tangent) / o.value**2
        )

    def __pow__(self, n: float) -> Dual:
        if not isinstance(n, Real) or isinstance(n, bool):
            raise TypeError(
                f"unsupported exponent for Dual **: {describe(n)}; expected a plain int or float"
            )
        n = float(n)
        local = 0.0 if n == 0 else n * self.value ** (n - 1)
        return Dual._make(self.value**n, local * self.tangent)  # n x^(n-1) dx

    def __neg__(self) -> Dual:
        return Dual._make(-self.value, -self.tangent)

    def __matmul__(self, other: object) -> Dual:
        o = _lift(other, "@")
        return Dual._make(
            self.value @ o.value, self.tangent @ o.value + self.value @ o.tangent
        )  # dA B + A dB

    def __radd__(self, other: object) -> Dual:
        return _lift(other, "+") + self

    def __sub__(self, other: object) -> Dual:
        return self + (-_lift(other, "-"))

    def __rsub__(self, other: object) -> Dual:
        return _lift(other, "-") + (-self)

    def __rmul__(self, other: object) -> Dual:
        return _lift(other, "*") * self

    def __rtruediv__(self, other: object) -> Dual:
        return _lift(other, "/") / self

    def __rmatmul__(self, other: object) -> Dual:
        return _lift(other, "@") @ self

    def reshape(self, *shape: int) -> Dual:
        return Dual._make(self.value.reshape(*shape), self.tangent.reshape(*shape))

    def sum(self, axis: int | tuple[int, ...] | None = None) -> Dual:
        return Dual._make(self.value.sum(axis=axis), self.tangent.sum(axis=axis))


def _lift(x: object, op: str) -> Dual:
    """A Dual, or a constant (tangent 0) from a number or an array."""
    if isinstance(x, Dual):
        return x
    if (isinstance(x, Real) and not isinstance(x, bool)) or (
        isinstance(x, np.ndarray) and x.dtype.kind in "fiu"
    ):
        value = np.asarray(x, dtype=np.float64 if np.asarray(x).dtype.kind in "iu" else None)
        return Dual._make(value, np.zeros_like(value))
    raise TypeError(
        f"unsupported operand for Dual {op}: {describe(x)}; expected a Dual, a "
        f"real number or a numpy array of numbers"
    )


# --- elementwise functions: on a Dual, value and tangent; on anything else, numpy -------------
Func = Callable[[Any], Any]


def _unary(name: str, f: Func, df: Func) -> Func:
    def op(x: Any) -> Any:
        if isinstance(x, Dual):
            return Dual._make(f(x.value), df(x.value) * x.tangent)  # f'(x) dx
        return f(x)

    op.__name__ = name
    op.__doc__ = f"{name}(x): numpy's on arrays; on a Dual, the value and f'(x) · tangent."
    return op


def _log(x: Any) -> Any:
    if np.any(np.asarray(x) <= 0):
        raise ValueError("log of a non-positive number")
    return np.log(x)


exp = _unary("exp", np.exp, np.exp)
log = _unary("log", _log, lambda x: 1 / x)
sin = _unary("sin", np.sin, np.cos)
cos = _unary("cos", np.cos, lambda x: -np.sin(x))
tanh = _unary("tanh", np.tanh, lambda x: 1 - np.tanh(x) ** 2)
relu = _unary("relu", lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(np.asarray(x).dtype))
sigmoid = _unary("sigmoid", F.sigmoid, F.sigmoid_grad)


# --- jvp and the Jacobian column by column ---------------------------------------------------
def jvp(
    f: Callable[..., Any], primals: Sequence[object], tangents: Sequence[object]
) -> tuple[np.ndarray, np.ndarray]:
    """``(f(*primals), J_f(primals) · tangents)`` in one forward pass, like ``torch.func.jvp``.

    Args:
        f: a function of arrays built from Dual-aware operations (``+ - * / ** @``,
            ``bpcourse.forward.exp`` ...), returning one array.
        primals: the point, a tuple of arrays.
        tangents: the direction, a tuple of arrays of the primals' shapes.
    Returns:
        (output, output tangent), two arrays of the output's shape.
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            "jvp(primals, tangents) must be tuples of arrays, as in torch.func.jvp, "
            f"got {describe(primals)} and {describe(tangents)}"
        )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: {len(primals)} primals but {len(tangents)} tangents; give one tangent per primal"
        )
    duals = []
    for i, (p, t) in enumerate(zip(primals, tangents)):
        p = as_float_array(p, f"jvp(primals[{i}])", allow_empty=True)
        t = as_float_array(t, f"jvp(tangents[{i}])", dtype=p.dtype, allow_empty=True)
        if t.shape != p.shape:
            raise ValueError(
                f"jvp: tangents[{i}] must have primals[{i}]'s shape {p.shape}, got shape {t.shape}"
            )
        duals.append(Dual(p, t))
    out = f(*duals)
    if not isinstance(out, Dual):
        raise TypeError(
            f"jvp: f must return a Dual (built from Dual-aware operations), got "
            f"{describe(out)}; a constant output has tangent 0"
        )
    return out.value, out.tangent


def jacobian(f: Callable[..., Any], x: object) -> tuple[np.ndarray, int]:
    """The Jacobian of ``f`` at ``x`` by forward mode: one :func:`jvp` per input coordinate.

    Args:
        f: a function of one array of shape S_in returning an array of shape S_out.
        x: the point.
    Returns:
        (J, passes): J of shape S_out + S_in, and the number of forward passes (x.size).
    """
    x = as_float_array(x, "jacobian(x)")
    columns = []
    for k in range(x.size):  # one pass per input direction e_k
        e = np.zeros_like(x).reshape(-1)
        e[k] = 1.0
        _, col = jvp(f, (x,), (e.reshape(x.shape),))
        columns.append(col)
    J = np.stack(columns, axis=-1)  # (S_out..., n)
    return J.reshape(J.shape[:-1] + x.shape), x.size


__all__ = ["Dual", "cos", "exp", "jacobian", "jvp", "log", "relu", "sigmoid", "sin", "tanh"]
