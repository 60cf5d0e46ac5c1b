"""The ticket access rule (tickets/access.py) and every surface that applies it: the desk page,
the desk's action, the API (detail, list, a note), the admin and the desk socket give the
rule's answer for every role and relation, so no surface can disagree with another."""

import pytest

from helpdesk.access import AccessDenied
from tests.helpdesk.access_support import PEOPLE, allowed, client_for, people
from tests.tickets.desk_support import ticket
from tickets.access import TicketAction, check_ticket_access, may, readable_tickets
from tickets.visibility import may_follow_ticket

STAFF = {"handler", "teammate", "other_team", "supervisor", "manager"}
# Today's rule, written out: any member of staff reads and works any ticket; nobody else.
EXPECTED = {TicketAction.READ: STAFF, TicketAction.ACT: STAFF}


@pytest.fixture
def case(db):
    everyone = people()
    opened = ticket("Broken lid", team=everyone["_team"], assignee=everyone["handler"])
    return everyone, opened


@pytest.mark.parametrize("action", list(TicketAction))
def test_the_rule_says_who_may(case, action):
    everyone, opened = case
    said = {who for who in PEOPLE if may(user=everyone[who], ticket=opened, action=action)}
    assert said == EXPECTED[action]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_reads_a_ticket_as_the_rule_says(case, who):
    everyone, opened = case
    user = everyone[who]
    rule = may(user=user, ticket=opened, action=TicketAction.READ)
    client = client_for(user)
    answers = {
        "desk page": allowed(client.get(f"/desk/tickets/{opened.number}/")),
        "desk timeline": allowed(client.get(f"/desk/tickets/{opened.number}/timeline/")),
        "api detail": allowed(client.get(f"/api/v1/tickets/{opened.pk}/")),
        "api timeline": allowed(client.get(f"/api/v1/tickets/{opened.pk}/timeline/")),
        "api list": _listed(client.get("/api/v1/tickets/"), opened.pk),
        "admin": allowed(client.get(f"/admin/tickets/ticket/{opened.pk}/change/")),
        "admin list": _in_admin_list(client.get("/admin/tickets/ticket/"), opened),
        "socket follow": may_follow_ticket(user, opened.pk),
        "selector": readable_tickets(user).filter(pk=opened.pk).exists(),
    }
    assert answers == dict.fromkeys(answers, rule), answers


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_lets_work_on_a_ticket_as_the_rule_says(case, who):
    everyone, opened = case
    user = everyone[who]
    rule = may(user=user, ticket=opened, action=TicketAction.ACT)
    client = client_for(user)
    answers = {
        "desk note": allowed(
            client.post(f"/desk/tickets/{opened.number}/note/", {"note-text": "Checked."})
        ),
        "api note": allowed(
            client.post(
                f"/api/v1/tickets/{opened.pk}/notes/",
                {"text": "Checked."},
                content_type="application/json",
            )
        ),
    }
    assert answers == dict.fromkeys(answers, rule), answers
    notes = opened.messages.filter(text="Checked.").count()
    assert notes == (2 if rule else 0)


def test_a_refusal_names_the_rule(case):
    everyone, opened = case
    with pytest.raises(AccessDenied, match="staff"):
        check_ticket_access(user=everyone["no_role"], ticket=opened, action=TicketAction.ACT)


def _listed(response, ticket_id: int) -> bool:
    if response.status_code != 200:
        return False
    return any(row["id"] == ticket_id for row in response.json()["results"])


def _in_admin_list(response, opened) -> bool:
    return response.status_code == 200 and opened.reference in response.content.decode()
