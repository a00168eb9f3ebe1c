"""nbgrader metadata: the stored notebooks carry exactly what tools/nbgrader_metadata.py derives
from their tags, and nbgrader's own validator accepts it. (Releasing and grading them with
nbgrader's commands: tests/extended/test_grading.py.)"""

from __future__ import annotations

import copy
import json

import nbformat
import nbgrader_metadata as ngm
import pytest
from nbgrader.nbgraderformat import MetadataValidator

NOTEBOOKS = ngm.notebook_paths()


def _cell(cell_type="code", source="", tags=(), cid="abc123"):
    cell = {"cell_type": cell_type, "id": cid, "metadata": {"tags": list(tags)}, "source": source}
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_metadata_is_the_derived_one(path):
    diffs = ngm.differences(ngm.load(path), path.name)
    assert not diffs, (
        "\n".join(diffs[:3]) + "\nrun: .venv/bin/python tools/nbgrader_metadata.py --write"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbgrader_validator_accepts_the_derived_metadata(path):
    nb = nbformat.reads(json.dumps(ngm.apply(ngm.load(path), path.name)), as_version=4)
    MetadataValidator().validate_nb(nb)  # raises nbgrader's ValidationError
    kinds = [(c.metadata.nbgrader["solution"], c.metadata.nbgrader["grade"]) for c in nb.cells]
    exercises = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert kinds.count((True, False)) == len(exercises) >= 1, path.name
    assert kinds.count((False, True)) == kinds.count((True, False)), (
        f"{path.name}: one check per exercise"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_write_touches_only_metadata_and_is_idempotent(path, tmp_path):
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    assert ngm.main(["--write", str(target)]) == 0
    once = target.read_bytes()
    assert ngm.main(["--write", str(target)]) == 0
    assert target.read_bytes() == once, "a second --write changed the notebook"
    assert ngm.main(["--check", str(target)]) == 0
    before, after = ngm.load(path), json.loads(once)
    for nb in (before, after):
        for cell in nb["cells"]:
            cell["metadata"].pop("nbgrader", None)
    assert before == after, "--write changed something besides metadata.nbgrader"


def test_exercise_cell_is_a_solution_cell_named_after_its_function():
    src = "import math\n\n\ndef helper():\n    pass\n\n\ndef ex_sin(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    meta = ngm.derive_cell(_cell(source=src, tags=["exercise"]))
    assert meta == {
        "grade": False,
        "grade_id": "ex_sin",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }


def test_class_exercise_is_named_after_its_class():
    src = "class ExAdam(optim.Optimizer):\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION"
    assert ngm.derive_cell(_cell(source=src, tags=["exercise"]))["grade_id"] == "ExAdam"


def test_check_cell_is_a_locked_graded_test_cell():
    src = '# a node used twice: only += gives the right gradient\nexercise("ex_sin")'
    meta = ngm.derive_cell(_cell(source=src, tags=["exercise-check"]))
    assert meta == {
        "grade": True,
        "grade_id": "check_ex_sin",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert (
        ngm.derive_cell(_cell(source='check.exercise("ex_db", x, y)', tags=["exercise-check"]))[
            "grade_id"
        ]
        == "check_ex_db"
    )


def test_every_other_cell_is_read_only_with_a_stable_id():
    for cell in (_cell("markdown", "## Section", cid="9f3e"), _cell("code", "x = 1", cid="9f3e")):
        assert ngm.derive_cell(cell) == {
            "grade": False,
            "grade_id": "cell-9f3e",
            "locked": True,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }


@pytest.mark.parametrize(
    "cell, phrase",
    [
        (
            _cell("markdown", "between `### BEGIN SOLUTION` and `### END SOLUTION`"),
            "only an 'exercise' code cell",
        ),
        (_cell(source="x = 1", tags=["exercise"]), "must define its exercise"),
        (_cell(source="print(1)", tags=["exercise-check"]), "found 0"),
        (_cell(source='exercise("ex_a")\nexercise("ex_b")', tags=["exercise-check"]), "found 2"),
        (_cell(source="def ex_f(:", tags=["exercise"]), "cannot parse"),
        (_cell("markdown", "text", tags=["exercise"]), "must be a code cell"),
        (_cell(source="def ex_f(): pass", tags=["exercise", "exercise-check"]), "tagged both"),
        (_cell(source="x = 1", cid=""), "has no id"),
    ],
)
def test_ambiguous_cells_get_one_clear_error(cell, phrase):
    with pytest.raises(ngm.MetadataError, match="cell 3") as err:
        ngm.derive_cell(cell, "nb.ipynb cell 3")
    assert phrase in str(err.value)


def test_an_exercise_checked_twice_is_refused():
    check = _cell(source='exercise("ex_f")', tags=["exercise-check"])
    nb = {
        "cells": [
            _cell(source="def ex_f(): pass", tags=["exercise"], cid="a"),
            check,
            copy.deepcopy(check),
        ]
    }
    with pytest.raises(ngm.MetadataError, match="'check_ex_f' is already used by cell 1"):
        ngm.derive(nb, "nb.ipynb")


def test_check_reports_a_stale_notebook(tmp_path, capsys):
    nb = {
        "cells": [
            _cell(source="def ex_f(): pass", tags=["exercise"], cid="a"),
            _cell(source='exercise("ex_f")', tags=["exercise-check"], cid="b"),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "00_x.ipynb"
    path.write_text(ngm.dumps(nb))
    assert ngm.main(["--check", str(path)]) == 1
    assert "2 cells differ" in capsys.readouterr().err
    assert ngm.main(["--write", str(path)]) == 0
    assert ngm.graded(ngm.load(path)) == {"check_ex_f": 1}
