"""The desk's queues at /desk/: who may see them, what each holds, in which order, filters,
search and pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from helpdesk.models import Role
from helpdesk.services.sla import sweep_clocks
from tests.helpdesk.factories import CustomerFactory, TeamFactory, UserFactory
from tickets.models import Priority, Status
from tickets.queues import parse_search
from tickets.services import add_internal_note, assign_ticket, change_status, resolve_ticket
from tickets.views import queues as queue_views

from .desk_support import customer_user, logged_in, staff, ticket
from .factories import MessageFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("tickets:queue")


@pytest.fixture
def maya(policy):
    return staff("maya", team=TeamFactory(name="Kettles"))


@pytest.fixture
def client(maya):
    return logged_in(maya)


def refs(response) -> list[str]:
    """The ticket references of a queue page's rows, in order."""
    assert response.status_code == 200, response.content[:500]
    return re.findall(r'data-ticket="(\d+)"', response.content.decode())


def numbers(*tickets) -> list[str]:
    return [str(t.number) for t in tickets]


# -- who may see it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: customer_user("carla"),
        lambda: UserFactory(username="plain"),
        lambda: UserFactory(username="staffonly", is_staff=True),  # staff flag, no role
    ],
    ids=["customer", "user", "staff-without-role"],
)
def test_anyone_without_a_staff_role_is_forbidden(db, make_user):
    client = logged_in(make_user())

    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("tickets:queue-rows")).status_code == 403


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER])
def test_every_staff_role_sees_the_desk(policy, role):
    client = logged_in(staff(f"someone-{role}", role=role))

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "<h1>Desk</h1>" in response.content.decode()


def test_a_superuser_without_a_profile_counts_as_a_manager(policy):
    client = logged_in(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get(QUEUE).status_code == 200


# -- what each queue holds -----------------------------------------------------------------


def test_mine_is_the_default_and_holds_my_open_tickets(client, maya):
    mine = ticket("Mine", assignee=maya)
    ticket("Someone else's", assignee=staff("omar"))
    ticket("Nobody's")
    done = ticket("Done", assignee=maya)
    resolve_ticket(ticket=done, actor=maya, summary="Replaced the lid.")

    assert refs(client.get(QUEUE)) == numbers(mine)


def test_unassigned_holds_open_tickets_nobody_has(client, maya):
    nobody = ticket("Nobody's")
    ticket("Mine", assignee=maya)

    assert refs(client.get(QUEUE, {"queue": "unassigned"})) == numbers(nobody)


def test_my_team_holds_the_team_s_tickets_and_those_of_its_members(client, maya):
    kettles = maya.agent_profile.team
    colleague = staff("omar", team=kettles)
    by_team = ticket("Team ticket", team=kettles)
    by_member = ticket("Omar's", assignee=colleague)
    ticket("Other team", team=TeamFactory(name="Toasters"))
    ticket("Outsider's", assignee=staff("zed"))

    assert set(refs(client.get(QUEUE, {"queue": "team"}))) == set(numbers(by_team, by_member))


def test_my_team_is_empty_without_a_team(policy):
    client = logged_in(staff("loner"))
    ticket("Anything")

    assert refs(client.get(QUEUE, {"queue": "team"})) == []


def test_pending_customer_holds_tickets_waiting_on_the_customer(client, maya):
    waiting = ticket("Waiting")
    change_status(ticket=waiting, status=Status.PENDING_CUSTOMER, actor=maya)
    ticket("Open")

    assert refs(client.get(QUEUE, {"queue": "pending"})) == numbers(waiting)


def test_breaching_soon_and_breached_follow_the_clocks(client, time_machine, now):
    early = ticket("Opened first")  # first_response: 8 working hours, warned at 80%
    time_machine.move_to(now + timedelta(hours=2), tick=False)
    later = ticket("Opened two hours later")

    time_machine.move_to(now + timedelta(hours=7), tick=False)  # early past its warning
    assert refs(client.get(QUEUE, {"queue": "soon"})) == numbers(early)
    assert refs(client.get(QUEUE, {"queue": "breached"})) == []

    time_machine.move_to(now + timedelta(hours=9), tick=False)  # early due, later warned
    assert refs(client.get(QUEUE, {"queue": "breached"})) == numbers(early)
    assert refs(client.get(QUEUE, {"queue": "soon"})) == numbers(later)


def test_a_breach_the_sweep_recorded_stays_breached_while_paused(client, maya, time_machine, now):
    late = ticket("Late", assignee=maya)
    time_machine.move_to(now + timedelta(hours=9), tick=False)
    sweep_clocks()  # records the breach of its first response
    change_status(ticket=late, status=Status.PENDING_CUSTOMER, actor=maya)  # pauses the clocks

    assert refs(client.get(QUEUE, {"queue": "breached"})) == numbers(late)
    assert refs(client.get(QUEUE, {"queue": "soon"})) == []


def test_an_unknown_queue_is_mine(client, maya):
    mine = ticket("Mine", assignee=maya)
    ticket("Nobody's")

    assert refs(client.get(QUEUE, {"queue": "everything!"})) == numbers(mine)


# -- order and countdown ---------------------------------------------------------------------


def test_soonest_due_first_and_tickets_without_a_running_clock_last(
    client, maya, time_machine, now
):
    waiting = ticket("Waiting on the customer", assignee=maya)
    change_status(ticket=waiting, status=Status.PENDING_CUSTOMER, actor=maya)  # paused
    time_machine.move_to(now + timedelta(minutes=30), tick=False)
    second = ticket("Second", assignee=maya)
    time_machine.move_to(now - timedelta(minutes=30), tick=False)  # due earliest
    first = ticket("First", assignee=maya)
    time_machine.move_to(now + timedelta(hours=1), tick=False)

    assert refs(client.get(QUEUE)) == numbers(first, second, waiting)


def test_each_row_counts_down_to_its_next_due_time(client, maya, now):
    ticket("Mine", assignee=maya)

    html = client.get(QUEUE).content.decode()

    # first_response is due 8 working hours after 10:00 (service hours 08:00-22:00): 18:00.
    assert 'data-due="2026-03-02T18:00:00+00:00"' in html
    assert ">8:00:00<" in html
    assert 'src="/static/tickets/countdown.js"' in html  # it counts down each second


# -- filters -------------------------------------------------------------------------------------


def test_filters_by_channel_priority_and_team(client, maya):
    kettles = maya.agent_profile.team
    phone = ticket("By phone", channel="phone")
    urgent = ticket("Urgent", priority=Priority.URGENT)
    teamed = ticket("Team's", team=kettles)
    everything = {"queue": "open"}

    assert refs(client.get(QUEUE, {**everything, "channel": "phone"})) == numbers(phone)
    assert refs(client.get(QUEUE, {**everything, "priority": "urgent"})) == numbers(urgent)
    assert refs(client.get(QUEUE, {**everything, "team": kettles.pk})) == numbers(teamed)


def test_a_status_filter_shows_that_status_even_when_closed(client, maya):
    done = ticket("Done", assignee=maya)
    resolve_ticket(ticket=done, actor=maya, summary="Fixed.")
    ticket("Open", assignee=maya)

    assert refs(client.get(QUEUE, {"status": "resolved"})) == numbers(done)


def test_bad_filter_values_are_shown_as_errors_not_a_crash(client, maya):
    mine = ticket("Mine", assignee=maya)

    response = client.get(QUEUE, {"team": "999999", "channel": "fax", "page": "lots"})

    assert response.status_code == 200
    assert refs(response) == numbers(mine)
    assert "Select a valid choice" in response.content.decode()


# -- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("#1042", (1042, "", True)),
        ("# 1042", (1042, "", True)),
        ("1042", (1042, "1042", False)),
        ("kettle lid", (None, "kettle lid", False)),
        ("  ", (None, "", False)),
    ],
)
def test_parse_search(text, expected):
    parsed = parse_search(text)
    assert (parsed.number, parsed.words, parsed.only_number) == expected


