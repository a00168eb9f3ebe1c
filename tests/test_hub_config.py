"""tools/hub/jupyterhub_config.py: loopback only, state where it is told, the demo password's rules."""

from __future__ import annotations

import pathlib

import pytest
from traitlets.config.loader import PyFileConfigLoader

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "hub" / "jupyterhub_config.py"


def _load(monkeypatch, tmp_path, **env):
    for key in (
        "BPCOURSE_HUB_PORT",
        "BPCOURSE_HUB_API_PORT",
        "BPCOURSE_HUB_INTERNAL_PORT",
        "BPCOURSE_HUB_PASSWORD",
        "BPCOURSE_HUB_ADMIN_TOKEN",
        "BPCOURSE_HUB_PROXY",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BPCOURSE_HUB_STATE", str(tmp_path / "state"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()


def test_every_address_is_loopback(monkeypatch, tmp_path):
    c = _load(monkeypatch, tmp_path, BPCOURSE_HUB_PORT="18000")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:18000"
    assert c.JupyterHub.hub_bind_url == "http://127.0.0.1:18002"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:18001"
    text = CONFIG.read_text()
    assert "0.0.0.0" not in text and "Spawner.ip" not in text, "servers keep the default 127.0.0.1"


def test_state_and_homes_go_where_they_are_told(monkeypatch, tmp_path):
    c = _load(monkeypatch, tmp_path)
    state = tmp_path / "state"
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert c.JupyterHub.cookie_secret_file == str(state / "jupyterhub_cookie_secret")
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(state / "home" / "{username}")
    assert (state / "home").is_dir()


def test_demo_password_and_admin_token(monkeypatch, tmp_path):
    c = _load(monkeypatch, tmp_path)
    assert c.SharedPasswordAuthenticator.user_password == "bpcourse-demo"  # the README's
    assert "services" not in c.JupyterHub, "no admin token unless one is given"
    c = _load(
        monkeypatch,
        tmp_path,
        BPCOURSE_HUB_PASSWORD="another-class",
        BPCOURSE_HUB_ADMIN_TOKEN="t" * 32,
    )
    assert c.SharedPasswordAuthenticator.user_password == "another-class"
    assert c.JupyterHub.services == [{"name": "course-admin", "api_token": "t" * 32}]
    assert c.JupyterHub.load_roles == [{"name": "admin", "services": ["course-admin"]}]


def test_a_short_demo_password_is_refused(monkeypatch, tmp_path):
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    c = _load(monkeypatch, tmp_path, BPCOURSE_HUB_PASSWORD="short")
    with pytest.raises(ValueError, match="at least 8 characters"):
        SharedPasswordAuthenticator(config=c)


def test_users_inherit_no_secret_from_the_hub(monkeypatch, tmp_path):
    c = _load(monkeypatch, tmp_path)
    assert set(c.Spawner.env_keep) == {
        "JUPYTERHUB_SINGLEUSER_APP",
        "PATH",
        "LANG",
        "LC_ALL",
        "IPYTHONDIR",
    }
