"""The channels' webhook events: starting and closing a chat, logging, acknowledging and
resolving a complaint, answering a survey. Each, done through its service, reaches a
subscribed receiver (a real HTTP server on loopback, checking the signature) once the
transaction commits, with its name and data; nothing goes out for a transaction that rolls
back; an event nobody subscribes to makes no delivery."""

import json

import pytest
from django.db import transaction

from chat import services as chat_services
from helpdesk.models import WebhookDelivery
from surveys.services import invite_to_survey, submit_survey_response, survey_path

from . import webhook_fixtures
from .webhook_fixtures import received

# The fixtures this module uses (defined once for every webhook events test).
delivered = webhook_fixtures.delivered

pytestmark = pytest.mark.django_db

AT = "2026-03-04T10:00:00Z"  # the tests' clock (conftest NOW), as the payloads write it


class Abort(Exception):
    """Raised inside a transaction to roll it back."""


@pytest.fixture
def agent(staff, policy):
    return staff["agent"]


def start(**extra):
    return chat_services.start_chat(
        name="Ann Smith", email="ann@example.org", question="Where is my parcel?", **extra
    )


# -- chat -------------------------------------------------------------------------------------


def test_a_started_chat_is_an_event(delivered, receiver, agent):
    with delivered("chat.started"):
        session = start()
    (data,) = received(receiver, "chat.started")
    assert data == {
        "id": session.pk,
        "status": "waiting",
        "customer_id": session.customer_id,
        "team_id": None,
        "agent_id": None,
        "started_at": AT,
        "accepted_at": None,
        "first_response_at": None,
        "closed_at": None,
        "ticket_id": None,
    }
    (got,) = receiver.received
    assert got.body["occurred_at"] == AT
    assert got.headers["X-Helpdesk-Event"] == "chat.started"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_closed_chat_is_an_event_with_its_summary_and_never_the_secure_form(
    delivered, receiver, agent, time_machine, now
):
    session = start()
    chat_services.accept_chat(session_id=session.pk, agent=agent)
    chat_services.agent_says(session_id=session.pk, agent=agent, text="Let me check.")
    chat_services.submit_secure_details(
        session_id=session.pk, label="Card for the refund", value="4111 1111 1111 1111"
    )
    time_machine.move_to("2026-03-04T10:12:00Z", tick=False)
    with delivered("chat.closed"):
        chat_services.close_chat(
            session_id=session.pk, by=agent, summary="Parcel re-sent; refund to card 4111"
        )
    (data,) = received(receiver, "chat.closed")
    assert data["id"] == session.pk and data["status"] == "closed"
    assert (data["agent_id"], data["customer_id"]) == (agent.pk, session.customer_id)
    assert (data["started_at"], data["closed_at"]) == (AT, "2026-03-04T10:12:00Z")
    assert data["accepted_at"] == AT and data["first_response_at"] == AT
    assert data["summary"].startswith("Parcel re-sent")
    assert data["customer_confirmed_resolved"] is None and data["escalated"] is False
    raw = json.dumps(receiver.received[0].body)
    for secret in ("4111 1111 1111 1111", "4111111111111111", "Card for the refund", "parcel?"):
        assert secret not in raw  # neither the secure form nor the customer's words


def test_a_chat_left_as_a_message_ends_as_missed(delivered, receiver, agent):
    session = start()
    with delivered("chat.closed"):
        ticket = chat_services.leave_message(session_id=session.pk, text="Please email me.")
    (data,) = received(receiver, "chat.closed")
    assert (data["id"], data["status"], data["ticket_id"]) == (session.pk, "missed", ticket.pk)
    assert data["closed_at"] == AT and data["summary"] == ""


def test_a_chat_rolled_back_is_no_event(delivered, receiver, agent):
    with delivered("chat.started", "chat.closed"), pytest.raises(Abort), transaction.atomic():
        session = start()
        chat_services.accept_chat(session_id=session.pk, agent=agent)
        chat_services.close_chat(session_id=session.pk, by=agent, summary="Done")
        raise Abort
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


# -- complaints -------------------------------------------------------------------------------


