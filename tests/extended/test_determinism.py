"""Executing a notebook twice, each time in a fresh kernel, gives identical outputs.

`make test` already compares one fresh execution with the stored outputs (strict nbval, which
skips images). This test runs every notebook twice more and compares everything the two runs
print or draw, PNG bytes included, except cells tagged ``nbval-ignore-output`` (timings).
"""

from __future__ import annotations

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _run(path: pathlib.Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[int, list[dict]]]:
    kept = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        outs: list[dict] = []
        for out in cell.outputs:
            out = dict(out)
            out.pop("execution_count", None)
            out.pop("metadata", None)
            # The kernel flushes printed text in chunks that depend on timing: join the chunks
            # of one stream, as nbval does, so that only the text itself is compared.
            if (
                out["output_type"] == "stream"
                and outs
                and outs[-1].get("name") == out["name"]
                and outs[-1]["output_type"] == "stream"
            ):
                outs[-1] = {**outs[-1], "text": outs[-1]["text"] + out["text"]}
            else:
                outs.append(out)
        kept.append((i, outs))
    return kept


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_two_fresh_executions_agree(path, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(ROOT / "tests" / "ipython"))  # the no-network guard
    monkeypatch.delenv("MPLBACKEND", raising=False)
    first, second = _outputs(_run(path)), _outputs(_run(path))
    for (i, a), (_, b) in zip(first, second, strict=True):
        assert a == b, f"{path.name} cell {i}: outputs differ between two fresh executions"
    assert os.environ["IPYTHONDIR"].endswith("ipython")
