"""/health/ sees a real Celery worker by the heartbeat it writes."""

import pytest

from helpdesk.services.policy import ensure_policy_in_force
from tests.support.servers import wait_for

pytestmark = pytest.mark.integration


def test_health_is_200_while_a_real_worker_runs(client, celery_worker):
    ensure_policy_in_force()

    response = wait_for(
        lambda: (r := client.get("/health/")).status_code == 200 and r,
        timeout=30,
        what="/health/ to see the worker's heartbeat",
        interval=0.2,
    )

    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is True
    assert worker["workers"] >= 1
