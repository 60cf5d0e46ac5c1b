"""A complaint closed longer than `[retention] closed_cases` is anonymised once: what the
customer wrote and the letters emptied, the complaint detached from the customer; its dates and
cause stay for the review's figures."""

from datetime import timedelta

import pytest

from complaints.models import ComplaintEvent, Letter, Remedy, RootCause, SentVia
from complaints.services import close_complaint, resolve_complaint
from helpdesk.privacy.retention import ANONYMOUS_ID, apply_retention
from helpdesk.services.policy import publish_policy_version
from tests.policy.support import PROJECT_COPY

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_a_year(policy):
    document = PROJECT_COPY.read_text().replace('version = "', 'version = "r', 1)
    publish_policy_version(
        document=document + '\n[retention]\nclosed_cases = "365d"\n',
        approved_by="T",
        change_note="A year",
    )


def test_a_closed_complaint_is_anonymised_past_its_time(keep_a_year, manager, agent, now):
    complaint = make_complaint(owner=manager, received_by=agent)
    resolve_complaint(
        complaint=complaint,
        by=manager,
        outcome="We sent a new kettle.",
        root_cause=RootCause.THIRD_PARTY,
        remedy=Remedy.REPLACEMENT,
        sent_via=SentVia.POST,
    )
    close_complaint(complaint=complaint, by=manager, customer_satisfied=True)
    customer = complaint.customer

    assert apply_retention(now=now + timedelta(days=364))["closed_cases"] == 0
    assert apply_retention(now=now + timedelta(days=365))["closed_cases"] == 1
    complaint.refresh_from_db()
    customer.refresh_from_db()
    assert (complaint.description, complaint.desired_outcome, complaint.outcome) == ("", "", "")
    assert complaint.customer.external_id == ANONYMOUS_ID and customer.name == ""
    assert complaint.root_cause == RootCause.THIRD_PARTY and complaint.closed_at is not None
    assert not Letter.objects.filter(complaint=complaint).exclude(body="")
    assert not ComplaintEvent.objects.filter(complaint=complaint).exclude(note="")
