"""JupyterHub configuration of the course on one machine (started by `deploy/hub.py start`).

One hub, the configurable-http-proxy from npm, one server per local account started by the
local-process spawner, nbgrader's exchange in a shared folder. Every setting comes from the
environment (the table in deploy/hub_settings.py); docs/deploy.md explains the whole set-up.

* Hub and proxy listen on 127.0.0.1 by default: put a TLS-terminating reverse proxy in front
  (BACKPROP_HUB_IP changes the public address, never use it without TLS).
* Authenticator: PAM (local accounts and passwords) by default; BACKPROP_HUB_AUTHENTICATOR takes
  any JupyterHub authenticator installed in the hub's environment (e.g. an OAuth one). The
  `dummy` authenticator (one shared password) is for automated tests only: it refuses to start
  unless BACKPROP_HUB_TEST_ONLY=1 and BACKPROP_HUB_DUMMY_PASSWORD are set.
* Before each server starts, the hub makes the user's home 0700 and writes their
  ~/.jupyter/nbgrader_config.py: the instructor's loads the course's configuration (formgrader,
  gradebook, sandboxed autograding); a student's names the course id and the exchange, and makes
  submissions readable only by the student and the instructor (deploy/backprop_hub_exchange.py).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hub_settings import Settings, secure_home, write_user_nbgrader_config  # noqa: E402

c = get_config()  # noqa: F821  (injected by traitlets)
S = Settings.from_env()

# ---- network: hub and proxy on loopback ------------------------------------------------------
c.JupyterHub.bind_url = f"http://{S.ip}:{S.port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S.hub_api_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(S.proxy)]
c.ConfigurableHTTPProxy.should_start = True
c.ConfigurableHTTPProxy.pid_file = str(S.state / "proxy.pid")

# ---- state: root-only folder -----------------------------------------------------------------
c.JupyterHub.db_url = "sqlite:///" + str(S.state / "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = str(S.state / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user server

# ---- who may log in --------------------------------------------------------------------------
if S.authenticator == "dummy":
    if os.environ.get("BACKPROP_HUB_TEST_ONLY") != "1" or not os.environ.get(
            "BACKPROP_HUB_DUMMY_PASSWORD"):
        sys.exit("The dummy authenticator (one shared password, anyone may log in as anyone) is "
                 "for automated tests only: set BACKPROP_HUB_TEST_ONLY=1 and "
                 "BACKPROP_HUB_DUMMY_PASSWORD, or use another BACKPROP_HUB_AUTHENTICATOR.")
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["BACKPROP_HUB_DUMMY_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = S.authenticator
allowed = set(S.allowed_users) | ({S.instructor} if S.instructor else set())
if allowed:
    c.Authenticator.allowed_users = allowed
if S.allowed_groups:
    c.LocalAuthenticator.allowed_groups = set(S.allowed_groups)
if S.admins:
    c.Authenticator.admin_users = set(S.admins)

# A service for scripts (and the tests): manage users and servers, reach every server's API.
if S.admin_token:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": S.admin_token}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
        "services": ["course-admin"],
    }]

# ---- user servers: local processes in the course environment ---------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(S.venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"  # servers are reached through the proxy only
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": S.server_path(),  # nbgrader runs `alembic`, the grading kernel runs `python`
    "BACKPROP_EXCHANGE": str(S.exchange),
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def prepare_user(spawner):
    """Before a server starts: private home, the user's nbgrader configuration."""
    name = spawner.user.name
    secure_home(name)
    write_user_nbgrader_config(S, name, python=str(S.venv / "bin" / "python"))
    spawner.log.info("backprop: %s is %s; wrote ~/.jupyter/nbgrader_config.py", name,
                     "the instructor" if name == S.instructor else "a student")


c.Spawner.pre_spawn_hook = prepare_user
