"""The complaint access rule (complaints/access.py) and every surface that applies it: the
desk's pages, the API (detail, list, log, a step), the admin (change page, its step buttons,
the add page, the review) and the services give the rule's answer for every role, so no
surface can disagree with another."""

import pytest

from complaints.access import ComplaintAction, check_complaint_access, may, readable_complaints
from complaints.models import Status
from helpdesk.access import AccessDenied
from tests.complaints.factories import make_complaint
from tests.helpdesk.access_support import PEOPLE, allowed, client_for, people

STAFF = {"handler", "teammate", "other_team", "supervisor", "manager"}
# Today's rule, written out: staff read and log; managers take the steps; supervisors and
# managers read the review. "handler" here is an agent who logged the complaint.
EXPECTED = {
    ComplaintAction.READ: STAFF,
    ComplaintAction.LOG: STAFF,
    ComplaintAction.STEP: {"manager"},
    ComplaintAction.REVIEW: {"supervisor", "manager"},
}


@pytest.fixture
def case(policy):
    everyone = people()
    complaint = make_complaint(owner=everyone["manager"], received_by=everyone["handler"])
    return everyone, complaint


@pytest.mark.parametrize("action", list(ComplaintAction))
def test_the_rule_says_who_may(case, action):
    everyone, complaint = case
    said = {who for who in PEOPLE if may(user=everyone[who], action=action, complaint=complaint)}
    assert said == EXPECTED[action]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_shows_a_complaint_as_the_rule_says(case, who):
    everyone, complaint = case
    user = everyone[who]
    rule = may(user=user, action=ComplaintAction.READ, complaint=complaint)
    client = client_for(user)
    listed = client.get("/api/v1/complaints/")
    answers = {
        "desk page": allowed(client.get(f"/desk/complaints/{complaint.reference}/")),
        "api detail": allowed(client.get(f"/api/v1/complaints/{complaint.pk}/")),
        "api list": listed.status_code == 200
        and [row["id"] for row in listed.json()["results"]] == [complaint.pk],
        "admin": allowed(client.get(f"/admin/complaints/complaint/{complaint.pk}/change/")),
        "selector": readable_complaints(user).filter(pk=complaint.pk).exists(),
    }
    assert answers == dict.fromkeys(answers, rule), answers


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_lets_log_a_complaint_as_the_rule_says(case, who):
    everyone, _ = case
    user = everyone[who]
    rule = may(user=user, action=ComplaintAction.LOG)
    client = client_for(user)
    answers = {
        "desk log page": allowed(client.get("/desk/complaints/new/")),
        "admin add page": allowed(client.get("/admin/complaints/complaint/add/")),
        "api log": client.post(
            "/api/v1/complaints/", {"bad": "input"}, content_type="application/json"
        ).status_code
        == 400,  # past the door, the input is refused: nothing is logged
    }
    assert answers == dict.fromkeys(answers, rule), answers


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_lets_take_a_step_as_the_rule_says(case, who):
    everyone, complaint = case
    user = everyone[who]
    rule = may(user=user, action=ComplaintAction.STEP, complaint=complaint)
    client = client_for(user)
    page = client.get(f"/admin/complaints/complaint/{complaint.pk}/change/")
    answers = {
        "admin step buttons": page.status_code == 200 and bool(page.context.get("steps")),
        "api step": allowed(
            client.post(
                f"/api/v1/complaints/{complaint.pk}/withdraw/",
                {"reason": "The customer called back."},
                content_type="application/json",
            )
        ),
    }
    assert answers == dict.fromkeys(answers, rule), answers
    complaint.refresh_from_db()
    assert (complaint.status == Status.WITHDRAWN) == rule


@pytest.mark.parametrize("who", PEOPLE)
def test_the_review_is_shown_as_the_rule_says(case, who):
    everyone, _ = case
    user = everyone[who]
    rule = may(user=user, action=ComplaintAction.REVIEW)
    assert allowed(client_for(user).get("/admin/complaints/complaint/review/")) == rule


def test_a_refusal_names_the_rule(case):
    everyone, complaint = case
    with pytest.raises(AccessDenied, match="manager"):
        check_complaint_access(
            user=everyone["supervisor"], action=ComplaintAction.STEP, complaint=complaint
        )
