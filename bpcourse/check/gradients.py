"""Finite differences and the 3-way gradient check (hand vs autograd vs finite differences).

Central differences ``(f(x + h) - f(x - h)) / 2h`` need float64: with ``h = 1e-6`` the rounding
error of ``f`` is divided by ``h``, which float32's 7 digits cannot afford.

Near a kink (ReLU at 0, ``abs`` at 0, ``max``) the central difference straddles two slopes and
is meaningless there. Such coordinates are found (given by the caller, or detected because the
second differences around the point are not those of a smooth function), reported and left
out of the finite-difference comparison instead of failing it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_real
from .compare import FD_TOLERANCE, CheckResult, assert_close, to_numpy

_EPS = float(np.finfo(np.float64).eps)
# Rounding noise allowed in a second difference, in units of eps * (1 + |f|): a loss summing a
# few hundred terms has a rounding error of up to ~100 eps of its size, and the 1 covers
# intermediate values of order 1 that cancel (log(exp(x)) near 0). A kink of slope jump J adds
# at least J*h/2 to the spread of the second differences: J > 5e-6 (1 + |f|) is always found.
_KINK_NOISE = 1e4


def _as_f64_input(x: object, name: str) -> np.ndarray:
    arr = to_numpy(x, name)
    if arr.dtype == np.float32 or arr.dtype == np.float16:
        raise TypeError(
            f"{name} is {arr.dtype}: finite differences need float64 (with h = 1e-6, float32's "
            "rounding error of about 1e-7 would be divided by h). Pass x.astype(np.float64)."
        )
    return np.array(arr, dtype=np.float64)


def _scalar(value: object, what: str) -> float:
    v = np.asarray(to_numpy(value, what), dtype=np.float64)
    if v.size != 1:
        raise ValueError(
            f"{what} must return a single number (a loss), got an array of shape {v.shape}: "
            "reduce it, e.g. with .sum()"
        )
    return float(v.reshape(()))


def kink_mask(x: np.ndarray, kinks: object, h: float) -> np.ndarray:
    """Boolean mask ``(shape of x)`` of the coordinates within ``h`` of a given kink.

    ``kinks`` is None (no given kink), a boolean mask the shape of ``x``, or a sequence of kink
    locations in x's coordinates (``[0.0]`` for ``relu(x)``).
    """
    if kinks is None:
        return np.zeros(x.shape, dtype=bool)
    k = np.asarray(kinks)
    if k.dtype == np.bool_:
        if k.shape != x.shape:
            raise ValueError(f"a kink mask must have the shape of x {x.shape}, got {k.shape}")
        return k.copy()
    locs = np.asarray(k, dtype=np.float64).ravel()
    return np.any(np.abs(x[..., None] - locs) <= h, axis=-1)


def numerical_grad(
    fn: Callable[[np.ndarray], object],
    x: object,
    h: float = 1e-6,
    *,
    kinks: object = None,
    return_kinks: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Central finite differences of a scalar numpy function: ``df/dx``, the shape of ``x``.

    Args:
        fn: ``fn(x) -> number`` (a float or a one-element array), ``x`` of shape ``S``.
            Called with a float64 copy of ``x`` that is changed one coordinate at a time.
        x: the point, shape ``S`` (float64; integers and lists are converted).
        h: the step; ``1e-6`` balances truncation (h**2) and rounding (eps/h) errors.
        kinks: only with ``return_kinks=True``: coordinates known to sit at a kink, as a
            boolean mask of shape ``S`` or as kink locations in x's coordinates (``[0.0]``
            for ``relu(x)``).
        return_kinks: also return the mask of coordinates within ``h`` of a kink: those given
            by ``kinks`` plus those detected (the second differences at x - h, x, x + h differ
            by more than rounding allows, so ``fn`` is not smooth there). Costs 4 calls of
            ``fn`` per coordinate instead of 2.

    Returns:
        ``grad`` of shape ``S``, or ``(grad, kink_mask)`` with ``return_kinks=True``; the
        central difference at a kink coordinate is meaningless: leave those out.
    """
    xv = _as_f64_input(x, "x")
    h = check_real(h, "h", low=0.0, low_open=True, allowed="a positive number")
    if kinks is not None and not return_kinks:
        raise TypeError("kinks= is used with return_kinks=True (which returns the kink mask)")
    grad = np.zeros_like(xv)
    mask: Any = kink_mask(xv, kinks, h) if return_kinks else None
    f0 = _scalar(fn(xv), "fn") if return_kinks else 0.0
    for idx in np.ndindex(xv.shape):
        old = xv[idx]
        xv[idx] = old + h
        fp = _scalar(fn(xv), "fn")
        xv[idx] = old - h
        fm = _scalar(fn(xv), "fn")
        if return_kinks:
            xv[idx] = old + 2 * h
            fpp = _scalar(fn(xv), "fn")
            xv[idx] = old - 2 * h
            fmm = _scalar(fn(xv), "fn")
            second = (fmm - 2 * fm + f0, fm - 2 * f0 + fp, f0 - 2 * fp + fpp)
            noise = _KINK_NOISE * _EPS * (1.0 + max(abs(fmm), abs(fm), abs(f0), abs(fp), abs(fpp)))
            if max(second) - min(second) > noise:
                mask[idx] = True
        xv[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return (grad, mask) if return_kinks else grad


# --- the 3-way check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class GradientReport:
    """A passing 3-way check; ``str()`` gives one stable line per input."""

    lines: tuple[str, ...]
    kinks: Mapping[str, tuple[tuple[int, ...], ...]]

    def __str__(self) -> str:
        return "\n".join(self.lines)

    __repr__ = __str__

    def __bool__(self) -> bool:
        return True


def _structure(
    inputs: object, hand: object, names: object
) -> tuple[list[Any], list[Any], list[str]]:
    if isinstance(inputs, Mapping):
        keys = list(inputs)
        if not isinstance(hand, Mapping) or set(hand) != set(keys):
            got = list(hand) if isinstance(hand, Mapping) else type(hand).__name__
            raise TypeError(f"hand must be a dict with the keys of inputs {keys}, got {got}")
        return [inputs[k] for k in keys], [hand[k] for k in keys], [f"d{k}" for k in keys]
    if isinstance(inputs, (tuple, list)):
        xs = list(inputs)
        hs = list(hand) if isinstance(hand, (tuple, list)) else [hand]
        if len(hs) != len(xs):
            raise TypeError(f"hand must hold {len(xs)} gradients (one per input), got {len(hs)}")
        default = [f"d{i}" for i in range(len(xs))]
    else:
        xs, hs, default = [inputs], [hand], ["dx"]
    if names is None:
        ns = default
    else:
        ns = [names] if isinstance(names, str) else list(names)  # type: ignore[call-overload]
        if len(ns) != len(xs):
            raise TypeError(f"names must hold {len(xs)} names, got {len(ns)}")
    return xs, hs, ns


def _kinks_for(kinks: object, i: int, key: str, n: int) -> object:
    if kinks is None:
        return None
    if isinstance(kinks, Mapping):
        return kinks.get(key)
    if n > 1 and isinstance(kinks, (tuple, list)) and len(kinks) == n and not np.isscalar(kinks[0]):
        return kinks[i]
    return kinks


def check_gradient(
    fn: Callable[..., object],
    inputs: object,
    hand: object,
    *,
    torch_fn: Callable[..., Any] | None = None,
    names: str | Sequence[str] | None = None,
    h: float = 1e-6,
    kinks: object = None,
) -> GradientReport:
    """3-way check: your gradient vs torch autograd vs central finite differences.

    Args:
        fn: the scalar function in numpy, ``fn(*xs) -> number`` (finite differences use it).
        inputs: one float64 array ``x`` (shape ``S``), a tuple of them, or a dict
            ``{"W": W, "b": b}`` (passed to ``fn`` positionally, in the dict's order).
        hand: your gradient(s), same structure as ``inputs``, each the shape of its input.
        torch_fn: the same function written with torch operations, for autograd; if None,
            ``fn`` itself is tried on tensors (works when it uses only ``+ - * / @ **`` and
            methods such as ``.sum()``).
        names: names for the messages (default ``dx``, ``d0, d1 ...`` or ``d<key>``).
        h: finite-difference step.
        kinks: coordinates at kinks, per input (a dict by key or a tuple) or for the single
            input: a boolean mask or kink locations in the input's coordinates (``[0.0]``).
            Detected kinks are added. Kink coordinates are reported and left out of the
            comparison with finite differences (not out of the one with autograd).

    Returns:
        a :class:`GradientReport`; raises ``AssertionError`` naming the disagreeing pair.
    """
    from .autograd import _torch, torch_grad

    xs, hs, ns = _structure(inputs, hand, names)
    keys = list(inputs) if isinstance(inputs, Mapping) else ns
    xs = [_as_f64_input(x, f"the input of {n}") for x, n in zip(xs, ns)]
    # fn runs in numpy first, so that a bug in it shows as itself, not as a torch problem.
    value = _scalar(fn(*xs), "fn")
    torch = _torch()
    tfn = fn if torch_fn is None else torch_fn
    try:
        # requires_grad as in torch_grad: without it np.tanh(tensor) runs (with a warning)
        # and the failure would come later, from inside torch_grad. Warnings of this probe
        # (float(tensor) ...) are dropped: the error below, or torch_grad's own run, says more.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value_t = tfn(*[torch.tensor(x, requires_grad=True) for x in xs])
        if not isinstance(value_t, torch.Tensor):
            raise TypeError("not a tensor")
    except Exception as exc:
        if torch_fn is not None:
            raise
        raise TypeError(
            "fn does not run on torch tensors (it uses numpy functions such as np.tanh): "
            "pass torch_fn=, the same function written with torch operations"
        ) from exc
    assert_close(
        value,
        _scalar(value_t.detach().numpy(), "torch_fn"),
        "the value of fn",
        labels=("fn", "torch_fn"),
        rtol=1e-8,
        atol=1e-10,
    )
    auto = torch_grad(tfn, *xs)
    # Rounding in fn, divided by h, is the floor of a finite difference's error: a loss of
    # size 100 cannot give its gradient to better than ~1e-8 absolute.
    fd_rtol, fd_atol = FD_TOLERANCE[0], max(FD_TOLERANCE[1], 16 * _EPS * abs(value) / h)
    lines, kink_report = [], {}
    for i, (x, g, n, key) in enumerate(zip(xs, hs, ns, keys)):

        def f_i(xi, i=i):
            args = list(xs)
            args[i] = xi
            return fn(*args)

        fd, mask = numerical_grad(
            f_i, x, h, kinks=_kinks_for(kinks, i, key, len(xs)), return_kinks=True
        )
        at_kink = [tuple(int(j) for j in idx) for idx in np.argwhere(mask)]
        kink_report[n] = tuple(at_kink)
        # Autograd and finite differences must agree first: otherwise fn and torch_fn differ.
        try:
            # Kink coordinates take autograd's value: left out, the shape (and indices) kept.
            assert_close(
                auto[i],
                np.where(mask, auto[i], fd),
                n,
                labels=("autograd", "finite diff"),
                rtol=fd_rtol,
                atol=fd_atol,
            )
        except AssertionError as err:
            raise AssertionError(
                f"torch_fn's autograd gradient disagrees with the finite differences of fn: "
                f"are fn and torch_fn the same function?\n{err}"
            ) from None
        try:
            res: CheckResult = assert_close(
                g, auto[i], n, labels=("hand", "autograd"), batch_size=None, reference="autograd"
            )
        except AssertionError as err:
            msg = str(err)
            if at_kink:
                msg += (
                    f"\nNote: {n} has coordinates at a kink {_fmt_idx(at_kink)}, where the "
                    "derivative is not defined; torch uses relu'(0) = 0, i.e. (x > 0), not (x >= 0)."
                )
            raise AssertionError(msg) from None
        line = f"{res} and finite differences (h={h:.0e}, rtol={fd_rtol:.0e}, atol={fd_atol:.0e})"
        if at_kink:
            s = "" if len(at_kink) == 1 else "s"
            line += (
                f"; {len(at_kink)} coordinate{s} within h of a kink left out of the "
                f"finite-difference comparison: {_fmt_idx(at_kink)}"
            )
        lines.append(line)
    return GradientReport(tuple(lines), kink_report)


def _fmt_idx(idxs: list[tuple[int, ...]], limit: int = 5) -> str:
    shown = ", ".join("[" + ", ".join(map(str, i)) + "]" for i in idxs[:limit])
    return shown + (f" and {len(idxs) - limit} more" if len(idxs) > limit else "")
