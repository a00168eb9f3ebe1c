"""A class on one machine: `make hub`'s JupyterHub, three students, an nbgitpuller hand-out.

Run by `make hub-test` (part of `make extended`), which installs configurable-http-proxy first.
The hub runs with tools/hub/jupyterhub_config.py, on free loopback ports, its state in a
temporary folder. The student edition comes from `make student` (in a copy of the repository)
and is committed to a local git repository, as an instructor would push it to the class's.
Each student, as a browser would:
  1. logs in with the demo password (a wrong one is refused first),
  2. has a server started (by the admin service's API token),
  3. follows the nbgitpuller link /hub/user-redirect/git-pull?repo=...&branch=...&urlpath=...,
     and the page's sync request pulls the repository into the student's home,
  4. runs 01_chain_rule.ipynb in a kernel of their own server (REST API + kernel websocket):
     every check cell says the exercise is not done yet, and no cell raises.
The last test stops the hub and requires that every process it started has ended.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

import nbformat
import psutil
import pytest
import requests
import websocket
from helpers import copy_repository

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = pathlib.Path(sys.executable).parent.parent
CONFIG = ROOT / "tools" / "hub" / "jupyterhub_config.py"
PROXY = pathlib.Path(
    os.environ.get(
        "BPCOURSE_HUB_PROXY",
        ROOT / "build" / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy",
    )
)
USERS = ("ada", "grace", "alan")
PASSWORD = "bpcourse-demo"  # the documented demo default (the config's BPCOURSE_HUB_PASSWORD)
NOTEBOOK = "01_chain_rule.ipynb"
REPO_NAME = "bpcourse-student"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, ready, timeout: float, proc: subprocess.Popen | None = None, log=None):
    """Poll ready() until it returns a true value; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(
                f"the hub exited ({proc.returncode}) while waiting for {what}:\n{_tail(log)}"
            )
        value = ready()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout} s\n{_tail(log)}")


def _tail(log: pathlib.Path | None) -> str:
    return log.read_text()[-4000:] if log and log.exists() else ""


