"""/desk/complaints/, where the header's "Complaints" goes: the complaints, open ones first,
each linked to its page, and the way to log one (it was a 404)."""

import pytest
from django.urls import reverse

from complaints.models import Complaint
from helpdesk.models import Role
from tests.complaints.factories import make_complaint
from tests.tickets.desk_support import logged_in, staff

pytestmark = pytest.mark.django_db


def test_the_complaints_page_lists_complaints_with_links(policy):
    agent = staff("alex")
    maria = staff("maria", role=Role.MANAGER)
    complaint: Complaint = make_complaint(owner=maria, received_by=agent)
    client = logged_in(agent)

    response = client.get("/desk/complaints/")

    assert response.status_code == 200
    html = response.content.decode()
    detail = reverse("complaints:detail", args=[complaint.reference])
    assert f'<a href="{detail}">{complaint.reference}</a>' in html
    assert reverse("complaints:log") in html


def test_a_complaint_names_and_links_the_ticket_it_came_from(policy):
    from tests.tickets.desk_support import ticket

    agent = staff("alex")
    maria = staff("maria", role=Role.MANAGER)
    source = ticket("Lid cracked")
    complaint = make_complaint(owner=maria, received_by=agent, source=source)

    html = logged_in(agent).get(reverse("complaints:detail", args=[complaint.reference]))
    html = html.content.decode()

    assert f'came from <a href="/desk/tickets/{source.number}/">Ticket #{source.number}</a>' in html
    assert f"ticket #{source.pk}" not in html
