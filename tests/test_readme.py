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