def search(client, text: str) -> list[str]:
    return refs(client.get(QUEUE, {"queue": "open", "q": text}))


def test_search_by_reference(client):
    wanted = ticket("Kettle")
    ticket("Toaster")

    assert search(client, wanted.reference) == numbers(wanted)
    assert search(client, str(wanted.number)) == numbers(wanted)
    assert search(client, "#999999") == []


def test_search_by_subject_body_and_customer(client, maya):
    by_subject = ticket("Descaling question")
    by_body = ticket("Help")
    MessageFactory(ticket=by_body, text="The thermostat clicks but nothing happens.")
    by_note = ticket("Other")
    add_internal_note(ticket=by_note, author=maya, text="Customer mentioned a warranty claim.")
    by_name = ticket("Hello", customer=CustomerFactory(name="Priya Raman"))
    by_email = ticket("Hi", customer=CustomerFactory(email="jo.bloggs@example.net"))
    ticket("Unrelated", customer=CustomerFactory(name="Ann Other"))

    assert search(client, "descaling") == numbers(by_subject)
    assert search(client, "thermostat") == numbers(by_body)
    assert search(client, "warranty") == numbers(by_note)
    assert search(client, "Raman") == numbers(by_name)
    assert search(client, "jo.bloggs@example.net") == numbers(by_email)
    assert search(client, "zebra") == []


def test_search_keeps_to_the_queue_and_its_filters(client, maya):
    ticket("Kettle lid", assignee=maya)
    theirs = ticket("Kettle base")

    assert refs(client.get(QUEUE, {"queue": "unassigned", "q": "kettle"})) == numbers(theirs)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_full_text_search_stems_words_on_postgresql(client):
    wanted = ticket("My kettles keep leaking")

    assert search(client, "kettle leak") == numbers(wanted)
    assert search(client, '"leaking kettles"') == []  # a quoted phrase in its order only


# -- pages --------------------------------------------------------------------------------------


def test_the_queue_is_paginated(client, maya, monkeypatch):
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    tickets = [ticket(f"Ticket {n}", assignee=maya) for n in range(5)]

    first = client.get(QUEUE)
    third = client.get(QUEUE, {"page": 3})

    assert refs(first) == numbers(*tickets[:2])
    assert refs(third) == numbers(tickets[4])
    assert "Page 1 of 3" in first.content.decode()


def test_the_rows_alone_for_the_live_refresh(client, maya):
    mine = ticket("Mine", assignee=maya)

    response = client.get(reverse("tickets:queue-rows"))

    assert refs(response) == numbers(mine)
    assert "<h1>" not in response.content.decode()


def test_assigning_moves_a_ticket_between_queues(client, maya):
    moving = ticket("Moving")
    assert refs(client.get(QUEUE, {"queue": "unassigned"})) == numbers(moving)

    assign_ticket(ticket=moving, assignee=maya, actor=maya)

    assert refs(client.get(QUEUE, {"queue": "unassigned"})) == []
    assert refs(client.get(QUEUE)) == numbers(moving)