def test_each_complaint_step_is_an_event(delivered, receiver, make_complaint):
    events = ("complaint.logged", "complaint.acknowledged", "complaint.resolved")
    with delivered(*events):
        complaint = make_complaint("resolved")
    assert [r.event for r in receiver.received] == list(events)
    (logged,) = received(receiver, "complaint.logged")
    assert logged["id"] == complaint.pk and logged["reference"] == complaint.reference
    assert (logged["status"], logged["channel"], logged["category"]) == (
        "logged",
        "email",
        "delivery",
    )
    assert logged["customer_id"] == complaint.customer_id
    assert logged["owner_id"] == complaint.owner_id
    assert logged["received_at"] == AT and logged["acknowledged_at"] is None
    assert logged["acknowledge_due_at"].endswith("Z") and logged["resolution_due_at"]
    assert logged["source_type"] is None and logged["source_id"] is None
    (acknowledged,) = received(receiver, "complaint.acknowledged")
    assert (acknowledged["status"], acknowledged["acknowledged_at"]) == ("acknowledged", AT)
    assert acknowledged["letter"]["kind"] == "acknowledgement"
    assert acknowledged["letter"]["sent_via"] == "post"
    (resolved,) = received(receiver, "complaint.resolved")
    assert (resolved["status"], resolved["resolved_at"]) == ("resolved", AT)
    assert (resolved["outcome"], resolved["root_cause"], resolved["remedy"]) == (
        "Replaced.",
        "third_party",
        "replacement",
    )
    assert resolved["letter"]["kind"] == "final"
    raw = json.dumps([r.body for r in receiver.received])
    assert "The parcel arrived broken." not in raw  # the customer's description stays in


def test_a_complaint_rolled_back_is_no_event(delivered, receiver, make_complaint):
    with delivered("*"), pytest.raises(Abort), transaction.atomic():
        make_complaint("resolved")
        raise Abort
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


# -- surveys ----------------------------------------------------------------------------------


@pytest.fixture
def invitation(ticket, agent):
    return invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=agent
    )


def answer(invitation, **values):
    token = survey_path(invitation).split("/")[2]
    return submit_survey_response(token=token, **values)


def test_a_poor_survey_answer_is_an_event_saying_a_follow_up_opened(
    delivered, receiver, invitation, ticket, agent
):
    with delivered("survey.submitted"):
        response = answer(invitation, answered=False, score=1, comment="Nobody called back.")
    (data,) = received(receiver, "survey.submitted")
    follow_up = response.follow_up
    assert data == {
        "id": response.pk,
        "invitation_id": invitation.pk,
        "conversation_type": "ticket",
        "conversation_id": ticket.pk,
        "channel": "email",
        "customer_id": ticket.customer_id,
        "agent_id": agent.pk,
        "answered": False,
        "score": 1,
        "scale": 5,
        "commented": True,
        "submitted_at": AT,
        "follow_up_opened": True,
        "follow_up_id": follow_up.pk,
        "follow_up_due_at": data["follow_up_due_at"],
    }
    assert data["follow_up_due_at"].endswith("Z") and data["follow_up_due_at"] > AT
    assert "Nobody called back." not in json.dumps(receiver.received[0].body)


def test_a_good_survey_answer_opens_no_follow_up(delivered, receiver, invitation):
    with delivered("survey.submitted"):
        answer(invitation, answered=True, score=5)
    (data,) = received(receiver, "survey.submitted")
    assert (data["score"], data["answered"], data["commented"]) == (5, True, False)
    assert (data["follow_up_opened"], data["follow_up_id"], data["follow_up_due_at"]) == (
        False,
        None,
        None,
    )


def test_a_survey_answer_rolled_back_is_no_event(delivered, receiver, invitation):
    with delivered("survey.submitted"), pytest.raises(Abort), transaction.atomic():
        answer(invitation, answered=True, score=4)
        raise Abort
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


# -- nobody subscribed ------------------------------------------------------------------------


def test_events_nobody_subscribes_to_make_no_delivery(
    delivered, receiver, agent, make_complaint, invitation
):
    with delivered("ticket.created", "sla.breached"):
        session = start()
        chat_services.accept_chat(session_id=session.pk, agent=agent)
        chat_services.close_chat(session_id=session.pk, by=agent, summary="Sorted")
        make_complaint("resolved")
        answer(invitation, answered=True, score=5)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
