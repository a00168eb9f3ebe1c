"""Test-wide settings.

- No test, notebook or package function may reach the network (bpcourse/_no_network.py).
- tools/ is importable (``import editions``).
- torch runs on one thread (the tests' tensors are tiny).
- Under CI (``CI`` set, as the CI runner does), Hypothesis draws the same examples every run,
  so that a submission's result does not depend on luck; locally it keeps exploring.
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest
from hypothesis import settings

from bpcourse._no_network import install

# The build tools (tools/editions.py ...) are scripts, importable by the tests as modules.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))

install()

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny tensors: torch's intra-op threads only add synchronisation (slow on a busy machine)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
