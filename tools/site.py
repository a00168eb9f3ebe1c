"""Build the course website with Sphinx, myst-nb and sphinx-book-theme (``make html``).

``python tools/site.py notebooks build/site [--offline]`` stages the sources in build/site-src
(docs/ as it is, plus a copy of each notebook prepared for the web) and runs ``sphinx-build``.
Nothing is executed: the pages show the stored outputs. In the staged notebooks

- each exercise cell shows the student's stub, and its solution follows in a cell whose code is
  behind a click ("Show the solution", myst-nb's ``hide-input``);
- links to ``NN_name.ipynb`` stay as they are: MyST resolves them to the notebook's page
  (the staged notebooks sit next to each other, as in notebooks/), and a link to a notebook
  that does not exist fails the build (warnings are errors);
- speaker-notes cells (slide_type ``notes``) are left out: they are for the lecturer.

With ``--offline`` MathJax is copied from npm into the site, so no page loads anything from
another machine (the browser test asserts it).
"""

from __future__ import annotations

import argparse
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from editions import BEGIN, notebook_paths, npm_install, strip_solutions  # noqa: E402

SOLUTION = re.compile(r"^\s*" + re.escape(BEGIN), re.MULTILINE)

MATHJAX_VERSION = "3.2.2"  # the same version online (CDN) and offline (npm, copied into the site)
MATHJAX_CDN = f"https://cdn.jsdelivr.net/npm/mathjax@{MATHJAX_VERSION}/es5/tex-chtml.js"
SOLUTION_PROMPT = {"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}


def web_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as the website shows it (a copy; see the module doc)."""
    cells = []
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind == "notes":
            continue
        if not SOLUTION.search(cell.source):
            cells.append(cell)
            continue
        if cell.cell_type == "markdown":
            stub = nbformat.v4.new_markdown_cell(strip_solutions(cell.source))
            answer = nbformat.v4.new_markdown_cell(
                "<details><summary>Show the answer</summary>\n\n" + cell.source + "\n\n</details>"
            )
            cells += [stub, answer]
            continue
        stub = nbformat.v4.new_code_cell(strip_solutions(cell.source))
        stub.metadata = {"tags": ["exercise"]}
        solution = nbformat.from_dict(cell)
        solution.metadata = {"tags": ["hide-input", "solution"], "mystnb": dict(SOLUTION_PROMPT)}
        cells += [stub, solution]
    out = nbformat.from_dict(nb)
    out.cells = cells
    return out


def stage(src: pathlib.Path, staging: pathlib.Path, offline: bool) -> None:
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(ROOT / "docs", staging)
    (staging / "notebooks").mkdir()
    for path in notebook_paths(src):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(web_notebook(nb), staging / "notebooks" / path.name)
    if offline:
        vendor = staging / "_vendor"
        npm_install(vendor, [f"mathjax@{MATHJAX_VERSION}"])
        shutil.copytree(
            vendor / "node_modules" / "mathjax" / "es5", staging / "_static" / "mathjax"
        )
        shutil.rmtree(vendor)


def build(src: pathlib.Path, out: pathlib.Path, offline: bool = False) -> pathlib.Path:
    """Stage and build the site into ``out``; return its index page."""
    staging = out.parent / (out.name + "-src")
    stage(src, staging, offline)
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-q",
        "-d",
        str(staging / ".doctrees"),
        str(staging),
        str(out),
        "-D",
        f"mathjax_path={'mathjax/tex-chtml.js' if offline else MATHJAX_CDN}",
    ]
    subprocess.run(cmd, check=True)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/site.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("src", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--offline", action="store_true", help="serve MathJax from the site")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.src.resolve():
        parser.error("the output folder must not be the source folder")
    print(f"wrote {build(args.src, args.out, args.offline)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
