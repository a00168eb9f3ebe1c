"""``assert_close``: compare a hand-computed array with a reference, and explain a mismatch.

The order of the checks is the order in which a learner should fix things: first the shape
(a comparison never broadcasts: ``(n,)`` against ``(1, n)`` is an error), then the dtype
(float32 cannot meet a float64 tolerance), then the values. When the values differ, the
message names the tensor, the index of the worst element, both values, the largest absolute
difference and, when the pattern is a classic one, its likely cause (a sign flip, a transposed
weight gradient, a missing 1/batch factor ...).

A passing comparison returns a :class:`CheckResult` whose text is one stable line: it never
shows the actual tiny differences (``1.1e-16`` on one machine is ``2.2e-16`` on another).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._validate import check_real

# The verification table (docs/verification.md): (rtol, atol) by dtype of the compared arrays.
TOLERANCES: dict[np.dtype, tuple[float, float]] = {
    np.dtype(np.float64): (1e-10, 1e-12),
    np.dtype(np.float32): (1e-5, 1e-6),
    np.dtype(np.float16): (1e-3, 1e-5),
}
# Hand gradient against central finite differences (h ~ 1e-6) in float64.
FD_TOLERANCE: tuple[float, float] = (1e-6, 1e-8)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a passing comparison. ``str(result)`` is one stable line starting "OK".

    Attributes: ``name``; ``shape`` and ``dtype`` of the compared arrays; ``rtol``/``atol`` used;
    ``max_abs_diff`` (the actual largest difference, for the curious; it is machine noise, so it
    is never part of the text).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    rtol: float
    atol: float
    max_abs_diff: float
    reference: str = "expected"

    ok: bool = True

    def __str__(self) -> str:
        return (
            f"OK {self.name}: shape {self.shape}, {self.dtype}, matches {self.reference} "
            f"(rtol={self.rtol:.0e}, atol={self.atol:.0e})"
        )

    # A notebook cell that ends with a check shows the same line as print(check).
    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.ok


def tolerance_for(dtype: np.dtype | type) -> tuple[float, float]:
    """(rtol, atol) of docs/verification.md's table for ``dtype`` (float64's for anything not listed)."""
    return TOLERANCES.get(np.dtype(dtype), TOLERANCES[np.dtype(np.float64)])


def to_numpy(x: object, name: str) -> np.ndarray:
    """``x`` (ndarray, numpy scalar, torch tensor, Python number or list) as an ndarray.

    Arrays and tensors keep their dtype (the dtype is part of the check); Python numbers and
    lists become float64, the dtype a hand computation with numpy would give.
    """
    if x is None:
        raise AssertionError(
            f"{name} is None: the variable was never given a value (did the cell that "
            "computes it run, and does the function end with `return`?)"
        )
    if type(x).__module__.startswith("torch") and hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    if hasattr(x, "grad") and hasattr(x, "data") and type(x).__name__ == "Parameter":
        raise TypeError(
            f"{name} is a Parameter: compare its gradient {name}.grad (or its value {name}.data)"
        )
    if isinstance(x, (np.ndarray, np.generic)):
        arr = np.asarray(x)
    else:
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array or a number, got {type(x).__name__}") from exc
    if arr.dtype == object:
        raise TypeError(f"{name} must be an array of numbers, got an object array")
    return arr


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _fmt_index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _is_gradient(name: str) -> bool:
    """Does ``name`` call a gradient (``dW1``, ``ex_dx``, ``a.grad``)? Gradient advice needs it."""
    return bool(re.search(r"(^|[_.\s])d[A-Za-z]|grad", name))


def _fmt_pair(x: float, y: float) -> tuple[str, str]:
    """Both values with just enough significant digits to show that they differ."""
    for digits in (4, 6, 8, 10, 12, 17):
        sx, sy = f"{float(x):.{digits}g}", f"{float(y):.{digits}g}"
        if sx != sy:
            break
    return sx, sy


def _shape_hint(a: np.ndarray, e: np.ndarray, name: str = "") -> str:
    """The likely cause of a shape mismatch, or "" if there is no classic pattern."""
    sa, se = a.shape, e.shape
    if a.ndim == 2 and e.ndim == 2 and sa == se[::-1]:
        hint = " — transposed? Yours has the expected shape reversed"
        if _is_gradient(name):
            hint += (
                ". A gradient has the shape of what it is the gradient of; "
                "for y = x @ W.T with W of shape (out, in), dW = dy.T @ x"
            )
        if np.issubdtype(a.dtype, np.number) and np.allclose(a.T, e, rtol=1e-6, atol=1e-8):
            hint += " (your transpose matches the expected values)"
        return hint
    if a.size == e.size and tuple(d for d in sa if d != 1) == tuple(d for d in se if d != 1):
        hint = (
            f" — the same numbers in a different shape: {_fmt_shape(sa)} against "
            f"{_fmt_shape(se)}. Comparisons never broadcast here, because numpy would silently "
            "turn (n,) - (n, 1) into an (n, n) matrix. "
        )
        k = abs(a.ndim - e.ndim)
        axes = "axis" if k == 1 else "axes"
        if a.ndim > e.ndim:
            return hint + (
                f"Yours has {k} {axes} of size 1 too many: drop keepdims=True from "
                f"the sum, or .reshape{_fmt_shape(se)}"
            )
        if a.ndim < e.ndim:
            return hint + (
                f"Yours lacks {'an' if k == 1 else k} {axes} of size 1: keepdims=True in the sum, [:, None], or "
                f".reshape{_fmt_shape(se)}"
            )
        return hint + f"A row where a column is expected (or the reverse): .reshape{_fmt_shape(se)}"
    if a.ndim == e.ndim + 1 and sa[1:] == se:
        return (
            f" — one value per sample? The batch axis (size {sa[0]}) must be summed over: "
            "each sample adds its contribution to a parameter's gradient (e.g. db = dout.sum(axis=0))"
        )
    if a.size == e.size:
        return " — the same number of elements, laid out differently (a reshape or a transpose?)"
    return ""


def _dtype_hint(a: np.ndarray, e: np.ndarray) -> str:
    if not np.issubdtype(e.dtype, np.floating) and np.issubdtype(a.dtype, np.floating):
        return (
            f" — the reference is an array of dtype {e.dtype}: build it as floats "
            "(np.array([...], dtype=np.float64)), or pass a Python list"
        )
    if not np.issubdtype(a.dtype, np.floating):
        return (
            f" — an array of dtype {a.dtype} cannot hold a gradient: np.zeros_like(x) of an "
            "integer x is integer too; use np.zeros(x.shape) or x.astype(np.float64)"
        )
    if a.dtype == np.float32 and e.dtype == np.float64:
        return (
            " — float32 keeps about 7 significant digits, so it cannot meet the float64 "
            "tolerance. Make the inputs float64 (numpy's default; torch.tensor(...) is float32 "
            "unless dtype=torch.float64 or setup_notebook() ran) or call .astype(np.float64)"
        )
    if a.dtype == np.float64 and e.dtype == np.float32:
        return (
            " — the reference is float32: compare in the same precision "
            "(build the reference in float64)"
        )
    return ""


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _value_hint(
    a: np.ndarray,
    e: np.ndarray,
    rtol: float,
    atol: float,
    batch_size: int | None,
    dtype: np.dtype,
    name: str = "",
) -> str:
    """The likely cause of a value mismatch (same shape and dtype), or "" when none is certain."""
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(e)):
        bad = np.argwhere(~np.isfinite(a))[0] if a.ndim else ()
        return (
            f"Likely cause: yours contains {a[tuple(bad)]} at {_fmt_index(tuple(bad))} — "
            "overflow in exp, log(0) or a division by zero; use a numerically stable formula."
        )
    if not np.all(np.isfinite(e)):
        return ""  # a NaN/inf reference: no ratio, sign or transpose pattern means anything
    # Pattern tests use a tolerance a little looser than the check, so that a sign flip
    # computed with a different summation order is still recognised as a sign flip.
    prt, pat = max(rtol, 1e-7), max(atol, 1e-9)
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    if scale <= pat:
        return ""
    if not np.any(a):
        return (
            "Likely cause: yours is all zeros — was the backward pass run, and does it write "
            "(+=) into .grad rather than into a copy?"
        )
    if _close(a, -e, prt, pat):
        return "Likely cause: a sign flip — yours is exactly minus the expected values. " + _SIGN
    if a.ndim == 2 and a.shape[0] == a.shape[1] > 1 and _close(a.T, e, prt, pat):
        hint = "Likely cause: transposed — yours is the transpose of the expected values."
        if _is_gradient(name):
            hint += " A weight W of shape (out, in) used as y = x @ W.T has dW = dy.T @ x."
        return hint
    nz = np.abs(e) > 1e-3 * scale
    if not nz.any():
        return ""  # np.median of nothing warns "Mean of empty slice"
    ratios = a[nz] / e[nz]
    r = float(np.median(ratios))
    if r != 0 and abs(r - 1) > 1e-3 and _close(a, r * e, prt, pat):
        return _ratio_hint(r, batch_size)
    rel = float(np.max(np.abs(a - e)) / scale)
    if dtype == np.float64 and 1e-9 < rel < 1e-5:
        if _float32_valued(a) and not _float32_valued(e):
            return (
                f"Likely cause: float32 — every value of yours is a float32 number, and the "
                f"difference (about {rel:.0e} of the values) is float32's rounding: a step was "
                "computed in float32 (torch.tensor(...) is float32 by default)."
            )
        return (
            f"Close, but not the same formula: the difference is about {rel:.0e} of the values, "
            "far above float64 rounding (1e-16). Look for an approximation or a constant in "
            "another place (a one-sided difference, an epsilon inside instead of outside a root)."
        )
    return ""


def _float32_valued(x: np.ndarray) -> bool:
    """Is every value exactly a float32 number (so it went through float32 on its way)?"""
    with np.errstate(over="ignore"):
        return bool(np.all(x.astype(np.float32).astype(np.float64) == x))


_SIGN = (
    "Look for one minus sign too many or too few: a difference taken the other way round "
    "(y - pred for pred - y) or a derivative's own sign (d/dx of cos x is -sin x)."
)


def _ratio_hint(r: float, batch_size: int | None) -> str:
    """A constant factor between yours and the expected values, named only where it is certain."""
    k, inv = round(r), round(1 / r)
    is_batch = batch_size is not None
    if k == -1 and abs(r + 1) < 1e-6:  # minus the expected values, but for rounding
        return (
            f"Likely cause: a sign flip — yours is minus the expected values (times {r:.7f}: "
            f"the rest is rounding, e.g. float32 or another summation order). " + _SIGN
        )
    if k >= 2 and abs(r - k) < 1e-6 * k:
        why = f"a factor 1/{k} is missing"
        if is_batch and k == batch_size:
            why += f": the batch has {k} samples, so the mean's 1/N (reduction='mean') was left out"
        if k == 2:
            why += "; or a second backward pass without zero_grad() (gradients add up)"
        return f"Likely cause: yours is {k} times the expected values everywhere — {why}."
    if inv >= 2 and abs(1 / r - inv) < 1e-6 * inv:
        why = f"a factor {inv} is missing"
        if is_batch and inv == batch_size:
            why += " (dividing by the batch size twice, or averaging a loss defined as a sum?)"
        elif inv == 2:
            why += " (the 2 of d(u**2)/du = 2u?)"
        return f"Likely cause: yours is 1/{inv} of the expected values everywhere — {why}."
    if k <= -2 and abs(r - k) < 1e-6 * -k:
        return (
            f"Likely cause: yours is {k} times the expected values — a sign flip and a factor "
            f"1/{-k} missing."
        )
    for sq, label in (
        (r * r, f"sqrt({round(r * r)})"),
        (1 / (r * r), f"1/sqrt({round(1 / (r * r))})"),
    ):
        if round(sq) >= 2 and abs(sq - round(sq)) < 1e-6 * sq:
            return (
                f"Likely cause: yours is {label} times the expected values everywhere — a square "
                "root is off (a standard deviation for a variance, or sqrt(fan_in))."
            )
    shown = f"{r:.4g}"
    if float(shown) == round(r):  # 2.00001 must not read as a clean 2
        shown = f"{r:.7g}"
    what = "a sign flip, and a constant factor is off" if r < 0 else "a constant factor is off"
    return f"Likely cause: yours is {shown} times the expected values everywhere — {what}."


def _tolerance(value: object, name: str) -> float | None:
    """``value`` (None or a real number >= 0) as a float; ``float("1e-5")`` must not pass silently."""
    if value is None:
        return None
    return check_real(
        value,
        name,
        low=0.0,
        finite=False,
        expected="a non-negative number",
        allowed="a non-negative number",
    )


def assert_close(
    actual: object,
    expected: object,
    name: str = "gradient",
    *,
    rtol: float | None = None,
    atol: float | None = None,
    labels: tuple[str, str] = ("yours", "expected"),
    batch_size: int | None = None,
    reference: str = "expected",
) -> CheckResult:
    """Assert that ``actual`` equals ``expected``: same shape, same dtype, close values.

    Args:
        actual: the array to check (numpy array, torch tensor, number), shape ``S``.
        expected: the reference, shape ``S`` exactly (never broadcast).
        name: what is compared, used in every message (e.g. ``"dW1"``).
        rtol, atol: tolerances; by default docs/verification.md's table for the dtype
            (float64: 1e-10 and 1e-12; float32: 1e-5 and 1e-6). Elementwise rule:
            ``|actual - expected| <= atol + rtol * |expected|``.
        labels: how the two sides are called in a failure message.
        batch_size: if known, lets the message name a missing 1/N factor with certainty.
        reference: how the passing line names the reference ("autograd", ...).

    Returns:
        a :class:`CheckResult`; ``str()`` of it is one stable line starting with ``OK``.

    Raises:
        AssertionError: with a message a learner can act on: shape first, then dtype, then
        the worst element (index, both values, max abs diff) and the likely cause.
    """
    rtol, atol = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
    a = to_numpy(actual, name)
    e = to_numpy(expected, f"the reference for {name}")
    mine, theirs = labels
    if a.shape != e.shape:
        raise AssertionError(
            f"{name} has shape {_fmt_shape(a.shape)}, expected {_fmt_shape(e.shape)}"
            + _shape_hint(a, e, name)
        )
    if a.dtype != e.dtype:
        msg = f"{name} has dtype {a.dtype}, expected {e.dtype}" + _dtype_hint(a, e)
        if np.issubdtype(a.dtype, np.number) and np.issubdtype(e.dtype, np.number):
            r32, a32 = TOLERANCES[np.dtype(np.float32)]
            if _close(a.astype(np.float64), e.astype(np.float64), r32, a32):
                msg += ". (The values agree to float32 precision: only the dtype is wrong.)"
        raise AssertionError(msg)
    if not (np.issubdtype(e.dtype, np.floating) or np.issubdtype(e.dtype, np.integer)):
        raise TypeError(f"{name}: cannot compare arrays of dtype {e.dtype}")
    d_rtol, d_atol = tolerance_for(e.dtype)
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol
    af, ef = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(af - ef)
        bad = ~(diff <= atol + rtol * np.abs(ef))  # NaN counts as bad
    # Where the reference is infinite the tolerance is infinite too: only the same infinity
    # agrees (their difference is NaN); 5.0 or -inf against +inf is a mismatch.
    inf_ref = np.isinf(ef)
    bad |= inf_ref & (af != ef)
    bad &= ~((af == ef) & inf_ref)
    if not np.any(bad):
        worst = float(np.max(diff, initial=0.0, where=np.isfinite(diff)))
        return CheckResult(name, a.shape, str(a.dtype), rtol, atol, worst, reference)
    score = np.where(np.isnan(diff), np.inf, diff)
    score = np.where(bad, score, -1.0)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(score)), a.shape)) if a.ndim else ()
    where = f" at {_fmt_index(idx)}" if a.ndim else ""
    n_bad, n = int(np.count_nonzero(bad)), a.size
    lines = [
        f"{name}: max abs diff {float(np.max(score)):.2g}{where} "
        f"({mine} {{}}, {theirs} {{}})".format(*_fmt_pair(af[idx], ef[idx])),
        f"{n_bad} of {n} elements differ by more than atol + rtol*|{theirs}| "
        f"(rtol={rtol:.0e}, atol={atol:.0e}).",
    ]
    hint = _value_hint(af, ef, rtol, atol, batch_size, a.dtype, name)
    if hint:
        lines.append(hint)
    raise AssertionError("\n".join(lines))
