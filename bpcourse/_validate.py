"""Input checks for every module of bpcourse: one clear message per bad input.

Every message names the argument, says what was expected and what came,
``"<name> must be <expected>, got <value>"``, so that a learner never has to read a traceback
from deep inside numpy. Errors are ``TypeError`` for the wrong kind of object and
``ValueError`` for the wrong shape or values. This module is the only place that checks
numbers, ints, flags, dtypes, random generators, parameter lists and arrays; the other modules
call it with the argument's name (and, where the expectation needs words, the phrase to show).
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from .nn.module import Parameter

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def describe(x: object) -> str:
    """A short description of ``x`` for error messages: type, shape and dtype."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if _is_torch_tensor(x):
        return f"a torch.Tensor of shape {tuple(x.shape)} and dtype {x.dtype}"  # type: ignore[attr-defined]
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
    shape: tuple[int | None, ...] | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray, or raise one clear error.

    Lists, tuples, Python numbers and integer or boolean arrays (XOR's 0/1 inputs) are accepted
    and converted to ``dtype`` (float64 unless ``x`` is already float32/float64 and ``dtype`` is
    None). torch tensors are refused with the conversion to use: mixing the two would hide where
    a gradient came from. ``shape`` (``None`` entries match any size) is checked by
    :func:`check_shape`.
    """
    if (  # the common case, a good float ndarray, in a few attribute tests and one isfinite pass
        type(x) is np.ndarray
        and x.dtype in FLOAT_DTYPES
        and (dtype is None or x.dtype == dtype)
        and (ndim is None or x.ndim == ndim or (not isinstance(ndim, int) and x.ndim in ndim))
        and (shape is None or _shape_matches(x.shape, shape))
        and (allow_empty or x.size)
        and (not finite or np.isfinite(x).all())
    ):
        return x
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
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
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
        raise ValueError(
            f"{name} must be finite, got {arr[where] if arr.ndim else arr} at index {where}"
        )
    if shape is not None:
        check_shape(arr, name, shape)
    return arr


def _shape_matches(actual: tuple[int, ...], expected: tuple[int | None, ...]) -> bool:
    return len(actual) == len(expected) and all(
        e is None or e == a for a, e in zip(actual, expected)
    )


def check_shape(
    arr: np.ndarray,
    name: str,
    expected: tuple[int | None, ...],
    labels: Sequence[str] | None = None,
) -> None:
    """Raise unless ``arr.shape`` matches ``expected`` (``None`` matches any size). Never broadcasts.

    ``labels`` names the axes in the message: ``(L, N, input_size=3)`` instead of ``(N, N, 3)``.
    """
    if not _shape_matches(arr.shape, expected):
        if labels is None:
            parts = ["N" if e is None else str(e) for e in expected]
        else:
            parts = [lab if e is None else f"{lab}={e}" for e, lab in zip(expected, labels)]
        want = "(" + ", ".join(parts) + (",)" if len(expected) == 1 else ")")
        raise ValueError(f"{name} must have shape {want}, got {describe(arr)}")


# --- numbers, ints, flags, dtypes -------------------------------------------------------------
# Every message reads "<name> must be <expected>, got <value>". ``expected`` is the phrase the
# learner sees; ``typed`` shows the value's type before it ("got str '0.1'"), which says more
# when the value is a string that looks like a number; ``owner`` prefixes the class
# ("SGD: lr must be ...").
def _got(value: object, typed: bool) -> str:
    return f"{type(value).__name__} {value!r:.60}" if typed else f"{value!r:.60}"


def _prefix(owner: str | None) -> str:
    return f"{owner}: " if owner else ""


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isfinite(low) and math.isfinite(high):
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if math.isfinite(low):
        return f"{'>' if low_open else '>='} {low:g}"
    if math.isfinite(high):
        return f"{'<' if high_open else '<='} {high:g}"
    return "finite"


def is_real(value: object) -> bool:
    """True for ints and floats (Python or numpy), False for bools, strings, arrays, None."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_real(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = True,
    expected: str = "a real number",
    allowed: str | None = None,
    typed: bool = False,
    owner: str | None = None,
) -> float:
    """``value`` as a Python float if it is a real number in the range, else one clear error.

    The range is ``[low, high]`` (ends excluded with ``low_open``/``high_open``), and finite
    unless ``finite=False``. ``allowed`` replaces the range's wording in the ValueError. A Python
    float keeps float32 arrays float32 in numpy arithmetic (a ``np.float64`` would not).
    """
    if not is_real(value):
        raise TypeError(f"{_prefix(owner)}{name} must be {expected}, got {_got(value, typed)}")
    v = float(value)  # type: ignore[arg-type]
    in_range = (
        (low < v if low_open else low <= v)
        and (v < high if high_open else v <= high)
        and (math.isfinite(v) or not finite)
    )
    if not in_range:
        wording = allowed or _interval(low, high, low_open, high_open)
        raise ValueError(f"{_prefix(owner)}{name} must be {wording}, got {v!r}")
    return v


def check_int(
    value: object,
    name: str,
    *,
    low: int | None = None,
    expected: str = "an int",
    below: str | None = None,
    typed: bool = False,
) -> int:
    """``value`` as a Python int (bools refused), at least ``low``; ``below`` words the minimum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}, got {_got(value, typed)}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be {below or f'>= {low}'}, got {v}")
    return v


def check_flag(value: object, name: str, *, owner: str | None = None) -> bool:
    """``value`` as a bool (``np.bool_`` too); 0, 1 and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_prefix(owner)}{name} must be True or False, got {value!r:.60}")
    return bool(value)


def check_choice(value: object, name: str, choices: Sequence[object]) -> Any:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r:.60}")
    return value


