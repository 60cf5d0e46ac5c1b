"""The tickets API with a million tickets on PostgreSQL: requests per second and p50/p95
latency of a filtered page of 50 and of a ticket's detail, and the queries each issues.

Run from the project root against a PostgreSQL server (the database named in the URL is not
touched; the bench creates, migrates and drops its own database `bench_api` beside it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/api.py [--tickets N]

It loads N tickets by COPY (spread over a year, 20% open with their email or phone clocks
running, 50,000 customers, 20 agents in 4 teams), then calls the API through Django's test
Client, authenticated by an API key as an integration would be: each scenario is warmed up,
then timed over --requests requests. Target: p95 < 50 ms for a filtered page of 50.
Exits 1 when a filtered page misses the target.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _desk_data import copy_model  # noqa: E402
from _setup import create_database, drop_database, setup_django  # noqa: E402

BENCH_DB = "bench_api"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday, noon in London
TARGET_P95_MS = 50.0
STATUSES = ["new", "open", "pending_customer", "resolved", "closed"]
WEIGHTS = [5, 10, 5, 30, 50]


def load(tickets: int, customers: int) -> dict:
    """Staff, customers and tickets (with the clocks of the open ones) by COPY; a column the
    bench leaves out gets its model default (`copy_model`), so a new one cannot break it."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from helpdesk.models import AgentProfile, Clock, Customer, Role, Team
    from helpdesk.services.people import set_role
    from helpdesk.services.policy import ensure_policy_in_force
    from tickets.models import Ticket

    version = ensure_policy_in_force(now=NOW)
    teams = [Team.objects.create(name=f"Team {n}") for n in range(4)]
    users = get_user_model().objects
    agents = []
    for n in range(20):
        user = users.create(username=f"agent{n}", email=f"agent{n}@example.com")
        set_role(
            profile=AgentProfile.objects.create(user=user, role=Role.AGENT, team=teams[n % 4]),
            role=Role.AGENT,
        )
        agents.append(user.pk)
    manager = users.create(username="manager", email="manager@example.com")
    # set_role: staff, in the role's group, as the people service makes them (an API key's
    # owner must be).
    set_role(
        profile=AgentProfile.objects.create(user=manager, role=Role.MANAGER), role=Role.MANAGER
    )
    rng = random.Random(2026)
    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg 3
        copy_model(
            raw.cursor(),
            Customer,
            (
                {"name": f"Customer {n}", "email": f"c{n}@example.org", "created_at": NOW}
                for n in range(customers)
            ),
        )
        cursor.execute("SELECT min(id) FROM helpdesk_customer")
        first_customer = cursor.fetchone()[0]
        open_rows = []

        def ticket_rows():
            for n in range(tickets):
                created = NOW - timedelta(seconds=rng.uniform(0, 365 * 86400))
                status = rng.choices(STATUSES, WEIGHTS)[0]
                channel = "phone" if n % 4 == 0 else "email"
                assignee = agents[n % len(agents)] if n % 3 else None
                yield {
                    "number": 1000 + n,
                    "channel": channel,
                    "subject": f"Request {n} about order {rng.randint(1, 10**6)}",
                    "customer_id": first_customer + n % customers,
                    "team_id": teams[n % 4].pk,
                    "assignee_id": assignee,
                    "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
                    "status": status,
                    "policy_version_id": version.pk,
                    "created_at": created,
                    "updated_at": created,
                }
                if status in ("new", "open"):
                    open_rows.append((n, channel, assignee))

        copy_model(raw.cursor(), Ticket, ticket_rows())
        cursor.execute("SELECT min(id) FROM tickets_ticket")
        first_ticket = cursor.fetchone()[0]

        def clock_rows():
            for n, channel, assignee in open_rows:
                for target in ("first_response", "resolution"):
                    due = NOW + timedelta(seconds=rng.uniform(-3600, 8 * 3600))
                    yield {
                        "case_type_id": ticket_type,
                        "case_id": first_ticket + n,
                        "target": f"{channel}.{target}",
                        "policy_version_id": version.pk,
                        "state": "running",
                        "outcome": "pending",
                        "started_at": due - timedelta(hours=8),
                        "due_at": due,
                        "warn_at": due - timedelta(minutes=30),
                        "next_check_at": due - timedelta(minutes=30),
                        "assignee_id": assignee,
                        "updated_at": NOW,
                    }

        copy_model(raw.cursor(), Clock, clock_rows())
        cursor.execute("ANALYZE")
    return {
        "manager": manager,
        "team": teams[0].pk,
        "agent": agents[3],
        "ticket": first_ticket + open_rows[len(open_rows) // 2][0],
        "clocks": 2 * len(open_rows),
    }


def measure(client, path: str, headers: dict, requests: int) -> dict:
    from django.db import connection

    for _ in range(10):  # warm up: caches, connection, plans
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.content[:300])
    queries = []  # counted by a wrapper: the request's start resets Django's query log

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path, **headers)
    times = []
    started = time.perf_counter()
    for _ in range(requests):
        t0 = time.perf_counter()
        client.get(path, **headers)
        times.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - started
    times.sort()
    return {
        "rps": requests / wall,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * len(times)) - 1],
        "queries": len(queries),
        "results": len(response.json().get("results", [])) if "results" in response.json() else 1,
    }


