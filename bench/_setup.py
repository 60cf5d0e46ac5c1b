"""The benches' own PostgreSQL database and Django set-up, shared by the scripts beside this file.

Each bench creates, migrates and drops a database of its own (`name`) on the server of the
DATABASE_URL it is given, through the server's maintenance database `postgres`; the database
named in the URL is not touched.
"""

import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def create_database(
    url: str, name: str, *, reuse: bool = False, force: bool = False
) -> tuple[str, str]:
    """(Re)create the database `name` on the server of `url`; return its URL and the admin
    (maintenance database) URL. With `reuse`, keep it if it exists; with `force`, drop it even
    while other sessions are connected to it (`WITH (FORCE)`)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("error: DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db)")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = (
            reuse
            and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )
        if not exists:
            conn.execute(_drop_sql(name, force=force))
            conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(parts._replace(path=f"/{name}")), admin


def drop_database(admin_url: str, name: str, *, force: bool = False) -> None:
    """Drop the database `name` (if it exists) through the admin URL `create_database` returned."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(_drop_sql(name, force=force))


def _drop_sql(name: str, *, force: bool) -> str:
    return f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if force else "")


def setup_django(
    url: str,
    *,
    env: dict[str, str] | None = None,
    memory_broker: bool = True,
    before_migrate: Callable[[], None] | None = None,
) -> None:
    """Set Django up on config.settings.test against `url` (with the extra environment `env`),
    run `before_migrate` if given, migrate, and (with `memory_broker`) send Celery tasks to an
    in-memory broker: no Redis is needed and none is timed."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.update(env or {})
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if before_migrate is not None:
        before_migrate()
    from django.core.management import call_command

    # No setup_test_environment(): its instrumented template rendering would be timed too.
    call_command("migrate", verbosity=0)

    if memory_broker:
        from config.celery import app

        app.conf.update(broker_url="memory://localhost/", task_always_eager=False)


class QueryCounter:
    """Counts every statement this process sends on the default connection while active
    (`with QueryCounter() as counted: ...; counted.queries`). Unlike CaptureQueriesContext,
    which reads Django's query log (a deque of at most 9,000 entries), it has no ceiling, and
    it logs nothing (no SQL strings kept for a million rows)."""

    def __init__(self) -> None:
        self.queries = 0
        self._context = None

    def _count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "QueryCounter":
        from django.db import connection

        self._context = connection.execute_wrapper(self._count)
        self._context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)
