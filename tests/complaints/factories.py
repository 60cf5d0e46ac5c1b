"""Factories and helpers of the complaints tests: complaints are made through the service, as
every interface makes them, so each comes with its clocks, timeline and notifications."""

from datetime import datetime

from complaints.models import Category, ComplaintChannel
from complaints.services import log_complaint
from tests.helpdesk.factories import CustomerFactory


def make_complaint(*, owner, received_by, customer=None, received_at: datetime | None = None,
                   **extra):  # fmt: skip
    values = {
        "channel": ComplaintChannel.EMAIL,
        "category": Category.DELIVERY,
        "description": "The parcel arrived broken and nobody answered my calls.",
        "desired_outcome": "A replacement and an apology.",
    }
    values.update(extra)
    return log_complaint(
        customer=customer or CustomerFactory(name="Ada Lovelace"),
        owner=owner,
        received_by=received_by,
        received_at=received_at,
        **values,
    )
