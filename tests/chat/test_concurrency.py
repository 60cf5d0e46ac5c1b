"""Two agents accepting one chat at the same moment, on PostgreSQL: exactly one gets it; one
agent at their limit accepting two chats at once gets one."""

import threading

import pytest
from django.db import connection, connections

from chat import services
from chat.models import ChatSession, ChatStatus
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_policy(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL; `make test` starts one)")
    return publish_policy_version(document=policy_text(), approved_by="Tests", change_note="t")


def race(*calls):
    """Run the calls at once, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is the test's to judge
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_two_agents_accepting_at_once_never_both_get_it(pg_policy, attempt):
    one, two = make_agent(f"one{attempt}"), make_agent(f"two{attempt}")
    chat = services.start_chat(name="Ann", email="ann@example.org")
    results = race(
        lambda: services.accept_chat(session_id=chat.pk, agent=one),
        lambda: services.accept_chat(session_id=chat.pk, agent=two),
    )
    won = [r for r in results if isinstance(r, ChatSession)]
    lost = [r for r in results if isinstance(r, services.AlreadyTaken)]
    assert (len(won), len(lost)) == (1, 1), results
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.agent == won[0].agent
    assert chat.messages.filter(text__contains="joined").count() == 1


def test_an_agent_at_limit_one_accepting_two_chats_at_once_gets_one(pg_policy):
    solo = make_agent("solo", limit=1)
    a = services.start_chat(name="A", email="a@example.org")
    b = services.start_chat(name="B", email="b@example.org")
    results = race(
        lambda: services.accept_chat(session_id=a.pk, agent=solo),
        lambda: services.accept_chat(session_id=b.pk, agent=solo),
    )
    assert sorted(type(r).__name__ for r in results) == ["AtLimit", "ChatSession"], results
    assert ChatSession.objects.filter(agent=solo, status=ChatStatus.ACTIVE).count() == 1


def test_messages_sent_at_once_get_distinct_consecutive_numbers(pg_policy):
    chat = services.start_chat(name="Ann", email="ann@example.org")
    results = race(
        *[lambda i=i: services.customer_says(session_id=chat.pk, text=f"m{i}") for i in range(6)]
    )
    assert all(isinstance(r, services.Posted) for r in results), results
    assert sorted(r.message.seq for r in results) == [1, 2, 3, 4, 5, 6]
