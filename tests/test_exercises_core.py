"""The exercise runner: statuses, short messages, hints in steps, nbgrader mode, expect()."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from helpers import BadInputs

import bpcourse.exercises as X
from bpcourse.exercises import core
from bpcourse.exercises.core import (
    ExerciseFailed,
    ExerciseNotDone,
    Mistake,
    check_unchanged,
    exercise,
    expect,
    hint,
    register,
    run,
)

HINTS = ("nudge: what is the derivative of x**2?", "it is 2x", "return 2 * x")


@pytest.fixture
def demo():
    """A throwaway exercise ex_demo_double(x) = d(x**2)/dx, removed afterwards."""

    @register("ex_demo_double", hints=HINTS)
    def check(fn):
        x = np.array([0.5, -1.5, 3.0])
        expect(
            fn(x),
            2 * x,
            "d(x**2)/dx",
            mistakes={
                "the factor 2 is missing (x instead of 2x)": x,
                "x**2 is not its derivative": x**2,
            },
        )
        return "matches 2x"

    yield "ex_demo_double"
    core.REGISTRY.pop("ex_demo_double", None)
    core._failures.pop("ex_demo_double", None)


def test_right_answer_ok(demo, capsys):
    assert run(demo, lambda x: 2 * x).status == "ok"
    exercise(demo, lambda x: 2 * x)
    assert capsys.readouterr().out == "Exercise ex_demo_double: OK, matches 2x.\n"


def test_named_mistakes_and_unknown_wrong_answers(demo):
    assert run(demo, lambda x: x).message == "d(x**2)/dx: the factor 2 is missing (x instead of 2x)"
    outcome = run(demo, lambda x: 3 * x)
    assert outcome.status == "mistake"
    assert "1.5 times the expected" in outcome.message


def test_not_done_prints_the_nudge_only(demo, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def stub(x):
        raise NotImplementedError("Exercise: write your code here")

    assert run(demo, stub).status == "not done"
    assert run(demo, None).status == "not done"
    exercise(demo, stub)
    out = capsys.readouterr().out
    assert out.startswith("Exercise not done yet: ex_demo_double. Hint 1 of 3")
    assert HINTS[0] in out and HINTS[2] not in out


def test_the_answer_is_taken_from_the_callers_globals(demo, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    exercise(demo)  # this module defines no ex_demo_double: not done yet
    assert "not done yet" in capsys.readouterr().out
    monkeypatch.setitem(globals(), "ex_demo_double", lambda x: 2 * x)
    exercise(demo)
    assert "OK" in capsys.readouterr().out


def test_not_done_fails_under_nbgrader(demo, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        exercise(demo, None)


def test_hints_go_one_step_further_at_each_failure(demo):
    seen = []
    for _ in range(4):
        with pytest.raises(ExerciseFailed) as info:
            exercise(demo, lambda x: x)
        seen.append(str(info.value).splitlines()[-1])
    assert seen[0].startswith("Hint 1 of 3") and HINTS[0] in seen[0]
    assert seen[1].startswith("Hint 2 of 3") and seen[2].startswith("Hint 3 of 3")
    assert seen[3] == seen[2]  # the last hint stays


def test_hint_on_request(demo, capsys):
    hint(demo)
    hint(demo)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Hint 1 of 3") and out[1].startswith("Hint 2 of 3")


def test_a_failure_renders_as_its_message_alone(demo):
    with pytest.raises(ExerciseFailed) as info:
        exercise(demo, lambda x: x)
    rendered = info.value._render_traceback_()
    assert rendered[0].startswith("ExerciseFailed: Exercise ex_demo_double: not right yet.")
    assert len("\n".join(rendered).splitlines()) <= core.MAX_LINES


def test_exceptions_in_the_learners_code_become_short_messages(demo):
    def shape_error(x):
        w = np.ones((2, 3))
        return x @ w  # (3,) @ (2, 3)

    outcome = run(demo, shape_error)
    assert outcome.status == "error"
    lines = outcome.message.splitlines()
    assert lines[0].startswith("your code raised ValueError: matmul")
    assert "in shape_error, line" in lines[1] and "return x @ w" in lines[1]
    assert "shape error" in lines[2]
    assert len(lines) <= 4

    def divide(x):
        return x / 0.0 if False else 1 / (len(x) - 3)

    outcome = run(demo, divide)
    assert outcome.message.startswith("your code raised ZeroDivisionError: division by zero")
    assert "denominator" in outcome.message

    def fixed_size(x):
        steps = 5  # a size copied from the notebook instead of len(x)
        return [x[t] for t in range(steps)]

    outcome = run(demo, fixed_size)
    assert outcome.message.startswith("your code raised IndexError")
    assert "taken from the inputs" in outcome.message and "range(steps)" in outcome.message


def test_recursion_error_gets_the_explicit_stack_advice(demo):
    def recurse(x, depth=0):
        return recurse(x, depth + 1)

    outcome = run(demo, recurse)
    assert outcome.status == "error"
    assert "RecursionError" in outcome.message and "explicit stack" in outcome.message
    assert len(outcome.message.splitlines()) <= 4
    assert sys.getrecursionlimit() > 100  # the runner restored nothing it should not have


def test_expect_refuses_a_mistake_that_inputs_cannot_separate():
    with pytest.raises(RuntimeError, match="gives the right value"):
        expect(2.0, 2.0, "x", mistakes={"doubled": 2.0})


def test_expect_scalars_and_shapes():
    expect(math.sin(0.3), math.sin(0.3), "sin")
    with pytest.raises(Mistake, match="shape"):
        expect(np.zeros((1, 3)), np.zeros(3), "v")
    with pytest.raises(Mistake, match="forgot"):
        expect(np.zeros(3), np.ones(3), "v", mistakes={"forgot it": np.zeros(3)})


def test_check_unchanged_names_the_first_argument_changed_in_place():
    a, b = np.arange(3.0), np.ones(2)
    before = {"a": a.copy(), "b": b.copy()}
    check_unchanged("ex_f", before, {"a": a, "b": b})  # nothing changed: no error
    b[1] = 2.0
    with pytest.raises(Mistake) as info:
        check_unchanged("ex_f", before, {"a": a, "b": b})
    assert str(info.value).startswith("ex_f changed its argument b in place (e.g. b -= ...")
    a *= 2
    with pytest.raises(Mistake, match=r"^ex_g changed a in place; leave a alone$"):
        check_unchanged(
            "ex_g", before, {"a": a, "b": b}, "{fn} changed {name} in place; leave a alone"
        )


def test_register_refuses_bad_definitions():
    with pytest.raises(TypeError, match="hints"):
        register("ex_nothing", hints=())
    with pytest.raises(TypeError, match="identifier"):
        register("not a name", hints=("h",))


def test_a_name_is_registered_once(demo):
    def check(fn):  # same qualname as the fixture's, another exercise: still refused
        return None

    check.__module__ = "bpcourse.exercises.nb99"
    check.__qualname__ = core.REGISTRY[demo].check.__qualname__
    with pytest.raises(ValueError, match="registered twice"):
        register(demo, hints=HINTS)(check)


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(LookupError, match="no exercise named 'ex_missing'"):
        run("ex_missing", lambda: None)


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()


BAD_INPUT.raises(
    "exercises.run: an exercise that does not exist",
    lambda: X.run("ex_no_such_exercise", len),
    exc=LookupError,
    match=r"^no exercise named 'ex_no_such_exercise'; known: ",
)
BAD_INPUT.raises(
    "exercises.register: no hints",
    lambda: X.register("ex_bad", hints=()),
    exc=TypeError,
    match=r"^hints of ex_bad must be a non-empty tuple of non-empty strings",
)
BAD_INPUT.raises(
    "exercises.register: an empty hint",
    lambda: X.register("ex_bad", hints=("",)),
    exc=TypeError,
    match=r"^hints of ex_bad must be a non-empty tuple of non-empty strings",
)
BAD_INPUT.raises(
    "exercises.register: a name that is no identifier",
    lambda: X.register("ex bad", hints=("h",)),
    exc=TypeError,
    match=r"^name must be a Python identifier, got 'ex bad'",
)
BAD_INPUT.raises(
    "exercises.expect: a mistake the inputs cannot tell from the answer",
    lambda: X.expect(2.0, 2.0, "x", mistakes={"doubled": 2.0}),
    exc=RuntimeError,
    match=r"^check of x: the mistake 'doubled' gives the right value on these inputs",
)

test_bad_input_raises_one_clear_error, _ = BAD_INPUT.tests()  # (no Accepts case here)
