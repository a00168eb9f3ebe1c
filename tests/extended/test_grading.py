"""Grading with nbgrader, end to end, one assignment per notebook (run by `make grading`).

The course directory is built as `make assignments` builds it (tools/nbgrader_course.py:
`nbgrader generate_assignment`), then, for every assignment, three students hand in:

- ``unsolved``: the release exactly as students receive it;
- ``solution``: the instructor's notebook;
- ``wrong``: the instructor's notebook with one exercise replaced by a typical wrong answer (the
  first wrong answer of that notebook's exercise catalogue, tests/test_exercises_nbNN.py).

Their files go where `nbgrader collect` puts them (``submitted/<student>/<assignment>/``), then
`nbgrader autograde`, the gradebook and `nbgrader generate_feedback` decide: 0 points, full
marks, and exactly the other exercises' points, with one feedback page each. The expected
points come from the notebooks' own metadata (tools/nbgrader_metadata.py), never from a list.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import importlib.util
import inspect
import json
import pathlib
import re
import sys
import textwrap
import time

import nbgrader_course
import nbgrader_metadata as ngm
import pytest
from nbgrader.api import Gradebook

ROOT = pathlib.Path(__file__).resolve().parents[2]
NBGRADER = str(pathlib.Path(sys.executable).parent / "nbgrader")
NOTEBOOKS = ngm.notebook_paths()
STUDENTS = ("unsolved", "solution", "wrong")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course directory (each test releases its own assignment into it)."""
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    assert nbgrader_course.build(root, NBGRADER, []) == []
    return root


def _nbgrader(course: pathlib.Path, *args: str) -> str:
    result = nbgrader_course.run_nbgrader(NBGRADER, list(args), course, timeout=1800)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result.stdout + result.stderr


def _catalogue(notebook: pathlib.Path):
    """The notebook's exercise catalogue module (tests/test_exercises_nbNN.py), or None."""
    path = ROOT / "tests" / f"test_exercises_nb{notebook.name[:2]}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"_catalogue_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fields(case) -> tuple:
    """(exercise name, answer, expected phrase) of a catalogue Case, whatever class it is."""
    values = (
        tuple(case)
        if isinstance(case, tuple)
        else tuple(getattr(case, f.name) for f in dataclasses.fields(case))
    )
    return values[:3]


def _replace_definition(source: str, name: str, new: str) -> str:
    """``source`` with its top-level ``def``/``class`` ``name`` (decorators included) replaced."""
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            end = node.end_lineno  # comments after the last statement (### END SOLUTION) too
            while end < len(lines) and (not lines[end].strip() or lines[end][0].isspace()):
                end += 1
            while end > node.end_lineno and not lines[end - 1].strip():
                end -= 1
            return "\n".join(lines[:first] + new.splitlines() + lines[end:])
    raise AssertionError(f"no top-level def/class {name!r} in:\n{source}")


def _uses_test_helpers(answer, module) -> bool:
    """Whether ``answer`` calls a function or class defined in the catalogue's own module (a
    notebook would not have it)."""
    codes = (
        [answer.__code__]
        if inspect.isfunction(answer)
        else [f.__code__ for f in vars(answer).values() if inspect.isfunction(f)]
    )
    names = set()
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    own = {
        n
        for n, v in vars(module).items()
        if getattr(v, "__module__", None) == module.__name__ and v is not answer
    }
    return bool(names & own)


def wrong_answer(notebook: pathlib.Path, nb: dict) -> tuple[int, str, str]:
    """(cell index, exercise, new cell source): one exercise answered with a typical mistake.

    The first wrong answer in the catalogue that is a plain function or class of an exercise
    this notebook defines (and needs no helper of the test module), renamed to the exercise; without a catalogue, the first exercise whose
    solution forgets its ``return`` (a computed but unreturned result).
    """
    exercises = {}
    for i, cell in enumerate(nb["cells"]):
        if "exercise" in cell["metadata"].get("tags", []):
            exercises[ngm.exercise_name(ngm._source(cell))] = i
    module = _catalogue(notebook)
    for case in getattr(module, "CATALOGUE", []):
        name, answer, phrase = _fields(case)
        if (
            phrase is None
            or name not in exercises
            or not (inspect.isfunction(answer) or inspect.isclass(answer))
        ):
            continue
        if _uses_test_helpers(answer, module):
            continue
        try:
            new = textwrap.dedent(inspect.getsource(answer))
        except (OSError, TypeError):
            continue
        tree = ast.parse(new)
        if len(tree.body) != 1 or getattr(tree.body[0], "name", None) != answer.__name__:
            continue  # a lambda or a nested definition: not a cell a learner would write
        new = re.sub(
            rf"^(\s*(?:def|class)\s+){re.escape(answer.__name__)}\b",
            rf"\g<1>{name}",
            new,
            count=1,
            flags=re.M,
        )
        index = exercises[name]
        old = ngm._source(nb["cells"][index])
        return index, name, _replace_definition(old, name, new)
    for name, index in exercises.items():
        old = ngm._source(nb["cells"][index])
        new = re.sub(r"^(\s*)return (.+)$", r"\1_unused = \2", old, flags=re.M)
        if new != old:
            return index, name, new
    raise AssertionError(f"{notebook.name}: no wrong answer to submit (no catalogue, no return)")


