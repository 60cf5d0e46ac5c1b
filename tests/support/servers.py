"""Real servers for tests: the project's own processes (ASGI server, Celery worker) started as
subprocesses against the test database, so tests see what a user would."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# How long a server a test starts (Daphne, a Celery worker, Chromium ...) may take to come up.
# Generous: on a busy machine start-up is slow, and this is a wait, not a timed assertion.
SERVER_START_TIMEOUT = float(os.environ.get("TEST_SERVER_START_TIMEOUT", "180"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the test database pytest-django created, for a subprocess to use.
    Only PostgreSQL can be shared with another process (SQLite test databases live in memory)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a subprocess needs the PostgreSQL test database (run `make test`)")
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=test_database_url(),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.05):
    """Poll an external process's effect until it holds; fail naming what never happened."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running(cmd: list[str], *, env: dict[str, str], log: Path):
    """Run a server process for the duration of the block, and stop it after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def asgi_server(tmp_path: Path, **extra_env: str):
    """Daphne serving config.asgi on a free port (HTTP and WebSocket), yielding its base URL.
    `extra_env` adds to (or overrides) the server's environment."""
    port = free_port()
    env = subprocess_env(ALLOWED_HOSTS="127.0.0.1,localhost", **extra_env)
    cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    log = tmp_path / "daphne.log"
    with running(cmd, env=env, log=log) as proc:
        try:
            wait_for(
                lambda: proc.poll() is not None or port_open(port),
                timeout=SERVER_START_TIMEOUT,
                what="daphne to listen",
            )
        except AssertionError:
            raise AssertionError(log.read_text()) from None
        if proc.poll() is not None:
            raise AssertionError(f"daphne exited: {log.read_text()}")
        yield f"http://127.0.0.1:{port}"
