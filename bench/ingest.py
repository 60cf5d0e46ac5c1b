"""How fast email is taken in: messages per second through `ingest_email` on PostgreSQL.

Run from the project root against a PostgreSQL server (the database named in the URL is not
touched; the bench creates, migrates and drops its own database `bench_ingest` beside it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/ingest.py [--messages N]

It generates a corpus of N messages (10,000 by default; a fixed seed) as customers write them:
new threads, replies that thread through In-Reply-To/References (with quoted history) or only
through the `[#1042]` in their subject, plain text and multipart/alternative, some with an
attachment, a few auto-replies, and a few sent twice. Then it ingests them one by one, in
arrival order, as the IMAP poller and the HTTP endpoint do: each in its own transaction, its
after-commit work included (acknowledgements queued to Celery, desk broadcasts, webhooks). The
raw emails and attachments are stored under a temporary MEDIA_ROOT; Celery tasks go to an
in-memory broker and broadcasts to an in-memory channel layer, so the figures are this
process's and the database's, not a broker's.

Each email is ingested at its arrival time (the clock stands still at it while it is taken in,
as when the poller takes it the moment it arrives), so only the SLA clocks due within the hour
get a Celery task, as in production. `--workers N` runs N processes, each with the whole of a
share of the threads (a thread's messages stay in order in one process).

Prints emails per second, per-email latency (p50, p95, p99), queries per email, and the CPU
time per email of the workers (process time) and of their PostgreSQL backends (read from /proc
when the server runs on this machine): on a machine shared with other work, the CPU figures
say what the emails cost, and the throughput only what they got. Exits 1 below `--target`
emails per second. `--profile FILE` writes a cProfile of the run in CPU time (one worker only;
read it with `python -m pstats FILE`).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _email_corpus import START, Item, make_corpus  # noqa: E402
from _setup import create_database, drop_database, setup_django  # noqa: E402

BENCH_DB = "bench_ingest"
# -- the database --------------------------------------------------------------------------


def setup_django_for_ingest(url: str, media_root: str) -> None:
    def configure() -> None:
        from django.conf import settings

        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
        settings.DEFAULT_FROM_EMAIL = "Example Support <support@helpdesk.example>"

    setup_django(url, env={"MEDIA_ROOT": media_root}, before_migrate=configure)
    from config.celery import app

    app.loader.import_default_modules()


# -- the run -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Outcome:
    """What one worker measured: per message its kind, latency (s) and queries."""

    kinds: list[str]
    latencies: list[float]
    queries: list[int]
    errors: list[str]  # why each failed email failed
    started: float  # time.perf_counter(): CLOCK_MONOTONIC, the same clock in every process
    ended: float
    cpu: float
    in_database: float
    server_cpu: float | None = None  # CPU seconds of this worker's PostgreSQL backend


def backend_cpu(connection) -> float | None:
    """CPU seconds (user + system) the PostgreSQL backend serving `connection` has used, read
    from /proc when the server runs on this machine (None otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def ingest_items(items: list[tuple[int, Item]], profile_to: str | None = None) -> Outcome:
    """Ingest `items` (index, item) in order, one transaction each, as a poller does."""
    from django.db import connection

    from tickets.services import ingest_email

    references: dict[int, str] = {}  # thread -> its ticket's reference, e.g. "#1042"
    sent: dict[int, bytes] = {}
    counted, in_database = [0], [0.0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - began

    outcome = Outcome([], [], [], [], 0.0, 0.0, 0.0, 0.0)
    profile = None
    if profile_to:
        import cProfile

        profile = cProfile.Profile(time.process_time)  # CPU time: robust on a busy machine
        profile.enable()
    server_cpu = backend_cpu(connection)
    # Each email is taken in the moment it arrives, as in production: the clock reads its
    # arrival time (so only the clocks due within the hour get a Celery task, as they would).
    travel = time_machine.travel(START, tick=False)
    clock = travel.start()
    with connection.execute_wrapper(count):
        outcome.started, cpu = time.perf_counter(), time.process_time()
        for index, item in items:
            clock.move_to(item.arrived)
            raw = sent[item.same_as] if item.same_as is not None else item.raw
            placeholder = f"[#THREAD-{item.thread}]".encode()
            if placeholder in raw and item.thread in references:
                raw = raw.replace(placeholder, f"[{references[item.thread]}]".encode())
            sent[index] = raw
            before, began = counted[0], time.perf_counter()
            result = ingest_email(raw=raw, received_at=item.arrived)
            outcome.latencies.append(time.perf_counter() - began)
            outcome.queries.append(counted[0] - before)
            outcome.kinds.append(result.kind)
            if result.error:
                outcome.errors.append(result.error)
            if item.what == "thread" and result.ticket is not None:
                references.setdefault(item.thread, result.ticket.reference)
        outcome.ended, outcome.cpu = time.perf_counter(), time.process_time() - cpu
    travel.stop()
    if profile is not None:
        profile.disable()
        profile.dump_stats(profile_to)
    outcome.in_database = in_database[0]
    if server_cpu is not None and (now := backend_cpu(connection)) is not None:
        outcome.server_cpu = now - server_cpu
    connection.close()
    return outcome


def run(args) -> float:
    import multiprocessing

    from django.db import connections

    from helpdesk.services.policy import ensure_policy_in_force
    from tickets.models import InboundEmail, Message, Ticket
    from tickets.services import ingest_email

    started = time.perf_counter()
    corpus = make_corpus(args.messages)
    megabytes = sum(len(item.raw) for item in corpus) / 1e6
    print(f"corpus: {len(corpus):,} messages, {megabytes:.1f} MB, generated in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    ensure_policy_in_force()
    # Warm up: the first email fills the process's caches (policy, content types, templates);
    # workers are forked after it and inherit them.
    warm_up = make_corpus(1, seed=7)[0]
    ingest_email(raw=warm_up.raw.replace(b"bench-0.", b"warm-up."), received_at=START)
    # Each thread's messages go to one worker, in order; threads are spread over the workers.
    parts: list[list[tuple[int, Item]]] = [[] for _ in range(args.workers)]
    for index, item in enumerate(corpus):
        parts[item.thread % args.workers].append((index, item))
    if args.workers == 1:
        outcomes = [ingest_items(parts[0], args.profile)]
    else:
        connections.close_all()  # each forked worker opens its own connection
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            outcomes = pool.map(ingest_items, parts)
    report(args, outcomes)
    print(f"database:     {Ticket.objects.count():,} tickets, {Message.objects.count():,} "
          f"messages, {InboundEmail.objects.count():,} inbound emails")  # fmt: skip
    wall = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    return len(corpus) / wall


def report(args, outcomes: list[Outcome]) -> None:
    wall = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    latencies = [x for o in outcomes for x in o.latencies]
    queries = [q for o in outcomes for q in o.queries]
    by_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for o in outcomes:
        for kind, latency, count in zip(o.kinds, o.latencies, o.queries, strict=True):
            by_kind[kind].append((latency, count))
    in_database = sum(o.in_database for o in outcomes)
    busy = sum(o.ended - o.started for o in outcomes)
    ms = 1000
    print(f"ingested:     {len(latencies):,} emails in {wall:.2f} s by {args.workers} "
          f"worker{'s' if args.workers > 1 else ''} (one process each) on "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
          f"(other work on the machine counts in it)")  # fmt: skip
    print(f"throughput:   {len(latencies) / wall:,.0f} emails/s (target {args.target:,.0f})")
    print(f"latency:      p50 {percentile(latencies, 0.5) * ms:.1f} ms, "
          f"p95 {percentile(latencies, 0.95) * ms:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * ms:.1f} ms")  # fmt: skip
    print(f"queries:      {statistics.mean(queries):.1f} per email (max {max(queries)})")
    print(f"in database:  {in_database / busy:.0%} of the workers' time "
          f"({in_database / max(sum(queries), 1) * ms:.2f} ms per query)")  # fmt: skip
    cpu = sum(o.cpu for o in outcomes) / len(latencies) * ms
    print(f"CPU:          {cpu:.2f} ms per email in the workers (process time)", end="")
    if all(o.server_cpu is not None for o in outcomes):
        server = sum(o.server_cpu for o in outcomes) / len(latencies) * ms
        cores = os.cpu_count() or 1
        print(f", {server:.2f} ms in PostgreSQL's backends: {cpu + server:.2f} ms in all, "
              f"so at most {cores * 1000 / (cpu + server):,.0f} emails/s on this machine's "
              f"{cores} cores if nothing else ran")  # fmt: skip
    else:
        print()
    errors = [error for o in outcomes for error in o.errors]
    for error in errors[:3]:
        print(f"failed:       {error}")
    print(f"{'kind':<10} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'queries':>8}")
    for kind in sorted(by_kind):
        values = [latency for latency, _ in by_kind[kind]]
        counts = [count for _, count in by_kind[kind]]
        print(f"{kind:<10} {len(values):>6} {percentile(values, 0.5) * ms:>7.1f} "
              f"{percentile(values, 0.95) * ms:>7.1f} {statistics.mean(counts):>8.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="processes ingesting at once")
    parser.add_argument("--target", type=float, default=200.0, help="messages/s to reach")
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the run (one worker only)"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("error: set DATABASE_URL=postgres://user@host:port/db (a PostgreSQL server)")
    bench_url, admin_url = create_database(url, BENCH_DB)
    media_root = tempfile.mkdtemp(prefix="bench-ingest-media-")
    try:
        setup_django_for_ingest(bench_url, media_root)
        rate = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, BENCH_DB)
        shutil.rmtree(media_root, ignore_errors=True)
    if rate < args.target:
        sys.exit(1)


if __name__ == "__main__":
    main()
