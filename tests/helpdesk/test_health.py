"""GET /health/: what a monitoring probe sees."""

import pytest
from django.conf import settings

from helpdesk.health import HEARTBEAT_KEY, record_worker_heartbeat, redis_client
from helpdesk.services.policy import ensure_policy_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_heartbeats():
    client = redis_client()
    for key in client.scan_iter(match=HEARTBEAT_KEY + "*"):
        client.delete(key)
    yield
    for key in client.scan_iter(match=HEARTBEAT_KEY + "*"):
        client.delete(key)


def test_all_up_is_200_with_policy_version(client, no_heartbeats):
    ensure_policy_in_force()
    record_worker_heartbeat("worker@test")

    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"]["policy"]["version"] == "1.0"
    assert body["checks"]["worker"]["workers"] == 1


def test_no_worker_heartbeat_is_503_naming_the_worker(client, no_heartbeats):
    ensure_policy_in_force()

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]


def test_redis_down_is_503_naming_redis_and_worker(client, settings, no_heartbeats):
    ensure_policy_in_force()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["down"] == ["redis", "worker"]


def test_no_policy_published_is_503_naming_the_policy(client, no_heartbeats):
    record_worker_heartbeat("worker@test")

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["down"] == ["policy"]


def test_stale_heartbeat_counts_as_down(client, no_heartbeats):
    ensure_policy_in_force()
    redis_client().set(HEARTBEAT_KEY + "old@test", "1000.0")  # 1970: long dead

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]
    assert (
        response.json()["checks"]["worker"]["last_heartbeat_age_seconds"]
        > settings.WORKER_HEARTBEAT_MAX_AGE
    )


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405
