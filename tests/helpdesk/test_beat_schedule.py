"""Celery beat runs every periodic task the product relies on, under a name a worker knows.

Without the SLA sweep no working-day or complaint deadline would ever breach (only clocks due
within the hour get a task of their own), and nothing else would notice. The test settings empty
the schedule, so these tests ask the real beat scheduler what it would run under the settings
`make run` and production use, in a process of its own.
"""

import ast
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from config.celery import app as celery_app
from tests.support.servers import ROOT

APPS = ("helpdesk", "tickets", "chat", "complaints", "surveys", "config")

# The periodic work of the product, and what is lost without it.
PERIODIC_TASKS = {
    "helpdesk.tasks.sweep_clocks": "deadlines due past the hour (working days, complaints) breach",
    "helpdesk.tasks.keep_policy_review": "the version in force runs its policy.review clock",
    "helpdesk.webhooks.tasks.retry_webhook_deliveries": "failed webhook deliveries are retried",
    "helpdesk.api.tasks.purge_idempotency_keys": "old API idempotency keys are purged",
    "helpdesk.privacy.tasks.apply_retention": "data past the policy's [retention] is removed",
    "tickets.tasks.poll_mailboxes": "email is fetched from the IMAP mailboxes",
    "tickets.tasks.requeue_unsent_messages": "replies a lost task never sent are re-sent",
    "chat.tasks.sweep_chat_timers": "waiting customers get the wait notice and the message offer",
    "chat.tasks.sweep_presence": "agents whose console went away are marked away",
    "chat.tasks.purge_secure_details": "secure-form details are deleted after their retention",
    "complaints.tasks.remind_complaint_owners": "complaint owners are reminded of deadlines",
    "complaints.tasks.send_complaint_review": "the complaints review goes out on its cadence",
    "surveys.tasks.send_weekly_survey_digest": "supervisors get the weekly survey digest",
}


@cache
def beat_under(settings_module: str) -> dict:
    """The entries the real beat scheduler builds under `settings_module`, and the tasks a
    worker registers (tests/support/beat.py, in a fresh process)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=env.get("SECRET_KEY") or "beat-schedule-test-key-" + "x" * 40,
        ALLOWED_HOSTS="helpdesk.example",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.beat"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


SETTINGS = ["config.settings.production", "config.settings.local"]


@pytest.mark.parametrize("settings_module", SETTINGS)
def test_every_periodic_task_is_scheduled(settings_module):
    beat = beat_under(settings_module)

    scheduled = {entry["task"] for entry in beat["entries"].values()}
    missing = {task: why for task, why in PERIODIC_TASKS.items() if task not in scheduled}
    assert not missing, f"beat no longer runs (so this stops happening): {missing}"


@pytest.mark.parametrize("settings_module", SETTINGS)
def test_every_beat_entry_names_a_task_a_worker_registers(settings_module):
    beat = beat_under(settings_module)

    registered = set(beat["registered"])
    unknown = {
        name: entry["task"]
        for name, entry in beat["entries"].items()
        if entry["task"] not in registered
    }
    assert not unknown, f"beat would send tasks no worker runs: {unknown}"
    for name, entry in beat["entries"].items():
        assert entry["next_check"] > 0, name  # the schedule resolves to a next run
        if entry["kind"] == "interval":
            assert entry["seconds"] > 0, name


def test_the_sla_sweep_runs_at_least_every_minute():
    """The sweep is how a clock past due that has no task of its own breaches: a minute late
    at most, with the default SLA_SWEEP_SECONDS."""
    entries = beat_under("config.settings.production")["entries"]

    sweeps = [e for e in entries.values() if e["task"] == "helpdesk.tasks.sweep_clocks"]

    assert len(sweeps) == 1
    assert sweeps[0]["kind"] == "interval" and 0 < sweeps[0]["seconds"] <= 60


def _project_sources() -> dict[Path, str]:
    sources = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith("config/settings/"):
                continue
            sources[path] = path.read_text(encoding="utf-8")
    return sources


def _sent_by_code(task_name: str, sources: dict[Path, str]) -> bool:
    """Whether some code (not beat) sends the task: by its name, or through its function."""
    function = task_name.rsplit(".", 1)[1]
    by_name = re.compile(rf"""["']{re.escape(task_name)}["']""")
    by_function = re.compile(rf"\b{function}\.(delay|apply_async|s|si|signature)\(")
    return any(by_name.search(text) or by_function.search(text) for text in sources.values())


def test_a_task_only_beat_can_start_is_in_the_list_above():
    """A new periodic task is added to PERIODIC_TASKS (and so checked to be scheduled)."""
    celery_app.loader.import_default_modules()
    sources = _project_sources()
    ours = [name for name in celery_app.tasks if name.split(".", 1)[0] in APPS]

    beat_only = {name for name in ours if not _sent_by_code(name, sources)}

    assert beat_only, "the scan found no periodic task at all: it is broken"
    assert beat_only <= set(PERIODIC_TASKS), sorted(beat_only - set(PERIODIC_TASKS))


def test_every_task_sent_by_name_is_registered():
    """A task sent by its name (`current_app.signature("app.tasks.x")`) must exist, or the
    message would wait in the queue for a worker that never runs it."""
    celery_app.loader.import_default_modules()
    names = set()
    for path, text in _project_sources().items():
        for node in ast.walk(ast.parse(text, filename=str(path))):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and re.fullmatch(r"(\w+\.)+tasks\.\w+", node.value):
                names.add(node.value)

    assert names, "the scan found no task name: it is broken"
    assert names <= set(celery_app.tasks), sorted(names - set(celery_app.tasks))