def _write(path: pathlib.Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ngm.dumps(nb), encoding="utf-8")
    (path.parent / "timestamp.txt").write_text("2026-11-30 09:00:00.000000 UTC")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_autograde_scores_and_feedback(course, notebook):
    aid, name = notebook.stem, notebook.name
    start = time.perf_counter()
    assert nbgrader_course.build(course, NBGRADER, [notebook]) == [aid]  # make assignments' way
    print(f"{aid}: generate_assignment {time.perf_counter() - start:.1f} s")
    source = ngm.load(course / "source" / aid / name)
    release = ngm.load(course / "release" / aid / name)
    points = ngm.graded(source, name)  # {check grade_id: points}, from the notebook's tags
    total = sum(points.values())
    assert total > 0, f"{name}: no graded cell"

    index, broken, new_source = wrong_answer(notebook, source)
    wrong = json.loads(json.dumps(source))
    wrong["cells"][index]["source"] = new_source
    for student, nb in zip(STUDENTS, (release, source, wrong), strict=True):
        _write(course / "submitted" / student / aid / name, nb)

    start = time.perf_counter()
    _nbgrader(course, "autograde", aid, "--force")
    print(f"{aid}: autograde of {len(STUDENTS)} submissions {time.perf_counter() - start:.1f} s")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="bpcourse") as gb:
        scores = {}
        for student in STUDENTS:
            sub = gb.find_submission_notebook(notebook.stem, aid, student)
            scores[student] = {g.name: g.score for g in sub.grades}
            assert sub.max_score == total, (student, sub.max_score, points)
            assert sub.needs_manual_grade is False, student
    assert set(scores["solution"]) == set(points)
    assert scores["unsolved"] == {k: 0 for k in points}, "an unsolved exercise earned points"
    assert scores["solution"] == points, "the instructor's solution lost points"
    expect_wrong = {k: (0 if k == f"check_{broken}" else p) for k, p in points.items()}
    assert scores["wrong"] == expect_wrong, (
        f"one wrong answer to {broken} should cost exactly its own {points[f'check_{broken}']} points"
    )
    print(
        f"{aid}: {total} points; unsolved 0, solution {total}, wrong ({broken}) "
        f"{sum(expect_wrong.values())}"
    )

    _nbgrader(course, "generate_feedback", aid, "--force")
    for student in STUDENTS:
        page = course / "feedback" / student / aid / name.replace(".ipynb", ".html")
        assert page.exists(), f"no feedback for {student}: {page}"
        got = sum(scores[student].values())
        assert f"(Score: {float(got)} / {float(total)})" in page.read_text(), (student, got, total)


def test_export_lists_every_submission(course):
    """`nbgrader export` (CSV): a row per student and assignment graded above, same scores."""
    _nbgrader(course, "export", "--to", "grades.csv")
    with (course / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    graded = {(r["assignment"], r["student_id"]): float(r["score"]) for r in rows}
    assert graded, "nothing exported (run with the autograde test above)"
    for notebook in (p for p in NOTEBOOKS if (p.stem, "solution") in graded):
        total = sum(
            ngm.graded(ngm.load(course / "source" / notebook.stem / notebook.name)).values()
        )
        assert graded[(notebook.stem, "solution")] == total
        assert graded[(notebook.stem, "unsolved")] == 0
        assert graded[(notebook.stem, "wrong")] < total


def test_validate_fails_an_unsolved_release_and_passes_the_solution(course):
    """What a student's Validate button runs (`nbgrader validate`, NBGRADER_EXECUTION=validate):
    the release as handed out fails on every check, the instructor's notebook passes."""
    notebook = NOTEBOOKS[0]
    aid, name = notebook.stem, notebook.name
    if not (course / "release" / aid / name).exists():
        nbgrader_course.build(course, NBGRADER, [notebook])
    checks = len(ngm.graded(ngm.load(course / "source" / aid / name)))
    unsolved = _nbgrader(course, "validate", str(course / "release" / aid / name))
    assert f"VALIDATION FAILED ON {checks} CELL(S)!" in unsolved, unsolved[-2000:]
    solved = _nbgrader(course, "validate", str(course / "source" / aid / name))
    assert "Success! Your notebook passes all the tests." in solved, solved[-2000:]
