"""The machinery behind every exercise: a registry of checks, and what the learner sees.

An exercise is a function the learner writes (``def ex_sin(x): ...``). Its check is a small
adversarial test registered under the same name (``@register("ex_sin", hints=...)``): it calls
the learner's function on inputs chosen so that every typical mistake gives a result different
from the right one, and raises :class:`Mistake` naming the mistake it recognises.

``run(name, answer)`` runs a check and returns an :class:`Outcome` (status and message): the
catalogue tests call it with typical wrong answers. ``exercise(name)`` is what a notebook's check
cell calls: it prints one line when the answer is right or not written yet, and raises a short
error (a few lines, no traceback wall) when it is wrong, with a hint that goes one step further
at each failed attempt. ``hint(name)`` asks for the next hint.

Under nbgrader (``NBGRADER_EXECUTION`` set while it autogrades or validates) an exercise that is
not done fails instead of printing, so that it scores no points.
"""

from __future__ import annotations

import importlib
import linecache
import os
import pkgutil
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..check.compare import assert_close, to_numpy

OK, MISTAKE, ERROR, NOT_DONE = "ok", "mistake", "error", "not done"
MAX_LINES = 15  # no check cell prints more than this
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
_MISSING = object()


class Mistake(AssertionError):
    """Raised by a check: the learner's answer is wrong, and the message says how."""


class ExerciseFailed(AssertionError):
    """A wrong answer, shown in a notebook as its message alone (no traceback)."""

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [f"{type(self).__name__}: {self.args[0]}"]


class ExerciseNotDone(ExerciseFailed):
    """An exercise still unanswered while nbgrader grades: it must fail, not print."""


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its name, its check, and its hints from a nudge to the answer."""

    name: str
    check: Callable[[Any], object]
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The result of :func:`run`: ``status`` is "ok", "mistake", "error" or "not done"."""

    name: str
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == OK


REGISTRY: dict[str, Exercise] = {}
_failures: dict[str, int] = {}  # hint level reached per exercise in this kernel


def register(name: str, *, hints: tuple[str, ...]) -> Callable[[Callable], Callable]:
    """Register ``check`` as the check of exercise ``name``.

    Args:
        name: the learner's function (``"ex_sin"``).
        hints: from a nudge (``hints[0]``, shown before the learner has tried: it must not give
            the answer) to the answer itself (the last, shown after repeated failures).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"name must be a Python identifier, got {name!r}")
    if not hints or not all(isinstance(h, str) and h for h in hints):
        raise TypeError(f"hints of {name} must be a non-empty tuple of non-empty strings")

    def decorate(check: Callable[[Any], object]) -> Callable[[Any], object]:
        old = REGISTRY.get(name)
        where = (check.__module__, check.__qualname__)
        if old is not None and (old.check.__module__, old.check.__qualname__) != where:
            raise ValueError(
                f"exercise {name!r} is registered twice ({old.check.__module__} and "
                f"{check.__module__}): exercise names are global, one per course"
            )
        REGISTRY[name] = Exercise(name, check, tuple(hints))
        return check

    return decorate


def lookup(name: str) -> Exercise:
    """The registered exercise ``name`` (every ``bpcourse.exercises.nbNN`` module is loaded)."""
    if name not in REGISTRY:
        package = importlib.import_module("bpcourse.exercises")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("nb"):
                importlib.import_module(f"bpcourse.exercises.{info.name}")
    if name not in REGISTRY:
        raise LookupError(f"no exercise named {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def _matches(got: object, value: object) -> bool:
    """Same shape and close values (dtype aside): is ``got`` the value a mistake gives?"""
    try:
        a, b = to_numpy(got, "got").astype(np.float64), to_numpy(value, "value").astype(np.float64)
    except (TypeError, ValueError, AssertionError):
        return False
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(a, b, rtol=1e-7, atol=1e-10, equal_nan=True))


def expect(
    got: object,
    want: object,
    what: str,
    *,
    mistakes: Mapping[str, object] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Pass if ``got`` equals ``want`` (``assert_close``'s rules); else raise a :class:`Mistake`.

    Args:
        got: the learner's value (array, tensor or number).
        want: the reference, computed independently (torch autograd, maths), same shape.
        what: what is compared, in the learner's words ("a.grad for sin(a) + 3a").
        mistakes: description -> the value that mistake produces on these inputs. A ``got``
            equal to one of them is diagnosed by its description.
        rtol, atol: tolerances (default: the verification table for ``want``'s dtype).

    Raises:
        Mistake: "<what>: <description>" for a recognised mistake, else assert_close's diagnosis.
        RuntimeError: a mistake's value equals ``want``: the check's inputs cannot tell them apart.
    """
    mistakes = dict(mistakes or {})
    for description, value in mistakes.items():
        if _matches(value, want):
            raise RuntimeError(
                f"check of {what}: the mistake {description!r} gives the right value on these inputs"
            )
    try:
        assert_close(got, want, what, rtol=rtol, atol=atol)
        return
    except AssertionError as err:
        diagnosis = str(err)
    except TypeError as err:
        raise Mistake(f"{what}: {err}") from None
    for description, value in mistakes.items():
        if _matches(got, value):
            raise Mistake(f"{what}: {description}")
    raise Mistake(diagnosis)


