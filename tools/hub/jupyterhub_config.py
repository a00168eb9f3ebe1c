"""JupyterHub for one machine: the course environment as every student's environment. DEMO ONLY.

`make hub` runs `jupyterhub -f tools/hub/jupyterhub_config.py` with its state under build/hub.
It shows a class's hand-out on one machine (tests/extended/test_hub.py drives it): every user
logs in with ONE SHARED DEMO PASSWORD and every server runs as the same system account, with no
isolation between users. A real class puts an authenticator of its institution (OAuth, LDAP ...)
and an isolating spawner (systemd, containers, Kubernetes) in place of both; see the README,
"Teaching a class on JupyterHub".

Settings, from the environment (all optional):
  BPCOURSE_HUB_PORT          public port of the hub, on 127.0.0.1 (8000)
  BPCOURSE_HUB_API_PORT      the proxy's REST API port (public port + 1)
  BPCOURSE_HUB_INTERNAL_PORT the hub's own port, behind the proxy (public port + 2)
  BPCOURSE_HUB_STATE         database, cookie secret, pid files, users' homes (build/hub)
  BPCOURSE_HUB_PASSWORD      the shared demo password (bpcourse-demo, 8 characters at least)
  BPCOURSE_HUB_ADMIN_TOKEN   if set, a service `course-admin` with the admin role and this
                             API token (how a script creates users, starts servers, makes tokens)
  BPCOURSE_HUB_PROXY         configurable-http-proxy (build/hub/proxy/node_modules/.bin/...)
"""

import os
import pathlib
import sys

c = get_config()  # noqa: F821 (JupyterHub's config loader provides get_config)

ROOT = pathlib.Path(__file__).resolve().parents[2]
env = os.environ.get
PORT = int(env("BPCOURSE_HUB_PORT", "8000"))
STATE = pathlib.Path(env("BPCOURSE_HUB_STATE", str(ROOT / "build" / "hub"))).resolve()
STATE.mkdir(parents=True, exist_ok=True)
(STATE / "home").mkdir(exist_ok=True)
BIN = pathlib.Path(sys.executable).parent  # the course environment the hub runs in

# --- network: loopback only ----------------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('BPCOURSE_HUB_INTERNAL_PORT', PORT + 2)}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('BPCOURSE_HUB_API_PORT', PORT + 1)}"
c.ConfigurableHTTPProxy.command = [
    env(
        "BPCOURSE_HUB_PROXY",
        str(STATE / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"),
    )
]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# --- state: everything under BPCOURSE_HUB_STATE ---------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# Stopping the hub stops the proxy and every user's server (the defaults, stated).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- DEMO-ONLY authentication: one shared password for every (non-admin) user ----------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env("BPCOURSE_HUB_PASSWORD", "bpcourse-demo")
c.Authenticator.allow_all = True  # any username that knows the demo password gets an account

token = env("BPCOURSE_HUB_ADMIN_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": token}]
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["course-admin"]}]

# --- DEMO-ONLY spawner: servers as local processes of this account, homes under STATE/home ----
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []
# Kept from the hub's environment (nothing else, so the proxy's token never reaches a user):
# PATH for git (nbgitpuller), the locale, and IPYTHONDIR (the tests' no-network guard).
c.Spawner.env_keep = ["JUPYTERHUB_SINGLEUSER_APP", "PATH", "LANG", "LC_ALL", "IPYTHONDIR"]
# A shared 2-core machine may take a while to start a server with numpy, torch and JupyterLab.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
