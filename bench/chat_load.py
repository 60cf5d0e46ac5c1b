"""Live chat under load: N customer sockets, each paired with an agent socket, against real
Daphne servers, PostgreSQL and Redis; beside a bare WebSocket echo server as the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/chat_load.py [--pairs 500] [--rate 500] [--seconds 10] [--servers 2]

The bench creates, migrates and drops its own database `bench_chat` beside the one in the URL.
It starts `--pairs` chats, each accepted by its own agent, then serves them with `--servers`
Daphne processes (`config.asgi`, the channel layer on REDIS_URL, `CONN_MAX_AGE=60` as in
production), the sockets spread over them as a load balancer would: pair i's customer on server
i and its agent on server i + 1 (mod the count), so with 2 servers every message crosses
processes.
Every customer sends messages so the whole run offers `--rate` messages per second; the agent's
socket timestamps each arrival. Prints connections held, messages per second delivered, and
customer-to-agent latency p50/p95/p99; then the same rate through the echo server (round trip),
the floor of this machine and client; and the load average (the machine may be shared).
"""

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _servers import HOST, SERVERS, cpu_seconds, free_port, stop, wait_port  # noqa: E402
from _setup import create_database, drop_database, setup_django  # noqa: E402
from _ws import Client, run_echo_server  # noqa: E402

BENCH_DB = "bench_chat"


