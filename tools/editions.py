"""Build the course's editions from the one source in ``notebooks/`` (never writing into it).

- student edition: every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``raise NotImplementedError("Exercise ...")`` and the outputs of exercise and check cells are
  cleared (an nbconvert ``Preprocessor``, so nothing edits notebook JSON by hand);
- HTML site: each notebook rendered with its stored outputs, plus an index page in course order.

Slides need no code of ours: ``make slides`` calls ``jupyter nbconvert --to slides``.

Usage::

    python tools/editions.py student notebooks build/student
    python tools/editions.py site notebooks build/site [--mathjax-url URL]
"""

from __future__ import annotations

import argparse
import html
import pathlib
import re
import sys

import nbformat
from nbconvert.exporters import HTMLExporter, NotebookExporter
from nbconvert.preprocessors import Preprocessor

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write your code here, then run the check cell below")'
EXERCISE_TAGS = {"exercise", "exercise-check"}


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


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>bpcourse: backpropagation, verified</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
td.time {{ white-space: nowrap; }}
</style></head><body>
<h1>bpcourse: backpropagation, verified</h1>
<p>The notebooks in course order, rendered with their stored outputs. Every gradient they show
is asserted against torch autograd when the course is tested.</p>
<table><thead><tr><th>#</th><th>Notebook</th><th>What it teaches</th><th>Time</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML, rendering Markdown's `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def build_site(src: pathlib.Path, out: pathlib.Path, mathjax_url: str | None = None) -> pathlib.Path:
    """Render every notebook to HTML in ``out`` and write ``out/index.html``; return the index."""
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    if mathjax_url:
        exporter.mathjax_url = mathjax_url
    rows = []
    for path in notebook_paths(src):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        page = path.with_suffix(".html").name
        (out / page).write_text(body)
        info = describe_notebook(nb)
        rows.append(
            f'<tr><td>{path.name[:2]}</td><td><a href="{page}">{html.escape(info["title"])}</a></td>'
            f'<td>{_inline_code(info["summary"])}</td><td class="time">{info["minutes"]} min</td></tr>'
        )
    index = out / "index.html"
    index.write_text(INDEX.format(rows="\n".join(rows)))
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/editions.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edition", choices=["student", "site"])
    parser.add_argument("src", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--mathjax-url", default=None, help="local MathJax for an offline site")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.src.resolve():
        parser.error("the output folder must not be the source folder: editions never overwrite it")
    if args.edition == "student":
        for path in build_student(args.src, args.out):
            print(f"wrote {path}")
    else:
        print(f"wrote {build_site(args.src, args.out, args.mathjax_url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
