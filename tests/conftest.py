"""Test-wide settings.

- No test, notebook or package function may reach the network (bpcourse/_no_network.py).
- Under CI (``CI`` set, as the CI runner does), Hypothesis draws the same examples every run,
  so that a submission's result does not depend on luck; locally it keeps exploring.
"""

from __future__ import annotations

import os

from hypothesis import settings

from bpcourse._no_network import install

install()

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
