"""Deadlines in working days with holidays, and what a missed resolution deadline does."""

from datetime import UTC, date, datetime

import pytest

from complaints.models import (
    ComplaintEvent,
    EventKind,
    LetterKind,
    LetterStatus,
    SentVia,
    Status,
)
from complaints.services import (
    acknowledge_complaint,
    mark_resolution_overdue,
    send_holding_letter,
    start_investigation,
    withdraw_complaint,
)
from helpdesk.models import Notification
from helpdesk.services.sla import sweep_clocks

from .factories import make_complaint

pytestmark = pytest.mark.django_db


def test_christmas_holidays_do_not_count(policy, manager, agent, time_machine):
    # Wed 23 Dec: Thu 24 is the 1st working day; Fri 25 (holiday) and the weekend do not
    # count; Mon 28 is the 2nd → due at the end of Mon 28 Dec.
    time_machine.move_to(datetime(2026, 12, 23, 10, tzinfo=UTC), tick=False)
    complaint = make_complaint(owner=manager, received_by=agent)
    assert complaint.acknowledge_due_at == datetime(2026, 12, 29, tzinfo=UTC)
    # 10 working days skip 25 Dec and 1 Jan: 24, 28, 29, 30, 31 Dec, 4, 5, 6, 7, 8 Jan.
    assert complaint.resolution_due_at == datetime(2027, 1, 9, tzinfo=UTC)


def test_a_weekend_receipt_counts_from_monday(policy, manager, agent, time_machine):
    time_machine.move_to(datetime(2026, 11, 21, 11, tzinfo=UTC), tick=False)  # Saturday
    complaint = make_complaint(owner=manager, received_by=agent)
    assert complaint.acknowledge_due_at == datetime(2026, 11, 25, tzinfo=UTC)  # end of Tue 24


def test_late_receipt_in_summer_time(policy, manager, agent, time_machine):
    # Thu 2 Jul 2026 23:30 BST is still Thursday in London (22:30 UTC): Fri 3 and Mon 6 count.
    time_machine.move_to(datetime(2026, 7, 2, 22, 30, tzinfo=UTC), tick=False)
    complaint = make_complaint(owner=manager, received_by=agent)
    assert complaint.acknowledge_due_at == datetime(2026, 7, 6, 23, tzinfo=UTC)  # 00:00 BST


@pytest.fixture
def investigating(policy, manager, agent):
    complaint = make_complaint(owner=manager, received_by=agent)
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    return start_investigation(complaint=complaint, by=manager)


AFTER_RESOLUTION = datetime(2026, 12, 5, 9, tzinfo=UTC)  # the day after the 10th working day


def test_a_missed_resolution_drafts_a_holding_letter_for_the_owner(
    investigating, manager, time_machine, celery_eager, django_capture_on_commit_callbacks
):
    time_machine.move_to(AFTER_RESOLUTION, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks()  # the breach handler runs after commit
    investigating.refresh_from_db()
    assert investigating.holding_letter_needed_since == AFTER_RESOLUTION
    draft = investigating.letters.get(kind=LetterKind.HOLDING)
    assert draft.status == LetterStatus.DRAFT and draft.sent_at is None
    # Suggested: 5 working days from Sat 5 Dec → end of Fri 11 Dec.
    assert draft.expected_date == date(2026, 12, 11)
    assert "11 December 2026" in draft.body and draft.enclosure
    overdue = Notification.objects.get(recipient=manager, kind="complaint.overdue")
    assert overdue.emailed_at is not None  # emailed by Celery after commit
    kinds = set(ComplaintEvent.objects.values_list("kind", flat=True))
    assert {EventKind.OVERDUE, EventKind.LETTER_DRAFTED} <= kinds
    # The policy's escalation reaches the owner's chain too (the core's SLA engine).
    assert Notification.objects.filter(kind="sla.escalation").exists()


def test_the_overdue_handling_happens_once(investigating, time_machine):
    time_machine.move_to(AFTER_RESOLUTION, tick=False)
    assert mark_resolution_overdue(complaint_id=investigating.pk) is True
    assert mark_resolution_overdue(complaint_id=investigating.pk) is False
    assert investigating.letters.filter(kind=LetterKind.HOLDING).count() == 1


def test_sending_the_drafted_holding_letter(investigating, manager, time_machine):
    time_machine.move_to(AFTER_RESOLUTION, tick=False)
    mark_resolution_overdue(complaint_id=investigating.pk)
    letter = send_holding_letter(
        complaint=investigating, by=manager, expected_date=date(2026, 12, 15), sent_via="post"
    )
    investigating.refresh_from_db()
    assert investigating.letters.filter(kind=LetterKind.HOLDING).count() == 1  # the draft went
    assert letter.status == LetterStatus.SENT and "15 December 2026" in letter.body
    assert investigating.holding_letter_needed_since is None
    assert investigating.respond_by == datetime(2026, 12, 16, tzinfo=UTC)


def test_no_holding_letter_for_a_complaint_no_longer_open(investigating, manager, time_machine):
    withdraw_complaint(complaint=investigating, by=manager, reason="Sorted out by phone.")
    time_machine.move_to(AFTER_RESOLUTION, tick=False)
    assert mark_resolution_overdue(complaint_id=investigating.pk) is False
    assert investigating.letters.filter(kind=LetterKind.HOLDING).count() == 0
    assert investigating.status == Status.WITHDRAWN
