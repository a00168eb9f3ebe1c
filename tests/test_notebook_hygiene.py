"""Notebook hygiene: what makes strict nbval fail or lie, and the course's common structure."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIRST_CELL = (ROOT / "tests" / "first_cell.txt").read_text().strip()
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def _load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def nb(request):
    return request.param, _load(request.param)


def test_kernelspec_is_python3(nb):
    path, data = nb
    assert data["metadata"].get("kernelspec", {}).get("name") == "python3", path.name


def test_kernelspec_is_the_installed_one(nb):
    """JupyterLab rewrites a kernelspec that differs from the installed one, and the notebook
    then opens as modified: store the installed kernel's display name (`make execute` does)."""
    from jupyter_client.kernelspec import KernelSpecManager

    path, data = nb
    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    assert data["metadata"]["kernelspec"]["display_name"] == installed, path.name


def test_every_code_cell_executed_in_order_without_timing(nb):
    path, data = nb
    counts = []
    for i, cell in enumerate(_code_cells(data)):
        assert "execution" not in cell.get("metadata", {}), (
            f"{path.name} code cell {i}: timing metadata"
        )
        if _src(cell).strip():
            assert cell.get("execution_count") is not None, (
                f"{path.name} code cell {i} not executed"
            )
            counts.append(cell["execution_count"])
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts[:10]}... are not 1..n; run `make execute NB={path}`"
    )


def test_first_code_cell_is_the_common_setup(nb):
    path, data = nb
    assert _src(_code_cells(data)[0]).strip() == FIRST_CELL, (
        f"{path.name}: the first code cell must be the common Colab/setup cell (tests/first_cell.txt)"
    )


def test_starts_with_title_and_learning_goals(nb):
    path, data = nb
    first = data["cells"][0]
    assert first["cell_type"] == "markdown" and _src(first).startswith("# "), path.name
    head = " ".join(_src(c) for c in data["cells"][:3] if c["cell_type"] == "markdown").lower()
    for word in ("you will learn", "prerequisite", "time"):
        assert word in head, f"{path.name}: the opening cells must say {word!r}"


def test_no_trailing_semicolon_no_warnings_no_reprs(nb):
    path, data = nb
    for i, cell in enumerate(_code_cells(data)):
        lines = [ln for ln in _src(cell).rstrip().splitlines() if ln.strip()]
        if lines and not lines[-1].lstrip().startswith("#"):
            assert not lines[-1].rstrip().endswith(";"), f"{path.name} code cell {i}: trailing ';'"
        for out in cell.get("outputs", []):
            text = (
                _src(out) if "text" in out else "".join(out.get("data", {}).get("text/plain", ""))
            )
            assert out.get("name") != "stderr" or "warn" not in text.lower(), (
                f"{path.name} code cell {i}: a warning in the stored output: {text[:200]}"
            )
            assert "grad_fn=" not in text, f"{path.name} code cell {i}: a torch repr is printed"
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"{path.name} cell {i}: a memory address"


def test_slide_metadata_on_every_cell(nb):
    path, data = nb
    for i, cell in enumerate(data["cells"]):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert kind in SLIDE_TYPES, f"{path.name} cell {i}: slide_type {kind!r}"
    assert data["cells"][0]["metadata"]["slideshow"]["slide_type"] == "slide"


def test_tags_used_as_the_course_defines_them(nb):
    path, data = nb
    for i, cell in enumerate(data["cells"]):
        tags = set(cell.get("metadata", {}).get("tags", []))
        src = _src(cell)
        timed = re.search(r"perf_counter|timeit|time\(", src)
        if "nbval-ignore-output" in tags:
            assert timed, (
                f"{path.name} cell {i}: only cells that print timings may ignore their output"
            )
        elif timed and cell["cell_type"] == "code":
            pytest.fail(
                f"{path.name} cell {i}: a timing differs from run to run (its plot too): "
                "tag the cell nbval-ignore-output"
            )
        for comment, tag in (
            ("# NBVAL_IGNORE_OUTPUT", "nbval-ignore-output"),
            ("# NBVAL_RAISES_EXCEPTION", "raises-exception"),
        ):
            assert comment not in src, f"{path.name} cell {i}: use the {tag!r} tag, not the comment"


def test_exercises_have_markers_and_a_check_cell(nb):
    path, data = nb
    cells = data["cells"]
    n_exercises = 0
    for i, cell in enumerate(cells):
        src = _src(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and "### BEGIN SOLUTION" in src:
            n_exercises += 1
            assert "exercise" in tags, f"{path.name} cell {i}: solution markers need tag 'exercise'"
            assert src.count("### BEGIN SOLUTION") == src.count("### END SOLUTION"), path.name
            following = next((c for c in cells[i + 1 :] if c["cell_type"] == "code"), None)
            assert following is not None and "exercise-check" in following["metadata"].get(
                "tags", []
            ), f"{path.name} cell {i}: an exercise must be followed by a check cell"
            assert "check.exercise(" in _src(following) or "exercise(" in _src(following)
        elif "exercise" in tags:
            pytest.fail(f"{path.name} cell {i}: tagged 'exercise' without solution markers")
    if path.name != "00_start_here.ipynb":
        assert n_exercises >= 2, f"{path.name}: has {n_exercises} exercises"


def test_index_metadata_agrees_with_the_opening_text(nb):
    # The site index and README read metadata.bpcourse; learners read the opening cell.
    path, data = nb
    meta = data["metadata"].get("bpcourse", {})
    assert meta.get("summary") and isinstance(meta.get("minutes"), int), (
        f"{path.name}: metadata.bpcourse needs a one-line summary and minutes"
    )
    opening = " ".join(_src(c) for c in data["cells"][:3] if c["cell_type"] == "markdown")
    assert re.search(rf"\b{meta['minutes']}\s*min", opening), (
        f"{path.name}: the opening cells do not say {meta['minutes']} min"
    )
