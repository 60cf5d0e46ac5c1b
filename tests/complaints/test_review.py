"""The periodic review: its figures, the email to managers once per period, the CSV."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from complaints.models import ReviewSent, RootCause, SentVia
from complaints.selectors import complaint_review, review_period
from complaints.services import (
    acknowledge_complaint,
    resolve_complaint,
    send_complaint_review,
)
from complaints.tasks import send_complaint_review as review_task
from helpdesk.models import Role
from tests.helpdesk.factories import AgentFactory, UserFactory

from .factories import make_complaint

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("cadence", "today", "period"),
    [
        ("daily", date(2026, 11, 25), (date(2026, 11, 24), date(2026, 11, 25))),
        ("weekly", date(2026, 11, 25), (date(2026, 11, 16), date(2026, 11, 23))),
        ("weekly", date(2026, 11, 23), (date(2026, 11, 16), date(2026, 11, 23))),
        ("monthly", date(2026, 11, 25), (date(2026, 10, 1), date(2026, 11, 1))),
        ("monthly", date(2026, 1, 1), (date(2025, 12, 1), date(2026, 1, 1))),
    ],
)
def test_review_periods(cadence, today, period):
    assert review_period(cadence, today) == period


def at(day, hour=10):
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def history(policy, manager, agent, time_machine):
    """Week of 16-22 Nov: three complaints; week of 9-15 Nov: one."""
    time_machine.move_to(at(10), tick=False)
    old = make_complaint(owner=manager, received_by=agent, channel="phone", category="billing")
    acknowledge_complaint(complaint=old, by=manager, sent_via=SentVia.POST)
    on_time = make_complaint(owner=manager, received_by=agent, received_at=at(16),
                             now=at(16))  # fmt: skip
    late = make_complaint(owner=manager, received_by=agent, received_at=at(17), category="staff",
                          channel="chat", now=at(17))  # fmt: skip
    open_one = make_complaint(owner=manager, received_by=agent, received_at=at(18),
                              now=at(18))  # fmt: skip
    acknowledge_complaint(complaint=on_time, by=manager, sent_via="post", now=at(17))
    acknowledge_complaint(complaint=late, by=manager, sent_via="post", now=at(23))  # due 20th
    resolve_complaint(complaint=on_time, by=manager, outcome="Refunded.",
                      root_cause=RootCause.PROCESS, remedy="refund", sent_via="post",
                      now=at(19))  # fmt: skip
    return old, on_time, late, open_one


def test_review_figures(history):
    now = at(25)
    review = complaint_review(
        cadence="weekly", start=date(2026, 11, 16), end=date(2026, 11, 23), zone=LONDON, now=now
    )
    f = review.figures
    assert f.received == 3
    # Acknowledgement due by now for all three: on time, late, and never (open_one, due 20th).
    assert (f.acknowledged_on_time, f.acknowledge_counted) == (1, 3)
    assert f.acknowledged_on_time_pct == 33.3
    # Resolution: only on_time is resolved; the others' deadlines have not come.
    assert (f.resolved_on_time, f.resolve_counted) == (1, 1)
    assert f.resolved_on_time_pct == 100.0
    assert review.previous.received == 1 and review.previous.acknowledged_on_time_pct == 100.0
    assert review.trend("acknowledged_on_time_pct") == -66.7
    assert review.overdue_now == 2  # open_one never acknowledged; old past its resolution
    assert review.by_category == [("Delivery", 2), ("Staff conduct", 1)]
    assert review.by_channel == [("Email", 2), ("Chat", 1)]
    assert review.by_root_cause == [("Process or policy", 1)]
    rows = review.rows()
    assert ("summary", "received", 3) in rows
    assert ("by category", "Delivery", 2) in rows


def test_the_review_is_emailed_to_managers_once_per_period(history, manager, time_machine):
    other = AgentFactory(role=Role.MANAGER, user=UserFactory(username="mo")).user
    AgentFactory(role=Role.AGENT, user=UserFactory(username="no-review"))
    time_machine.move_to(at(25, 7), tick=False)
    mail.outbox.clear()
    sent = send_complaint_review()
    assert sent is not None
    assert (sent.period_start, sent.period_end) == (date(2026, 11, 16), date(2026, 11, 22))
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([manager.email, other.email])
    assert message.subject == "Complaints review, weekly: 16 Nov 2026 to 22 Nov 2026"
    assert "Received: 3 (previous period 1)" in message.body
    assert "Acknowledged on time: 33.3% (previous 100.0%)" in message.body
    assert "Overdue now: 2" in message.body
    assert "Staff conduct: 1" in message.body
    # Beat runs it hourly: the same week is not sent again.
    assert send_complaint_review() is None
    assert review_task.apply().get() is False
    assert len(mail.outbox) == 1 and ReviewSent.objects.count() == 1
    # The next week's review goes on the next Monday.
    time_machine.move_to(datetime(2026, 11, 30, 7, tzinfo=UTC), tick=False)
    assert send_complaint_review() is not None
    assert len(mail.outbox) == 2


def test_no_review_is_recorded_while_there_is_no_manager_to_send_it_to(policy, time_machine):
    time_machine.move_to(at(25, 7), tick=False)
    assert send_complaint_review() is None
    assert not ReviewSent.objects.exists() and not mail.outbox
