"""Integration fixtures: a real Celery worker process on the test Redis and the PostgreSQL test
database, so a task runs exactly as it does in production.

The broker keys of a run live under a prefix of their own (`global_keyprefix`), so two runs on
one Redis never see each other's messages. The worker runs with a short visibility timeout: a
message that a killed worker had taken comes back to the next worker as soon as it starts.
"""

import json
import os
import signal
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from helpdesk.health import HEARTBEAT_KEY, redis_client
from helpdesk.services.policy import publish_policy_version
from tests.api.receiver import receiver  # noqa: F401 (a fixture: a webhook receiver on loopback)
from tests.support.servers import BIN, ROOT, SERVER_START_TIMEOUT, subprocess_env, wait_for

VISIBILITY_TIMEOUT = 2  # seconds
WORKER_START_TIMEOUT = SERVER_START_TIMEOUT


@dataclass(frozen=True)
class Broker:
    url: str
    prefix: str
    transport_options: dict
    client: redis.Redis

    def unacked(self) -> int:
        """Messages a worker has taken and not yet acknowledged (held ETA tasks among them)."""
        return self.client.hlen(self.prefix + "unacked")

    def queued(self, queue: str = "celery") -> int:
        return self.client.llen(self.prefix + queue)


def _reset_producers() -> None:
    """Drop pooled broker connections so the next task is sent with the current settings."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture(scope="session")
def broker():
    """This run's broker: the test Redis (REDIS_URL) with every key under a fresh prefix."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "integration tests need PostgreSQL: DATABASE_URL is not a PostgreSQL URL "
            "(`make test` starts one)"
        )
    url = settings.CELERY_BROKER_URL
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is not reachable ({exc}); `make test` starts one")
    prefix = f"helpdesk-test-{uuid.uuid4().hex[:12]}:"
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": prefix,
        "visibility_timeout": VISIBILITY_TIMEOUT,
    }
    conf = celery_app.conf
    saved = {
        key: conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")
    }
    conf.update(broker_url=url, broker_transport_options=options, task_always_eager=False)
    _reset_producers()
    try:
        yield Broker(url=url, prefix=prefix, transport_options=options, client=client)
    finally:
        conf.update(saved)
        _reset_producers()
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)


class Worker:
    """`celery -A config worker --pool=solo -Q celery` against the test database."""

    def __init__(self, broker: Broker, log_dir: Path) -> None:
        self.broker = broker
        self.log_dir = log_dir
        self.name = f"sla-test-{uuid.uuid4().hex[:8]}@localhost"
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log = log_dir / "worker-0.log"

    def start(self) -> None:
        self.starts += 1
        self.log = self.log_dir / f"worker-{self.starts}.log"
        options = json.dumps(self.broker.transport_options)
        cmd = [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            "celery",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            self.name,
            f"broker_transport_options=(json){options}",
        ]
        env = subprocess_env(CELERY_BROKER_URL=self.broker.url, REDIS_URL=self.broker.url)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_for(
                lambda: self.proc.poll() is not None or self.ping(),
                timeout=WORKER_START_TIMEOUT,
                what=f"the Celery worker {self.name} to answer a ping",
                interval=0.2,
            )
        except AssertionError:
            self.stop()
            raise AssertionError(f"the worker did not start:\n{self.output()}") from None
        if self.proc.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.output()}")

    def ping(self) -> bool:
        return bool(celery_app.control.ping(destination=[self.name], timeout=0.5))

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or handed back."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def celery_worker(broker, transactional_db, tmp_path):
    """A running worker, stopped before the test database is flushed."""
    worker = Worker(broker, tmp_path)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        # Its heartbeat would tell /health/ (and its tests) that a worker is alive.
        redis_client().delete(HEARTBEAT_KEY + worker.name)


@pytest.fixture
def round_the_clock_policy(transactional_db):
    """The project's policy with service hours all day every day, in force since 2020, so a
    60-second target is due 60 real seconds after it starts whenever the suite runs."""
    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "24x7"')
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    text = text.replace('"08:00-22:00"', '"00:00-24:00"')
    return publish_policy_version(document=text, approved_by="Tests", change_note="24x7")
