"""The desk's pages run a number of queries that does not grow with the number of tickets or
messages (the issue's performance rule)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.models import Role
from tests.helpdesk.factories import (
    ArticleFactory,
    CannedResponseFactory,
    InteractionFactory,
    TeamFactory,
)
from tickets.models import Direction
from tickets.services import add_internal_note, assign_ticket, change_status

from .desk_support import logged_in, staff, ticket
from .factories import MessageFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def maya(policy):
    return staff("maya", team=TeamFactory(name="Kettles"))


@pytest.fixture
def client(maya):
    client = logged_in(maya)
    client.get(reverse("tickets:queue"))  # the process's first request fills its caches
    return client


def count(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def open_tickets(n: int, *, maya, team):
    for i in range(n):
        t = ticket(f"Ticket {i}", team=team if i % 2 else None)
        if i % 3 == 0:
            assign_ticket(ticket=t, assignee=maya, actor=maya)
        if i % 5 == 0:
            change_status(ticket=t, status="pending_customer", actor=maya)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"queue": "unassigned"},
        {"queue": "team"},
        {"queue": "soon"},
        {"queue": "breached"},
        {"queue": "pending"},
        {"queue": "open", "q": "ticket", "channel": "email", "priority": "normal"},
        {"queue": "open", "q": "#1001"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "mine",
)
def test_the_queue_costs_the_same_with_3_or_30_tickets(
    client, maya, params, django_assert_num_queries
):
    team = maya.agent_profile.team
    url = reverse("tickets:queue")
    open_tickets(3, maya=maya, team=team)
    few = count(client, url, params)

    open_tickets(27, maya=maya, team=team)

    with django_assert_num_queries(few):
        assert client.get(url, params).status_code == 200


def fill(t, maya, n: int) -> None:
    MessageFactory.create_batch(n // 2, ticket=t, direction=Direction.INBOUND)
    for i in range(n - n // 2):
        add_internal_note(ticket=t, author=maya, text=f"Note {i}")
    MessageFactory(ticket=t, html="<p>Some <b>HTML</b></p>")
    # Earlier contacts on other channels (the ticket's own opening stays the newest).
    InteractionFactory.create_batch(n, customer=t.customer, occurred_at=t.created_at - DAY)


def test_the_ticket_page_costs_the_same_with_2_or_20_messages(
    client, maya, django_assert_num_queries
):
    CannedResponseFactory.create_batch(3)
    ArticleFactory(title="Ticket help")
    boss = staff("sam", role=Role.SUPERVISOR)
    short, long = ticket("Ticket short"), ticket("Ticket long")
    for t, n in ((short, 2), (long, 20)):
        fill(t, maya, n)
        assign_ticket(ticket=t, assignee=boss, actor=maya)
        change_status(ticket=t, status="on_hold", actor=maya)
    few = count(client, reverse("tickets:ticket", args=[short.number]))

    with django_assert_num_queries(few):
        client.get(reverse("tickets:ticket", args=[long.number]))
    with django_assert_num_queries(count(client, reverse("tickets:timeline", args=[short.number]))):
        client.get(reverse("tickets:timeline", args=[long.number]))
