"""The complaints admin for a manager and for an agent: list, log, steps, review."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from complaints.models import Complaint, Letter, SentVia, Status
from complaints.services import (
    acknowledge_complaint,
    mark_resolution_overdue,
    start_investigation,
)
from tests.helpdesk.factories import CustomerFactory
from tests.tickets.factories import TicketFactory

from .factories import make_complaint

pytestmark = pytest.mark.django_db

LIST = reverse("admin:complaints_complaint_changelist")
ADD = reverse("admin:complaints_complaint_add")
REVIEW = reverse("admin:complaints_review")


def change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def step_url(complaint, step):
    return reverse("admin:complaints_complaint_step", args=[complaint.pk, step])


@pytest.fixture
def complaint(policy, manager, agent):
    return make_complaint(owner=manager, received_by=agent)


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_list_shows_deadlines_and_filters(as_manager, complaint, manager, agent, time_machine):
    later = make_complaint(owner=manager, received_by=agent, category="billing", channel="phone")
    page = as_manager.get(LIST).content.decode()
    assert complaint.reference in page and "Ada Lovelace" in page
    assert "4.3 d left" in page  # Fri 17:00 to Wed 00:00
    time_machine.move_to(datetime(2026, 11, 24, 12, tzinfo=UTC), tick=False)
    assert 'class="deadline close"' in as_manager.get(LIST).content.decode()  # amber: 12 h left
    time_machine.move_to(datetime(2026, 11, 26, 12, tzinfo=UTC), tick=False)
    acknowledge_complaint(complaint=later, by=manager, sent_via=SentVia.POST)
    page = as_manager.get(LIST + "?overdue=yes").content.decode()
    assert 'class="deadline overdue"' in page and "overdue 1.5 d" in page
    assert complaint.reference in page and later.reference not in page
    assert later.reference in as_manager.get(LIST + "?category__exact=billing").content.decode()
    page = as_manager.get(LIST + "?channel__exact=phone").content.decode()
    assert complaint.reference not in page
    assert later.reference in as_manager.get(LIST + f"?q={later.reference}").content.decode()
    assert as_manager.get(LIST + f"?owner__id__exact={manager.pk}").status_code == 200
    assert as_manager.get(LIST + "?status__exact=logged").status_code == 200


def test_the_complaint_page_shows_timeline_letters_and_step_buttons(as_manager, complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    page = as_manager.get(change_url(complaint)).content.decode()
    assert "Timeline" in page and "Letter sent" in page
    assert "Your complaint C-2026-00001: we have received it" in page
    assert 'data-step="investigate"' in page and 'data-step="resolve"' in page
    assert 'data-step="acknowledge"' not in page  # the status no longer allows it
    assert "Save" not in page and "Delete" not in page


def test_an_agent_reads_but_gets_no_steps(as_agent, complaint):
    page = as_agent.get(change_url(complaint)).content.decode()
    assert complaint.reference in page
    assert "complaint-step" not in page
    response = as_agent.post(step_url(complaint, "acknowledge"), {"sent_via": "post"}, follow=True)
    assert "Only a customer service manager may take this step." in " ".join(messages_of(response))
    complaint.refresh_from_db()
    assert complaint.status == Status.LOGGED and not Letter.objects.exists()


def test_an_agent_logs_a_complaint(as_agent, policy, manager, agent):
    assert as_agent.get(ADD).status_code == 200
    response = as_agent.post(ADD, {
        "customer_name": "Grace Hopper", "customer_email": "grace@example.org",
        "channel": "phone", "received_at": "2026-11-20 16:30", "category": "service",
        "severity": "high", "description": "Kept on hold for an hour.", "owner": manager.pk,
    })  # fmt: skip
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == change_url(complaint)
    assert complaint.received_by == agent and complaint.customer.email == "grace@example.org"
    assert complaint.received_at == datetime(2026, 11, 20, 16, 30, tzinfo=UTC)


def test_logging_refuses_a_future_receipt_and_saves_nothing(as_agent, policy, manager):
    response = as_agent.post(ADD, {
        "customer": CustomerFactory().pk, "channel": "phone", "received_at": "2026-11-21 10:00",
        "category": "service", "severity": "low", "description": "x", "owner": manager.pk,
    })  # fmt: skip
    assert response.status_code == 200
    assert "The complaint was not logged" in " ".join(messages_of(response))
    assert not Complaint.objects.exists()


def test_a_manager_acknowledges_through_the_admin(as_manager, complaint):
    form = as_manager.get(step_url(complaint, "acknowledge"))
    assert "Dear Ada Lovelace" in form.content.decode()  # the draft to edit
    response = as_manager.post(
        step_url(complaint, "acknowledge"),
        {"sent_via": "post", "body": form.context["form"].initial["body"]},
        follow=True,
    )
    assert "C-2026-00001 is acknowledged in writing." in messages_of(response)
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.letters.get().sent_via == SentVia.POST


def test_an_invalid_step_shows_why_and_changes_nothing(as_manager, complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    start_investigation(complaint=complaint, by=manager)
    response = as_manager.post(
        step_url(complaint, "holding"), {"expected_date": "2026-11-20", "sent_via": "post"}
    )
    assert response.status_code == 200
    text = " ".join(messages_of(response))
    assert "The expected date must be later than today. Nothing was changed." in text
    assert "later than today" in str(response.context["form"].errors["expected_date"])
    complaint.refresh_from_db()
    assert complaint.expected_response_date is None and complaint.letters.count() == 1
    # A step the status does not allow: the service's message.
    response = as_manager.post(step_url(complaint, "close"), {}, follow=True)
    assert "C-2026-00001 is investigating: it cannot be closed now." in " ".join(
        messages_of(response)
    )
    # A form that lacks what the step needs.
    response = as_manager.post(step_url(complaint, "resolve"), {"sent_via": "post"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"outcome", "root_cause", "remedy"}
    assert Complaint.objects.get(pk=complaint.pk).status == Status.INVESTIGATING


def test_a_manager_takes_a_complaint_to_closure(as_manager, complaint):
    steps = [
        ("acknowledge", {"sent_via": "post"}),
        ("investigate", {"note": "Called the courier."}),
        ("holding", {"expected_date": "2026-12-01", "sent_via": "post"}),
        (
            "resolve",
            {
                "outcome": "Replaced.",
                "root_cause": "third_party",
                "remedy": "replacement",
                "sent_via": "post",
            },
        ),  # fmt: skip
        ("close", {"customer_satisfied": "yes"}),
    ]
    for name, data in steps:
        response = as_manager.post(step_url(complaint, name), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.customer_satisfied is True
    assert list(complaint.letters.values_list("kind", flat=True)) == [
        "acknowledgement", "holding", "final"]  # fmt: skip


def test_the_review_page_and_its_csv(as_manager, complaint):
    page = as_manager.get(REVIEW + "?cadence=daily&day=2026-11-21")
    assert page.status_code == 200
    assert 'id="fig-received">1<' in page.content.decode()
    assert "Delivery" in page.content.decode() and 'class="bar"' in page.content.decode()
    csv = as_manager.get(REVIEW + "?cadence=daily&day=2026-11-21&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "section,figure,value"
    assert "summary,received,1" in lines and "by category,Delivery,1" in lines


def test_agents_cannot_see_the_review_or_letter_templates(as_agent):
    assert as_agent.get(REVIEW).status_code == 403
    templates = reverse("admin:complaints_lettertemplate_changelist")
    assert as_agent.get(templates).status_code == 403


def test_managers_edit_letter_templates(as_manager):
    url = reverse("admin:complaints_lettertemplate_add")
    response = as_manager.post(url, {"kind": "final", "subject": "Re {{ reference }}",
                                     "body": "Dear {{ customer_name }}"})  # fmt: skip
    assert response.status_code == 302


def test_anonymous_users_are_sent_to_log_in(client, complaint):
    assert client.get(LIST).status_code == 302
    assert client.post(step_url(complaint, "acknowledge"), {"sent_via": "post"}).status_code == 302
    assert Complaint.objects.get().status == Status.LOGGED


def test_the_log_form_finds_customers_by_autocomplete(as_agent, policy):
    customer = CustomerFactory(name="Grace Hopper")
    page = as_agent.get(ADD).content.decode()
    assert "admin-autocomplete" in page and "autocomplete.js" in page
    url = reverse("admin:autocomplete")
    found = as_agent.get(url, {"term": "grace", "app_label": "complaints",
                               "model_name": "complaint", "field_name": "customer"})  # fmt: skip
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [str(customer.pk)]


def test_the_enclosed_procedure_downloads_from_the_complaint_page(as_agent, complaint, manager):
    letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    page = as_agent.get(change_url(complaint)).content.decode()
    url = reverse("admin:complaints_letter_enclosure", args=[complaint.pk, letter.pk])
    assert url in page
    response = as_agent.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert as_agent.get(url.replace(f"/{letter.pk}/", "/999/")).status_code == 404


def test_the_holding_form_offers_the_drafted_letter_and_its_date(as_manager, complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    mark_resolution_overdue(complaint_id=complaint.pk)
    page = as_manager.get(step_url(complaint, "holding")).content.decode()
    assert "Holding letter drafted by the system" in page
    assert 'value="2026-11-27"' in page  # 5 working days from Fri 20 Nov: end of Fri 27
    page = as_manager.get(change_url(complaint)).content.decode()
    assert "The full response is overdue" in page


def test_a_complaint_logged_from_a_ticket_links_back_to_it(as_agent, policy, manager):
    ticket = TicketFactory()
    add = f"{ADD}?source=tickets.ticket:{ticket.pk}"
    form = as_agent.get(add)
    assert form.context["form"].initial == {
        "source": f"tickets.ticket:{ticket.pk}",
        "customer": ticket.customer_id,
        "channel": "email",
    }
    as_agent.post(add, {
        "customer": ticket.customer_id, "channel": "email", "received_at": "2026-11-20 16:30",
        "category": "service", "severity": "low", "description": "Rude reply.",
        "owner": manager.pk, "source": f"tickets.ticket:{ticket.pk}",
    })  # fmt: skip
    assert Complaint.objects.get().source == ticket
    # Only a ticket or a chat can be a source.
    other = as_agent.get(f"{ADD}?source=helpdesk.customer:{ticket.customer_id}")
    assert other.context["form"].initial == {}
