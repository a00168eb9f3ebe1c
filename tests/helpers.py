"""Helpers shared by the test files (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
            assert outcome.status == "ok", (
                f"{case}: the right answer is rejected:\n{outcome.message}"
            )
        else:
            assert outcome.status in ("mistake", "error"), f"{case}: accepted ({outcome.message})"
            assert case.phrase.lower() in outcome.message.lower(), (
                f"{case}: the message does not name the mistake {case.phrase!r}:\n{outcome.message}"
            )
        assert len(outcome.message.splitlines()) <= 12, f"{case}: message too long"

    return test_catalogue


# --- the bad-input tables: one runner for every module's cases --------------------------------
@dataclass
class Raises:
    """A call that must fail with ONE clear error of type ``exc`` whose message matches ``match``
    (a regex naming the argument, what was expected and what came)."""

    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    exc: type[BaseException] = ValueError
    match: str = ""
    fix: str | None = None  # set: bpcourse does not do this yet (strict xfail naming the fix)


@dataclass
class Accepts:
    """A legitimate but unusual call that must give ``expected()``, a reference computed
    independently (torch, or the maths written out), never with the code under test."""

    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Callable[[], Any] | None = None
    rtol: float = RTOL
    atol: float = ATOL
    fix: str | None = None


def _param(case: Raises | Accepts) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"needs: {case.fix}")] if case.fix else []
    return pytest.param(case, id=case.id, marks=marks)


def bad_input_tests(
    raises: list[Raises], accepts: list[Accepts]
) -> tuple[Callable[[Raises], None], Callable[[Accepts], None]]:
    """The two parametrised tests of a catalogue: ``test_x, test_y = bad_input_tests(R, A)``."""

    @pytest.mark.parametrize("case", [_param(c) for c in raises])
    def test_raises_one_clear_error(case: Raises) -> None:
        with pytest.raises(Exception) as info:
            case.fn(*case.args, **case.kwargs)
        err = info.value
        assert type(err) is case.exc or (
            isinstance(err, case.exc) and type(err).__module__.startswith("bpcourse")
        ), f"{case.id}: expected {case.exc.__name__}, got {type(err).__name__}: {err}"
        assert re.search(case.match, str(err)), (
            f"{case.id}: message {str(err)!r} does not match {case.match!r}"
        )
        # ONE error: no chained numpy/torch traceback shown as "During handling of the above ...".
        assert err.__context__ is None or err.__suppress_context__ or err.__cause__ is not None, (
            f"{case.id}: the error was raised while handling {type(err.__context__).__name__}"
        )

    @pytest.mark.parametrize("case", [_param(c) for c in accepts])
    def test_gives_the_reference_result(case: Accepts) -> None:
        assert case.expected is not None, f"{case.id}: no reference"
        got = case.fn(*case.args, **case.kwargs)
        want = case.expected()
        if isinstance(want, tuple):
            assert isinstance(got, tuple) and len(got) == len(want)
            pairs = list(zip(got, want))
        else:
            pairs = [(got, want)]
        for g, w in pairs:
            if isinstance(w, (bool, str)):
                assert g == w and type(g) is type(w), f"{case.id}: got {g!r}, expected {w!r}"
                continue
            if isinstance(w, float):
                assert isinstance(g, float), (
                    f"{case.id}: a Python float was expected, got {type(g).__name__}"
                )
            g_arr, w_arr = np.asarray(g), np.asarray(w)
            assert g_arr.shape == w_arr.shape, (
                f"{case.id}: shape {g_arr.shape}, expected {w_arr.shape}"
            )
            assert g_arr.dtype == w_arr.dtype, (
                f"{case.id}: dtype {g_arr.dtype}, expected {w_arr.dtype}"
            )
            np.testing.assert_allclose(
                g_arr, w_arr, rtol=case.rtol, atol=case.atol, err_msg=case.id
            )

    return test_raises_one_clear_error, test_gives_the_reference_result


ROOT = pathlib.Path(__file__).resolve().parent.parent


def copy_repository(dst: pathlib.Path) -> pathlib.Path:
    """Copy the repository's tracked and untracked (not ignored) files to ``dst``."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dst / name)
    return dst
