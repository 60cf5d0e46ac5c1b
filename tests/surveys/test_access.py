"""The survey access rule (surveys/access.py) and every surface that applies it: the
supervisors' survey page, its CSV, a follow-up's page, the API (an answer, the list, the
figures) and the admin give the rule's answer for every role and relation (the agent whose
conversation the answer is about included), so no surface can disagree with another.

Before the rule the admin disagreed (Django's model permissions: superusers only, whatever
their role), which `test_every_surface_shows_an_answer_as_the_rule_says` catches."""

import pytest

from helpdesk.access import AccessDenied
from surveys.access import SurveyAction, check_survey_access, may, readable_survey_responses
from surveys.models import FollowUp, FollowUpStatus, SurveyResponse
from surveys.services import close_follow_up, invite_to_survey, submit_survey_response
from tests.helpdesk.access_support import PEOPLE, allowed, client_for, people
from tests.surveys.factories import token_of
from tests.tickets.desk_support import ticket

EXPECTED = {
    SurveyAction.READ: {"supervisor", "manager"},
    SurveyAction.CLOSE_FOLLOW_UP: {"supervisor", "manager"},
}


@pytest.fixture
def case(policy):
    everyone = people()
    handled = ticket("My order is late", team=everyone["_team"], assignee=everyone["handler"])
    invitation = invite_to_survey(
        conversation=handled,
        customer=handled.customer,
        channel="email",
        policy_section="email",
        agent=everyone["handler"],
    )
    submit_survey_response(token=token_of(invitation), answered=False, score=1, comment="Slow")
    return everyone, SurveyResponse.objects.get(), FollowUp.objects.get()


@pytest.mark.parametrize("action", list(SurveyAction))
def test_the_rule_says_who_may(case, action):
    everyone, _, _ = case
    assert {who for who in PEOPLE if may(user=everyone[who], action=action)} == EXPECTED[action]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_shows_an_answer_as_the_rule_says(case, who):
    everyone, response, follow_up = case
    user = everyone[who]
    rule = may(user=user, action=SurveyAction.READ)
    client = client_for(user)
    listed = client.get("/api/v1/surveys/responses/")
    answers = {
        "desk page": allowed(client.get("/desk/surveys/")),
        "desk csv": allowed(client.get("/desk/surveys/export.csv")),
        "follow-up page": allowed(client.get(f"/desk/surveys/follow-ups/{follow_up.pk}/")),
        "api answer": allowed(client.get(f"/api/v1/surveys/responses/{response.pk}/")),
        "api list": listed.status_code == 200
        and [row["id"] for row in listed.json()["results"]] == [response.pk],
        "api figures": allowed(client.get("/api/v1/surveys/aggregates/")),
        "admin": allowed(client.get(f"/admin/surveys/surveyresponse/{response.pk}/change/")),
        "admin list": allowed(client.get("/admin/surveys/surveyresponse/")),
        "selector": readable_survey_responses(user).filter(pk=response.pk).exists(),
    }
    assert answers == dict.fromkeys(answers, rule), answers


@pytest.mark.parametrize("who", PEOPLE)
def test_every_surface_closes_a_follow_up_as_the_rule_says(case, who):
    everyone, _, follow_up = case
    user = everyone[who]
    rule = may(user=user, action=SurveyAction.CLOSE_FOLLOW_UP)
    page = client_for(user).post(
        f"/desk/surveys/follow-ups/{follow_up.pk}/", {"notes": "Called the customer."}
    )
    assert allowed(page) == rule
    follow_up.refresh_from_db()
    assert (follow_up.status == FollowUpStatus.CLOSED) == rule


def test_the_service_refuses_an_agent_in_the_rule_s_words(case):
    everyone, _, follow_up = case
    with pytest.raises(AccessDenied, match="supervisors and managers"):
        close_follow_up(follow_up=follow_up, by=everyone["handler"], notes="Done.")
    with pytest.raises(AccessDenied):
        check_survey_access(user=everyone["no_role"], action=SurveyAction.READ)


def test_a_superuser_with_an_agent_s_role_reads_no_answer_in_the_admin(case):
    """The leak the rule closed: the admin went by Django's superuser flag, not the role."""
    everyone, response, _ = case
    handler = everyone["handler"]
    handler.is_superuser = True
    handler.save(update_fields=["is_superuser"])
    client = client_for(handler)
    assert client.get(f"/admin/surveys/surveyresponse/{response.pk}/change/").status_code == 403
    assert client.get(f"/api/v1/surveys/responses/{response.pk}/").status_code == 403
