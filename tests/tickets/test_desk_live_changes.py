"""Changes of a ticket (assignee, status, priority, escalation, resolution, merge) reach the desks
that may see it the moment they are committed, over the real ASGI application and the real Redis
channel layer; an agent of another team hears nothing of them."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from helpdesk.access import staff_member
from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import TeamFactory, UserFactory
from tickets.services import (
    assign_ticket,
    escalate_ticket,
    merge_tickets,
    move_ticket_to_team,
    resolve_ticket,
    set_priority,
)
from tickets.visibility import visible_tickets

from .desk_support import staff, ticket
from .test_desk_live import (
    TIMEOUT,
    connect,
    redis_layer,  # noqa: F401 (a fixture)
    session_cookie,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DISPLAY_KEYS = {
    "event", "ticket_id", "number", "reference", "event_id", "change", "status", "status_label",
    "priority", "priority_label", "assignee_id", "assignee", "team_id", "team", "merged_into",
    "merged_into_number",
}  # fmt: skip


@pytest.fixture
def teams(redis_layer, celery_eager):  # noqa: F811 (the fixture)
    """A policy in force; two teams: maya and the supervisor lee in Kettles, bob in Toasters;
    a manager."""
    ensure_policy_in_force()
    kettles, toasters = TeamFactory(name="Kettles"), TeamFactory(name="Toasters")
    return {
        "kettles": kettles,
        "maya": staff("maya", team=kettles),
        "lee": staff("lee", role=Role.SUPERVISOR, team=kettles),
        "bob": staff("bob", team=toasters),
        "manager": staff("mona", role=Role.MANAGER),
    }


def listen(users, act):
    """Connect a desk page for each user, run `act` (in a thread, as a request would), and
    return what each page heard until its first event whose `change` is "priority" (the
    closing marker the act ends with)."""
    cookies = [session_cookie(user) for user in users]

    async def scenario():
        pages = []
        for cookie in cookies:
            communicator, connected = await connect(cookie=cookie)
            assert connected
            pages.append(communicator)
        await database_sync_to_async(act)()
        heard = []
        for communicator in pages:
            events = []
            while not events or events[-1].get("change") != "priority":
                events.append(await communicator.receive_json_from(timeout=TIMEOUT))
            heard.append(events)
            await communicator.disconnect()
        return heard

    return async_to_sync(scenario)()


def test_the_team_hears_an_assignment_and_a_resolution_and_another_team_nothing(teams):
    kettles, maya, lee, bob = teams["kettles"], teams["maya"], teams["lee"], teams["bob"]
    lid = ticket("Broken lid", team=kettles)
    open_to_all = ticket("No team yet")  # every desk may see a ticket without a team

    def act():
        assign_ticket(ticket=lid, assignee=maya, actor=lee)
        resolve_ticket(ticket=lid, actor=lee, summary="Sent a new lid.")
        set_priority(ticket=open_to_all, priority="high", actor=lee)  # the closing marker

    maya_heard, bob_heard, manager_heard = listen([maya, bob, teams["manager"]], act)

    assigned, resolved, marker = maya_heard
    assert set(assigned) == DISPLAY_KEYS
    assert assigned == {
        **assigned,
        "event": "ticket.updated",
        "ticket_id": lid.pk,
        "reference": lid.reference,
        "change": "assignee",
        "status": "new",
        "status_label": "New",
        "assignee_id": maya.pk,
        "assignee": "maya",
        "team_id": kettles.pk,
        "team": "Kettles",
        "merged_into": None,
    }
    assert (resolved["change"], resolved["status"], resolved["status_label"]) == (
        "status", "resolved", "Resolved"
    )  # fmt: skip
    assert (marker["ticket_id"], marker["priority_label"]) == (open_to_all.pk, "High")
    # Bob (Toasters) hears only the ticket without a team; the manager hears everything.
    assert [(e["ticket_id"], e["change"]) for e in bob_heard] == [(open_to_all.pk, "priority")]
    assert [e["change"] for e in manager_heard] == ["assignee", "status", "priority"]


def test_an_agent_s_queue_hears_a_ticket_given_away_to_another_team(teams):
    """Maya loses her ticket to bob of Toasters: maya hears it (it leaves her queue), and so
    does bob (it joins his)."""
    maya, bob = teams["maya"], teams["bob"]
    lid = ticket("Broken lid", team=teams["kettles"], assignee=maya)
    marker = ticket("Marker")

    def act():
        assign_ticket(ticket=lid, assignee=bob, actor=teams["lee"])
        set_priority(ticket=marker, priority="high")

    maya_heard, bob_heard = listen([maya, bob], act)

    for heard in (maya_heard, bob_heard):
        given = heard[0]
        assert (given["ticket_id"], given["assignee"], given["assignee_id"]) == (
            lid.pk, "bob", bob.pk
        )  # fmt: skip


def test_a_ticket_moved_to_another_team_leaves_the_old_team_s_queue(teams):
    """Lee moves an unassigned Kettles ticket to Toasters: maya (Kettles) hears it leave her
    team's queue and bob (Toasters) hears it arrive."""
    maya, bob = teams["maya"], teams["bob"]
    lid = ticket("Broken lid", team=teams["kettles"])
    marker = ticket("Marker")
    toasters = bob.agent_profile.team

    def act():
        move_ticket_to_team(ticket=lid, team=toasters, actor=teams["lee"])
        set_priority(ticket=marker, priority="high")

    maya_heard, bob_heard = listen([maya, bob], act)

    for heard in (maya_heard, bob_heard):
        moved = heard[0]
        assert (moved["ticket_id"], moved["change"], moved["team"]) == (lid.pk, "team", "Toasters")