def check_dtype(dtype: object, name: str = "dtype") -> np.dtype:
    """``np.float32`` or ``np.float64`` (as a ``np.dtype``), the two dtypes the layers compute in."""
    try:
        dt = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        dt = None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dtype!r:.60}")
    return dt


# --- random generators ---------------------------------------------------------------------------
class Sampler(Protocol):
    """What the package draws from: a ``np.random.Generator``, or the ``np.random`` module."""

    def uniform(self, low: float = ..., high: float = ..., size: Any = ...) -> Any: ...

    def normal(self, loc: float = ..., scale: float = ..., size: Any = ...) -> Any: ...


def numpy_rng(
    rng: object,
    name: str = "rng",
    *,
    allow_none: bool = True,
    expected: str | None = None,
    typed: bool = False,
) -> Sampler:
    """What to draw from, the same rule everywhere in the package.

    - a ``np.random.Generator``: itself (its state advances);
    - an int seed >= 0: ``np.random.default_rng(seed)`` (the same seed, the same draws);
    - None (where ``allow_none``): the ``np.random`` module, the global legacy generator that
      ``setup_notebook()`` seeds with ``np.random.seed``.
    """
    if rng is None and allow_none:
        return np.random
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        seed = int(rng)
        if seed < 0:
            raise ValueError(f"{name} must be >= 0, got {seed}")
        return np.random.default_rng(seed)
    if expected is None:
        expected = (
            "a np.random.Generator, an int seed or None"
            if allow_none
            else "an integer (or a np.random.Generator)"
        )
    raise TypeError(f"{name} must be {expected}, got {_got(rng, typed)}")


def python_rng(rng: object, name: str = "rng") -> random.Random:
    """The generator of the pure-Python scalar engine (``bpcourse.engine``), same rule as above
    with Python's ``random`` in place of numpy's: a ``random.Random`` itself, an int seed ->
    ``random.Random(seed)``, None -> the ``random`` module's global generator (seeded by
    ``setup_notebook()`` with ``random.seed``)."""
    if rng is None or rng is random:
        return random  # type: ignore[return-value]
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return random.Random(int(rng))
    raise TypeError(f"{name} must be None, an int seed or a random.Random, got {_got(rng, True)}")


# --- parameter lists -----------------------------------------------------------------------------
def parameter_list(
    params: object,
    name: str = "params",
    *,
    owner: str | None = None,
    single_ok: bool = False,
    empty_ok: bool = False,
    unique: bool = True,
) -> list[Parameter]:
    """``params`` (a list, tuple or generator such as ``model.parameters()``) as a list.

    Refused, each with its own message: a Module (pass ``model.parameters()``), a single
    Parameter (unless ``single_ok``: then it becomes ``[param]``), arrays and torch tensors,
    parameter-group dicts, an empty list (unless ``empty_ok``), a parameter given twice (if
    ``unique``).
    """
    from .nn.module import Module, Parameter  # the layers import this module

    pre = _prefix(owner)
    expected = (
        "a Parameter or an iterable of Parameters" if single_ok else "an iterable of Parameters"
    )
    if isinstance(params, Module):
        raise TypeError(
            f"{pre}{name} must be {expected}, got the module {type(params).__name__}; "
            "pass model.parameters()"
        )
    if isinstance(params, Parameter):
        if single_ok:
            return [params]
        raise TypeError(
            f"{pre}{name} must be {expected}, got a single Parameter; wrap it in a list: [param]"
        )
    if isinstance(params, (np.ndarray, str, bytes, dict)) or not isinstance(params, Iterable):
        raise TypeError(f"{pre}{name} must be {expected}, got {type(params).__name__}")
    out = list(params)
    if not out and not empty_ok:
        raise ValueError(f"{pre}{name} is an empty parameter list; nothing to optimize")
    seen: set[int] = set()
    for i, p in enumerate(out):
        if isinstance(p, dict):
            raise TypeError(
                f"{pre}{name}[{i}] is a dict; parameter groups are not supported, "
                "pass a flat list of Parameters"
            )
        if not isinstance(p, Parameter):
            hint = (
                " (a torch tensor: bpcourse updates bpcourse.nn.Parameter)"
                if type(p).__module__.startswith("torch")
                else "; wrap arrays in bpcourse.nn.Parameter"
            )
            raise TypeError(f"{pre}{name}[{i}] must be a Parameter, got {type(p).__name__}{hint}")
        if unique and id(p) in seen:
            raise ValueError(
                f"{pre}{name}[{i}] appears twice in {name}; each parameter must be given once"
            )
        seen.add(id(p))
    return out


# --- integer indices (token ids) -----------------------------------------------------------------
def as_index_array(x: object, name: str, *, high: int, what: str) -> np.ndarray:
    """``x`` as an int64 array of indices in ``[0, high)``, or one clear error.

    Integer arrays and lists of ints (any shape, at least one element) are accepted; floats,
    bools and torch tensors are refused. ``what`` names the range in the message
    (``"num_embeddings"``): ``"idx must hold indices in [0, 10) (num_embeddings=10), got 12 at
    index (1, 2)"``.
    """
    if _is_torch_tensor(x):
        raise TypeError(
            f"{name} must be a numpy array of ints, got {describe(x)}; "
            f"convert it with {name}.detach().numpy()"
        )
    if isinstance(x, (str, bytes, dict, set)) or x is None:
        raise TypeError(f"{name} must be an array of ints, got {describe(x)}")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of ints, got {x!r:.80}") from exc
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an array of ints (indices), got {describe(arr)}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got {describe(arr)}")
    bad = (arr < 0) | (arr >= high)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold indices in [0, {high}) ({what}={high}), "
            f"got {int(arr[where])} at index {where}"
        )
    return arr.astype(np.int64, copy=False)
