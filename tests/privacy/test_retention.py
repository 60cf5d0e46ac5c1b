"""Retention (POLICY.md, Privacy): past each `[retention]` duration, counted from a case's
closing, its data is removed once, with a record of what (never the value); a key left out
keeps the data. The clock is passed in (`now=`)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from chat import services as chat
from chat.models import ChatMessage, ChatSession, SecureDetail
from helpdesk.models import Customer, Presence, RetentionRecord
from helpdesk.privacy.retention import ANONYMOUS_ID, apply_retention
from helpdesk.privacy.tasks import apply_retention as retention_task
from helpdesk.services.policy import publish_policy_version
from surveys.services import invite_to_survey
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tickets.models import Direction, InboundEmail, Message, Status, Ticket
from tickets.services import change_status, ingest_email

pytestmark = pytest.mark.django_db

CLOSED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RETENTION = """
[retention]
chat_transcripts = "30d"
raw_email = "90d"
secure_details = "7d"
closed_cases = "365d"
"""


def policy_text(extra: str = RETENTION) -> str:
    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "retention"')
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    return text.replace('"08:00-22:00"', '"00:00-24:00"') + extra


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def policy(db):
    return publish_policy_version(document=policy_text(), approved_by="T", change_note="Keep")


@pytest.fixture
def agent(policy):
    team = TeamFactory(name="Support")
    user = UserFactory(username="alex", first_name="Alex")
    return AgentFactory(user=user, team=team, presence=Presence.ONLINE).user


def closed_chat(agent, *, email="ann@example.org") -> ChatSession:
    session = chat.start_chat(
        name="Ann Smith", email=email, question="Card 4111 1111 1111 1111?", now=CLOSED
    )
    chat.accept_chat(session_id=session.pk, agent=agent, now=CLOSED)
    chat.customer_says(session_id=session.pk, text="My order is late", now=CLOSED)
    chat.agent_says(session_id=session.pk, agent=agent, text="Sorry, on its way", now=CLOSED)
    chat.submit_secure_details(session_id=session.pk, label="Card", value="4111", now=CLOSED)
    chat.close_chat(session_id=session.pk, by=agent, summary="Order chased", now=CLOSED)
    return session


EMAIL = b"""From: Bob Stone <bob@example.org>
To: support@helpdesk.example
Subject: Broken lid
Message-ID: <retention.1@example.org>
Content-Type: text/plain; charset=utf-8

