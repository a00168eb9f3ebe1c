"""Write environment.yml (conda / Binder) from requirements.lock, so both pin the same versions.

Usage: .venv/bin/python tools/sync_environment.py   (tests/test_environment.py checks they agree)

One difference, on purpose: on Linux, torch from PyPI is the CUDA build, which pulls several GB
of NVIDIA libraries that a Binder (CPU only) never uses. environment.yml therefore asks pip for
PyTorch's CPU-only build, from PyTorch's own CPU wheel index, as PyTorch's install page documents
for CPU-only machines: on Linux the same version with the local label `+cpu` (only that index has
it, so pip cannot fall back to the CUDA build); elsewhere (macOS, Windows) PyPI's wheel, which has
no CUDA in it. Every other line is the lock's, version for version.
"""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
HEADER = """\
# Conda / Binder environment for bpcourse. Generated from requirements.lock by
# tools/sync_environment.py: edit the lock, then re-run the script.
# torch comes from PyTorch's CPU-only wheel index (+cpu), not PyPI's CUDA build.
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


def environment_pip_lines(lock: list[str]) -> list[str]:
    """The pip section of environment.yml: the CPU index, the lock (torch +cpu on Linux), the package."""
    out = [f"--extra-index-url {TORCH_CPU_INDEX}"]
    for line in lock:
        name, _, version = line.partition("==")
        if name.lower() == "torch":
            out.append(f"{name}=={version}+cpu; sys_platform == 'linux'")
            line = f"{name}=={version}; sys_platform != 'linux'"
        out.append(line)
    # Binder installs the course package itself from the repository root.
    out.append("-e .")
    return out


def main() -> int:
    body = "".join(f"      - {line}\n" for line in environment_pip_lines(lock_lines()))
    (ROOT / "environment.yml").write_text(HEADER + body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
