"""The lecture decks' build (tools/slides.py) and the speaker notes, checked without a browser.

The browser test (tests/extended/test_browser.py, `make extended`) measures the built decks in
Chromium; these tests check the notebooks and the build's rules in a second.
"""

from __future__ import annotations

import base64
import json
import pathlib
import re

import nbformat
import pytest
import slides

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _kind(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_section_has_speaker_notes(path):
    """Each ``## `` section slide is followed by a notes cell: 3-6 bullets, a question, minutes."""
    cells = json.loads(path.read_text())["cells"]
    sections = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        and _source(c).lstrip().startswith("## ")
        and _kind(c) == "slide"
    ]
    assert sections, f"{path.name}: no section slides"
    missing = []
    for i in sections:
        heading = _source(cells[i]).lstrip().splitlines()[0]
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if nxt is None or nxt["cell_type"] != "markdown" or _kind(nxt) != "notes":
            missing.append(f"{heading}: no notes cell right after the heading")
            continue
        text = _source(nxt)
        bullets = [ln for ln in text.splitlines() if re.match(r"\s*[-*] ", ln)]
        if not 3 <= len(bullets) <= 6:
            missing.append(f"{heading}: {len(bullets)} bullet lines, expected 3-6")
        if "?" not in text:
            missing.append(f"{heading}: no question for the room")
        if not re.search(r"\bmin(ute)?s?\b", text):
            missing.append(f"{heading}: no timing in minutes")
    assert not missing, f"{path.name}:\n" + "\n".join(missing)


def _png(width: int, height: int) -> str:
    """A base64 PNG header of the given size (all the height model reads)."""
    head = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + width.to_bytes(4, "big")
        + height.to_bytes(4, "big")
    )
    return base64.b64encode(head + b"\x08\x06\x00\x00\x00" + b"\x00" * 20).decode()


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _md(text, kind="-"):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def _code(text, kind="-", outputs=(), tags=()):
    cell = nbformat.v4.new_code_cell(text)
    cell.metadata["slideshow"] = {"slide_type": kind}
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def _subslides(cells) -> list[list]:
    groups = []
    for cell in cells:
        if _kind(cell) in {"slide", "subslide"} or not groups:
            groups.append([])
        groups[-1].append(cell)
    return groups


def test_png_size_reads_the_header():
    assert slides.png_size(_png(630, 360)) == (630, 360)
    with pytest.raises(ValueError, match="not a PNG"):
        slides.png_size(base64.b64encode(b"GIF89a" + b"\x00" * 40).decode())


def test_a_long_code_cell_becomes_pieces_that_each_fit():
    body = "\n\n".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2" for i in range(40))
    out = {
        "output_type": "stream",
        "name": "stdout",
        "text": "".join(f"line {i}\n" for i in range(60)),
    }
    nb = _nb(_md("## A section", "slide"), _code(body, outputs=[out]))
    result, _ = slides.SlideFitPreprocessor().preprocess(nb, {})
    groups = _subslides(result.cells)
    assert len(groups) >= 4, "160 code lines and 60 output lines need several subslides"
    for group in groups:
        assert sum(slides.cell_height(c) for c in group) <= slides.BUDGET
    code = "\n".join(c.source for c in result.cells if c.cell_type == "code")
    assert all(f"def f{i}(x):" in code for i in range(40)), "no code is lost"
    printed = "".join(o.text for c in result.cells if c.cell_type == "code" for o in c.outputs)
    assert printed == out["text"], "no output is lost, and none is repeated"
    assert any("(continued)" in c.source for c in result.cells if c.cell_type == "markdown")


def test_an_image_that_does_not_fit_is_scaled_but_not_below_the_minimum():
    text = {"output_type": "stream", "name": "stdout", "text": "x\n" * 12}
    image = {"output_type": "display_data", "metadata": {}, "data": {"image/png": _png(900, 420)}}
    nb = _nb(_md("## Plots", "slide"), _code("print('x')", outputs=[text, image]))
    result, _ = slides.SlideFitPreprocessor().preprocess(nb, {})
    for group in _subslides(result.cells):
        assert sum(slides.cell_height(c) for c in group) <= slides.BUDGET
    images = [
        o
        for c in result.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 1
    width = images[0].get("metadata", {}).get("image/png", {}).get("width", 900)
    assert slides.MIN_IMAGE_SCALE * 900 <= width <= 900


def test_exercise_shows_the_stub_and_the_solution_goes_to_the_notes():
    src = "def ex_f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    check = _code(
        'exercise("ex_f")',
        tags=["exercise-check"],
        outputs=[{"output_type": "stream", "name": "stdout", "text": "ex_f: OK\n"}],
    )
    nb = _nb(_md("## Exercise", "slide"), _code(src, tags=["exercise"]), check)
    result, _ = slides.SlideFitPreprocessor().preprocess(nb, {})
    shown = [c for c in result.cells if _kind(c) != "notes"]
    notes = [c for c in result.cells if _kind(c) == "notes"]
    assert not any("return 2 * x" in c.source for c in shown)
    assert any("NotImplementedError" in c.source for c in shown)
    assert len(notes) == 1 and "return 2 * x" in notes[0].source
    assert all(not c.outputs for c in shown if c.cell_type == "code"), (
        "the check's OK is not projected"
    )


def test_links_to_notebooks_point_at_decks_and_imports_show_no_code():
    nb = _nb(
        _md(
            "Next: [02 · Forward](02_forward_pass.ipynb#top), [site](https://x.org/a.ipynb)",
            "slide",
        ),
        _code("import numpy as np\nfrom bpcourse import nn"),
    )
    result, _ = slides.SlideFitPreprocessor().preprocess(nb, {})
    assert "(02_forward_pass.slides.html#top)" in result.cells[0].source
    assert "(https://x.org/a.ipynb)" in result.cells[0].source
    assert result.cells[1].metadata["transient"]["remove_source"] is True
    assert _kind(result.cells[1]) == "skip"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_estimated_subslide_is_taller_than_the_canvas(path):
    """The course's own notebooks, through the build: every subslide within the height budget."""
    nb = nbformat.read(path, as_version=4)
    result, _ = slides.SlideFitPreprocessor().preprocess(nb, {})
    too_tall = [
        round(sum(slides.cell_height(c) for c in g))
        for g in _subslides(result.cells)
        if sum(slides.cell_height(c) for c in g) > slides.BUDGET
    ]
    assert not too_tall, f"{path.name}: estimated heights {too_tall} > {slides.BUDGET}"
