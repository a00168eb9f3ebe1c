"""Derive every cell's nbgrader metadata from the notebooks' own tags, and write or check it.

The notebooks already say what each cell is; this turns that into what nbgrader needs
(``metadata.nbgrader``, schema version 3), so nobody edits it by hand:

- a code cell tagged ``exercise`` is a **solution cell** (``solution``, not graded, not locked);
  its ``grade_id`` is the name of the exercise it defines (``def ex_sin`` -> ``ex_sin``);
- a cell tagged ``exercise-check`` is an **autograded test cell** (graded, locked,
  ``POINTS`` points); its ``grade_id`` is ``check_`` + the name in its ``exercise("ex_sin")`` call;
- every other cell is **read-only** (locked): nbgrader releases it non-editable and, when it
  grades, puts the instructor's version back if a student changed it.
  Its ``grade_id`` is ``cell-`` + the cell's nbformat id, so it survives edits elsewhere.

Usage (from the repository root)::

    python tools/nbgrader_metadata.py --write [NOTEBOOK ...]   # set it (only metadata changes)
    python tools/nbgrader_metadata.py --check [NOTEBOOK ...]   # exit 1 if a cell differs

With no notebook given, all of ``notebooks/NN_*.ipynb``. ``--write`` is idempotent: a notebook
whose metadata is already right is not rewritten.
"""

from __future__ import annotations

import argparse
import ast
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCHEMA_VERSION = 3
POINTS = 1  # every exercise is worth the same; the total of a notebook is its number of checks
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE_TAG, CHECK_TAG = "exercise", "exercise-check"
_GRADE_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


class MetadataError(ValueError):
    """A notebook whose tags do not say unambiguously what nbgrader should do with a cell."""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _where(path: str, index: int) -> str:
    return f"{path} cell {index}"


