"""Weight initialisation, with ``torch.nn.init``'s names, gains and fan rules (numpy only).

Why it matters: each layer multiplies the signal by its weights. If a weight's variance is
``v`` and the layer has ``fan_in`` inputs, one output's variance is about ``fan_in * v`` times
the input's. Choosing ``v = gain**2 / fan_in`` (He/Kaiming) or ``v = gain**2 * 2 / (fan_in +
fan_out)`` (Xavier/Glorot) keeps that factor near 1, so activations and gradients neither vanish
nor explode through depth. ``gain`` corrects for what the nonlinearity does to the variance
(ReLU zeroes half of it, hence ``gain = sqrt(2)``).

Every function fills its argument *in place* and returns it, like torch's trailing-underscore
functions. The argument may be a :class:`~bpcourse.nn.Parameter` (its ``.data`` is filled) or a
float numpy array. A ``Linear`` weight has shape ``(out_features, in_features)``, so
``fan_in = shape[1]`` and ``fan_out = shape[0]`` (times the receptive field for conv kernels).

``rng`` is a ``np.random.Generator``, an int seed, or None (numpy's global legacy RNG, which
``setup_notebook()`` seeds), as in ``bpcourse.nn.Linear``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._validate import check_real, is_real, numpy_rng
from .module import Parameter

__all__ = [
    "calculate_gain",
    "calculate_fan_in_and_fan_out",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

# What every function accepts and returns: a Parameter (its .data is filled) or a float array.
Fillable = Parameter | np.ndarray
RNG = np.random.Generator | int | None

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity``, exactly torch's table.

    ``linear``/conv/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu``: sqrt(2 / (1 + negative_slope**2)) with ``param`` the slope (default 0.01);
    ``selu``: 3/4.
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif is_real(param):
            slope = float(param)  # is_real: a numbers.Real
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    known = ", ".join((*_LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu"))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; expected one of: {known}")


def _array_of(tensor: object, name: str = "tensor") -> np.ndarray:
    """The float array to fill in place: ``tensor`` itself or a Parameter's ``.data``."""
    arr = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(arr, np.ndarray):
        raise TypeError(
            f"{name} must be a Parameter or a numpy array (filled in place), got "
            f"{type(tensor).__name__}"
            + ("; call .detach().numpy() first" if hasattr(tensor, "detach") else "")
        )
    if arr.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must have dtype float32 or float64, got {arr.dtype}")
    return arr


def calculate_fan_in_and_fan_out(tensor: Fillable) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``, torch's rule.

    ``fan_in = shape[1] * prod(shape[2:])`` and ``fan_out = shape[0] * prod(shape[2:])``.
    """
    shape = _array_of(tensor).shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {shape}); a bias is initialised by other rules"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _correct_fan(tensor: Fillable, mode: str) -> int:
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


def _real(x: object, name: str) -> float:
    # Infinity is allowed, as in torch (constant_(w, inf) is legitimate, if odd).
    return check_real(x, name, finite=False)


def _fill(tensor: Fillable, values: np.ndarray | float) -> Fillable:
    arr = _array_of(tensor)
    arr[...] = values  # in place: keeps the array's identity and dtype
    return tensor


def _empty(tensor: Fillable) -> bool:
    if _array_of(tensor).size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def uniform_(tensor: Fillable, a: float = 0.0, b: float = 1.0, *, rng: RNG = None) -> Fillable:
    """Fill ``tensor`` (any shape) with samples of U(a, b)."""
    arr = _array_of(tensor)
    a, b = _real(a, "a"), _real(b, "b")
    if a > b:  # numpy would fill silently; torch refuses too
        raise ValueError(f"uniform_ expects a <= b, got a={a!r} > b={b!r}")
    return _fill(tensor, numpy_rng(rng).uniform(a, b, size=arr.shape))


def normal_(tensor: Fillable, mean: float = 0.0, std: float = 1.0, *, rng: RNG = None) -> Fillable:
    """Fill ``tensor`` (any shape) with samples of N(mean, std**2)."""
    arr = _array_of(tensor)
    mean = _real(mean, "mean")
    std = check_real(std, "std", low=0.0, finite=False)
    return _fill(tensor, numpy_rng(rng).normal(mean, std, size=arr.shape))


def constant_(tensor: Fillable, val: float) -> Fillable:
    """Fill ``tensor`` with ``val``."""
    return _fill(tensor, _real(val, "val"))


def zeros_(tensor: Fillable) -> Fillable:
    """Fill ``tensor`` with 0 (the usual bias init)."""
    return constant_(tensor, 0.0)


def ones_(tensor: Fillable) -> Fillable:
    """Fill ``tensor`` with 1 (BatchNorm's scale)."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Fillable, gain: float = 1.0, *, rng: RNG = None) -> Fillable:
    """Glorot & Bengio (2010): U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    The standard deviation is ``gain * sqrt(2 / (fan_in + fan_out))``: a compromise between
    keeping the forward variance (fan_in) and the backward variance (fan_out) constant.
    """
    gain = _real(gain, "gain")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # U(-a, a) has standard deviation a / sqrt(3)
    return uniform_(tensor, -a, a, rng=rng)


def xavier_normal_(tensor: Fillable, gain: float = 1.0, *, rng: RNG = None) -> Fillable:
    """Glorot & Bengio (2010): N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    gain = _real(gain, "gain")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, rng=rng)


def kaiming_uniform_(
    tensor: Fillable,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: RNG = None,
) -> Fillable:
    """He et al. (2015): U(-bound, bound) with ``bound = gain * sqrt(3 / fan)``.

    ``fan`` is ``fan_in`` (keeps the forward variance) or ``fan_out`` (keeps the backward
    variance); ``gain = calculate_gain(nonlinearity, a)``, ``a`` being the leaky slope.
    torch's default ``nonlinearity="leaky_relu"`` with ``a=0`` gives the ReLU gain sqrt(2).
    """
    if _empty(tensor):
        return tensor
    fan = _correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng=rng)


def kaiming_normal_(
    tensor: Fillable,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: RNG = None,
) -> Fillable:
    """He et al. (2015): N(0, std**2) with ``std = gain / sqrt(fan)`` (see ``kaiming_uniform_``)."""
    if _empty(tensor):
        return tensor
    fan = _correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, rng=rng)
