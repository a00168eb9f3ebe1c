"""``exercise``: the check cell that follows an exercise.

In the student edition an exercise's solution is replaced by ``raise NotImplementedError``: the
variable is then missing, or the learner's function raises. The check cell must not bury that
under a traceback: it prints "Exercise not done yet" with a hint and returns. Once an answer
exists, it is checked as strictly as any other gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .compare import assert_close


class _NotDone(Exception):
    """Raised inside ``exercise`` when the learner's answer does not exist yet."""


def _resolve(answer: Any, name: str) -> Any:
    if answer is None:
        raise _NotDone
    if callable(answer) and not hasattr(answer, "shape"):
        try:
            answer = answer()
        except NotImplementedError:
            raise _NotDone from None
        except NameError as err:
            # The exercise cell stopped before defining the learner's name: not done yet.
            # A NameError about any other name is a bug in the answer, shown as it is.
            if getattr(err, "name", None) == name or f"'{name}'" in str(err):
                raise _NotDone from None
            raise
        if answer is None:
            raise _NotDone
    return answer


def _present(answer: Any) -> Any:
    if answer is None:
        raise _NotDone
    return answer


def exercise(
    name: str,
    answer: Any,
    expected: Any = None,
    *,
    check: Callable[[Any], object] | None = None,
    hint: str = "",
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Check an exercise; print "Exercise not done yet" instead of failing when it is not done.

    Args:
        name: the learner's variable or function (``"ex_dW"``), used in every message.
        answer: the learner's result: pass ``globals().get("ex_dW")`` (None when the exercise
            cell has not defined it), or a function of no argument that computes it, e.g.
            ``lambda: ex_relu_backward(dout, x)`` (it may raise ``NotImplementedError``).
        expected: the reference: an array (compared with ``assert_close``, shape ``S`` like
            the answer), or a tuple/list or dict of arrays compared element by element.
        check: instead of ``expected``, a function ``check(answer)`` that asserts; the answer
            is then passed as it is (e.g. the learner's function, which ``check`` calls).
        hint: one sentence shown when the exercise is not done or is wrong.
        rtol, atol: tolerances for ``assert_close`` (default: DESIGN.md's table).

    Prints one line: "Exercise <name>: OK ..." or "Exercise not done yet: <name>. Hint: ...".
    Raises ``AssertionError`` (with the hint) when the answer is wrong.
    """
    if (expected is None) == (check is None):
        raise TypeError("exercise() needs exactly one of expected= or check=")
    hint_text = f" Hint: {hint}" if hint else ""
    try:
        # With check=, the answer may be the learner's function itself: check() calls it.
        value = _resolve(answer, name) if check is None else _present(answer)
        if check is not None:
            check(value)
            summary = "passes its checks"
        else:
            summary = _compare(name, value, expected, rtol, atol)
    except _NotDone:
        print(f"Exercise not done yet: {name}.{hint_text}")
        return
    except NotImplementedError:
        # Raised by the learner's function inside check(): the exercise is still a stub.
        print(f"Exercise not done yet: {name}.{hint_text}")
        return
    except AssertionError as err:
        raise AssertionError(
            f"Exercise {name}: {err}{chr(10) + hint_text.strip() if hint else ''}"
        ) from None
    print(f"Exercise {name}: OK, {summary}.")


def _compare(name: str, value: Any, expected: Any, rtol: float | None, atol: float | None) -> str:
    if isinstance(expected, Mapping):
        if not isinstance(value, Mapping) or set(value) != set(expected):
            got = sorted(value) if isinstance(value, Mapping) else type(value).__name__
            raise AssertionError(f"expected a dict with keys {sorted(expected)}, got {got}")
        for k in expected:
            assert_close(value[k], expected[k], f"{name}[{k!r}]", rtol=rtol, atol=atol)
        return f"all {len(expected)} arrays match"
    if isinstance(expected, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(expected):
            got = len(value) if isinstance(value, (tuple, list)) else type(value).__name__
            raise AssertionError(f"expected {len(expected)} results, got {got}")
        for i, (v, e) in enumerate(zip(value, expected)):
            assert_close(v, e, f"{name}[{i}]", rtol=rtol, atol=atol)
        return f"all {len(expected)} arrays match"
    res = assert_close(value, expected, name, rtol=rtol, atol=atol)
    return f"shape {res.shape}, {res.dtype}, matches the reference"
