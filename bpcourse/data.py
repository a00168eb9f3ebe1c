"""Small data sets made here from a seed (nothing is downloaded).

Each function draws from ``np.random.default_rng(seed)``, so the same seed gives the same data
on every machine, and returns float64 inputs:

- ``xor()``: the 4 corners of the unit square, ``X (4, 2)``, targets ``y (4, 1)`` in {0., 1.}.
- ``spirals(...)``: interleaved spirals (CS231n), ``X (N, 2)``, class indices ``y (N,)`` int64.
- ``moons(...)``: two interleaving half circles, ``X (N, 2)``, class indices ``y (N,)`` int64.
- ``linear_toy(...)``: ``y = weight * x + bias + noise``, ``X (N, 1)``, ``y (N, 1)``.

This module never imports torch.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_int, check_real, numpy_rng

__all__ = ["linear_toy", "moons", "spirals", "xor"]


def _count(value: object, name: str, minimum: int) -> int:
    return check_int(
        value, name, low=minimum, expected="an integer", below=f"at least {minimum}", typed=True
    )


def _noise(value: object) -> float:
    return check_real(
        value, "noise", low=0.0, expected="a number", allowed="a finite number >= 0", typed=True
    )


def _finite(value: object, name: str) -> float:
    return check_real(value, name, expected="a number", typed=True)


def _rng(seed: object) -> np.random.Generator:
    return numpy_rng(seed, "seed", allow_none=False, typed=True)  # type: ignore[return-value]


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: no straight line separates its two classes.

    Returns:
        X: ``(4, 2)`` float64, the corners (0,0), (0,1), (1,0), (1,1).
        y: ``(4, 1)`` float64, 1.0 when exactly one input is 1 (the shape of a one-output net).
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


def spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: object = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals, one arm per class (the CS231n toy problem), shuffled.

    Args:
        n_per_class: points per class (>= 1).
        n_classes: number of classes, one spiral arm each (>= 2).
        noise: standard deviation of the Gaussian noise on the angle (radians, >= 0).
        seed: integer seed (or a ``np.random.Generator``).

    Returns:
        X: ``(N, 2)`` float64 with ``N = n_per_class * n_classes``, inside the unit disc.
        y: ``(N,)`` int64 class indices in ``0 .. n_classes - 1``.
    """
    n = _count(n_per_class, "n_per_class", 1)
    k = _count(n_classes, "n_classes", 2)
    sd = _noise(noise)
    rng = _rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n), k)
    turn = 4.0  # radians an arm turns from the centre to the rim
    start = np.repeat(np.arange(k) * 2 * np.pi / k, n)
    angle = start + radius * turn + rng.normal(0.0, sd, size=n * k)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    order = rng.permutation(n * k)
    return X[order], y[order]


def moons(n: int = 200, noise: float = 0.1, seed: object = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (like scikit-learn's ``make_moons``), shuffled.

    Args:
        n: total number of points (>= 2); class 0 gets ``n - n // 2``, class 1 ``n // 2``.
        noise: standard deviation of the Gaussian noise added to both coordinates (>= 0).
        seed: integer seed (or a ``np.random.Generator``).

    Returns:
        X: ``(n, 2)`` float64.
        y: ``(n,)`` int64 class indices in {0, 1}.
    """
    n = _count(n, "n", 2)
    sd = _noise(noise)
    rng = _rng(seed)
    n1 = n // 2
    n0 = n - n1
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + rng.normal(0.0, sd, size=(n, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def linear_toy(
    n: int = 50,
    noise: float = 0.1,
    seed: object = 0,
    *,
    weight: float = 2.0,
    bias: float = -1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """A linear-regression toy: ``y = weight * x + bias + noise``, x uniform in [-1, 1].

    Args:
        n: number of points (>= 1).
        noise: standard deviation of the Gaussian noise on y (>= 0; 0 gives an exact line).
        seed: integer seed (or a ``np.random.Generator``).
        weight, bias: the true line, which a fitted ``Linear(1, 1)`` should recover.

    Returns:
        X: ``(n, 1)`` float64.
        y: ``(n, 1)`` float64 (the shape of a ``Linear(1, 1)`` output, for ``MSELoss``).
    """
    n = _count(n, "n", 1)
    sd = _noise(noise)
    w, b = _finite(weight, "weight"), _finite(bias, "bias")
    rng = _rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 1))
    y = w * X + b + rng.normal(0.0, sd, size=(n, 1))
    return X, y