class Hub:
    def __init__(
        self, url: str, token: str, proc: subprocess.Popen, state: pathlib.Path, log: pathlib.Path
    ):
        self.url, self.token, self.proc, self.state, self.log = url, token, proc, state, log
        self.processes: dict[int, psutil.Process] = {}

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the hub's REST API with the admin service's token."""
        return requests.request(
            method,
            f"{self.url}/hub/api{path}",
            timeout=60,
            headers={"Authorization": f"token {self.token}"},
            **kwargs,
        )

    def remember_processes(self) -> None:
        """Every process the hub has started so far (proxy, servers, kernels), to check at the end."""
        if self.proc.poll() is None:
            for p in psutil.Process(self.proc.pid).children(recursive=True):
                self.processes[p.pid] = p


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory) -> pathlib.Path:
    """`make student` in a copy of the repository, committed to a local git repository."""
    copy = tmp_path_factory.mktemp("course") / "bpcourse"
    copy_repository(copy)
    made = subprocess.run(
        ["make", "-s", "student", f"VENV={VENV}", "SETUP="],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, f"make student failed:\n{made.stderr[-3000:]}"
    repo = tmp_path_factory.mktemp("class") / REPO_NAME
    shutil.copytree(copy / "build" / "student", repo)
    git = ["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.invalid"]
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "student edition"],
    ):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    assert (repo / NOTEBOOK).is_file()
    return repo


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not os.access(PROXY, os.X_OK):
        pytest.fail(
            f"configurable-http-proxy not found at {PROXY}: run `make hub-test`, which installs it"
        )
    state = tmp_path_factory.mktemp("hub")
    port, api_port, hub_port = _free_port(), _free_port(), _free_port()
    token = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "BPCOURSE_HUB_PASSWORD")}
    env.update(
        BPCOURSE_HUB_PORT=str(port),
        BPCOURSE_HUB_API_PORT=str(api_port),
        BPCOURSE_HUB_INTERNAL_PORT=str(hub_port),
        BPCOURSE_HUB_STATE=str(state),
        BPCOURSE_HUB_ADMIN_TOKEN=token,
        BPCOURSE_HUB_PROXY=str(PROXY),
        IPYTHONDIR=str(ROOT / "tests" / "ipython"),
    )  # no network in the kernels
    log = state / "hub.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "jupyterhub"), "-f", str(CONFIG)],
            cwd=state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    h = Hub(f"http://127.0.0.1:{port}", token, proc, state, log)
    try:
        _wait(
            "the hub's API through the proxy", lambda: _get_ok(f"{h.url}/hub/api/"), 180, proc, log
        )
        h.remember_processes()
        yield h
    finally:
        # Safety net if the last test did not run or failed half-way: end what is still running.
        if proc.poll() is None:
            h.remember_processes()
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        for p in h.processes.values():
            if p.is_running():
                p.kill()


def _get_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def _login(hub: Hub, name: str, password: str) -> tuple[requests.Session, requests.Response]:
    """The login form, filled in and sent as a browser sends it."""
    s = requests.Session()
    page = s.get(f"{hub.url}/hub/login", timeout=30)
    assert page.status_code == 200 and 'name="password"' in page.text
    form = {"username": name, "password": password, "_xsrf": s.cookies.get("_xsrf", "")}
    return s, s.post(f"{hub.url}/hub/login?next=/hub/home", data=form, timeout=60)


def _run_over_websocket(ws: websocket.WebSocket, code: str, session: str) -> list[dict]:
    """Execute code in the kernel; return its outputs as (iopub) messages, as a browser sees them."""
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "session": session,
                    "username": "",
                    "version": "5.3",
                    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "buffers": [],
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": False,
                },
            }
        )
    )
    outputs = []
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id or msg["channel"] != "iopub":
            continue
        kind = msg["header"]["msg_type"]
        if kind in ("stream", "error", "display_data", "execute_result"):
            outputs.append({"type": kind, **msg["content"]})
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return outputs


def _text(outputs: list[dict]) -> str:
    parts = []
    for out in outputs:
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        if out["type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
    return "\n".join(parts)


def test_a_wrong_password_is_refused(hub):
    s, r = _login(hub, "mallory", "not-the-password")
    assert r.status_code == 403 and "Invalid username or password" in r.text, r.text[:300]
    assert s.get(f"{hub.url}/hub/api/user", timeout=30).status_code == 403
    assert hub.api("GET", "/users/mallory").status_code == 404, "a failed login created a user"


@pytest.mark.parametrize("name", USERS)
def test_student_pulls_the_edition_and_runs_01(hub, student_repo, name):
    # 1. log in with the shared demo password
    s, r = _login(hub, name, PASSWORD)
    assert r.status_code == 200 and urllib.parse.urlparse(r.url).path == "/hub/home", r.url
    me = s.get(f"{hub.url}/hub/api/user", timeout=30)
    assert me.status_code == 200 and me.json()["name"] == name, me.text[:300]

    # 2. the admin service starts the student's server
    r = hub.api("POST", f"/users/{name}/server")
    assert r.status_code in (201, 202), r.text

    def ready():
        info = hub.api("GET", f"/users/{name}").json()
        return info["servers"].get("", {}).get("ready")

    _wait(f"{name}'s server", ready, 180, hub.proc, hub.log)
    hub.remember_processes()

    # 3. the nbgitpuller link, followed as a browser follows it
    link = f"{hub.url}/hub/user-redirect/git-pull?" + urllib.parse.urlencode(
        {"repo": str(student_repo), "branch": "main", "urlpath": f"lab/tree/{REPO_NAME}/{NOTEBOOK}"}
    )
    page = s.get(link, timeout=120)
    assert page.status_code == 200, page.text[:500]
    assert urllib.parse.urlparse(page.url).path == f"/user/{name}/git-pull", page.url
    attrs = {
        k: urllib.parse.unquote(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', page.text)
    }
    assert attrs["repo"] == str(student_repo) and attrs["branch"] == "main", attrs
    # What the page's script (nbgitpuller's gitsync.js) does next: the sync request, read as events.
    sync = s.get(
        f"{hub.url}{attrs['base-url']}git-pull/api",
        timeout=300,
        stream=True,
        params={
            "_xsrf": attrs["xsrf"],
            "repo": attrs["repo"],
            "targetpath": attrs["targetpath"],
            "branch": attrs["branch"],
        },
    )
    assert sync.status_code == 200
    events = []
    for line in sync.iter_lines(decode_unicode=True):
        if line.startswith("data: "):
            events.append(json.loads(line[len("data: ") :]))
            if events[-1].get("phase") in ("finished", "error"):
                break
    sync.close()
    assert events and events[-1]["phase"] == "finished", events[-3:]
    # ... and the redirect to urlpath: the notebook opens in JupyterLab.
    lab = s.get(f"{hub.url}{attrs['base-url']}{attrs['path']}", timeout=60)
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    home = hub.state / "home" / name
    pulled = home / REPO_NAME / NOTEBOOK
    assert pulled.read_bytes() == (student_repo / NOTEBOOK).read_bytes()
    assert sorted(p.name for p in (home / REPO_NAME).glob("*.ipynb")) == sorted(
        p.name for p in student_repo.glob("*.ipynb")
    )

    # 4. run the notebook in a kernel of the student's own server
    token = hub.api("POST", f"/users/{name}/tokens", json={"note": "hub test", "expires_in": 3600})
    assert token.status_code == 201, token.text
    auth = {"Authorization": f"token {token.json()['token']}"}
    server = f"{hub.url}/user/{name}"
    sess = requests.post(
        f"{server}/api/sessions",
        headers=auth,
        timeout=120,
        json={
            "path": f"{REPO_NAME}/{NOTEBOOK}",
            "name": NOTEBOOK,
            "type": "notebook",
            "kernel": {"name": "python3"},
        },
    )
    assert sess.status_code == 201, sess.text
    sid, kid = sess.json()["id"], sess.json()["kernel"]["id"]
    ws = websocket.create_connection(
        f"{server.replace('http', 'ws', 1)}/api/kernels/{kid}/channels",
        timeout=180,
        header=[f"Authorization: {auth['Authorization']}"],
    )
    hub.remember_processes()
    nb = nbformat.read(pulled, as_version=4)
    try:
        where = _text(
            _run_over_websocket(ws, "import os; print(os.getcwd()); print(os.environ['HOME'])", sid)
        )
        results = [
            (cell, _run_over_websocket(ws, cell.source, sid))
            for cell in nb.cells
            if cell.cell_type == "code"
        ]
    finally:
        ws.close()
    hub.remember_processes()
    assert (
        requests.delete(f"{server}/api/sessions/{sid}", headers=auth, timeout=60).status_code == 204
    )

    errors = [
        (cell.source[:60], _text(outs))
        for cell, outs in results
        if any(o["type"] == "error" for o in outs)
    ]
    assert not errors, f"{name}: cells raised in the student edition: {errors}"
    checks = [
        (cell, outs) for cell, outs in results if "exercise-check" in cell.metadata.get("tags", [])
    ]
    assert checks, "no exercise-check cell in the student edition of 01"
    for cell, outs in checks:
        assert "not done yet" in _text(outs).lower(), f"{cell.source[:80]!r}: {_text(outs)[:300]}"
    # The kernel ran in the pulled folder, in this student's own home.
    assert where.split() == [str(home / REPO_NAME), str(home)], where


def test_stopping_the_hub_ends_every_process_it_started(hub):
    for name in USERS:
        assert hub.api("GET", f"/users/{name}").json()["servers"].get("", {}).get("ready"), (
            f"{name}'s server should still be running, with the others"
        )
    hub.remember_processes()
    assert len(hub.processes) >= 1 + len(USERS), "the proxy and three servers, at least"
    for name in USERS:
        assert hub.api("DELETE", f"/users/{name}/server").status_code in (202, 204)
    hub.proc.terminate()
    assert hub.proc.wait(120) == 0, _tail(hub.log)
    _, alive = psutil.wait_procs(list(hub.processes.values()), timeout=60)
    stray = [f"{p.pid} {p.name()}" for p in alive]
    for p in alive:
        p.kill()
    assert not stray, f"processes left running after the hub stopped: {stray}"
