"""The services behind the desk's actions: escalation (with notes, to the supervisor),
resolution (with a summary), merging duplicates, and the live events they broadcast."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError

from helpdesk import realtime
from helpdesk.models import Notification, Role
from helpdesk.models.sla import ClockState
from tests.helpdesk.factories import CustomerFactory, TeamFactory
from tickets.models import Direction, Status, TicketEventKind
from tickets.selectors import ticket_clocks
from tickets.services import (
    add_internal_note,
    change_status,
    escalate_ticket,
    ingest_email,
    merge_tickets,
    resolve_ticket,
    send_reply,
)

from .conftest import eml
from .desk_support import staff, ticket
from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(policy):
    return staff("maya")


# -- escalation --------------------------------------------------------------------------------


@pytest.mark.parametrize("notes", ["", "   \n "])
def test_an_escalation_without_notes_is_refused(maya, notes):
    t = ticket()

    with pytest.raises(ValidationError) as refused:
        escalate_ticket(ticket=t, actor=maya, notes=notes)

    assert "notes" in refused.value.message_dict
    assert not t.events.exists()
    assert not Notification.objects.exists()


def test_the_agent_s_own_supervisor_is_notified(policy):
    own = staff("sam", role=Role.SUPERVISOR)
    staff("other-supervisor", role=Role.SUPERVISOR)
    agent = staff("omar", supervisor=own)
    t = ticket()

    event = escalate_ticket(ticket=t, actor=agent, notes="Needs a refund decision.")

    assert (event.kind, event.actor, event.new) == (TicketEventKind.ESCALATION, agent, "sam")
    assert event.note == "Needs a refund decision."
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("sam", "ticket.escalation")
    ]


def test_without_one_the_team_s_supervisors_then_every_supervisor(policy):
    kettles = TeamFactory(name="Kettles")
    staff("kate", role=Role.SUPERVISOR, team=kettles)
    staff("tom", role=Role.SUPERVISOR, team=TeamFactory(name="Toasters"))
    in_team, no_team = staff("omar", team=kettles), staff("lone")

    escalate_ticket(ticket=ticket(), actor=in_team, notes="Please look.")
    escalate_ticket(ticket=ticket(), actor=no_team, notes="Please look.")

    recipients = Notification.objects.order_by("pk").values_list("recipient__username", flat=True)
    assert list(recipients) == ["kate", "kate", "tom"]


def test_a_supervisor_escalates_to_managers_and_never_to_themselves(policy):
    supervisor = staff("sam", role=Role.SUPERVISOR)
    staff("mia", role=Role.MANAGER)

    event = escalate_ticket(ticket=ticket(), actor=supervisor, notes="Beyond my authority.")

    assert event.new == "mia"
    assert Notification.objects.get().recipient.username == "mia"


def test_a_closed_ticket_is_not_escalated(maya):
    t = ticket()
    resolve_ticket(ticket=t, actor=maya, summary="Done.")

    with pytest.raises(ValidationError):
        escalate_ticket(ticket=t, actor=maya, notes="Too late?")


# -- resolution ----------------------------------------------------------------------------------


def test_resolving_needs_a_summary(maya):
    t = ticket()

    with pytest.raises(ValidationError) as refused:
        resolve_ticket(ticket=t, actor=maya, summary=" ")

    assert "summary" in refused.value.message_dict
    t.refresh_from_db()
    assert t.status == Status.NEW


def test_resolving_stops_the_clocks_and_records_the_summary(maya):
    t = ticket()

    resolve_ticket(ticket=t, actor=maya, summary="Replaced under warranty.")

    t.refresh_from_db()
    assert t.status == Status.RESOLVED
    assert {c.state for c in ticket_clocks(ticket=t)} == {ClockState.STOPPED}
    assert t.events.get().note == "Replaced under warranty."
    interaction = t.customer.interactions.get(kind="ticket resolved")
    assert interaction.summary == f"{t.reference}: Replaced under warranty."


# -- merging -----------------------------------------------------------------------------------


def test_merging_moves_the_messages_and_closes_the_duplicate(maya):
    customer = CustomerFactory()
    target, source = ticket("Kettle", customer=customer), ticket("Kettle!", customer=customer)
    MessageFactory(ticket=target, text="First email.")
    MessageFactory.create_batch(2, ticket=source, text="Second email.")

    merged = merge_tickets(source=source, target=target, actor=maya)

    assert (merged.status, merged.merged_into) == (Status.CLOSED, target)
    assert not source.messages.exists()
    assert target.messages.count() == 3
    assert {c.state for c in ticket_clocks(ticket=source)} == {ClockState.STOPPED}
    assert {c.state for c in ticket_clocks(ticket=target)} == {ClockState.RUNNING}
    for side in (source, target):
        event = side.events.get(kind=TicketEventKind.MERGE)
        assert (event.actor, event.old, event.new) == (maya, source.reference, target.reference)
    assert "2 messages" in target.events.get(kind=TicketEventKind.MERGE).note


@pytest.mark.parametrize("case", ["itself", "closed source", "closed target", "merged target"])
def test_what_cannot_be_merged(maya, case):
    source, target = ticket("One"), ticket("Two")
    if case == "itself":
        target = source
    elif case == "closed source":
        resolve_ticket(ticket=source, actor=maya, summary="Done.")
    elif case == "closed target":
        resolve_ticket(ticket=target, actor=maya, summary="Done.")
        change_status(ticket=target, status=Status.CLOSED, actor=maya)
    else:
        merge_tickets(source=target, target=ticket("Three"), actor=maya)

    with pytest.raises(ValidationError):
        merge_tickets(source=source, target=target, actor=maya)


def reply_to(message_id: str, *, own_id: str) -> bytes:
    return (
        "From: Ann Lee <ann.lee@example.org>\r\n"
        "To: support@helpdesk.example\r\n"
        "Subject: Re: Still broken\r\n"
        f"Message-ID: {own_id}\r\n"
        f"In-Reply-To: {message_id}\r\n"
        f"References: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Any news?\r\n"
    ).encode()


def test_replies_to_a_merged_ticket_thread_onto_the_one_it_went_into(ingest, maya):
    # (Work queued after commit never runs here: the test's transaction is rolled back.)
    target = ingest("plain.eml").ticket
    source = ingest_email(raw=eml("plain.eml").replace(b"CAF1234", b"CAF9999")).ticket
    answer = send_reply(ticket=source, author=maya, text="Looking into it.")
    merge_tickets(source=source, target=target, actor=maya)
    by_headers = ingest_email(raw=reply_to(answer.message_id, own_id="<r1@example.org>"))
    by_subject = ingest("reply_subject_ref.eml", number=source.number)

    assert source != target
    assert by_headers.ticket == target  # the reply it answers moved there
    assert by_subject.ticket == target  # [#source] leads to where it went
    assert target.messages.filter(direction=Direction.INBOUND).count() == 4


# -- live events ---------------------------------------------------------------------------------


def broadcasts(callbacks) -> list[tuple]:
    """(groups, event) of each broadcast queued after commit."""
    return [
        c.args for c in callbacks if isinstance(c, partial) and c.func is realtime.send_to_groups
    ]


def test_a_new_ticket_and_each_new_message_are_broadcast_after_commit(
    maya, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        t = ticket("Kettle")
        note = add_internal_note(ticket=t, author=maya, text="Note.")

    (created_groups, created), (message_groups, message) = broadcasts(callbacks)
    assert (created_groups, created["type"], created["reference"]) == (
        ("tickets.desk",), "ticket.created", t.reference
    )  # fmt: skip
    assert message_groups == ("tickets.desk", f"tickets.ticket.{t.pk}")
    assert (message["type"], message["ticket_id"], message["message_id"]) == (
        "message.created", t.pk, note.pk
    )  # fmt: skip
