"""Helpers shared by the test files (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

# docs/verification.md: hand vs torch autograd in float64.
RTOL, ATOL = 1e-10, 1e-12


def assert_same(actual, expected, rtol=RTOL, atol=ATOL):
    """Exact shape and dtype, then values: never broadcasts."""
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    assert isinstance(actual, np.ndarray), f"expected an ndarray, got {type(actual).__name__}"
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype} != {expected.dtype}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


@pytest.fixture(autouse=True)
def close_figures(monkeypatch):
    """For plot tests (autouse where imported): no plt.show(), every figure closed afterwards."""

    def no_show(*args, **kwargs):
        raise AssertionError("plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")
