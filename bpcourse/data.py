"""Small data sets made here from a seed (nothing is downloaded).

Each function draws from ``np.random.default_rng(seed)``, so the same seed gives the same data
on every machine, and returns float64 inputs:

- ``xor()``: the 4 corners of the unit square, ``X (4, 2)``, targets ``y (4, 1)`` in {0., 1.}.
- ``spirals(...)``: interleaved spirals (CS231n), ``X (N, 2)``, class indices ``y (N,)`` int64.
- ``moons(...)``: two interleaving half circles, ``X (N, 2)``, class indices ``y (N,)`` int64.
- ``linear_toy(...)``: ``y = weight * x + bias + noise``, ``X (N, 1)``, ``y (N, 1)``.
- ``digits(...)``: scikit-learn's bundled 8x8 handwritten digits (1,797 images, shipped inside
  the scikit-learn wheel, nothing downloaded), split into train / validation / test by a seed.

This module never imports torch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_int, check_real, numpy_rng

__all__ = ["Digits", "digits", "linear_toy", "moons", "spirals", "xor"]


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


class Digits(NamedTuple):
    """A fixed split of the handwritten digits; images are ``(N, 64)`` float64 in [0, 1]."""

    x_train: np.ndarray  # (n_train, 64) float64, pixel intensities / 16
    y_train: np.ndarray  # (n_train,) int64, the digit 0..9
    x_val: np.ndarray  # (n_val, 64)
    y_val: np.ndarray  # (n_val,)
    x_test: np.ndarray  # (n_test, 64)
    y_test: np.ndarray  # (n_test,)


def digits(seed: object = 0, *, n_val: int = 297, n_test: int = 300) -> Digits:
    """scikit-learn's 1,797 handwritten digits (8x8, 16 grey levels), shuffled and split.

    The images come from ``sklearn.datasets.load_digits``, which reads a file shipped inside the
    scikit-learn wheel: nothing is downloaded. Pixels are divided by 16 so they lie in [0, 1];
    an image is a row of 64 pixels (``x.reshape(-1, 8, 8)`` gives the picture back).

    Args:
        seed: integer seed (or a ``np.random.Generator``) of the shuffle before the split;
            the same seed gives the same split on every machine.
        n_val, n_test: sizes of the validation and test sets (each >= 1); the training set
            gets the rest (1,200 images with the defaults).

    Returns:
        ``Digits(x_train, y_train, x_val, y_val, x_test, y_test)``.
    """
    from sklearn.datasets import load_digits  # imported here: only digits needs it

    n_val = _count(n_val, "n_val", 1)
    n_test = _count(n_test, "n_test", 1)
    rng = _rng(seed)
    bunch = load_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    if n_val + n_test >= len(x):
        raise ValueError(
            f"n_val + n_test must be less than the {len(x)} images (some must be left to "
            f"train on), got {n_val} + {n_test} = {n_val + n_test}"
        )
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    n_train = len(x) - n_val - n_test
    val, test = slice(n_train, n_train + n_val), slice(n_train + n_val, None)
    return Digits(x[:n_train], y[:n_train], x[val], y[val], x[test], y[test])
