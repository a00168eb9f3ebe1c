"""The two environment files pin the same packages, and the setup commands stay safe."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
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
    assert _pins(lines).get("torch") == "2.13.0", "torch must be pinned to the local CPU wheel 2.13.0"


def test_environment_yml_matches_lock():
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    env = _pins((ROOT / "environment.yml").read_text().splitlines())
    missing = sorted(set(lock) - set(env))
    extra = sorted(set(env) - set(lock))
    differ = sorted(k for k in set(lock) & set(env) if lock[k] != env[k])
    assert not (missing or extra or differ), (
        f"environment.yml and requirements.lock disagree: missing {missing}, extra {extra}, "
        f"other versions {differ}; run tools/sync_environment.py"
    )
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


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
    for weakening in ("token=''", 'token=""', "token= ", "0.0.0.0", "disable_check_xsrf",
                      "password=''", "allow_remote_access"):
        assert weakening not in recipe.replace("IdentityProvider.", ""), (
            f"make lab must keep token authentication and loopback binding: found {weakening!r}"
        )
    assert not re.search(r"token=(\s|$)", recipe), "make lab must never set an empty token"


def test_ci_runs_make_test():
    run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", run, re.M), ".ci/run must call `make test`"
