"""What Celery beat would schedule under a settings module, as JSON on stdout.

Run as `python -m tests.support.beat` with DJANGO_SETTINGS_MODULE set: the real beat scheduler
resolves the configured schedule (the same entries `celery -A config beat` builds), and the tasks
a worker registers are listed beside it, so a test can check that every periodic task the product
relies on is scheduled, and under a name a worker knows.
"""

import json
import sys

import django


def describe() -> dict:
    django.setup()
    from celery.beat import Scheduler
    from celery.schedules import crontab, schedule

    from config.celery import app

    app.loader.import_default_modules()  # what a worker registers when it starts
    scheduler = Scheduler(app=app, lazy=False)  # in memory; the persistent one adds a file
    entries = {}
    for name, entry in scheduler.schedule.items():
        every = entry.schedule
        if isinstance(every, crontab):
            kind, seconds = "crontab", None
        elif isinstance(every, schedule):
            kind, seconds = "interval", every.run_every.total_seconds()
        else:
            kind, seconds = type(every).__name__, None
        _, next_check = entry.is_due()  # resolves the schedule as beat does on each tick
        entries[name] = {
            "task": entry.task,
            "kind": kind,
            "seconds": seconds,
            "next_check": next_check,
            "schedule": repr(every),
        }
    return {"entries": entries, "registered": sorted(app.tasks)}


if __name__ == "__main__":
    json.dump(describe(), sys.stdout)
