"""Build the course's editions from the one source in ``notebooks/`` (never writing into it).

- student edition: every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``raise NotImplementedError("Exercise ...")`` and the outputs of exercise and check cells are
  cleared (an nbconvert ``Preprocessor``, so nothing edits notebook JSON by hand);

The slides (tools/slides.py) and the website (tools/site.py, Sphinx) reuse ``strip_solutions``.

Usage::

    python tools/editions.py student notebooks build/student
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import sys

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write your code here, then run the check cell below")'
EXERCISE_TAGS = {"exercise", "exercise-check"}


def npm_install(prefix: pathlib.Path, packages: list[str]) -> None:
    """Install npm ``packages`` (``name@version``) under ``prefix`` (the pages' local copies)."""
    prefix.mkdir(parents=True, exist_ok=True)
    cmd = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--no-save"]
    subprocess.run([*cmd, "--prefix", str(prefix), *packages], check=True)


def strip_solutions(source: str) -> str:
    """Replace each solution region (markers included) by the exercise stub, keeping its indent.

    >>> print(strip_solutions("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION"))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError("Exercise: write your code here, then run the check cell below")
    """
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}{STUB}"]
        elif stripped.startswith(END):
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    return "\n".join(out)


class StudentPreprocessor(Preprocessor):
    """Cut solutions out of exercise cells and clear the outputs of exercise and check cells."""

    def preprocess_cell(self, cell, resources, index):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "code" and (BEGIN in cell.source or tags & EXERCISE_TAGS):
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        elif BEGIN in cell.source:  # a markdown answer hidden the same way
            cell.source = strip_solutions(cell.source)
        return cell, resources


def notebook_paths(src: pathlib.Path) -> list[pathlib.Path]:
    """The course notebooks in order (``NN_name.ipynb``)."""
    return sorted(src.glob("[0-9][0-9]_*.ipynb"))


def build_student(src: pathlib.Path, out: pathlib.Path) -> list[pathlib.Path]:
    """Write the student edition of every notebook in ``src`` to ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    exporter = NotebookExporter(preprocessors=[StudentPreprocessor()])
    written = []
    for path in notebook_paths(src):
        body, _ = exporter.from_filename(str(path))
        target = out / path.name
        target.write_text(body)
        written.append(target)
    return written


def describe_notebook(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Title, one-line summary and time estimate of a notebook, read from its opening cells.

    The title is the first ``# `` heading; the summary is ``metadata.bpcourse.summary`` or the
    first paragraph after the title; the time is ``metadata.bpcourse.minutes`` or the first
    "N min" in the opening cells.
    """
    meta = nb.metadata.get("bpcourse", {})
    opening = "\n\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    title = next((ln[2:].strip() for ln in opening.splitlines() if ln.startswith("# ")), "Untitled")
    summary = meta.get("summary")
    if not summary:
        paragraphs = [p.strip() for p in opening.split("\n\n") if p.strip()]
        summary = next((p for p in paragraphs if not p.startswith("#")), "")
        summary = re.sub(r"\s+", " ", summary)[:200]
    minutes = meta.get("minutes")
    if minutes is None:
        m = re.search(r"(\d+)\s*(?:-\s*\d+\s*)?min", opening)
        minutes = m.group(1) if m else "?"
    return {"title": title, "summary": summary, "minutes": str(minutes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/editions.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("edition", choices=["student"])
    parser.add_argument("src", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args(argv)
    if args.out.resolve() == args.src.resolve():
        parser.error("the output folder must not be the source folder: editions never overwrite it")
    for path in build_student(args.src, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
