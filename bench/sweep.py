"""How long the SLA sweep takes to find and breach the due clocks among a million running ones.

Run from the project root against a PostgreSQL server (the database named in the URL is not
touched; the bench creates, migrates and drops its own database `bench_sweep` beside it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/sweep.py [--clocks N]

It inserts N running clocks with COPY (1% past due, spread over the last ten minutes; the rest
due within the next eight hours), staff with supervisors and managers, and runs the sweep at a
fixed instant inside service hours, so every due clock is breached and fires its first
escalation level (a notification to a supervisor, and its email queued) and, for each of the
--subscribers webhook subscriptions (1 by default), an `sla.breached` delivery. The sweep runs
in autocommit as in the worker, so its after-commit work is timed and counted too. Email and
webhook tasks go to an in-memory broker: the sweep's time is the database's and this
process's, not a broker's.

Prints the clocks, the due clocks found, the sweep's wall time, the queries it issued (and
those of a second sweep that finds nothing due), and the EXPLAIN ANALYZE of the sweep's
selection query, which must use the partial index `clock_running_next_check`. Exits 1 when
the sweep misses a due clock or the index is not used.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _desk_data import copy_model  # noqa: E402
from _setup import QueryCounter, create_database, drop_database, setup_django  # noqa: E402

BENCH_DB = "bench_sweep"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday, noon in London: service hours
INDEX = "clock_running_next_check"


def make_staff(agents: int) -> list[int]:
    """`agents` agents in teams of ten, each with a named supervisor; two managers."""
    from django.contrib.auth import get_user_model

    from helpdesk.models import AgentProfile, Role, Team

    users = get_user_model().objects
    ids = []
    for manager in range(2):
        user = users.create(username=f"manager{manager}", email=f"manager{manager}@example.com")
        AgentProfile.objects.create(user=user, role=Role.MANAGER)
    for n in range(0, agents, 10):
        team = Team.objects.create(name=f"Team {n // 10}")
        boss = users.create(username=f"supervisor{n}", email=f"supervisor{n}@example.com")
        AgentProfile.objects.create(user=boss, role=Role.SUPERVISOR, team=team)
        for a in range(n, min(n + 10, agents)):
            user = users.create(username=f"agent{a}", email=f"agent{a}@example.com")
            AgentProfile.objects.create(user=user, team=team, supervisor=boss)
            ids.append(user.pk)
    return ids


def copy_clocks(count: int, due_fraction: float, assignees: list[int]) -> int:
    """COPY `count` running chat clocks in; returns how many are past due at NOW. Columns
    the bench leaves out get their model default (`copy_model`): a new column cannot break it."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from helpdesk.models import Clock, Customer
    from helpdesk.services.policy import ensure_policy_in_force

    version = ensure_policy_in_force(now=NOW)
    case_type = ContentType.objects.get_for_model(Customer).pk
    rng = random.Random(2026)
    due_count = int(count * due_fraction)
    due_rows = set(rng.sample(range(count), due_count))

    def rows():
        for n in range(count):
            if n in due_rows:  # due in the last ten minutes, its warning given
                due = NOW - timedelta(seconds=rng.uniform(1, 600))
                warned = due - timedelta(minutes=6)
                next_check = due
            else:  # due within eight hours, warning still to come
                due = NOW + timedelta(seconds=rng.uniform(10 * 60, 8 * 3600))
                warned = None
                next_check = due - timedelta(minutes=6)
            started = due - timedelta(minutes=30)
            yield {
                "case_type_id": case_type,
                "case_id": n + 1,
                "target": "chat.resolution",
                "policy_version_id": version.pk,
                "state": "running",
                "outcome": "pending",
                "started_at": started,
                "due_at": due,
                "warn_at": due - timedelta(minutes=6),
                "warned_at": warned,
                "paused_seconds": 0.0,
                "next_check_at": next_check,
                "assignee_id": assignees[n % len(assignees)],
                "updated_at": started,
            }

    with connection.cursor() as cursor:
        copy_model(cursor.connection.cursor(), Clock, rows())  # psycopg 3's own cursor
        cursor.execute("ANALYZE helpdesk_clock")
    return due_count


def explain_selection(batch_size: int) -> str:
    """EXPLAIN ANALYZE of the query that finds (and locks) the sweep's first batch."""
    from django.db import transaction

    from helpdesk.services.sla.sweep import clocks_to_sweep

    with transaction.atomic():
        plan = clocks_to_sweep(now=NOW, size=batch_size).explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument(
        "--subscribers",
        type=int,
        default=1,
        help="webhook subscriptions to sla.breached (their deliveries are made, not sent)",
    )
    parser.add_argument("--batch-size", type=int, default=None, help="SLA_SWEEP_BATCH_SIZE")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("error: set DATABASE_URL=postgres://user@host:port/db (a PostgreSQL server)")

    bench_url, admin_url = create_database(url, BENCH_DB)
    try:
        setup_django(bench_url)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, BENCH_DB)


def run(args) -> None:
    from django.conf import settings

    from helpdesk.models import WebhookDelivery, WebhookSubscription
    from helpdesk.services.sla import sweep_clocks

    batch_size = args.batch_size or settings.SLA_SWEEP_BATCH_SIZE
    started = time.perf_counter()
    due = copy_clocks(args.clocks, args.due_fraction, make_staff(args.agents))
    print(f"loaded {args.clocks:,} clocks in {time.perf_counter() - started:.1f} s (COPY)")

    for n in range(args.subscribers):
        WebhookSubscription.objects.create(
            url=f"https://hooks{n}.example.com/sla", events=["sla.breached"], secret="s" * 32
        )
    plan = explain_selection(batch_size)

    # The sweep runs in autocommit, as in the worker: each batch's after-commit work (handlers,
    # webhook events, the notification emails' queueing) runs, and is counted and timed.
    with QueryCounter() as queries:
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            with cProfile.Profile() as profile:
                report = sweep_clocks(now=NOW, batch_size=batch_size)
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            report = sweep_clocks(now=NOW, batch_size=batch_size)
        elapsed = time.perf_counter() - started

    with QueryCounter() as idle_queries:
        started = time.perf_counter()
        sweep_clocks(now=NOW, batch_size=batch_size)
        idle = time.perf_counter() - started

    print(f"clocks:             {args.clocks:,} running")
    print(f"due found:          {report.clocks:,} (expected {due:,})")
    print(f"breached:           {report.breached:,}")
    print(f"escalations fired:  {report.escalations:,}")
    print(f"notifications:      {report.notifications:,}")
    print(f"batches:            {report.batches} of {batch_size}")
    print(f"sweep wall time:    {elapsed:.3f} s")
    per_batch = queries.queries / max(report.batches, 1)
    deliveries = WebhookDelivery.objects.count()
    print(f"webhook deliveries: {deliveries:,} ({args.subscribers} subscribers)")
    print(f"queries issued:     {queries.queries:,} ({per_batch:.1f}/batch)")
    print(f"idle sweep:         {idle_queries.queries} queries, {idle * 1000:.1f} ms (nothing due)")
    print(f"index {INDEX} used: {'yes' if INDEX in plan else 'NO'}")
    print("EXPLAIN ANALYZE of the selection query (first batch):")
    print("  " + plan.replace("\n", "\n  "))
    if report.clocks != due or INDEX not in plan or deliveries != due * args.subscribers:
        sys.exit(1)


if __name__ == "__main__":
    main()
