"""Helpers shared by the test files (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from bpcourse import nn

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
# Each test file keeps the cases of its module in a table, ``BAD_INPUT = BadInputs()``:
#
# - ``BAD_INPUT.raises(...)`` (a ``Raises``): a call that must fail with ONE clear error, of the
#   given type, whose message matches a regex naming the argument (anchored at the start where the
#   argument comes first) and saying what was expected and what came ("... must be ..., got ...");
# - ``BAD_INPUT.accepts(...)`` (an ``Accepts``): a call that is legitimate (a list instead of an
#   array, integer inputs, float32, a batch of one in eval mode ...) and must give the right result,
#   compared with a reference computed independently (torch, or the same maths written out),
#   never with itself.
#
# A case that bpcourse does not handle well yet is marked ``xfail(strict=True)`` with the fix it
# needs (``fix=``): the day the fix lands, the case passes, the strict xfail fails, the mark goes.
@dataclass
class Raises:
    """A call that must fail with ONE clear error of type ``exc`` whose message matches ``match``
    (a regex naming the argument, what was expected and what came).

    Build the object under test inside ``fn`` (``lambda g: nn.Flatten().backward(g)``), not in
    the table (``nn.Flatten().backward``): a table is built when pytest imports the file, and
    ``make mutation`` switches a mutant on only while a test runs, so an ``__init__`` that ran
    at import time is never tested against its mutants.
    """

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
    ids = [c.id for c in raises] + [c.id for c in accepts]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"bad-input case ids must be unique, repeated: {repeated}")

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


class BadInputs:
    """One test file's table of bad-input cases (see above), run by ``bad_input_tests``."""

    def __init__(self) -> None:
        self.raising: list[Raises] = []
        self.accepted: list[Accepts] = []

    def raises(self, *args: Any, **kwargs: Any) -> None:
        self.raising.append(Raises(*args, **kwargs))

    def accepts(self, *args: Any, **kwargs: Any) -> None:
        self.accepted.append(Accepts(*args, **kwargs))

    def tests(self) -> tuple[Callable[[Raises], None], Callable[[Accepts], None]]:
        return bad_input_tests(self.raising, self.accepted)


# Inputs and torch references shared by several modules' tables.
T = torch.float64
X23 = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5]])
XI = np.array([[1, -2, 3], [0, 2, -1]])  # integer inputs
X32 = X23.astype(np.float32)
NAN = np.array([[0.5, np.nan, 2.0]])
INF = np.array([[0.5, np.inf, 2.0]])
P = np.array([[0.2, 0.7], [0.9, 0.4]])  # probabilities
XM = np.array([[0.5, -1.0], [2.0, -0.3]])  # regression outputs (2, 2)
Y = np.array([[0.0, 1.0], [1.0, 0.0]])  # binary targets
G23 = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -1.0]])  # a gradient for a (2, 3) output
CE_T = np.array([2, 0])  # class indices for (2, 3) logits
TORCH = torch.ones(2, 3, dtype=torch.float64)
NUMPY_HINT = r"must be a numpy array, got a torch\.Tensor .*\.detach\(\)\.numpy\(\)"


def tt(a, dtype=T, grad=False):
    """A torch tensor copy of ``a`` (the reference side)."""
    return torch.tensor(np.array(a, dtype=np.float64), dtype=dtype, requires_grad=grad)


def tgrad(fn, *arrays, dtype=T):
    """d sum(fn(*xs)) / d xs[0] by torch autograd, as numpy (elementwise derivative for maps)."""
    xs = [tt(a, dtype, grad=(i == 0)) for i, a in enumerate(arrays)]
    out = fn(*xs)
    (g,) = torch.autograd.grad(out.sum(), xs[0])
    return g.detach().numpy()


def loss_ref(tloss, p, t, reduction="mean", grad=False, dtype=T):
    """The torch loss ``tloss(p, t)`` (or its gradient in ``p``), computed when called."""

    def ref():
        pt = tt(p, dtype, grad=True)
        out = tloss(pt, tt(t, dtype), reduction=reduction)
        if not grad:
            return out.item() if reduction != "none" else out.detach().numpy()
        (g,) = torch.autograd.grad(out.sum(), pt)
        return g.numpy()

    return ref


def ce_ref(z, t, reduction="mean", grad=False, dtype=T):
    """torch's cross-entropy of logits ``z``: (N, C) and class indices (N,) or probabilities."""

    def ref():
        zt = tt(z, dtype, grad=True)
        tgt = torch.as_tensor(np.asarray(t)).long() if np.ndim(t) == 1 else tt(t, dtype)
        out = torch.nn.functional.cross_entropy(zt, tgt, reduction=reduction)
        if not grad:
            return out.item() if reduction != "none" else out.detach().numpy()
        (g,) = torch.autograd.grad(out.sum(), zt)
        return g.numpy()

    return ref


def as_in_a_notebook(fn, *args, **kwargs):
    """Run ``fn`` with warnings shown rather than raised (pytest turns them into errors here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def fresh_linear(dtype=np.float64):
    """The same Linear(3, 2) every time (seeded)."""
    return nn.Linear(3, 2, rng=0, dtype=dtype)


def backward_before_forward(module, g):
    return module.backward(g)


def forward_backward(module, x, g, **kw):
    module(x)
    return module.backward(g, **kw)


def forward_backward_twice(module, x, g, what="param"):
    """Forward once, backward twice: returns (the 2nd input gradient, the 1st parameter's .grad)."""
    module(x)
    module.backward(g)
    dx = module.backward(g)
    params = module.parameters()
    return params[0].grad if (what == "param" and params) else dx


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
