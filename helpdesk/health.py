"""Health of the parts the desk needs: database, Redis, a live Celery worker, the policy."""

import contextlib
import time

import redis
from django.conf import settings
from django.db import connection

HEARTBEAT_KEY = "helpdesk:worker-heartbeat:"


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def record_worker_heartbeat(hostname: str) -> None:
    """Called by every worker every WORKER_HEARTBEAT_SECONDS (config/celery.py)."""
    # Redis down: /health/ reports it; the worker must keep running.
    with contextlib.suppress(redis.RedisError):
        redis_client().set(
            HEARTBEAT_KEY + hostname, f"{time.time():.3f}", ex=settings.WORKER_HEARTBEAT_MAX_AGE
        )


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any driver error means "down"
        return {"ok": False, "error": type(exc).__name__}


def check_redis() -> dict:
    try:
        redis_client().ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}


def check_worker() -> dict:
    try:
        client = redis_client()
        keys = list(client.scan_iter(match=HEARTBEAT_KEY + "*", count=100))
        beats = [float(v) for v in client.mget(keys) if v] if keys else []
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}
    if not beats:
        return {"ok": False, "error": "no worker heartbeat"}
    age = time.time() - max(beats)
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        "workers": len(beats),
        "last_heartbeat_age_seconds": round(age, 1),
    }