def run(args) -> bool:
    from django.test import Client

    from helpdesk.models import Scope
    from helpdesk.services.api_keys import api_key_create

    started = time.perf_counter()
    ids = load(args.tickets, args.customers)
    print(
        f"loaded {args.tickets:,} tickets, {args.customers:,} customers, {ids['clocks']:,} "
        f"running clocks in {time.perf_counter() - started:.1f} s (COPY)"
    )
    key = api_key_create(name="bench", owner=ids["manager"], scopes=Scope.values).key
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    client = Client()
    scenarios = [
        ("list: status=open, page of 50", "/api/v1/tickets/?status=open&page_size=50", True),
        (
            "list: status=open&channel=phone&team=…",
            f"/api/v1/tickets/?status=open&channel=phone&team={ids['team']}&page_size=50",
            True,
        ),
        (
            "list: assignee=…&status=new",
            f"/api/v1/tickets/?assignee={ids['agent']}&status=new&page_size=50",
            True,
        ),
        ("list: no filter, page of 50", "/api/v1/tickets/?page_size=50", False),
        ("detail", f"/api/v1/tickets/{ids['ticket']}/", False),
    ]
    ok = True
    print(f"{'scenario':42} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>5}")
    for name, path, filtered in scenarios:
        figures = measure(client, path, headers, args.requests)
        print(
            f"{name:42} {figures['rps']:7.0f} {figures['p50']:8.1f} {figures['p95']:8.1f} "
            f"{figures['queries']:8d} {figures['results']:5d}"
        )
        if filtered and figures["p95"] >= TARGET_P95_MS:
            ok = False
    # The next page costs the same as the first (a cursor, no OFFSET).
    first = client.get("/api/v1/tickets/?status=open&page_size=50", **headers).json()
    t0 = time.perf_counter()
    for _ in range(20):
        page = client.get(first["next"], **headers)
    print(
        f"{'list: status=open, 2nd page (cursor)':42} {'':7} "
        f"{(time.perf_counter() - t0) * 1000 / 20:8.1f} (mean ms)"
    )
    assert page.status_code == 200
    print(
        f"target: p95 < {TARGET_P95_MS:.0f} ms for a filtered page of 50: "
        f"{'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("error: set DATABASE_URL=postgres://user@host:port/db (a PostgreSQL server)")
    bench_url, admin_url = create_database(url, BENCH_DB)
    ok = False
    try:
        setup_django(
            bench_url,
            env={"API_THROTTLE_RATE": "1000000/min", "ALLOWED_HOSTS": "testserver"},
            memory_broker=False,
        )
        ok = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, BENCH_DB)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
