"""The no-network guard used by the whole test suite really refuses connections off the machine."""

from __future__ import annotations

import os
import pathlib
import socket
import urllib.request

import pytest
from nbclient import NotebookClient
from nbformat import v4

from bpcourse._no_network import NetworkAccessError

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_guard_refuses_remote_addresses_in_tests():
    with socket.socket() as s, pytest.raises(NetworkAccessError, match="no network access"):
        s.connect(("93.184.215.14", 80))
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("pypi.org", 443)
    with pytest.raises((NetworkAccessError, OSError)):
        urllib.request.urlopen("http://example.com", timeout=1)


def test_guard_allows_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())  # no NetworkAccessError


def test_notebook_kernels_run_with_the_guard(monkeypatch):
    # make test points IPYTHONDIR at tests/ipython, whose startup file installs the guard.
    monkeypatch.setenv("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                "import socket\ntry:\n    socket.create_connection(('93.184.215.14', 80), timeout=1)\n"
                "except Exception as exc:\n    print(type(exc).__name__)"
            )
        ]
    )
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "NetworkAccessError"
    assert os.environ["IPYTHONDIR"].endswith("ipython")
