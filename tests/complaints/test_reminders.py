"""Reminders to the owner before each deadline and until a holding letter goes, each once."""

from datetime import UTC, date, datetime

import pytest

from complaints.models import ComplaintReminder, SentVia
from complaints.services import (
    acknowledge_complaint,
    remind_complaint_owners,
    send_holding_letter,
)
from complaints.tasks import remind_complaint_owners as remind_task
from helpdesk.models import Notification

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(policy, manager, agent):
    # Received Fri 20 Nov 17:00; acknowledgement due Wed 25 Nov 00:00 (103 hours later).
    return make_complaint(owner=manager, received_by=agent)


def reminders(manager):
    return list(
        Notification.objects.filter(recipient=manager, kind="complaint.reminder")
        .order_by("pk")
        .values_list("message", flat=True)
    )


def test_nothing_before_half_time(complaint, manager):
    assert remind_complaint_owners(now=datetime(2026, 11, 22, 20, tzinfo=UTC)) == 0
    assert reminders(manager) == []


def test_half_time_then_last_day_each_once(complaint, manager):
    half = datetime(2026, 11, 22, 21, tzinfo=UTC)  # past Sun 22 Nov 20:30
    assert remind_complaint_owners(now=half) == 1
    assert remind_complaint_owners(now=half) == 0  # the beat runs again: nothing new
    assert remind_task.apply().get() == 0  # the task is the same service
    last_day = datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert remind_complaint_owners(now=last_day) == 1
    assert remind_complaint_owners(now=last_day) == 0
    first, second = reminders(manager)
    assert first.startswith("Half the time to acknowledge it in writing for C-2026-00001")
    assert second.startswith("Last day to acknowledge it in writing for C-2026-00001")
    assert "24 Nov 2026" in second
    keys = set(ComplaintReminder.objects.values_list("key", flat=True))
    assert keys == {
        "complaints.acknowledge:202611250000:half",
        "complaints.acknowledge:202611250000:last_day",
    }


def test_acknowledged_complaints_are_reminded_of_the_full_response(complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    remind_complaint_owners(now=datetime(2026, 11, 24, 8, tzinfo=UTC))
    assert reminders(manager) == []  # acknowledged: no acknowledgement reminders
    # Resolution: 20 Nov 17:00 to 5 Dec 00:00, half way on 27 Nov 20:30.
    assert remind_complaint_owners(now=datetime(2026, 11, 28, 9, tzinfo=UTC)) == 1
    assert "send the full response" in reminders(manager)[0]


def test_reminded_every_day_until_the_holding_letter_goes(complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    late = datetime(2026, 12, 5, 9, tzinfo=UTC)
    remind_complaint_owners(now=late)  # marks it overdue (as the breach handler would)
    complaint.refresh_from_db()
    assert complaint.holding_letter_needed_since == late
    assert Notification.objects.filter(kind="complaint.overdue").count() == 1
    assert remind_complaint_owners(now=datetime(2026, 12, 5, 15, tzinfo=UTC)) == 0
    assert remind_complaint_owners(now=datetime(2026, 12, 6, 9, tzinfo=UTC)) == 1
    assert sum("holding letter" in m for m in reminders(manager)) == 2
    send_holding_letter(
        complaint=complaint,
        by=manager,
        expected_date=date(2026, 12, 10),
        sent_via=SentVia.POST,
        now=datetime(2026, 12, 7, 9, tzinfo=UTC),
    )
    before = len(reminders(manager))
    remind_complaint_owners(now=datetime(2026, 12, 8, 9, tzinfo=UTC))
    assert not any("holding letter" in m for m in reminders(manager)[before:])


def test_a_missed_promised_date_needs_another_holding_letter(complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    send_holding_letter(
        complaint=complaint,
        by=manager,
        expected_date=date(2026, 12, 10),
        sent_via=SentVia.POST,
        now=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )
    remind_complaint_owners(now=datetime(2026, 12, 11, 9, tzinfo=UTC))
    complaint.refresh_from_db()
    assert complaint.holding_letter_needed_since is not None
    assert complaint.letters.filter(kind="holding", status="draft").count() == 1
