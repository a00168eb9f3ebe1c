"""The two environment files pin the same packages, and the setup commands stay safe."""

from __future__ import annotations

import pathlib
import re

import yaml
from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        m = re.fullmatch(r"\s*(?:-\s+)?([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)\s*", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_lock_pins_every_line_exactly():
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    unpinned = [line for line in lines if "==" not in line]
    assert not unpinned, f"requirements.lock lines without an exact pin: {unpinned}"
    assert _pins(lines).get("torch") == "2.13.0", (
        "torch must be pinned to the local CPU wheel 2.13.0"
    )


TORCH_CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"


def _environment_pip_lines() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps, "environment.yml must pin python=3.11"
    pip = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip) == 1, "environment.yml needs exactly one pip: section"
    return [str(line) for line in pip[0]]


def test_environment_yml_matches_lock():
    """Every package of the lock at the lock's version; torch only differs by its CPU build."""
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    lines = _environment_pip_lines()
    torch_lines = [line for line in lines if line.lower().startswith("torch")]
    env = _pins(line for line in lines if line not in torch_lines)
    lock_torch = lock.pop("torch")
    missing = sorted(set(lock) - set(env))
    extra = sorted(set(env) - set(lock))
    differ = sorted(k for k in set(lock) & set(env) if lock[k] != env[k])
    assert not (missing or extra or differ), (
        f"environment.yml and requirements.lock disagree: missing {missing}, extra {extra}, "
        f"other versions {differ}; run tools/sync_environment.py"
    )
    assert "-e ." in lines, "environment.yml must install the course package (-e .)"
    # Linux gets the CPU-only build (+cpu exists only on PyTorch's CPU index, so pip cannot fall
    # back to PyPI's CUDA build); macOS and Windows wheels on PyPI have no CUDA in them.
    assert sorted(torch_lines) == sorted(
        [
            f"torch=={lock_torch}+cpu; sys_platform == 'linux'",
            f"torch=={lock_torch}; sys_platform != 'linux'",
        ]
    ), f"environment.yml's torch lines {torch_lines} are not the lock's {lock_torch} as CPU builds"


def test_environment_yml_takes_torch_from_the_cpu_index():
    lines = _environment_pip_lines()
    assert lines.count(TORCH_CPU_INDEX) == 1, (
        f"environment.yml's pip section needs `{TORCH_CPU_INDEX}`"
    )
    assert lines.index(TORCH_CPU_INDEX) == 0, "pip options come before the packages"
    assert not [line for line in lines if line.startswith("--index-url")], (
        "--index-url would replace PyPI, which the other packages come from: use --extra-index-url"
    )
    for line in lines:
        if line.lower().startswith("torch"):
            req = Requirement(line)  # pip reads each line as a PEP 508 requirement
            assert req.marker is not None and "sys_platform" in str(req.marker)


def test_sync_environment_reproduces_environment_yml(tmp_path):
    """The committed environment.yml is exactly what the script writes from the lock."""
    import sync_environment

    body = "".join(
        f"      - {line}\n"
        for line in sync_environment.environment_pip_lines(sync_environment.lock_lines())
    )
    assert (ROOT / "environment.yml").read_text() == sync_environment.HEADER + body, (
        "environment.yml is stale: run tools/sync_environment.py"
    )


def _make_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    m = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, f"Makefile has no recipe for {target}"
    return m.group(1)


def test_make_lab_binds_loopback_and_keeps_token():
    recipe = _make_recipe("lab")
    makefile = (ROOT / "Makefile").read_text()
    assert "jupyter lab" in recipe
    assert re.search(r"^LAB_IP \?= 127\.0\.0\.1$", makefile, re.M), "lab must default to 127.0.0.1"
    assert "--ServerApp.ip=$(LAB_IP)" in recipe
    for weakening in (
        "token=''",
        'token=""',
        "token= ",
        "0.0.0.0",
        "disable_check_xsrf",
        "password=''",
        "allow_remote_access",
    ):
        assert weakening not in recipe.replace("IdentityProvider.", ""), (
            f"make lab must keep token authentication and loopback binding: found {weakening!r}"
        )
    assert not re.search(r"token=(\s|$)", recipe), "make lab must never set an empty token"


def test_ci_runs_make_test():
    run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", run, re.M), ".ci/run must call `make test`"
