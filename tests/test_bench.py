"""Smoke test of `make bench` at tiny sizes, so that the benchmark cannot rot. No timing is asserted.

It also checks what makes the benchmark's comparison fair: bpcourse, torch and the hand-written
numpy step compute the same train step (same loss, same updated weights).
"""

from __future__ import annotations

import functools
import importlib.util
import pathlib
import platform
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
TIME = re.compile(r"^\d+(\.\d+)? (s|ms|us|ns)$")
# A ratio of two medians, two decimals: on a loaded machine one side can stall, so a ratio
# may round to 0.00; its form is what is checked, never its size (no timed test).
RATIO = re.compile(r"^\d+\.\d\d$")


@functools.cache
def load_bench():
    """tools/bench.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "tools" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def section_rows(report: str, heading: str) -> list[list[str]]:
    """The cells of each body row of the first Markdown table after ``heading``."""
    after = report.split(heading, 1)[1]
    rows = [ln for ln in after.split("\n###", 1)[0].splitlines() if ln.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[1:]]  # minus header


def test_bench_quick_writes_every_table(tmp_path, capsys):
    out = tmp_path / "bench.md"
    bench = load_bench()
    threads = torch.get_num_threads()
    try:  # in this process: torch is imported once for the whole test session
        # --default-allocator: pinning glibc's thresholds would outlast the test in this process
        args = ["--quick", "--threads", "1", "--default-allocator", "--out", str(out)]
        assert bench.main(args) == 0
    finally:
        torch.set_num_threads(threads)
    report = out.read_text()
    assert report.strip() == capsys.readouterr().out.strip()
    assert "Machine:" in report and "1 thread(s) for numpy and torch" in report
    assert "Allocator: the platform's default (--default-allocator)." in report

    steps = section_rows(report, "### Train step")
    assert [r[:3] for r in steps] == [
        [mlp, batch, dtype]
        for dtype in ("float32", "float64")
        for mlp, batch in (("2-4-2", "4"), ("8-16-3", "16"))
    ]
    for row in steps:
        assert all(TIME.match(c) for c in row[3:6]), row
        assert all(RATIO.match(c) for c in row[6:8]), row

    halves = section_rows(report, "### Backward time / forward time")
    assert [r[:3] for r in halves] == [r[:3] for r in steps]
    assert all(RATIO.match(c) for row in halves for c in row[3:5])

    products = section_rows(report, "### Matrix products")
    assert [r[:2] for r in products] == [
        [layer, product]
        for layer in ("8->16", "16->3")
        for product in ("forward x W^T", "dW = g^T x", "dX = g W")
    ]
    assert all(TIME.match(r[2]) and TIME.match(r[3]) and RATIO.match(r[4]) for r in products)

    optimizers = section_rows(report, "### Optimizer step")
    assert [r[0] for r in optimizers] == [
        "SGD",
        "SGD(momentum, nesterov)",
        "Adagrad",
        "RMSprop",
        "Adam",
        "AdamW",
    ]
    for row in optimizers:
        assert (
            row[1] == "10,000" and TIME.match(row[2]) and TIME.match(row[3]) and RATIO.match(row[4])
        )

    engine_found = importlib.util.find_spec("bpcourse.engine") is not None
    if engine_found:
        engine = section_rows(report, "### Scalar engine")
        assert [r[1] for r in engine] == [
            "forward + backward",
            "forward",
            "backward",
            "forward, after gc.freeze()",
        ], engine
        assert all(TIME.match(r[2]) and r[3].endswith("nodes/s") for r in engine), engine
    else:
        assert "Not measured: bpcourse.engine could not be imported" in report
    assert "### Executing the course" not in report  # --quick never runs the notebooks


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="mallopt's thresholds are glibc's",
)
def test_steady_allocator_pins_glibc_thresholds_in_its_own_process():
    # In a child process: the thresholds stay for the life of the process that sets them.
    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('bench', {str(ROOT / 'tools' / 'bench.py')!r}); "
        "m = importlib.util.module_from_spec(spec); sys.modules['bench'] = m; "
        "spec.loader.exec_module(m); print(m.steady_allocator())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert out == (
        "Allocator: glibc with fixed thresholds (mmap 64 MiB, trim 256 MiB), see steady_allocator."
    )


def as_float(loss) -> float:
    return loss.item() if isinstance(loss, torch.Tensor) else float(loss)


@pytest.mark.parametrize("sizes", [[3, 5, 4], [6, 8, 7, 3]])
def test_the_three_train_steps_compute_the_same_update(sizes):
    bench = load_bench()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        X, y, weights = bench.make_data(sizes, 9, np.float64, seed=1)
        candidates = [
            cls(X, y, weights, np.float64)
            for cls in (bench.BpcourseMLP, bench.TorchMLP, bench.NumpyMLP)
        ]
        losses = [as_float(c.forward()) for c in candidates]
        for c in candidates:
            c.step()
            c.step()
        params = [c.parameters() for c in candidates]
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_allclose(losses[1:], [losses[0]] * 2, rtol=1e-12)
    initial = [a for W, b in weights for a in (W, b)]
    assert [p.shape for p in params[0]] == [a.shape for a in initial]
    for ours, theirs, hand, start in zip(*params, initial, strict=True):
        assert ours.dtype == theirs.dtype == hand.dtype == np.float64
        assert np.abs(ours - start).max() > 1e-6  # the two steps moved every parameter
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours, hand, rtol=1e-10, atol=1e-12)