My lid broke. Call me on 07700 900123.
"""


def closed_ticket() -> Ticket:
    ticket = ingest_email(raw=EMAIL, received_at=CLOSED - DAY).ticket
    return change_status(ticket=ticket, status=Status.CLOSED, at=CLOSED)


def records() -> dict[str, int]:
    return {r.kind: r.items for r in RetentionRecord.objects.all()}


def test_nothing_is_removed_before_its_time(agent):
    session = closed_chat(agent)
    assert apply_retention(now=CLOSED + 6 * DAY) == {
        "chat_transcripts": 0,
        "secure_details": 0,
        "raw_email": 0,
        "closed_cases": 0,
    }
    assert ChatMessage.objects.filter(session=session).exists()
    assert RetentionRecord.objects.count() == 0


def test_each_kind_goes_once_past_its_time_with_a_record(agent):
    session = closed_chat(agent)
    lines = ChatMessage.objects.filter(session=session).count()

    assert apply_retention(now=CLOSED + 7 * DAY)["secure_details"] == 1
    detail = SecureDetail.objects.get(session=session)
    assert detail.ciphertext == "" and detail.purged_at == CLOSED + 7 * DAY
    assert ChatMessage.objects.filter(session=session).count() == lines

    assert apply_retention(now=CLOSED + 30 * DAY)["chat_transcripts"] == 1
    assert not ChatMessage.objects.filter(session=session).exists()
    record = RetentionRecord.objects.get(kind="chat_transcripts")
    assert (record.case_id, record.items, record.removed_at) == (
        session.pk,
        lines,
        CLOSED + 30 * DAY,
    )
    assert record.case_type == ContentType.objects.get_for_model(ChatSession)
    # Again: nothing more is done, nothing recorded twice.
    assert apply_retention(now=CLOSED + 31 * DAY)["chat_transcripts"] == 0
    assert RetentionRecord.objects.filter(kind="chat_transcripts").count() == 1
    assert "4111" not in str(list(RetentionRecord.objects.values()))


def test_raw_emails_go_and_the_ticket_stays(agent):
    ticket = closed_ticket()
    inbound = InboundEmail.objects.get(ticket=ticket)
    path = Path(inbound.raw.path)
    assert path.exists()
    assert apply_retention(now=CLOSED + 90 * DAY)["raw_email"] == 1
    inbound.refresh_from_db()
    assert not inbound.raw and not path.exists()
    assert Message.objects.get(ticket=ticket, direction=Direction.INBOUND).text.startswith(
        "My lid broke"
    )
    assert records() == {"raw_email": 1}


def test_a_reopened_ticket_keeps_its_email(agent):
    ticket = closed_ticket()
    change_status(ticket=ticket, status=Status.OPEN, at=CLOSED + DAY)
    assert apply_retention(now=CLOSED + 400 * DAY)["raw_email"] == 0
    assert InboundEmail.objects.get(ticket=ticket).raw


def test_closed_cases_are_anonymised_and_a_customer_with_another_case_is_kept(agent):
    old = closed_ticket()
    customer = old.customer
    newer = ingest_email(
        raw=EMAIL.replace(b"retention.1", b"retention.2").replace(b"Broken lid", b"Again"),
        received_at=CLOSED + 200 * DAY,
    ).ticket
    assert newer.customer == customer

    done = apply_retention(now=CLOSED + 365 * DAY)
    assert done["closed_cases"] == 1
    old.refresh_from_db()
    message = Message.objects.get(ticket=old, direction=Direction.INBOUND)
    assert old.customer.external_id == ANONYMOUS_ID
    assert "07700" not in message.text and message.from_address == ""
    customer.refresh_from_db()
    assert customer.email == "bob@example.org"  # their open ticket still needs them

    change_status(ticket=newer, status=Status.CLOSED, at=CLOSED + 201 * DAY)
    assert apply_retention(now=CLOSED + 566 * DAY)["closed_cases"] == 1
    customer.refresh_from_db()
    assert (customer.name, customer.email) == ("", "")
    assert not Customer.objects.filter(email="bob@example.org").exists()


def test_closed_chats_are_anonymised(agent):
    session = closed_chat(agent)
    apply_retention(now=CLOSED + 365 * DAY)
    session.refresh_from_db()
    assert (session.question, session.summary, session.name_given) == ("", "", "")
    assert session.customer.external_id == ANONYMOUS_ID
    assert not ChatMessage.objects.filter(session=session).exists()
    assert set(records()) == {"chat_transcripts", "secure_details", "closed_cases"}


def test_a_key_left_out_keeps_the_data(db, agent):
    publish_policy_version(
        document=policy_text('\n[retention]\nraw_email = "90d"\n').replace(
            'version = "retention"', 'version = "keep-chats"'
        ),
        approved_by="T",
        change_note="Keep chats",
    )
    session = closed_chat(agent)
    assert apply_retention(now=CLOSED + 3000 * DAY) == {"raw_email": 0}
    assert ChatMessage.objects.filter(session=session).exists()


def test_the_daily_task_works_through_every_batch(agent, settings, time_machine, celery_eager):
    settings.RETENTION_BATCH_SIZE = 1
    sessions = [closed_chat(agent, email=f"c{i}@example.org") for i in range(3)]
    time_machine.move_to(CLOSED + 31 * DAY, tick=False)
    assert retention_task.delay().get()["chat_transcripts"] == 3
    assert not ChatMessage.objects.filter(session__in=sessions).exists()


def test_a_survey_of_the_case_goes_with_it_and_the_customer_is_anonymised(agent):
    ticket = closed_ticket()
    customer = ticket.customer
    invitation = invite_to_survey(
        conversation=ticket, customer=customer, channel="email", agent=agent
    )
    assert apply_retention(now=CLOSED + 365 * DAY)["closed_cases"] == 1
    invitation.refresh_from_db()
    customer.refresh_from_db()
    assert invitation.customer.external_id == ANONYMOUS_ID
    assert (customer.name, customer.email) == ("", "")


def test_managers_see_the_record_and_cannot_change_it(agent, admin_client):
    closed_chat(agent)
    apply_retention(now=CLOSED + 30 * DAY)
    record = RetentionRecord.objects.get(kind="chat_transcripts")
    page = admin_client.get("/admin/helpdesk/retentionrecord/")
    assert page.status_code == 200 and "Chat transcript deleted" in page.content.decode()
    change = admin_client.post(f"/admin/helpdesk/retentionrecord/{record.pk}/change/", {})
    assert change.status_code == 403


def test_an_email_that_opened_no_ticket_goes_counted_from_its_receipt(policy):
    ingest_email(raw=b"not an email at all", received_at=CLOSED)
    inbound = InboundEmail.objects.get()
    assert inbound.ticket is None and inbound.raw
    assert apply_retention(now=CLOSED + 89 * DAY)["raw_email"] == 0
    assert apply_retention(now=CLOSED + 90 * DAY)["raw_email"] == 1
    inbound.refresh_from_db()
    assert not inbound.raw
    record = RetentionRecord.objects.get()
    assert record.case_type == ContentType.objects.get_for_model(InboundEmail)
