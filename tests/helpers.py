"""Helpers shared by the test files (pytest puts tests/ on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

# DESIGN.md: hand vs torch autograd in float64.
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


@dataclass(frozen=True)
class Case:
    """One entry of an exercise's catalogue: an answer and what the check must say of it.

    ``phrase`` None: a correct answer, which must pass. Otherwise a typical wrong answer, which
    must be rejected (status "mistake" or "error") with ``phrase`` in the message: the phrase
    names that answer's mistake.
    """

    name: str
    answer: Any
    phrase: str | None

    def __str__(self) -> str:
        label = getattr(self.answer, "__name__", type(self.answer).__name__)
        return f"{self.name}:{label}"


def run_catalogue(cases: list[Case]):
    """A parametrised test running every case through the check the notebook calls."""
    from bpcourse.exercises import run

    @pytest.mark.parametrize("case", cases, ids=str)
    def test_catalogue(case: Case) -> None:
        outcome = run(case.name, case.answer)
        if case.phrase is None:
            assert outcome.status == "ok", f"{case}: the right answer is rejected:\n{outcome.message}"
        else:
            assert outcome.status in ("mistake", "error"), f"{case}: accepted ({outcome.message})"
            assert case.phrase.lower() in outcome.message.lower(), (
                f"{case}: the message does not name the mistake {case.phrase!r}:\n{outcome.message}"
            )
        assert len(outcome.message.splitlines()) <= 12, f"{case}: message too long"

    return test_catalogue
