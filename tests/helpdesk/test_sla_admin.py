"""The SLA admin: clocks, escalations and notifications, read-only, with service actions."""

import pytest
from django.urls import reverse

from helpdesk.models import Clock, ClockEscalation, Notification
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import start_clock
from tests.helpdesk.factories import UserFactory
from tests.helpdesk.sla_support import at, eager_celery, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def breached_clock():
    staff = make_staff()
    with eager_celery():
        clock = start_clock(
            case=make_case(), target="chat.first_response", started_at=at(10), assignee=staff.agent
        )
    return clock


def test_the_lists_and_a_clock_show(admin_client, breached_clock):
    admin_client.post(
        reverse("admin:helpdesk_clock_changelist"),
        {"action": "check_now", "_selected_action": [breached_clock.pk]},
    )
    for name in ("clock", "clockescalation", "notification"):
        response = admin_client.get(reverse(f"admin:helpdesk_{name}_changelist"))
        assert response.status_code == 200, name
    page = admin_client.get(reverse("admin:helpdesk_clock_change", args=[breached_clock.pk]))
    assert page.status_code == 200
    assert b"First response (chat)" in page.content


def test_check_now_records_the_breach_through_the_service(admin_client, breached_clock):
    response = admin_client.post(
        reverse("admin:helpdesk_clock_changelist"),
        {"action": "check_now", "_selected_action": [breached_clock.pk]},
    )
    assert response.status_code == 302
    breached_clock.refresh_from_db()
    assert breached_clock.outcome == ClockOutcome.BREACHED  # the test runs long after 2026-03-04
    assert ClockEscalation.objects.filter(clock=breached_clock).exists()
    assert Notification.objects.filter(clock=breached_clock).exists()


def test_pause_resume_and_stop_actions(admin_client):
    with eager_celery():
        clock = start_clock(case=make_case(), target="complaints.resolution")
    url = reverse("admin:helpdesk_clock_changelist")
    for action, state in (("pause", ClockState.PAUSED), ("resume", ClockState.RUNNING)):
        admin_client.post(url, {"action": action, "_selected_action": [clock.pk]})
        assert Clock.objects.get(pk=clock.pk).state == state
    admin_client.post(url, {"action": "stop", "_selected_action": [clock.pk]})
    clock.refresh_from_db()
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)


def test_clocks_cannot_be_added_or_deleted_in_the_admin(admin_client, breached_clock):
    assert admin_client.get(reverse("admin:helpdesk_clock_add")).status_code == 403
    delete = reverse("admin:helpdesk_clock_delete", args=[breached_clock.pk])
    assert admin_client.get(delete).status_code == 403
