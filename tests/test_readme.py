"""The README's Python example runs as written (a README that lies is worse than none)."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks, "the README shows the package with a ```python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_lists_every_notebook_with_its_own_time_estimate():
    import nbformat
    from editions import describe_notebook, notebook_paths

    readme = (ROOT / "README.md").read_text()
    for path in notebook_paths(ROOT / "notebooks"):
        row = next((ln for ln in readme.splitlines() if f"(notebooks/{path.name})" in ln), None)
        assert row is not None, f"README's course table misses {path.name}"
        minutes = describe_notebook(nbformat.read(path, as_version=4))["minutes"]
        assert f"| {minutes} min |" in row, (
            f"{path.name}: README says {row!r}, notebook {minutes} min"
        )
