"""Smoke test of `make bench` at tiny sizes, so the benchmark cannot rot. It asserts no timing."""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_bench_quick_writes_every_table(tmp_path):
    out = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--quick", "--threads", "1",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text()
    assert report == result.stdout.rstrip("\n") + "\n" or report.strip() in result.stdout
    for heading in ("Machine:", "### Train step", "### Backward time / forward time",
                    "### Optimizer step", "### Scalar engine"):
        assert heading in report, f"missing section {heading!r}"
    # Every MLP row has the three timings and both ratios filled in.
    rows = [ln for ln in report.splitlines() if ln.startswith("| 2-4-2 ") or ln.startswith("| 8-16-3 ")]
    assert len(rows) == 4, rows  # two sizes x two dtypes
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 8 and all(cells), row
        float(cells[6]), float(cells[7])  # ratios are numbers
    for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW"):
        assert f"| {name}" in report
