"""`make lab` really serves the course on loopback only, with token authentication on."""

from __future__ import annotations

import os
import pathlib
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError):
        return 0  # not listening yet


@pytest.fixture()
def lab(tmp_path):
    port = _free_port()
    # The exact command `make lab` runs (dry run), started here without a browser.
    dry = subprocess.run(
        ["make", "-s", "-n", "lab", f"LAB_PORT={port}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(ln for ln in dry.splitlines() if "jupyter lab" in ln)
    cmd = [*shlex.split(line), "--no-browser"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(ROOT / ".pytest_cache" / "jupyter-runtime")}
    log = tmp_path / "lab.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        for _ in range(150):
            if _status(f"http://127.0.0.1:{port}/api") in (200, 403):
                break
            if proc.poll() is not None:
                pytest.fail(f"make lab exited early: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="reads listening sockets the Linux way")
def test_lab_listens_on_loopback_only_and_requires_a_token(lab):
    proc, port = lab
    listening = [
        c.laddr.ip
        for c in psutil.Process(proc.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening, "the lab server does not listen on its port"
    assert set(listening) <= {"127.0.0.1"}, f"lab listens on {listening}, expected 127.0.0.1 only"
    # Without the token the API refuses; the course's notebooks are not readable.
    assert _status(f"http://127.0.0.1:{port}/api/contents") == 403
    assert _status(f"http://127.0.0.1:{port}/api/contents?token=wrong") == 403