IN_PLACE = (
    "{fn} changed its argument {name} in place (e.g. {name} -= ... or {name} **= ...): "
    "work on new arrays and leave the caller's {name} as it was"
)


def check_unchanged(
    fn: str, before: Mapping[str, Any], after: Mapping[str, Any], message: str = IN_PLACE
) -> None:
    """The caller's arguments must be exactly as they were before the learner's ``fn`` ran.

    ``before``: name -> a copy taken before the call; ``after``: name -> the caller's array after
    it. The first one that differs raises :class:`Mistake` with ``message``, in which ``{fn}``
    and ``{name}`` stand for the function and the argument.
    """
    for name, old in before.items():
        if not np.array_equal(old, after[name]):
            raise Mistake(message.format(fn=fn, name=name))


def _learner_frame(tb: traceback.StackSummary) -> traceback.FrameSummary | None:
    """The innermost frame of the learner's code: not the package, not a library."""
    libraries = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for frame in reversed(tb):
        path = os.path.realpath(frame.filename)
        if path.startswith(_PACKAGE_DIR) or any(path.startswith(lib) for lib in libraries):
            continue
        if "site-packages" in path or frame.filename.startswith("<frozen"):
            continue
        return frame
    return None


def _advice(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return (
            f"Python allows about {sys.getrecursionlimit()} nested calls and this check's graph "
            "is deeper: a recursive function cannot visit it. Use an explicit stack (a list you "
            "append to and pop from) instead of recursion."
        )
    text = str(err)
    if isinstance(err, ValueError) and ("matmul" in text or "broadcast" in text or "shape" in text):
        return (
            "A shape error on that line: write the shape of every array beside it (a weight "
            "is (out, in), a batch (N, in)) and check that the sizes of each product line up."
        )
    if isinstance(err, TypeError) and "bitwise_xor" in text:
        return "`^` is Python's bitwise xor, not a power: write b**2 for b squared."
    if isinstance(err, ZeroDivisionError):
        return "A division by zero on that line: which denominator is 0 on this call?"
    if isinstance(err, IndexError):
        return (
            "An index past the end of an array on that line: are the sizes (steps, batch, "
            "width) taken from the inputs, or from a notebook variable or a number in the code?"
        )
    return ""


def _error_message(name: str, err: BaseException) -> str:
    if isinstance(err, RecursionError):
        head = "RecursionError: maximum recursion depth exceeded"
    else:
        head = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}".rstrip(": ")
    lines = [f"your code raised {head}"]
    frames = traceback.extract_tb(err.__traceback__)
    frame = _learner_frame(frames)
    if frame is not None:
        code = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
        lines.append(f"  in {frame.name}, line {frame.lineno}: {code}")
    advice = _advice(err)
    if advice:
        lines.append(advice)
    return "\n".join(lines)


def _short(text: str, limit: int = MAX_LINES - 3) -> str:
    lines = text.splitlines()
    return "\n".join(lines[:limit] + (["..."] if len(lines) > limit else []))


def run(name: str, answer: object = None) -> Outcome:
    """Run exercise ``name``'s check on ``answer`` (None: not written yet) and say what happened."""
    ex = lookup(name)
    if answer is None:
        return Outcome(name, NOT_DONE, f"{name} is not defined yet")
    try:
        summary = ex.check(answer)
    except Mistake as err:
        return Outcome(name, MISTAKE, _short(str(err)))
    except NotImplementedError:
        return Outcome(name, NOT_DONE, f"{name} still raises NotImplementedError (the stub)")
    except (Exception, RecursionError) as err:  # the learner's code failed: say so, briefly
        return Outcome(name, ERROR, _short(_error_message(name, err)))
    text = summary if isinstance(summary, str) and summary else "passes every check"
    return Outcome(name, OK, text)


def _grading() -> bool:
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _hint_line(ex: Exercise, level: int) -> str:
    more = f' (hint("{ex.name}") shows the next one)' if level < len(ex.hints) else ""
    return f"Hint {level} of {len(ex.hints)}{more}: {ex.hints[level - 1]}"


def exercise(name: str, answer: object = _MISSING) -> None:
    """The check cell of an exercise: ``exercise("ex_sin")``.

    ``answer`` defaults to the notebook's global named ``name`` (absent: not done yet).
    Prints one line when the answer is right or not written yet; raises a short
    :class:`ExerciseFailed` naming the mistake, with the next hint, when it is wrong.
    """
    ex = lookup(name)
    if answer is _MISSING:
        answer = sys._getframe(1).f_globals.get(name)
    outcome = run(name, answer)
    if outcome.status == OK:
        print(f"Exercise {name}: OK, {outcome.message}.")
        return
    if outcome.status == NOT_DONE:
        text = f"Exercise not done yet: {name}. {_hint_line(ex, 1)}"
        if _grading():
            raise ExerciseNotDone(text)
        print(text)
        return
    level = min(_failures.get(name, 0) + 1, len(ex.hints))
    _failures[name] = level
    raise ExerciseFailed(
        f"Exercise {name}: not right yet.\n{outcome.message}\n{_hint_line(ex, level)}"
    )


def hint(name: str) -> None:
    """Print the next hint of exercise ``name`` (up to the last, which gives the answer)."""
    ex = lookup(name)
    level = min(_failures.get(name, 0) + 1, len(ex.hints))
    _failures[name] = level
    print(_hint_line(ex, level))
