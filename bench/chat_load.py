"""Live chat under load: N customer sockets, each paired with an agent socket, against a real
Daphne server, PostgreSQL and Redis; beside a bare WebSocket echo server as the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/chat_load.py [--pairs 500] [--rate 500] [--seconds 10]

The bench creates, migrates and drops its own database `bench_chat` beside the one in the URL.
It starts `--pairs` chats, each accepted by its own agent, then serves them with one Daphne
process (`config.asgi`, the channel layer on REDIS_URL). Every customer sends messages so the
whole run offers `--rate` messages per second; the agent's socket timestamps each arrival.
Prints connections held, messages per second delivered, and customer-to-agent latency
p50/p95/p99; then the same rate through the echo server (round trip), the floor of this
machine and client.
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

from _setup import create_database, drop_database, setup_django  # noqa: E402
from _ws import Client, run_echo_server  # noqa: E402

BENCH_DB = "bench_chat"
HOST = "127.0.0.1"


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


async def chat_run(port: int, pairs: list[tuple[str, str]], rate: float, seconds: float):
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

    async def open_pair(token, cookie):
        agent = await Client.connect(HOST, port, "/ws/desk/chat/", {"Cookie": cookie})
        customer = await Client.connect(HOST, port, f"/ws/chat/{token}/")
        return customer, agent

    semaphore = asyncio.Semaphore(50)

    async def guarded(token, cookie):
        async with semaphore:
            return await open_pair(token, cookie)

    opened = await asyncio.gather(*(guarded(t, c) for t, c in pairs), return_exceptions=True)
    sockets = [p for p in opened if not isinstance(p, BaseException)]
    failures = [p for p in opened if isinstance(p, BaseException)]
    readers = [asyncio.create_task(drain(a, agent_seen)) for _, a in sockets]
    readers += [asyncio.create_task(drain(c, customer_seen)) for c, _ in sockets]
    await asyncio.sleep(1)  # hellos
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


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"error: server exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"error: nothing listens on port {port}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second in all")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--echo-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        run_echo_server(args.echo_server)
        return
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
        port = free_port()
        log = (ROOT / "var" / "bench-chat-daphne.log").open("wb")
        env = dict(
            os.environ,
            DATABASE_URL=bench_url,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CHAT_RATE_LIMIT="1000",
            CHANNELS_PREFIX="bench-chat",
            LOG_LEVEL="WARNING",
        )
        daphne = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "daphne"),
                "-b",
                HOST,
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_port(port, daphne)
            chat = asyncio.run(chat_run(port, pairs, args.rate, args.seconds))
        finally:
            stop(daphne)
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
        f"chat (daphne + Redis + PostgreSQL): connections held {chat['held']}"
        f" (failed {chat['connect_failures']}), sent {chat['sent']},"
        f" delivered {chat['delivered']} ({chat['per_second']:.0f} msg/s),"
        f" customer-to-agent {chat['latency']}, errors {chat['errors']}"
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
