"""A survey comment is masked by the policy's rule (helpdesk.privacy), like every channel's
text; so is the history entry it makes."""

import pytest

from helpdesk.models import Interaction
from surveys.services import invite_to_survey, submit_survey_response, survey_path

pytestmark = pytest.mark.django_db


def test_a_comment_keeps_no_card_number(ticket):
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=ticket.assignee
    )
    token = survey_path(invitation).split("/")[2]
    response = submit_survey_response(
        token=token, answered=False, score=1, comment="Refund 4111 1111 1111 1111 please"
    )
    response.refresh_from_db()
    assert response.comment == "Refund [card removed] please"
    entries = Interaction.objects.values_list("summary", flat=True)
    assert not [e for e in entries if "4111" in e]
