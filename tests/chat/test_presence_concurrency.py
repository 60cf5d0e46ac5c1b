"""Agents becoming available at the same moment, on PostgreSQL: waiting chats are offered to one
of them each, never to both, and nobody is offered more than their room."""

import threading

import pytest
from django.db import connections, transaction

from chat import services
from chat.models import ChatSession
from chat.services.presence import change_presence, sweep_presence
from chat.services.routing import offer_waiting_chats
from helpdesk.models import AgentProfile, Presence
from tests.chat.conftest import make_agent
from tests.chat.test_concurrency import pg_policy, race  # noqa: F401 - its fixture and helper

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("pg_policy")]


def _offered(user) -> set[int]:
    return set(ChatSession.objects.filter(offered_to=user).values_list("pk", flat=True))


@pytest.mark.parametrize("attempt", range(5))
def test_two_agents_coming_online_at_once_are_never_offered_the_same_chat(attempt):
    one = make_agent(f"one{attempt}", presence=Presence.OFFLINE)
    two = make_agent(f"two{attempt}", presence=Presence.OFFLINE)
    chat = services.start_chat(name="Ann", email="ann@example.org")
    assert chat.offered_to is None  # nobody online: it waits unoffered

    results = race(
        lambda: change_presence(agent=one, presence=Presence.ONLINE),
        lambda: change_presence(agent=two, presence=Presence.ONLINE),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    chat.refresh_from_db()
    assert chat.offered_to in (one, two)
    assert len(_offered(one)) + len(_offered(two)) == 1


def test_agents_coming_online_at_once_share_the_queue_within_their_limits():
    agents = [make_agent(f"a{i}", presence=Presence.OFFLINE, limit=2) for i in range(3)]
    chats = [services.start_chat(name=f"C{i}", email=f"c{i}@example.org") for i in range(5)]

    results = race(
        *[lambda a=a: change_presence(agent=a, presence=Presence.ONLINE) for a in agents]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    sets = [_offered(a) for a in agents]
    assert all(len(s) <= 2 for s in sets), sets
    assert sum(len(s) for s in sets) == len(set().union(*sets))  # no chat twice
    # What a lock made one agent skip, the sweep offers: in the end every chat is offered.
    sweep_presence()
    offered = set().union(*[_offered(a) for a in agents])
    assert offered == {c.pk for c in chats}


def test_while_one_agent_is_being_offered_a_chat_another_is_not_offered_it():
    """The interleaving forced: the first offer is made but not yet committed when the second
    agent becomes available; the second is offered nothing, not the same chat."""
    one = make_agent("one", presence=Presence.OFFLINE)
    two = make_agent("two", presence=Presence.OFFLINE)
    chat = services.start_chat(name="Ann", email="ann@example.org")
    AgentProfile.objects.filter(user__in=[one, two]).update(presence=Presence.ONLINE)
    offered_uncommitted, second_done = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["one"] = offer_waiting_chats(agent=one)
                offered_uncommitted.set()
                second_done.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert offered_uncommitted.wait(timeout=10)
    try:
        results["two"] = offer_waiting_chats(agent=two)
    finally:
        second_done.set()
        thread.join(timeout=10)
    assert (results["one"], results["two"]) == ([chat.pk], [])
    chat.refresh_from_db()
    assert chat.offered_to == one
