"""The workflow's table (`complaints.models.TRANSITIONS`) is what the admin offers and what the
services allow: one table, read by both."""

import pytest
from django.core.exceptions import ValidationError

from complaints import services
from complaints.admin.steps import STEPS, steps_for
from complaints.models import DONE_STATUSES, TRANSITIONS, Complaint, Status, Step
from tests.complaints.factories import make_complaint


def test_every_step_has_its_admin_page_and_the_table_names_every_step():
    assert set(STEPS) == {step.value for step in Step} == {step.value for step in TRANSITIONS}


@pytest.mark.parametrize("status", Status.values)
def test_the_admin_offers_exactly_the_steps_the_table_allows_from_each_status(status):
    complaint = Complaint(status=status)
    offered = {page.name for page in steps_for(complaint)}
    assert offered == {step.value for step, allowed in TRANSITIONS.items() if status in allowed}


def test_resolved_and_closed_are_the_done_statuses_a_complaint_is_reopened_from():
    assert set(DONE_STATUSES) == {Status.RESOLVED, Status.CLOSED}
    assert Complaint(status=Status.CLOSED).is_done and not Complaint(status=Status.CLOSED).is_open
    assert set(TRANSITIONS[Step.REOPEN]) == set(DONE_STATUSES)


def test_a_service_refuses_a_step_the_table_does_not_allow(policy, manager, agent):
    complaint = make_complaint(owner=manager, received_by=agent)  # logged
    assert not complaint.allows(Step.CLOSE)
    with pytest.raises(ValidationError, match="cannot be closed now"):
        services.close_complaint(complaint=complaint, by=manager, customer_satisfied=True)
