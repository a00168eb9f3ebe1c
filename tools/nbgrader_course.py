"""Build an nbgrader course directory with one assignment per notebook (``make assignments``).

::

    .venv/bin/python tools/nbgrader_course.py build/nbgrader [NOTEBOOK ...]

writes, for each ``notebooks/NN_name.ipynb``::

    build/nbgrader/nbgrader_config.py          (tools/nbgrader/nbgrader_config.py)
    build/nbgrader/source/NN_name/NN_name.ipynb    the instructor notebook, nbgrader metadata set
    build/nbgrader/release/NN_name/NN_name.ipynb   made by `nbgrader generate_assignment`
    build/nbgrader/gradebook.db                    the assignments and their graded cells

The source copies carry the metadata ``tools/nbgrader_metadata.py`` derives from the tags (the
same the stored notebooks carry once ``--write`` has run), so the build never depends on it
having run. Nothing is written into ``notebooks/``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import nbgrader_metadata  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "nbgrader" / "nbgrader_config.py"


def assignment_id(notebook: pathlib.Path) -> str:
    """One assignment per notebook, named after it: ``01_chain_rule``."""
    return notebook.stem


def write_source(notebook: pathlib.Path, course: pathlib.Path) -> pathlib.Path:
    """Copy a notebook into ``course/source/<id>/`` with its derived nbgrader metadata."""
    target = course / "source" / assignment_id(notebook) / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nb = nbgrader_metadata.load(notebook)
    target.write_text(
        nbgrader_metadata.dumps(nbgrader_metadata.apply(nb, notebook.name)), encoding="utf-8"
    )
    return target


def check_release(source: pathlib.Path, release: pathlib.Path) -> None:
    """Raise unless the release kept every demonstration output and cleared every answer's."""
    src, rel = nbgrader_metadata.load(source), nbgrader_metadata.load(release)
    if len(src["cells"]) != len(rel["cells"]):
        raise SystemExit(
            f"{release}: {len(rel['cells'])} cells, the source has {len(src['cells'])}"
        )
    for i, (a, b) in enumerate(zip(src["cells"], rel["cells"], strict=True)):
        meta = a["metadata"]["nbgrader"]
        answer = meta["solution"] or meta["grade"]
        want = [] if answer else a.get("outputs")
        if b.get("outputs") != want:
            raise SystemExit(
                f"{release} cell {i} ({meta['grade_id']}): outputs "
                f"{'not cleared' if answer else 'lost'} by generate_assignment"
            )


def run_nbgrader(
    nbgrader: str, args: list[str], course: pathlib.Path, **kwargs
) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course directory, its environment's bin/ first on PATH
    (nbgrader calls `alembic` by name to set up the gradebook)."""
    bindir = str(pathlib.Path(nbgrader).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        [nbgrader, *args], cwd=course, env=env, capture_output=True, text=True, **kwargs
    )


def build(course: pathlib.Path, nbgrader: str, notebooks: list[pathlib.Path]) -> list[str]:
    """Write the course directory and release every assignment; return the assignment ids."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    ids = []
    for notebook in notebooks:
        source = write_source(notebook, course)
        aid = assignment_id(notebook)
        result = run_nbgrader(nbgrader, ["generate_assignment", aid, "--force"], course)
        # nbgrader only logs a broken config file and carries on with its defaults: stop instead
        if result.returncode != 0 or "Exception while loading config file" in result.stderr:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(
                f"nbgrader generate_assignment {aid} failed (exit {result.returncode})"
            )
        check_release(source, course / "release" / aid / notebook.name)
        ids.append(aid)
        print(f"{course / 'release' / aid / notebook.name}")
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=pathlib.Path, help="the course directory to write")
    parser.add_argument(
        "--nbgrader",
        default=str(pathlib.Path(sys.executable).parent / "nbgrader"),
        help="the nbgrader command (default: the one beside this Python)",
    )
    parser.add_argument(
        "notebooks", nargs="*", type=pathlib.Path, help="default: notebooks/NN_*.ipynb"
    )
    args = parser.parse_args(argv)
    try:
        build(args.course, args.nbgrader, args.notebooks or nbgrader_metadata.notebook_paths())
    except nbgrader_metadata.MetadataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
