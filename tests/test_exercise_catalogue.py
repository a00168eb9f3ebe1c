"""Every exercise in the notebooks has a registered check and a catalogue of wrong answers.

For each notebook: every exercise cell (tag ``exercise``) defines a function ``ex_...`` whose
solution region lies inside its body (so the student edition's stub raises only when called,
and Run All reaches the end); the next check cell (tag ``exercise-check``) calls
``exercise("ex_...")``; the check is registered in ``bpcourse.exercises`` with hints in steps;
and ``tests/test_exercises_nbNN.py`` holds at least one right answer and at least four typical
wrong answers for it, each with its own phrase. Notebooks 01-07 have at least three exercises.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import re

import nbformat
import pytest

from bpcourse.exercises import lookup

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BEGIN = "### BEGIN SOLUTION"


def exercises_of(nb) -> list[tuple[int, str, str]]:
    """(cell index, exercise name, source of the check cell after it) for each exercise cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        assert cell.cell_type == "code" and BEGIN in cell.source, f"cell {i}: no solution region"
        tree = ast.parse(cell.source)
        marker = next(n for n, line in enumerate(cell.source.splitlines(), 1) if BEGIN in line)
        owners = [
            f.name
            for f in tree.body
            if isinstance(f, ast.FunctionDef) and f.lineno < marker <= (f.end_lineno or 0)
        ]
        assert owners and owners[0].startswith("ex_"), (
            f"cell {i}: the solution region must be inside the body of a function ex_...; "
            "top-level exercise code raises in the student edition and stops Run All"
        )
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        assert after is not None and "exercise-check" in after.metadata.get("tags", []), (
            f"cell {i}: {owners[0]} needs a check cell (tag exercise-check) right after it"
        )
        found.append((i, owners[0], after.source))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_is_checked_and_catalogued(path):
    nb = nbformat.read(path, as_version=4)
    found = exercises_of(nb)
    number = path.name[:2]
    if number != "00":
        assert len(found) >= 3, f"{path.name}: {len(found)} exercises, at least 3 wanted"
    catalogue = importlib.import_module(f"test_exercises_nb{number}").CATALOGUE
    for i, name, check_source in found:
        assert re.search(rf"exercise\(\s*[\"']{name}[\"']\s*\)", check_source), (
            f"cell {i + 1}: the check cell must call exercise({name!r})"
        )
        ex = lookup(name)
        assert len(ex.hints) >= 2, f"{name}: hints in steps, a nudge first (at least 2)"
        cases = [c for c in catalogue if c.name == name]
        right = [c for c in cases if c.phrase is None]
        wrong = {c.phrase.lower() for c in cases if c.phrase is not None}
        assert right, f"{name}: no right answer in the catalogue"
        assert len(wrong) >= 4, f"{name}: {len(wrong)} typical wrong answers, at least 4 wanted"


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write your code here")


def test_every_stub_is_not_done_and_every_first_hint_is_a_nudge():
    """The student edition's stub is "not done" (never a failure); hint 1 holds no answer."""
    from bpcourse.exercises import REGISTRY, lookup, run

    lookup("ex_sin")  # loads every notebook's checks
    assert len(REGISTRY) >= 20
    for name, ex in sorted(REGISTRY.items()):
        assert run(name, _stub).status == "not done", name
        first, last = ex.hints[0], ex.hints[-1]
        assert last not in first and "return " not in first, f"{name}: hint 1 gives the answer"
