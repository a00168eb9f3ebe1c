"""bpcourse.check: the paths mutation testing found untested (tests/MUTATION.md).

exercise() with dict and tuple answers, its tolerances, its exact printed lines, and how it
tells "not done yet" from a bug in the answer.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import check

A = np.array([1.0, -2.0, 3.0])
B = np.array([[0.5, 0.25]])


def test_exercise_dict_answer_ok_prints_the_count(capsys):
    check.exercise("ex_grads", {"dW": A, "db": B}, {"dW": A.copy(), "db": B.copy()})
    assert capsys.readouterr().out == "Exercise ex_grads: OK, all 2 arrays match.\n"


def test_exercise_dict_answer_wrong_keys_or_kind():
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected a dict with keys \['dW', 'db'\], got \['dW'\]$"):
        check.exercise("ex", {"dW": A}, {"dW": A, "db": B})
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected a dict with keys \['dW', 'db'\], got tuple$"):
        check.exercise("ex", (A, B), {"dW": A, "db": B})


def test_exercise_dict_answer_names_the_wrong_entry():
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\['db'\]: max abs diff 0\.5 at \[0, 0\]"):
        check.exercise("ex", {"dW": A, "db": B + [[0.5, 0.0]]}, {"dW": A, "db": B})
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\['dW'\] has shape \(3,\), expected \(1, 3\)"):
        check.exercise("ex", {"dW": A, "db": B}, {"dW": A[None], "db": B})


def test_exercise_tuple_answer_names_the_wrong_element():
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\[1\]: max abs diff 0\.25 at \[0, 1\]"):
        check.exercise("ex", (A, B + [[0.0, 0.25]]), (A, B))
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected 2 results, got ndarray$"):
        check.exercise("ex", A, (A, B))
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected 2 results, got 3$"):
        check.exercise("ex", [A, B, B], [A, B])


@pytest.mark.parametrize(
    "answer, expected",
    [
        (A * (1 + 1e-7), A),
        ((A * (1 + 1e-7), B), (A, B)),
        ({"dW": A * (1 + 1e-7)}, {"dW": A}),
    ],
    ids=["array", "tuple", "dict"],
)
def test_exercise_passes_rtol_and_atol_on(answer, expected, capsys):
    # 1e-7 relative is outside the float64 default (1e-10) and inside the given tolerances.
    with pytest.raises(AssertionError, match="max abs diff"):
        check.exercise("ex", answer, expected)
    check.exercise("ex", answer, expected, rtol=1e-6)
    check.exercise("ex", answer, expected, rtol=0.0, atol=1e-6)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("Exercise ex: OK") for line in out)
    # ... and they are used as given: too tight an atol alone fails.
    with pytest.raises(AssertionError, match=r"rtol=0e\+00, atol=1e-09"):
        check.exercise("ex", answer, expected, rtol=0.0, atol=1e-9)


def test_exercise_with_check_prints_its_line(capsys):
    check.exercise("ex_fn", np.tanh, check=lambda f: check.assert_close(f(0.0), 0.0, "f(0)"))
    assert capsys.readouterr().out == "Exercise ex_fn: OK, passes its checks.\n"


def test_exercise_check_of_a_stub_is_not_done(capsys):
    def ex_fn(x):
        raise NotImplementedError("Exercise: write ex_fn")

    check.exercise("ex_fn", ex_fn, check=lambda f: f(1.0), hint="tanh'(x) = 1 - tanh(x)**2")
    assert capsys.readouterr().out == "Exercise not done yet: ex_fn. Hint: tanh'(x) = 1 - tanh(x)**2\n"


def test_exercise_wrong_answer_without_hint_adds_nothing():
    with pytest.raises(AssertionError) as mine:
        check.exercise("ex", -A, A)
    with pytest.raises(AssertionError) as plain:
        check.assert_close(-A, A, "ex")
    assert str(mine.value) == f"Exercise ex: {plain.value}"


def test_exercise_name_error_for_the_answer_itself_is_not_done(capsys):
    def raise_name_error(*args, **kwargs):
        raise NameError(*args, **kwargs)

    # Raised by Python for the missing name: both .name and the message name it.
    check.exercise("ex_a", lambda: raise_name_error("name 'ex_a' is not defined", name="ex_a"), A)
    # Only the attribute names it (a message in another form) ...
    check.exercise("ex_a", lambda: raise_name_error("undefined", name="ex_a"), A)
    # ... or only the message does (a NameError built by hand has .name None).
    check.exercise("ex_a", lambda: raise_name_error("name 'ex_a' is not defined"), A)
    assert capsys.readouterr().out == "Exercise not done yet: ex_a.\n" * 3
    # Any other name is a bug in the answer, shown as it is.
    with pytest.raises(NameError, match="helper"):
        check.exercise("ex_a", lambda: raise_name_error("name 'helper' is not defined", name="helper"), A)


def test_exercise_answer_function_returning_none_is_not_done(capsys):
    check.exercise("ex", lambda: None, A)
    assert capsys.readouterr().out == "Exercise not done yet: ex.\n"