def _parse(source: str, where: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as err:
        raise MetadataError(
            f"{where}: cannot parse the cell as Python ({err.msg}, line {err.lineno})"
        ) from None


def exercise_name(source: str, where: str = "cell") -> str:
    """The exercise an ``exercise`` cell defines: its top-level ``def ex_...`` / ``class Ex...``.

    A cell that defines no function or class (an older top-level exercise) gives the first
    ``ex_...`` name it assigns.
    """
    tree = _parse(source, where)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name.lower().startswith("ex"):
            return node.name
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id.startswith("ex_"):
                    return name.id
    raise MetadataError(
        f"{where}: an 'exercise' cell must define its exercise (def ex_name(...)), "
        f"but it defines none:\n{source[:200]}"
    )


def checked_name(source: str, where: str = "cell") -> str:
    """The exercise an ``exercise-check`` cell checks: the string in its ``exercise("...")`` call."""
    names = []
    for node in ast.walk(_parse(source, where)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called == "exercise" and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    if len(names) != 1:
        raise MetadataError(
            f"{where}: an 'exercise-check' cell must make exactly one exercise(\"ex_name\") call, "
            f"found {len(names)} ({names})"
        )
    return names[0]


def _meta(*, grade: bool, solution: bool, locked: bool, grade_id: str) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = POINTS
    return meta


def derive_cell(cell: dict, where: str = "cell") -> dict:
    """The nbgrader metadata one cell should carry (see the module docstring for the rules)."""
    tags = set(cell.get("metadata", {}).get("tags", []))
    source = _source(cell)
    if EXERCISE_TAG in tags and CHECK_TAG in tags:
        raise MetadataError(f"{where}: tagged both {EXERCISE_TAG!r} and {CHECK_TAG!r}")
    if EXERCISE_TAG in tags:
        if cell["cell_type"] != "code":
            raise MetadataError(f"{where}: an {EXERCISE_TAG!r} cell must be a code cell")
        meta = _meta(
            grade=False, solution=True, locked=False, grade_id=exercise_name(source, where)
        )
    elif CHECK_TAG in tags:
        if cell["cell_type"] != "code":
            raise MetadataError(f"{where}: an {CHECK_TAG!r} cell must be a code cell")
        meta = _meta(
            grade=True, solution=False, locked=True, grade_id="check_" + checked_name(source, where)
        )
    else:
        if BEGIN in source or END in source:
            raise MetadataError(
                f"{where}: only an {EXERCISE_TAG!r} code cell may contain {BEGIN!r} / {END!r} "
                "(nbgrader refuses solution markers anywhere else, quoted in prose too)"
            )
        if not cell.get("id"):
            raise MetadataError(
                f"{where}: the cell has no id (nbformat 4.5 gives every cell one; "
                "re-save the notebook with nbformat >= 5.1)"
            )
        meta = _meta(grade=False, solution=False, locked=True, grade_id=f"cell-{cell['id']}")
    if not _GRADE_ID.match(meta["grade_id"]):
        raise MetadataError(
            f"{where}: grade_id {meta['grade_id']!r} must match {_GRADE_ID.pattern}"
        )
    return meta


def derive(nb: dict, path: str = "notebook") -> list[dict]:
    """The nbgrader metadata of every cell of a notebook (JSON as loaded), in order.

    Raises MetadataError if two cells would get the same grade_id (an exercise checked twice,
    or two exercises with one name).
    """
    metas = [derive_cell(cell, _where(path, i)) for i, cell in enumerate(nb["cells"])]
    seen: dict[str, int] = {}
    for i, meta in enumerate(metas):
        if meta["grade_id"] in seen:
            raise MetadataError(
                f"{_where(path, i)}: grade_id {meta['grade_id']!r} is already used by cell "
                f"{seen[meta['grade_id']]} (one exercise cell and one check cell per exercise)"
            )
        seen[meta["grade_id"]] = i
    return metas


def graded(nb: dict, path: str = "notebook") -> dict[str, float]:
    """The autograded cells of a notebook: ``{grade_id: points}`` in notebook order."""
    return {m["grade_id"]: m["points"] for m in derive(nb, path) if m["grade"]}


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def dumps(nb: dict) -> str:
    """Serialise as the notebooks are stored (nbformat's indent; key order kept as loaded)."""
    return json.dumps(nb, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"


def apply(nb: dict, path: str = "notebook") -> dict:
    """A copy of ``nb`` whose cells carry the derived metadata (nothing else changes)."""
    new = json.loads(json.dumps(nb))
    for cell, meta in zip(new["cells"], derive(nb, path), strict=True):
        # the key goes where nbformat's sorted writer would put it, so `make execute` moves nothing
        cell["metadata"] = dict(sorted({**cell.get("metadata", {}), "nbgrader": meta}.items()))
    return new


def differences(nb: dict, path: str = "notebook") -> list[str]:
    """One line per cell whose stored nbgrader metadata differs from the derived one."""
    out = []
    for i, (cell, meta) in enumerate(zip(nb["cells"], derive(nb, path), strict=True)):
        stored = cell.get("metadata", {}).get("nbgrader")
        if stored != meta:
            out.append(f"{_where(path, i)}: nbgrader metadata is {stored}, should be {meta}")
    return out


def notebook_paths() -> list[pathlib.Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="set the metadata in place")
    mode.add_argument("--check", action="store_true", help="exit 1 if any cell differs")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or notebook_paths()
    failed = 0
    for path in paths:
        nb = load(path)
        try:
            diffs = differences(nb, path.name)
        except MetadataError as err:
            print(f"error: {err}", file=sys.stderr)
            failed += 1
            continue
        if args.write:
            if diffs:
                path.write_text(dumps(apply(nb, path.name)), encoding="utf-8")
                print(f"{path}: {len(diffs)} cells updated")
        elif diffs:
            failed += 1
            print("\n".join(diffs[:5]), file=sys.stderr)
            print(
                f"{path}: {len(diffs)} cells differ; run python tools/nbgrader_metadata.py --write",
                file=sys.stderr,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
