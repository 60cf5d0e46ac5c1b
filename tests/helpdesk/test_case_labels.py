"""Deadlines, notifications, their emails and the admin name a case as people do ("Ticket
#1000", not "ticket #1", the database id) and link to the page that opens it; targets read
"First response (email)", not `email.first_response`."""

import pytest
from django.core import mail
from django.urls import reverse

from helpdesk.models import Clock, Notification
from helpdesk.services.notifications import send_notification_email
from helpdesk.services.sla import check_clock
from helpdesk.services.sla.common import case_key, case_links
from tests.helpdesk.sla_support import at, eager_celery, make_staff
from tests.tickets.desk_support import ticket as open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


@pytest.fixture
def breached(time_machine):
    """A ticket whose email first response breached, assigned to the staff's agent."""
    staff = make_staff()
    case = open_ticket("Lid cracked", opened_at=at(9), assignee=staff.agent)
    clock = Clock.objects.get(target="email.first_response", case_id=case.pk)
    check_clock(clock_id=clock.pk, now=at(18))
    time_machine.move_to(at(18, 1), tick=False)
    return staff, case, clock


def test_the_deadlines_page_names_and_links_the_ticket_and_the_target(client, breached):
    staff, case, _ = breached
    assert case.pk != case.number  # "ticket #1" meant ticket #1000

    client.force_login(staff.agent)
    html = client.get(reverse("desk:home")).content.decode()

    mine = html[html.index('id="mine-heading"') :]
    assert f'<a href="/desk/tickets/{case.number}/">Ticket #{case.number}</a>' in mine
    assert "First response (email)" in mine
    assert "email.first_response" not in html
    assert f"ticket #{case.pk}" not in html


def test_a_notification_names_the_ticket_and_the_target_in_words(client, breached):
    staff, case, _ = breached
    note = Notification.objects.get(recipient=staff.supervisor)
    assert f"First response (email) on Ticket #{case.number}" in note.message
    assert note.url == f"/desk/tickets/{case.number}/"

    client.force_login(staff.supervisor)
    html = client.get(reverse("desk:home")).content.decode()
    assert f"Ticket #{case.number}" in html
    assert f'href="/desk/tickets/{case.number}/"' in html


def test_a_notification_email_carries_an_absolute_link(breached, settings):
    settings.SITE_URL = "https://help.example.com/"
    staff, case, _ = breached
    staff.supervisor.email = "sam@example.com"
    staff.supervisor.save()
    note = Notification.objects.get(recipient=staff.supervisor)
    mail.outbox.clear()

    assert send_notification_email(notification_id=note.pk)

    (email,) = mail.outbox
    assert f"https://help.example.com/desk/tickets/{case.number}/" in email.body
    assert "\n/desk/" not in email.body


def test_the_clocks_admin_links_each_case_by_its_name(admin_client, breached):
    _, case, _ = breached
    html = admin_client.get(reverse("admin:helpdesk_clock_changelist")).content.decode()
    assert f'<a href="/desk/tickets/{case.number}/">Ticket #{case.number}</a>' in html
    assert "First response (email)" in html


def test_every_channel_names_its_cases(breached):
    from chat.models import ChatSession
    from complaints.models import Complaint

    staff, case, clock = breached
    links = case_links([clock])
    assert links[case_key(clock)].label == f"Ticket #{case.number}"
    assert {"tickets.ticket", "chat.chatsession", "complaints.complaint", "surveys.followup"} <= (
        set(__import__("helpdesk.sla_registry").sla_registry._case_describers)
    )
    assert ChatSession and Complaint


def test_naming_the_cases_costs_the_same_for_two_tickets_or_six(client, breached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff, _, _ = breached
    client.force_login(staff.agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("desk:home")).status_code == 200
        return len(seen)

    few = queries()
    for n in range(4):
        open_ticket(f"Lid {n}", opened_at=at(9), assignee=staff.agent)
    assert queries() == few
