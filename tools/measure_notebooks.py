"""What one student costs a hub: each notebook's peak kernel memory and CPU time, as Markdown.

Usage: .venv/bin/python tools/measure_notebooks.py [--output build/sizing.md] NOTEBOOK...
(`make sizing` runs it over notebooks/*.ipynb.)

Each notebook runs top to bottom in a fresh kernel (nbclient, as Run All does). For the kernel
process it reports:
  - peak memory: the kernel's resident-set high-water mark, VmHWM in /proc/<pid>/status (Linux),
    read after each cell (the last reading counts), so no sampling can miss a peak;
  - CPU time: user + system time of the kernel (and any child processes it waited for), from
    the kernel's start to the end of its last cell; on a busy machine it stays the same, where
    wall time grows;
  - wall time of the cells alone.
It also measures a Jupyter server of this environment (the process behind every user's
JupyterLab on a hub) after start-up, and the disk a student's copy takes. Nothing is written
into the notebooks.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import nbformat
import psutil
from nbclient import NotebookClient

MiB = 2**20


def vm_hwm(pid: int) -> int:
    """Peak resident memory of a process in bytes (Linux: VmHWM)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}: this measurement needs Linux's /proc")


def cpu_seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def measure(path: pathlib.Path) -> dict:
    """Run one notebook in a fresh kernel; return its kernel's peak RSS, CPU time and wall time."""
    nb = nbformat.read(path, as_version=4)
    row: dict = {"notebook": path.name}

    def started(**_):
        proc = psutil.Process(client.km.provisioner.pid)
        row["proc"] = proc
        row["start_rss"] = proc.memory_info().rss
        row["t0"] = time.perf_counter()

    def executed(**_):  # after every cell: the last call holds the notebook's totals
        row["wall"] = time.perf_counter() - row["t0"]
        row["peak_rss"] = vm_hwm(row["proc"].pid)
        row["cpu"] = cpu_seconds(row["proc"])

    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(path.parent)}},
        on_notebook_start=started,
        on_cell_executed=executed,
    )
    client.execute()
    del row["proc"]
    row["cells"] = sum(c.cell_type == "code" for c in nb.cells)
    return row


def server_rss() -> int:
    """Resident memory of a Jupyter server (JupyterLab) of this environment, idle after start-up."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as root:
        cmd = [
            str(pathlib.Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
        ]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    url = f"http://127.0.0.1:{port}/lab?token={token}"
                    with urllib.request.urlopen(url, timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("the Jupyter server did not answer within 120 s")
            return vm_hwm(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)


def table(rows: list[dict], server: int, notebooks_bytes: int) -> str:
    cpu = os.cpu_count()
    model = platform.processor() or platform.machine()
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out = [
        f"Measured {time.strftime('%Y-%m-%d')} on {cpu} cores ({model}), load average {load}, "
        f"Python {platform.python_version()}; each notebook run top to bottom in a fresh kernel.",
        "",
        "| notebook | code cells | kernel peak memory (RSS) | kernel CPU time | wall time of the cells |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['notebook']} | {r['cells']} | {r['peak_rss'] / MiB:.0f} MiB | "
            f"{r['cpu']:.1f} s | {r['wall']:.1f} s |"
        )
    peak = max(r["peak_rss"] for r in rows)
    total_cpu = sum(r["cpu"] for r in rows)
    out += [
        "",
        f"- Largest kernel: {peak / MiB:.0f} MiB; a kernel just started: "
        f"{min(r['start_rss'] for r in rows) / MiB:.0f} MiB.",
        f"- CPU time for the whole course: {total_cpu:.0f} s; the heaviest notebook: "
        f"{max(r['cpu'] for r in rows):.1f} s.",
        f"- A Jupyter server (JupyterLab) idle after start-up: {server / MiB:.0f} MiB.",
        f"- The notebooks with every output stored: {notebooks_bytes / 1024:.0f} KiB.",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--output", type=pathlib.Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"notebooks: expected existing .ipynb files, got missing {missing}")
    if not pathlib.Path("/proc/self/status").exists():
        parser.error("this measurement reads /proc (Linux); it cannot run on this system")
    os.environ.pop("MPLBACKEND", None)  # the kernel inherits it, and it breaks inline figures
    rows = []
    for path in args.notebooks:
        rows.append(measure(path))
        print(
            f"{path.name}: {rows[-1]['peak_rss'] / MiB:.0f} MiB, {rows[-1]['cpu']:.1f} s CPU",
            file=sys.stderr,
        )
    text = table(rows, server_rss(), sum(p.stat().st_size for p in args.notebooks))
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
