"""A complaint's description, desired outcome and step notes are masked by the policy's rule
(helpdesk.privacy), like every channel's text."""

import pytest

from complaints.models import ComplaintEvent
from complaints.services import log_complaint
from tests.helpdesk.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_complaint_keeps_no_card_or_licence_number(policy, manager, agent):
    complaint = log_complaint(
        customer=CustomerFactory(),
        channel="phone",
        category="billing",
        description="Charged twice on 4111-1111-1111-1111.",
        desired_outcome="Refund to licence holder MORGA753116SM9IJ",
        owner=manager,
        received_by=agent,
    )
    complaint.refresh_from_db()
    assert complaint.description == "Charged twice on [card removed]."
    assert complaint.desired_outcome == "Refund to licence holder [driving licence removed]"
    notes = ComplaintEvent.objects.filter(complaint=complaint).values_list("note", flat=True)
    assert not [n for n in notes if "4111" in n or "MORGA" in n]
