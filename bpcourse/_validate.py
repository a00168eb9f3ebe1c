"""Input checks shared by the hand-written modules: one clear message per bad input.

Every message names the argument, says what was expected and what came, so that a learner
never has to read a traceback from deep inside numpy. Errors are ``TypeError`` for the wrong
kind of object and ``ValueError`` for the wrong shape or values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def describe(x: object) -> str:
    """A short description of ``x`` for error messages: type, shape and dtype."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if _is_torch_tensor(x):
        return f"a torch.Tensor of shape {tuple(x.shape)} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def _is_torch_tensor(x: object) -> bool:
    # Detected by module name: the hand-written modules never import torch.
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def as_float_array(
    x: object,
    name: str,
    *,
    dtype: np.dtype | type | None = None,
    ndim: int | Sequence[int] | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray, or raise one clear error.

    Lists, tuples, Python numbers and integer or boolean arrays (XOR's 0/1 inputs) are accepted
    and converted to ``dtype`` (float64 unless ``x`` is already float32/float64 and ``dtype`` is
    None). torch tensors are refused with the conversion to use: mixing the two would hide where
    a gradient came from.
    """
    if _is_torch_tensor(x):
        raise TypeError(
            f"{name} must be a numpy array, got {describe(x)}; "
            f"convert it with {name}.detach().numpy()"
        )
    if isinstance(x, (str, bytes, dict, set)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {describe(x)}")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers, got {x!r:.80}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be an array of numbers, got {describe(x)}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype not in FLOAT_DTYPES:
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got {describe(arr)}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got {describe(arr)}")
    if finite and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        raise ValueError(f"{name} must be finite, got {arr[where] if arr.ndim else arr} at index {where}")
    return arr


def check_shape(arr: np.ndarray, name: str, expected: tuple[int | None, ...]) -> None:
    """Raise unless ``arr.shape`` matches ``expected`` (``None`` matches any size). Never broadcasts."""
    ok = len(arr.shape) == len(expected) and all(
        e is None or e == s for s, e in zip(arr.shape, expected)
    )
    if not ok:
        want = "(" + ", ".join("N" if e is None else str(e) for e in expected) + (
            ",)" if len(expected) == 1 else ")"
        )
        raise ValueError(f"{name} must have shape {want}, got {describe(arr)}")
