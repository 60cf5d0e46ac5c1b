"""A complaint's severity sets its deadlines (POLICY.md, "Targets by priority (and complaint
severity)"): a high-severity complaint is due sooner, and a change of severity moves the
deadlines still counting from the receipt, on the complaint's timeline. Received Friday
20 November 2026, 17:00 London (GMT)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from complaints.models import Complaint, EventKind
from complaints.services import change_severity, log_complaint
from tests.helpdesk.factories import CustomerFactory
from tests.helpdesk.sla_support import publish_variant

HIGH = {
    "# What happens when any target above is missed, on any channel.\n": (
        '[complaints.severity.high]\nresolution = "4wd"\n\n'
        "# What happens when any target above is missed, on any channel.\n"
    )
}
TEN_WORKING_DAYS = datetime(2026, 12, 5, tzinfo=UTC)  # end of Fri 4 Dec
FOUR_WORKING_DAYS = datetime(2026, 11, 27, tzinfo=UTC)  # end of Thu 26 Nov


@pytest.fixture
def high_policy(db, now):
    return publish_variant(version="1.1", effective="2026-02-01", replace=HIGH)


def _log(manager, agent, severity="medium"):
    return log_complaint(
        customer=CustomerFactory(),
        channel="phone",
        category="billing",
        description="Charged twice.",
        owner=manager,
        received_by=agent,
        severity=severity,
    )


def test_a_high_severity_complaint_is_due_sooner(high_policy, manager, agent):
    complaint = _log(manager, agent, severity="high")

    assert complaint.resolution_due_at == complaint.respond_by == FOUR_WORKING_DAYS


def test_raising_the_severity_moves_the_deadline_and_says_so(high_policy, manager, agent):
    complaint = _log(manager, agent)
    assert complaint.resolution_due_at == TEN_WORKING_DAYS

    complaint = change_severity(complaint=complaint, severity="high", by=manager)

    assert complaint.severity == "high"
    assert complaint.resolution_due_at == complaint.respond_by == FOUR_WORKING_DAYS
    assert complaint.acknowledge_due_at == datetime(2026, 11, 25, tzinfo=UTC)  # unchanged
    event = complaint.events.get(kind=EventKind.SEVERITY)
    assert event.note.startswith("medium → high")
    assert "complaints.resolution due 27 Nov 2026 00:00 GMT (was 05 Dec 2026 00:00 GMT)" in (
        event.note
    )


def test_only_a_manager_changes_it_and_only_to_a_severity(high_policy, manager, agent):
    complaint = _log(manager, agent)

    with pytest.raises(PermissionDenied):
        change_severity(complaint=complaint, severity="high", by=agent)
    with pytest.raises(ValidationError):
        change_severity(complaint=complaint, severity="dire", by=manager)
    assert not complaint.events.filter(kind=EventKind.SEVERITY).exists()


def test_a_closed_complaint_keeps_its_severity(high_policy, manager, agent):
    complaint = _log(manager, agent)
    Complaint.objects.filter(pk=complaint.pk).update(status="closed")

    with pytest.raises(ValidationError, match="cannot be given another severity now"):
        change_severity(complaint=complaint, severity="high", by=manager)


def test_the_admin_step_and_the_api_change_it(high_policy, manager, agent, client):
    complaint = _log(manager, agent)
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client.force_login(manager)

    page = client.post(
        f"/admin/complaints/complaint/{complaint.pk}/step/severity/",
        {"severity": "high", "note": "A second charge"},
    )
    api = APIClient()
    api.force_login(manager)
    back = api.post(
        f"/api/v1/complaints/{complaint.pk}/severity/", {"severity": "medium"}, format="json"
    )

    assert page.status_code == 302
    assert back.status_code == 200
    complaint.refresh_from_db()
    assert complaint.severity == "medium" and complaint.resolution_due_at == TEN_WORKING_DAYS
    assert complaint.events.filter(kind=EventKind.SEVERITY).count() == 2
