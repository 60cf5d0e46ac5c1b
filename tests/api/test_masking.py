"""Text sent through the API is masked by the policy's rule (helpdesk.privacy) before it is
stored, and so never comes back out in full."""

import pytest

from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"


def test_a_ticket_and_a_note_sent_through_the_api_are_masked(api, policy, ticket):
    client = api("manager")
    created = client.post(
        "/api/v1/tickets/",
        {"subject": f"Card {CARD}", "channel": "phone", "customer": {"name": "Cal"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert Ticket.objects.get(pk=created.json()["id"]).subject == "Card [card removed]"
    assert CARD not in created.content.decode()

    noted = client.post(
        f"/api/v1/tickets/{ticket.pk}/notes/",
        {"text": "Licence MORGA753116SM9IJ"},
        format="json",
    )
    assert noted.status_code in (200, 201), noted.content
    assert Message.objects.filter(ticket=ticket, text="Licence [driving licence removed]")
    assert "MORGA" not in noted.content.decode()
