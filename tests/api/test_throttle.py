"""The API throttle holds across server processes and concurrent requests: against a rate of N,
exactly N requests are answered, whichever of two servers (Daphne processes sharing the Redis)
gets them and however many arrive at once; the rest get the API's JSON 429 with Retry-After."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from helpdesk.models import Role, Scope
from helpdesk.services.api_keys import api_key_create
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory
from tests.support.servers import asgi_server

RATE = 25
REQUESTS = 120


def _get(url: str, key: str) -> tuple[int, dict, str]:
    response = requests.get(url, headers={"Authorization": f"Token {key}"}, timeout=30)
    body = response.json() if response.status_code == 429 else {}
    return response.status_code, body, response.headers.get("Retry-After", "")


@pytest.fixture
def key(transactional_db):
    ensure_policy_in_force()
    manager = AgentFactory(user__username="manager-1", role=Role.MANAGER).user
    return api_key_create(name="Load", owner=manager, scopes=[Scope.POLICY_READ]).key


def test_concurrent_requests_to_two_servers_get_exactly_the_rate(key, tmp_path):
    rate = {"API_THROTTLE_RATE": f"{RATE}/hour"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        asgi_server(tmp_path / "a", **rate) as first,
        asgi_server(tmp_path / "b", **rate) as second,
    ):
        urls = [f"{(first, second)[i % 2]}/api/v1/policy/versions/" for i in range(REQUESTS)]
        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(lambda url: _get(url, key), urls))
    codes = [code for code, _, _ in results]
    assert codes.count(200) == RATE, codes
    assert codes.count(429) == REQUESTS - RATE, codes
    refused = [(body, retry) for code, body, retry in results if code == 429]
    body, retry_after = refused[0]
    assert body["error"]["code"] == "throttled"
    assert 0 < int(retry_after) <= 3600
