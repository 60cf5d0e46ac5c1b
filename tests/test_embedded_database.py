"""`make run`'s embedded SQLite database takes the writers it has at once (the web server and its
chat threads, the worker, beat): customers starting chats together never get a 500 for
"database is locked"."""

import os
import subprocess
import sys

import pytest

from tests.support.servers import ROOT

# Two processes of four threads, each finding or creating customers as chat starts do (a read,
# then a write, in one transaction): the pattern that failed at once under `make run`.
WRITERS = """
import sys
from concurrent.futures import ThreadPoolExecutor

import django

django.setup()
from django.db import connection

from helpdesk.services.people import find_or_create_customer

tag = sys.argv[1]


def write(thread):
    try:
        for n in range(15):
            find_or_create_customer(
                name=f"C {tag} {thread} {n}", email=f"c-{tag}-{thread}-{n}@example.org"
            )
        return ""
    except Exception as error:
        return repr(error)
    finally:
        connection.close()


with ThreadPoolExecutor(4) as pool:
    errors = [error for error in pool.map(write, range(4)) if error]
print(len(errors), *errors[:2], sep="\\n")
"""


@pytest.mark.integration
def test_concurrent_writers_on_the_embedded_database_never_fail(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITERS, tag],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    outputs = [writer.communicate(timeout=600) for writer in writers]

    for stdout, stderr in outputs:
        assert stdout.splitlines()[:1] == ["0"], stdout + stderr
