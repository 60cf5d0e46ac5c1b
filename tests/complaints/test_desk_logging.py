"""Logging a complaint from the desk (/desk/complaints/new/), prefilled from the ticket it came
from, and the admin's log form prefilled from its link (the surveys' follow-up page)."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from complaints.models import Complaint, Status
from helpdesk.models import Customer, Notification
from tests.helpdesk.factories import CustomerFactory, UserFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

NEW = "/desk/complaints/new/"


@pytest.fixture
def ticket(policy):
    return TicketFactory(channel="phone")


def form_data(ticket, manager, **extra):
    data = {
        "source": f"tickets.ticket:{ticket.pk}",
        "customer": ticket.customer_id,
        "channel": "phone",
        "received_at": "2026-11-20 16:30",
        "category": "staff",
        "severity": "high",
        "description": "The agent hung up on me.",
        "desired_outcome": "An apology.",
        "owner": manager.pk,
    }
    data.update(extra)
    return data


def test_the_ticket_page_links_to_the_desk_log_form(client, agent, ticket):
    client.force_login(agent)
    html = client.get(reverse("tickets:ticket", args=[ticket.number])).content.decode()
    assert f'href="{NEW}?source=tickets.ticket:{ticket.pk}"' in html


def test_an_agent_logs_a_complaint_from_a_ticket(client, agent, manager, ticket):
    client.force_login(agent)
    page = client.get(f"{NEW}?source=tickets.ticket:{ticket.pk}")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["customer"] == ticket.customer_id
    assert initial["channel"] == "phone"
    assert initial["source"] == f"tickets.ticket:{ticket.pk}"
    assert str(ticket.customer) in page.content.decode()

    response = client.post(NEW, form_data(ticket, manager))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:detail", args=[complaint.reference])
    assert complaint.source == ticket
    assert complaint.customer_id == ticket.customer_id and complaint.received_by == agent
    assert complaint.status == Status.LOGGED and complaint.desired_outcome == "An apology."
    note = Notification.objects.get(recipient=manager)
    assert complaint.reference in note.message

    detail = client.get(response.url)
    html = detail.content.decode()
    assert detail.status_code == 200
    assert complaint.reference in html and "Logged" in html
    assert f"Ticket #{ticket.number}</a>" in html  # named and linked, not its database id
    assert "Acknowledge in writing by" in html


def test_the_only_manager_is_the_default_owner(client, agent, manager, ticket):
    client.force_login(agent)
    page = client.get(f"{NEW}?source=tickets.ticket:{ticket.pk}")
    assert page.context["form"].initial["owner"] == manager.pk


def test_a_new_customer_can_be_given_by_their_details(client, supervisor, manager, policy):
    client.force_login(supervisor)
    response = client.post(NEW, {
        "customer_name": "Grace Hopper", "customer_email": "grace@example.org",
        "channel": "letter", "received_at": "2026-11-20 16:30", "category": "service",
        "severity": "low", "description": "Nobody wrote back.", "owner": manager.pk,
    })  # fmt: skip
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.customer.email == "grace@example.org" and complaint.source is None


@pytest.mark.parametrize(
    "change",
    [
        {"description": ""},
        {"channel": "pigeon"},
        {"received_at": "2026-11-21 10:00"},  # the future: refused by the service
        {"owner": ""},
        {"customer": ""},
    ],
)
def test_bad_input_shows_the_form_again_and_saves_nothing(client, agent, manager, ticket, change):
    client.force_login(agent)
    response = client.post(NEW, form_data(ticket, manager, **change))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Complaint.objects.exists()
    assert not Notification.objects.exists()


def test_an_owner_who_is_not_a_manager_is_a_form_error(client, agent, supervisor, ticket):
    client.force_login(agent)
    response = client.post(NEW, form_data(ticket, supervisor))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_an_unknown_or_foreign_source_prefills_nothing(client, agent, ticket):
    client.force_login(agent)
    for source in ("tickets.ticket:999999", f"helpdesk.customer:{ticket.customer_id}", "x"):
        page = client.get(f"{NEW}?source={source}")
        assert page.status_code == 200
        assert "source" not in page.context["form"].initial


def test_anonymous_visitors_are_sent_to_log_in(client, ticket, manager):
    assert client.get(NEW).status_code == 302
    response = client.post(NEW, form_data(ticket, manager))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Complaint.objects.exists()


def test_customers_and_users_without_a_role_are_refused(client, ticket, manager):
    user = UserFactory(username="ann-login")
    CustomerFactory(user=user)
    client.force_login(user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(ticket, manager)).status_code == 403
    assert not Complaint.objects.exists()


def test_the_complaint_page_is_for_staff_and_404s_unknown(client, agent, ticket):
    client.force_login(agent)
    assert client.get("/desk/complaints/C-2026-99999/").status_code == 404


# -- the admin's log form, prefilled from its link ------------------------------------------


def test_the_admin_log_form_takes_the_surveys_prefill(client, agent, policy):
    customer = CustomerFactory(name="Ann")
    client.force_login(agent)
    query = {"customer": customer.pk, "channel": "chat", "description": "Score 1: never again."}
    page = client.get(f"{reverse('admin:complaints_complaint_add')}?{urlencode(query)}")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial == {
        "customer": str(customer.pk), "channel": "chat", "description": "Score 1: never again."
    }  # fmt: skip
    html = page.content.decode()
    assert "Score 1: never again." in html and 'value="chat" selected' in html
    assert Customer.objects.count() == 1


def test_the_admin_log_form_skips_an_empty_channel(client, agent, policy):
    customer = CustomerFactory()
    client.force_login(agent)
    query = {"customer": customer.pk, "channel": "", "description": "Rude."}
    page = client.get(f"{reverse('admin:complaints_complaint_add')}?{urlencode(query)}")
    assert "channel" not in page.context["form"].initial
