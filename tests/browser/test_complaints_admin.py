"""A customer service manager acknowledges a complaint through the admin, in a real browser
against the real ASGI server."""

import pytest

from complaints.models import Complaint, LetterKind, SentVia, Status
from helpdesk.models import Role
from tests.complaints.factories import make_complaint
from tests.helpdesk.factories import AgentFactory, CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_manager_acknowledges_a_complaint_in_the_admin(live_asgi, page):
    manager = AgentFactory(role=Role.MANAGER, user=UserFactory(username="maria")).user
    agent = AgentFactory(role=Role.AGENT, user=UserFactory(username="alex")).user
    complaint = make_complaint(
        owner=manager, received_by=agent, customer=CustomerFactory(name="Ada Lovelace")
    )

    page.goto(f"{live_asgi}/admin/complaints/complaint/")
    assert "/admin/login/" in page.url
    page.fill("input[name=username]", "maria")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("input[type=submit]")

    # The list: the complaint with its deadline counting down.
    row = page.locator("#result_list tbody tr", has_text=complaint.reference)
    assert "Ada Lovelace" in row.inner_text()
    assert "d left" in row.locator(".field-days_left").inner_text()
    row.locator(f"a:text('{complaint.reference}')").click()

    # The complaint's page: the step button, then the letter drafted from the template.
    page.click("a[data-step=acknowledge]")
    body = page.locator("textarea[name=body]")
    assert "Dear Ada Lovelace" in body.input_value()
    assert complaint.reference in body.input_value()
    body.fill(body.input_value().replace("Dear Ada Lovelace", "Dear Ms Lovelace"))
    page.check("input[name=sent_via][value=post]")
    page.click("input[name=_step]")

    page.wait_for_selector(".messagelist .success")
    assert "is acknowledged in writing" in page.locator(".messagelist").inner_text()
    assert "Dear Ms Lovelace" in page.content()  # the letter, inline on the complaint page
    assert page.locator("a[data-step=acknowledge]").count() == 0
    assert page.locator("a[data-step=investigate]").count() == 1

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.ACKNOWLEDGED
    letter = complaint.letters.get()
    assert (letter.kind, letter.sent_via) == (LetterKind.ACKNOWLEDGEMENT, SentVia.POST)
    assert letter.body.startswith("Dear Ms Lovelace") and letter.enclosure
