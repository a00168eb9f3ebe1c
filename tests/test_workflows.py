"""The GitHub Actions workflows are valid (the schema check can fail) and do what the README says.

The schema is check-jsonschema's vendored copy of SchemaStore's github-workflow schema (no
network): keys, triggers, job and step shapes.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml
from click.testing import CliRunner

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def _lint(*paths: pathlib.Path):
    """check-jsonschema's command line, run in this process (exit_code, output)."""
    from check_jsonschema.cli.main_command import main

    return CliRunner().invoke(
        main, ["--builtin-schema", "vendor.github-workflows", *map(str, paths)]
    )


def test_workflows_pass_the_schema():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "pages.yml"]
    result = _lint(*files)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "broken",
    [
        "on: push\njobs:\n  test:\n    steps:\n      - run: make test\n",  # no runs-on
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: make\n",  # steps not a list
        "on: [pushed]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n",  # no such event
    ],
)
def test_the_schema_check_rejects_a_broken_workflow(tmp_path, broken):
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    result = _lint(path)
    assert result.exit_code == 1 and "Schema validation errors" in result.output, result.output


def _load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_ci_runs_the_readme_commands_on_push_and_pull_request():
    ci = _load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    runs = "\n".join(s.get("run", "") for job in ci["jobs"].values() for s in job["steps"])
    assert "chromium" in runs and ".ci/run" in runs
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "make extended" in script
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme


def test_pages_builds_the_site_and_deploys_it():
    pages = _load("pages.yml")
    steps = [s for job in pages["jobs"].values() for s in job["steps"]]
    assert any("make html" in s.get("run", "") for s in steps)
    assert any(
        s.get("uses", "").startswith("actions/upload-pages-artifact")
        and s["with"]["path"] == "build/site"
        for s in steps
    )
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in steps)
    assert pages["permissions"]["pages"] == "write" and pages["permissions"]["id-token"] == "write"
