"""How fast the desk's queue page answers with a million tickets on PostgreSQL.

Run from the project root against a PostgreSQL server (the database named in the URL is not
touched; the bench creates, migrates and drops its own database `bench_desk` beside it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/desk.py [--tickets N]

It loads N tickets with COPY, as a desk that has run for years holds them: 94% resolved or
closed, the rest new, open, pending the customer or on hold; 100 agents in 10 teams holding
most open tickets, the rest unassigned; a customer for every three tickets; SLA clocks for every
open ticket (first response and resolution, running, paused or stopped; some breached, some past
their warning) and for a fifth of the closed ones; and a sample of tickets with messages.

Then it requests the queue page through Django's test client, logged in as an agent, for each
queue and some searches (after a few warm-up requests), and prints per scenario the rows in the
queue, the latency's median, 95th and 99th percentiles in milliseconds, the median CPU time of
this process (Django and the templates; the rest is PostgreSQL's and waiting), and the queries
per request. Persistent database connections (CONN_MAX_AGE) are on, as in production; the page
is rendered as in production (no test instrumentation). Exits 1 when a median is over the
target (100 ms). `--explain` prints the plan of each queue's row query; `--keep` keeps the
database and `--reuse` times it again without loading.
"""

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _desk_data import WORDS, load  # noqa: E402 (beside this file)
from _setup import create_database, drop_database, setup_django  # noqa: E402

BENCH_DB = "bench_desk"
TARGET_MS = 100.0


# -- timing ------------------------------------------------------------------------------------


def scenarios(agent_username: str) -> dict[str, dict]:
    from tickets.models import Ticket

    ticket = Ticket.objects.filter(status="open").order_by("-pk").first()
    customer = ticket.customer
    return {
        "mine": {},
        "unassigned": {"queue": "unassigned"},
        "my team": {"queue": "team"},
        "breaching soon": {"queue": "soon"},
        "breached": {"queue": "breached"},
        "pending customer": {"queue": "pending"},
        "all open, urgent": {"queue": "open", "priority": "urgent"},
        "search a word": {"queue": "open", "q": WORDS[400]},
        "search two words": {"queue": "open", "q": f"{WORDS[3]} {WORDS[120]}"},
        "search a name": {"queue": "open", "q": f"{customer.name}"},
        "search reference": {"queue": "open", "q": ticket.reference},
        "search customer": {"queue": "open", "q": customer.email},
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_queue(client, params: dict, requests: int):
    """(wall ms, this process's CPU ms) of each request, queries per request, rows in the queue."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm-up: connection, caches, the plan
        response = client.get("/desk/", params)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/desk/", params)
    queries = len(captured)  # now: the next request clears the connection's log
    heading = re.search(rb'id="queue-heading">[^<]*<small>\(([\d,]+)\)', response.content)
    rows = int(heading[1].replace(b",", b""))
    times, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/desk/", params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return times, cpu, queries, rows


def explain(params: dict, user) -> str:
    """EXPLAIN ANALYZE of the queue's row query for these parameters."""
    from django.http import QueryDict
    from django.test import RequestFactory

    from tickets.views.queues import queue_context

    request = RequestFactory().get("/desk/", params)
    request.user = user
    request.GET = QueryDict(mutable=True)
    request.GET.update(params)
    page = queue_context(request)["page"]
    return page.object_list.explain(analyze=True, buffers=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print each row query's plan")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument(
        "--reuse", action="store_true", help=f"time a {BENCH_DB} kept earlier (implies --keep)"
    )
    args = parser.parse_args()
    args.keep = args.keep or args.reuse
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("error: set DATABASE_URL=postgres://user@host:port/db (a PostgreSQL server)")

    bench_url, admin_url = create_database(url, BENCH_DB, reuse=args.reuse)
    try:
        setup_django(
            bench_url,
            env={
                "CONN_MAX_AGE": "600",  # persistent connections, as in production
                "ALLOWED_HOSTS": "testserver",  # the test client's host
            },
            memory_broker=False,
        )
        ok = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, BENCH_DB)
    if not ok:
        sys.exit(1)


def run(args) -> bool:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tickets.models import Ticket

    if args.reuse and Ticket.objects.exists():
        print(f"reusing {Ticket.objects.count():,} tickets of {BENCH_DB}")
    else:
        started = time.perf_counter()
        loaded = load(args.tickets, datetime.now(UTC))
        print(
            f"loaded {loaded['tickets']:,} tickets ({loaded['open']:,} open), "
            f"{loaded['customers']:,} customers, {loaded['clocks']:,} clocks, "
            f"{loaded['messages']:,} messages in {time.perf_counter() - started:.0f} s (COPY)"
        )
    agent = get_user_model().objects.get(username="agent0")
    client = Client()
    client.force_login(agent)
    print(f"{args.requests} requests per scenario, logged in as {agent.username} (an agent)\n")
    print(
        f"{'scenario':<20}{'rows':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'cpu p50':>9}{'queries':>9}"
    )
    medians = {}
    for name, params in scenarios(agent.username).items():
        times, cpu, queries, rows = time_queue(client, params, args.requests)
        medians[name] = statistics.median(times)
        print(
            f"{name:<20}{rows:>9,}{medians[name]:>9.1f}{percentile(times, 0.95):>9.1f}"
            f"{percentile(times, 0.99):>9.1f}{statistics.median(cpu):>9.1f}{queries:>9}"
        )
        if args.explain:
            print("  " + explain(params, agent).replace("\n", "\n  "))
    slow = [name for name, median in medians.items() if median > TARGET_MS]
    verdict = "met" if not slow else "MISSED by " + ", ".join(slow)
    print(f"\ntarget: median < {TARGET_MS:.0f} ms: {verdict}")
    return not slow


if __name__ == "__main__":
    main()
