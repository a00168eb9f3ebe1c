"""Test-wide settings.

- No test, notebook or package function may reach the network (bpcourse/_no_network.py).
- tools/ is importable (``import editions``).
- torch runs on one thread (the tests' tensors are tiny).
- Hypothesis: one profile (no deadline) for every property test.
- Under CI (``CI`` set, as the CI runner does), Hypothesis draws the same examples every run,
  so that a submission's result does not depend on luck; locally it keeps exploring.
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest
from hypothesis import HealthCheck, settings

from bpcourse._no_network import install

# The build tools (tools/editions.py ...) are scripts, importable by the tests as modules.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))

install()

# One profile for every property test: no deadline (a busy 2-core machine makes timings
# meaningless, and a test must never depend on one), no "too slow" health check.
settings.register_profile("bpcourse", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("bpcourse"), derandomize=True, database=None
)
settings.load_profile("ci" if os.environ.get("CI") else "bpcourse")


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny tensors: torch's intra-op threads only add synchronisation (slow on a busy machine)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
