"""Write environment.yml (conda / Binder) from requirements.lock, so both pin the same versions.

Usage: .venv/bin/python tools/sync_environment.py   (tests/test_environment.py checks they agree)
"""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
HEADER = """\
# Conda / Binder environment for bpcourse. Generated from requirements.lock by
# tools/sync_environment.py: edit the lock, then re-run the script.
name: bpcourse
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def lock_lines() -> list[str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main() -> int:
    body = "".join(f"      - {line}\n" for line in lock_lines())
    # Binder installs the course package itself from the repository root.
    body += "      - -e .\n"
    (ROOT / "environment.yml").write_text(HEADER + body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
