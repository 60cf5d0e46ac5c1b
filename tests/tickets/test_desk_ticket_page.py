"""The ticket page: the whole timeline, canned responses and articles at hand, the customer's
history, and every action an agent takes, each through its service."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.models import Notification, Role
from helpdesk.models.sla import ClockState
from tests.helpdesk.factories import (
    ArticleFactory,
    CannedResponseFactory,
    CustomerFactory,
    InteractionFactory,
)
from tickets.models import Direction, Status, Ticket, TicketEventKind
from tickets.selectors import ticket_clocks
from tickets.services import add_internal_note, change_status

from .desk_support import customer_user, logged_in, staff, ticket
from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(policy):
    return staff("sam", role=Role.SUPERVISOR, first_name="Sam")


@pytest.fixture
def maya(boss):
    return staff("maya", supervisor=boss, first_name="Maya", last_name="Patel")


@pytest.fixture
def client(maya):
    return logged_in(maya)


@pytest.fixture
def kettle(policy):
    customer = CustomerFactory(name="Ann Lee", email="ann.lee@example.org")
    return ticket("My kettle stopped working", customer=customer)


def page(client, t, **params):
    response = client.get(reverse("tickets:ticket", args=[t.number]), params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def post(client, t, action: str, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(reverse(f"tickets:ticket-{action}", args=[t.number]), data)


def field_errors(response, action: str, field: str) -> list[str]:
    return response.context["forms"][action].errors.get(field, [])


# -- access ------------------------------------------------------------------------------------


def test_only_staff_see_a_ticket(kettle):
    url = reverse("tickets:ticket", args=[kettle.number])

    assert Client().get(url).status_code == 302
    assert logged_in(customer_user()).get(url).status_code == 403
    assert logged_in(customer_user("cora")).post(url + "reply/", {}).status_code == 403


def test_an_unknown_ticket_is_not_found(client):
    assert client.get(reverse("tickets:ticket", args=[999999])).status_code == 404
    assert client.post(reverse("tickets:ticket-note", args=[999999])).status_code == 404


def test_actions_take_posts_only(client, kettle):
    assert client.get(reverse("tickets:ticket-reply", args=[kettle.number])).status_code == 405


def test_every_post_needs_its_csrf_token(maya, kettle):
    client = logged_in(maya, enforce_csrf_checks=True)

    response = post(client, kettle, "note", text="Without a token.")

    assert response.status_code == 403
    assert not kettle.messages.exists()


# -- the timeline --------------------------------------------------------------------------


def test_the_timeline_shows_messages_notes_and_events_in_order(client, kettle, maya):
    MessageFactory(
        ticket=kettle,
        text="It stopped.",
        html='<p>It <b>stopped</b>.</p><script>alert("x")</script><a href="javascript:x()">x</a>',
        quoted_text="> earlier mail",
    )
    add_internal_note(ticket=kettle, author=maya, text="Checked the warranty.")
    change_status(ticket=kettle, status=Status.ON_HOLD, actor=maya)

    html = page(client, kettle)

    assert "<p>It <b>stopped</b>.</p>" in html  # sanitised HTML, shown as HTML
    assert "alert(" not in html and "javascript:x" not in html
    assert "Quoted history" in html and "&gt; earlier mail" in html
    assert "Internal note" in html and "Checked the warranty." in html
    assert "Status: New → On hold" in html and "new → on_hold" not in html
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("stopped") < timeline.index("warranty") < timeline.index("On hold")


def test_the_timeline_fragment_for_the_live_refresh(client, kettle):
    MessageFactory(ticket=kettle, text="Any news?")

    response = client.get(reverse("tickets:timeline", args=[kettle.number]))

    assert response.status_code == 200
    assert "Any news?" in response.content.decode()
    assert "<h1>" not in response.content.decode()


def test_the_deadlines_count_down(client, kettle):
    html = page(client, kettle)

    assert "First response (email)" in html and "email.first_response" not in html
    assert 'data-due="2026-03-02T18:00:00+00:00"' in html


# -- canned responses, articles, customer --------------------------------------------------------


def test_canned_responses_come_with_the_customer_s_name_filled_in(client, kettle):
    CannedResponseFactory(title="Greeting", shortcut="greeting", body="Hi {customer_name},")
    CannedResponseFactory(title="Chat only", shortcut="chat-only", channel="chat")
    CannedResponseFactory(title="Retired", shortcut="old", is_active=False)

    html = page(client, kettle)

    texts = json.loads(re.search(r'id="canned-texts"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert [(c["title"], c["text"]) for c in texts] == [("Greeting", "Hi Ann Lee,")]
    assert "Greeting (/greeting)" in html


def test_articles_at_hand_match_the_subject_or_the_agent_s_search(client, kettle):
    ArticleFactory(title="Kettle troubleshooting", body="<p>Check the kettle fuse.</p>")
    ArticleFactory(title="Refund policy", body="<p>Refunds within 30 days.</p>")

    at_first = page(client, kettle)
    searched = page(client, kettle, kb="refund")

    assert "Kettle troubleshooting" in at_first and "Refund policy" not in at_first
    assert "Refund policy" in searched


def test_the_customer_panel_shows_their_history_on_every_channel(client, kettle, now):
    last_month = now - timedelta(days=30)
    for channel, kind in [("chat", "chat ended"), ("phone", "call logged")]:
        InteractionFactory(
            customer=kettle.customer, channel=channel, kind=kind, occurred_at=last_month
        )
    other = ticket("Another question", customer=kettle.customer)

    html = page(client, kettle)

    assert "chat ended" in html and "call logged" in html and "ticket opened" in html
    assert f'href="{reverse("tickets:ticket", args=[other.number])}"' in html
    # Before this ticket: the chat and the call (the other ticket came after).
    assert "Returning customer: 2 earlier interactions (chat 1, phone 1)" in html


def test_a_first_time_customer_is_said_to_be_one(client, kettle):
    assert "First contact." in page(client, kettle)


# -- replies and notes -------------------------------------------------------------------------


def test_a_reply_goes_out_through_the_service(client, kettle, maya):
    response = post(client, kettle, "reply", text="Hi Ann Lee, could you send a photo?")

    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ticket", args=[kettle.number])
    reply = kettle.messages.get()
    assert (reply.direction, reply.author, reply.to) == (
        Direction.OUTBOUND, maya, "ann.lee@example.org"
    )  # fmt: skip
    kettle.refresh_from_db()
    assert kettle.status == Status.OPEN
    assert "Reply sent to ann.lee@example.org." in page(client, kettle)


def test_an_empty_reply_is_a_form_error(client, kettle):
    response = post(client, kettle, "reply", text="   ")

    assert response.status_code == 400
    assert field_errors(response, "reply", "text")
    assert not kettle.messages.exists()


def test_a_reply_to_a_customer_without_email_is_refused_by_the_service(client, policy):
    no_email = ticket("Phoned in", customer=CustomerFactory(email=""), channel="phone")

    response = post(client, no_email, "reply", text="Hello")

    assert response.status_code == 400
    assert "no email address" in str(field_errors(response, "reply", "text"))


def test_an_internal_note(client, kettle, maya):
    assert post(client, kettle, "note", text="Spoke to the courier.").status_code == 302

    note = kettle.messages.get()
    assert (note.direction, note.text) == (Direction.INTERNAL, "Spoke to the courier.")


# -- assign, status, priority ------------------------------------------------------------------


def test_assign_and_unassign(client, kettle, maya):
    omar = staff("omar")

    assert post(client, kettle, "assign", assignee=omar.pk).status_code == 302
    kettle.refresh_from_db()
    assert kettle.assignee == omar
    assert post(client, kettle, "assign", assignee="").status_code == 302
    kettle.refresh_from_db()
    assert kettle.assignee is None
    assert kettle.events.filter(kind=TicketEventKind.ASSIGNEE, actor=maya).count() == 2


def test_only_staff_can_be_assigned(client, kettle):
    outsider = customer_user()

    response = post(client, kettle, "assign", assignee=outsider.pk)

    assert response.status_code == 400
    assert field_errors(response, "assign", "assignee")


def test_pending_customer_pauses_the_clocks(client, kettle):
    assert post(client, kettle, "status", status="pending_customer").status_code == 302

    kettle.refresh_from_db()
    assert kettle.status == Status.PENDING_CUSTOMER
    assert {c.state for c in ticket_clocks(ticket=kettle)} == {ClockState.PAUSED}


@pytest.mark.parametrize("value", ["resolved", "nonsense", ""])
def test_statuses_not_set_directly_are_form_errors(client, kettle, value):
    response = post(client, kettle, "status", status=value)

    assert response.status_code == 400
    assert field_errors(response, "status", "status")


def test_closing_needs_a_resolution_first(client, kettle):
    response = post(client, kettle, "status", status="closed")

    assert response.status_code == 400
    assert "Resolve the ticket" in str(field_errors(response, "status", "status"))


def test_priority(client, kettle):
    assert post(client, kettle, "priority", priority="urgent").status_code == 302
    kettle.refresh_from_db()
    assert kettle.priority == "urgent"

    assert post(client, kettle, "priority", priority="whenever").status_code == 400


# -- escalate, resolve, merge --------------------------------------------------------------------


def test_an_escalation_without_notes_is_refused(client, kettle):
    response = post(client, kettle, "escalate", notes="  ")

    assert response.status_code == 400
    assert "need notes" in str(field_errors(response, "escalate", "notes"))
    assert not kettle.events.filter(kind=TicketEventKind.ESCALATION).exists()
    assert not Notification.objects.exists()


def test_an_escalation_with_notes_reaches_the_supervisor(client, kettle, boss, maya):
    notes = "Customer wants a refund beyond policy; tried a replacement."

    response = post(client, kettle, "escalate", notes=notes)

    assert response.status_code == 302
    event = kettle.events.get(kind=TicketEventKind.ESCALATION)
    assert (event.actor, event.new, event.note) == (maya, "sam", notes)
    notification = Notification.objects.get()
    assert notification.recipient == boss
    assert kettle.reference in notification.message and notes in notification.message
    assert notification.url == reverse("tickets:ticket", args=[kettle.number])
    assert "Escalated to sam." in page(client, kettle)


def test_resolving_needs_a_summary(client, kettle):
    response = post(client, kettle, "resolve", summary="")

    assert response.status_code == 400
    assert field_errors(response, "resolve", "summary")
    kettle.refresh_from_db()
    assert kettle.status == Status.NEW


def test_resolving_with_a_summary(client, kettle, maya):
    assert post(client, kettle, "resolve", summary="Sent a new lid.").status_code == 302

    kettle.refresh_from_db()
    assert kettle.status == Status.RESOLVED
    event = kettle.events.get(kind=TicketEventKind.STATUS)
    assert (event.new, event.note, event.actor) == ("resolved", "Sent a new lid.", maya)
    assert {c.state for c in ticket_clocks(ticket=kettle)} == {ClockState.STOPPED}
    assert kettle.customer.interactions.filter(kind="ticket resolved").exists()


def test_resolving_twice_is_a_form_error_not_a_crash(client, kettle):
    post(client, kettle, "resolve", summary="Done.")

    response = post(client, kettle, "resolve", summary="Done again.")

    assert response.status_code == 400
    assert "already Resolved" in response.content.decode()


def test_merging_a_duplicate(client, kettle, maya):
    duplicate = ticket("Kettle again", customer=kettle.customer)
    MessageFactory(ticket=duplicate, text="Sent twice, sorry.")

    response = post(client, duplicate, "merge", target=kettle.reference)

    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ticket", args=[kettle.number])
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.CLOSED, kettle)
    assert kettle.messages.get().text == "Sent twice, sorry."
    assert "Merged into <a" in page(client, duplicate)


@pytest.mark.parametrize(
    "target, error",
    [
        ("", "This field is required."),
        ("kettle", "Give a ticket reference"),
        ("#999999", "There is no ticket #999999."),
        ("SELF", "cannot be merged into itself"),
    ],
)
def test_merge_errors_are_form_errors(client, kettle, target, error):
    target = kettle.reference if target == "SELF" else target

    response = post(client, kettle, "merge", target=target)

    assert response.status_code == 400
    assert error in str(field_errors(response, "merge", "target"))
    assert Ticket.objects.get(pk=kettle.pk).merged_into is None
