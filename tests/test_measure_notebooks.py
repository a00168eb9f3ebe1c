"""tools/measure_notebooks.py: the memory it reads is the process's peak, the table says what it measured."""

from __future__ import annotations

import os

import measure_notebooks
import numpy as np
import psutil
import pytest


def test_vm_hwm_is_the_peak_not_the_current_memory():
    block = np.ones(64 * 2**20 // 8)  # 64 MiB touched, then freed
    during = psutil.Process().memory_info().rss
    del block
    now = psutil.Process().memory_info().rss
    peak = measure_notebooks.vm_hwm(os.getpid())
    slack = 4 * 2**20  # the kernel updates its counters lazily, by a few pages
    assert now < during - 32 * 2**20, "freeing 64 MiB should lower the current RSS"
    assert peak >= during - slack, f"VmHWM {peak} below the RSS {during} seen while the block lived"


def test_table_reports_each_notebook_and_the_extremes():
    rows = [
        {
            "notebook": "00_a.ipynb",
            "cells": 3,
            "peak_rss": 300 * 2**20,
            "start_rss": 50 * 2**20,
            "cpu": 2.25,
            "wall": 3.0,
        },
        {
            "notebook": "01_b.ipynb",
            "cells": 9,
            "peak_rss": 420 * 2**20,
            "start_rss": 52 * 2**20,
            "cpu": 7.5,
            "wall": 9.0,
        },
    ]
    text = measure_notebooks.table(rows, server=90 * 2**20, notebooks_bytes=2048 * 1024)
    assert "| 00_a.ipynb | 3 | 300 MiB | 2.2 s | 3.0 s |" in text
    assert "| 01_b.ipynb | 9 | 420 MiB | 7.5 s | 9.0 s |" in text
    assert "Largest kernel: 420 MiB; a kernel just started: 50 MiB." in text
    assert "whole course: 10 s; the heaviest notebook: 7.5 s." in text
    assert "idle after start-up: 90 MiB." in text
    assert "2048 KiB" in text
    assert f"on {os.cpu_count()} cores" in text


def test_a_missing_notebook_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        measure_notebooks.main([str(tmp_path / "nope.ipynb")])
    err = capsys.readouterr().err
    assert "notebooks: expected existing .ipynb files" in err and "nope.ipynb" in err
