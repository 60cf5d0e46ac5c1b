"""Resolved or closed, once (`tickets.models.DONE_STATUSES`): the rest is what the queues hold,
and the desk offers a way to every done status."""

from tickets.forms import SETTABLE_STATUSES, StatusForm
from tickets.models import DONE_STATUSES, OPEN_STATUSES, Status, Ticket


def test_every_status_is_either_open_or_done():
    assert set(DONE_STATUSES) == {Status.RESOLVED, Status.CLOSED}
    assert set(OPEN_STATUSES) | set(DONE_STATUSES) == set(Status)
    assert not set(OPEN_STATUSES) & set(DONE_STATUSES)


def test_the_desk_offers_closing_in_the_status_list_and_resolving_with_a_summary():
    offered = {value for value, _ in StatusForm().fields["status"].choices if value}
    assert offered == {s.value for s in SETTABLE_STATUSES}
    assert Status.CLOSED in offered and Status.RESOLVED not in offered  # resolve: ResolveForm


def test_a_ticket_is_done_when_resolved_or_closed():
    assert [s for s in Status if Ticket(status=s).is_done] == list(DONE_STATUSES)


def test_closing_an_open_ticket_asks_for_a_resolution_first():
    form = StatusForm({"status": Status.CLOSED}, ticket=Ticket(status=Status.OPEN))
    assert not form.is_valid() and "Resolve the ticket" in form.errors["status"][0]
    for done in DONE_STATUSES:
        assert StatusForm({"status": Status.CLOSED}, ticket=Ticket(status=done)).is_valid()