def test_escalations_and_merges_are_heard(teams):
    maya, lee = teams["maya"], teams["lee"]
    duplicate = ticket("Lid (again)", team=teams["kettles"])
    original = ticket("Broken lid", team=teams["kettles"])
    marker = ticket("Marker")

    def act():
        escalate_ticket(ticket=original, actor=maya, notes="Third broken lid this month.")
        merge_tickets(source=duplicate, target=original, actor=maya)
        set_priority(ticket=marker, priority="high")

    (heard,) = listen([lee], act)

    changes = [(e["ticket_id"], e["change"], e["status"], e["merged_into"]) for e in heard]
    assert changes == [
        (original.pk, "escalation", "new", None),
        (duplicate.pk, "status", "closed", None),
        (duplicate.pk, "merge", "closed", original.reference),
        (original.pk, "merge", "new", None),
        (marker.pk, "priority", "new", None),
    ]
    assert heard[2]["merged_into_number"] == original.number


def test_an_open_ticket_page_follows_its_ticket_whatever_the_team(teams):
    """Bob (Toasters) may open a Kettles ticket's page, as any member of staff may: the page
    hears its changes live; a ticket that does not exist is refused."""
    lid = ticket("Broken lid", team=teams["kettles"])
    cookie = session_cookie(teams["bob"])

    def act():
        assign_ticket(ticket=lid, assignee=teams["maya"], actor=teams["lee"])

    async def scenario():
        communicator, connected = await connect(cookie=cookie)
        assert connected
        await communicator.send_json_to({"action": "subscribe", "ticket": lid.pk + 1000})
        unknown = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.send_json_to({"action": "subscribe", "ticket": lid.pk})
        subscribed = await communicator.receive_json_from(timeout=TIMEOUT)
        await database_sync_to_async(act)()
        heard = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return unknown, subscribed, heard

    unknown, subscribed, heard = async_to_sync(scenario)()
    assert unknown == {"error": "no such ticket"}
    assert subscribed == {"subscribed": lid.pk}
    assert (heard["ticket_id"], heard["change"], heard["assignee"]) == (lid.pk, "assignee", "maya")


def test_who_may_see_which_ticket(teams):
    kettles, maya, bob = teams["kettles"], teams["maya"], teams["bob"]
    own_team = ticket("Kettles' ticket", team=kettles)
    no_team = ticket("Nobody's ticket")
    assigned_to_bob = ticket("Bob's, in Kettles", team=kettles, assignee=bob)
    other_team = ticket("Toasters'", team=TeamFactory(name="Ovens"))

    def seen(user):
        return set(visible_tickets(staff_member(user)).values_list("subject", flat=True))

    assert seen(maya) == {own_team.subject, no_team.subject, assigned_to_bob.subject}
    assert seen(bob) == {no_team.subject, assigned_to_bob.subject}
    assert seen(teams["lee"]) == seen(teams["manager"]) == {
        own_team.subject, no_team.subject, assigned_to_bob.subject, other_team.subject
    }  # fmt: skip


def test_a_superuser_without_a_profile_follows_every_ticket_as_a_manager(teams):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    lid = ticket("Broken lid", team=teams["kettles"])
    cookie = session_cookie(root)

    async def scenario():
        communicator, connected = await connect(cookie=cookie)
        assert connected
        await communicator.send_json_to({"action": "subscribe", "ticket": lid.pk})
        answer = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return answer

    assert async_to_sync(scenario)() == {"subscribed": lid.pk}