def make_pairs(pairs: int) -> list[tuple[str, str]]:
    """`pairs` accepted chats, each with its own agent: (customer token, agent cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from chat import services
    from helpdesk.models import AgentProfile, Presence
    from helpdesk.services.policy import publish_policy_version

    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    publish_policy_version(
        document=text.replace('"08:00-22:00"', '"00:00-24:00"'),
        approved_by="Bench",
        change_note="24x7",
    )
    users = User.objects.bulk_create(
        User(username=f"agent{i}", is_staff=True, password="!") for i in range(pairs)
    )
    AgentProfile.objects.bulk_create(
        AgentProfile(user=u, presence=Presence.OFFLINE, max_concurrent_chats=5) for u in users
    )
    result = []
    for i, user in enumerate(users):
        chat = services.start_chat(name=f"Customer {i}", email=f"c{i}@example.org")
        services.accept_chat(session_id=chat.pk, agent=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        result.append((services.token_for(chat), f"sessionid={session.session_key}"))
    return result


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, p99 {cuts[98]:.1f} ms"


async def drain(client: Client, on_text=None) -> None:
    try:
        while True:
            text = await client.recv()
            if on_text is not None:
                on_text(text)
    except (ConnectionError, asyncio.IncompleteReadError, OSError):
        pass


async def sender(client: Client, *, period: float, until: float, make) -> int:
    sent = 0
    await asyncio.sleep(random.random() * period)  # noqa: S311 - spread the senders
    while time.perf_counter() < until:
        try:
            await client.send(make())
        except (ConnectionError, OSError):
            return sent  # the server dropped this socket: counted by what was delivered
        sent += 1
        await asyncio.sleep(period)
    return sent


async def chat_run(
    ports: list[int], pids: list[int], pairs: list[tuple[str, str]], rate: float, seconds: float
):
    latencies: list[float] = []
    errors: list[str] = []

    def agent_seen(text: str) -> None:
        event = json.loads(text)
        if event.get("type") == "message" and event.get("sender") == "customer":
            sent_ns = int(event["text"].split("x", 1)[1], 16)
            latencies.append((time.perf_counter_ns() - sent_ns) / 1e6)

    def customer_seen(text: str) -> None:
        if '"error"' in text:
            errors.append(text)

    async def open_pair(i, token, cookie):
        # The load balancer: pair i's customer on server i, its agent on the next one (mod the
        # number of servers), so each server holds as many customers as agents.
        customer_port, agent_port = ports[i % len(ports)], ports[(i + 1) % len(ports)]
        agent = await Client.connect(HOST, agent_port, "/ws/desk/chat/", {"Cookie": cookie})
        customer = await Client.connect(HOST, customer_port, f"/ws/chat/{token}/")
        await agent.recv()  # each socket's hello: the run starts once all are connected
        await customer.recv()
        return customer, agent

    semaphore = asyncio.Semaphore(20)

    async def guarded(i, token, cookie):
        for attempt in range(5):  # as a browser would, try again a refused connection
            try:
                async with semaphore:
                    return await open_pair(i, token, cookie)
            except (ConnectionError, OSError):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    opened = await asyncio.gather(
        *(guarded(i, t, c) for i, (t, c) in enumerate(pairs)), return_exceptions=True
    )
    sockets = [p for p in opened if not isinstance(p, BaseException)]
    failures = [p for p in opened if isinstance(p, BaseException)]
    readers = [asyncio.create_task(drain(a, agent_seen)) for _, a in sockets]
    readers += [asyncio.create_task(drain(c, customer_seen)) for c, _ in sockets]
    await asyncio.sleep(1)  # whatever follows the hellos
    print(f"connected {len(sockets)} pairs; sending", flush=True)
    load_before, cpu_before = os.getloadavg()[0], [cpu_seconds(p) for p in pids] + [own_cpu()]
    period = len(sockets) / rate
    until = time.perf_counter() + seconds

    def message():
        return json.dumps({"type": "message", "text": f"hello x{time.perf_counter_ns():x}"})

    sent = sum(
        await asyncio.gather(
            *(sender(c, period=period, until=until, make=message) for c, _ in sockets)
        )
    )
    await asyncio.sleep(2)  # stragglers
    load_after, cpu_after = os.getloadavg()[0], [cpu_seconds(p) for p in pids] + [own_cpu()]
    held = 2 * len(sockets) - sum(task.done() for task in readers)
    for customer, agent in sockets:
        await customer.close()
        await agent.close()
    for task in readers:
        task.cancel()
    return {
        "held": held,
        "connect_failures": len(failures),
        "first_failure": repr(failures[0]) if failures else "",
        "sent": sent,
        "delivered": len(latencies),
        "per_second": len(latencies) / seconds,
        "latency": percentiles(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "load": (load_before, load_after),
        "cpu": [after - before for before, after in zip(cpu_before, cpu_after, strict=True)],
    }


async def echo_run(port: int, connections: int, rate: float, seconds: float):
    latencies: list[float] = []
    clients = []
    for _ in range(connections):
        clients.append(await Client.connect(HOST, port, "/"))

    def seen(text: str) -> None:
        latencies.append((time.perf_counter_ns() - int(text.split("x", 1)[1], 16)) / 1e6)

    readers = [asyncio.create_task(drain(c, seen)) for c in clients]
    senders = clients[: connections // 2]
    period = len(senders) / rate
    until = time.perf_counter() + seconds
    sent = sum(
        await asyncio.gather(
            *(
                sender(c, period=period, until=until, make=lambda: f"x{time.perf_counter_ns():x}")
                for c in senders
            )
        )
    )
    await asyncio.sleep(1)
    for c in clients:
        await c.close()
    for task in readers:
        task.cancel()
    return {
        "held": connections,
        "sent": sent,
        "delivered": len(latencies),
        "per_second": len(latencies) / seconds,
        "latency": percentiles(latencies),
    }


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def use_uvloop() -> None:
    """The load generator shares the machine's cores with the servers: uvloop, when installed,
    makes its own cost per message smaller."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second in all")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--servers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--server",
        choices=sorted(SERVERS),
        default="daphne",
        help="the ASGI server (uvicorn: uvloop, httptools, websockets)",
    )
    parser.add_argument("--echo-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        run_echo_server(args.echo_server)
        return
    use_uvloop()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not url or not redis_url:
        sys.exit("error: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    bench_url, admin = create_database(url, BENCH_DB, force=True)
    try:
        setup_django(bench_url)
        t0 = time.perf_counter()
        pairs = make_pairs(args.pairs)
        print(f"set-up: {len(pairs)} accepted chats in {time.perf_counter() - t0:.1f} s")
        from django.db import connections

        connections.close_all()
        env = dict(
            os.environ,
            DATABASE_URL=bench_url,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CHAT_RATE_LIMIT="1000",
            CHANNELS_PREFIX="bench-chat",
            CONN_MAX_AGE="60",
            LOG_LEVEL="WARNING",
        )
        ports = [free_port() for _ in range(args.servers)]
        # var/ is ignored by git: a fresh clone has none until something makes it.
        (ROOT / "var").mkdir(exist_ok=True)
        logs = [(ROOT / "var" / f"bench-chat-daphne-{i}.log").open("wb") for i in range(len(ports))]
        servers = [
            subprocess.Popen(
                SERVERS[args.server](port),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            for port, log in zip(ports, logs, strict=True)
        ]
        try:
            for port, server in zip(ports, servers, strict=True):
                wait_port(port, server)
            pids = [server.pid for server in servers]
            chat = asyncio.run(chat_run(ports, pids, pairs, args.rate, args.seconds))
        finally:
            for server in servers:
                stop(server)
            for log in logs:
                log.close()
        echo_port = free_port()
        echo = subprocess.Popen(
            [sys.executable, __file__, "--echo-server", str(echo_port)], cwd=ROOT
        )
        try:
            wait_port(echo_port, echo)
            floor = asyncio.run(echo_run(echo_port, 2 * len(pairs), args.rate, args.seconds))
        finally:
            stop(echo)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, BENCH_DB, force=True)
    print(f"offered: {args.rate:.0f} msg/s for {args.seconds:.0f} s over {len(pairs)} pairs")
    print(
        f"load average (1 min) before the messages {chat['load'][0]:.2f},"
        f" after {chat['load'][1]:.2f}"
    )
    print(
        f"chat ({args.servers} {args.server} + Redis + PostgreSQL): connections held {chat['held']}"
        f" (failed {chat['connect_failures']}), sent {chat['sent']},"
        f" delivered {chat['delivered']} ({chat['per_second']:.0f} msg/s),"
        f" customer-to-agent {chat['latency']}, errors {chat['errors']}"
    )
    servers_cpu = ", ".join(f"{c:.1f}" for c in chat["cpu"][:-1])
    print(
        f"  CPU seconds over the {args.seconds + 2:.0f} s of messages and stragglers:"
        f" servers {servers_cpu}, load generator {chat['cpu'][-1]:.1f}"
    )
    if chat["first_failure"] or chat["first_error"]:
        print(f"  first failure: {chat['first_failure']} first error: {chat['first_error'][:200]}")
    print(
        f"echo floor (bare WebSocket server): connections held {floor['held']},"
        f" sent {floor['sent']}, delivered {floor['delivered']}"
        f" ({floor['per_second']:.0f} msg/s), round trip {floor['latency']}"
    )


if __name__ == "__main__":
    main()
