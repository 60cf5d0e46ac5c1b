"""Responses: one per conversation; expired, used and tampered links refused; poor answers
open a follow-up for the agent's supervisor."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.models import Interaction, Notification, Role
from surveys.models import FollowUp, FollowUpStatus, SurveyResponse
from surveys.services import (
    ExpiredSurvey,
    SurveyNotFound,
    UsedSurvey,
    close_follow_up,
    invite_to_survey,
    submit_survey_response,
    survey_path,
)
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def token_of(invitation) -> str:
    return survey_path(invitation).split("/")[2]


@pytest.fixture
def invitation(ticket):
    return invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=ticket.assignee
    )


def test_a_response_is_saved_once_and_recorded(invitation):
    response = submit_survey_response(
        token=token_of(invitation), answered=True, score=5, comment="  Great help  "
    )
    invitation.refresh_from_db()
    assert invitation.used_at == response.submitted_at
    assert (response.answered, response.score, response.comment) == (True, 5, "Great help")
    entry = Interaction.objects.get(kind="survey answered")
    assert entry.customer == invitation.customer and "Satisfaction 5/5" in entry.summary
    assert not FollowUp.objects.exists()


def test_a_second_response_is_refused_and_nothing_saved_twice(invitation):
    submit_survey_response(token=token_of(invitation), answered=True, score=4)
    with pytest.raises(UsedSurvey):
        submit_survey_response(token=token_of(invitation), answered=False, score=1)
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().score == 4


def test_an_expired_link_is_refused(invitation, time_machine):
    time_machine.move_to(invitation.expires_at)
    with pytest.raises(ExpiredSurvey):
        submit_survey_response(token=token_of(invitation), answered=True, score=5)
    assert not SurveyResponse.objects.exists()


def test_just_before_expiry_is_accepted(invitation, time_machine):
    last_second = invitation.expires_at - timedelta(seconds=1)
    time_machine.move_to(last_second, tick=False)

    submit_survey_response(token=token_of(invitation), answered=True, score=5)

    saved = SurveyResponse.objects.get(invitation=invitation)
    assert (saved.answered, saved.score, saved.submitted_at) == (True, 5, last_second)
    invitation.refresh_from_db()
    assert invitation.used_at == last_second


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "x" + t,  # key altered
        lambda t: t.split(":")[0],  # signature cut off
        lambda t: "",
    ],
)
def test_a_tampered_link_is_refused(invitation, mangle):
    with pytest.raises(SurveyNotFound):
        submit_survey_response(token=mangle(token_of(invitation)), answered=True, score=5)
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, "x", None])
def test_score_must_be_on_the_scale(invitation, score):
    with pytest.raises(ValidationError) as error:
        submit_survey_response(token=token_of(invitation), answered=True, score=score)
    assert "score" in error.value.message_dict
    assert not SurveyResponse.objects.exists()


def test_comment_is_size_limited(invitation):
    with pytest.raises(ValidationError) as error:
        submit_survey_response(
            token=token_of(invitation), answered=True, score=5, comment="x" * 2001
        )
    assert "comment" in error.value.message_dict
    submit_survey_response(token=token_of(invitation), answered=True, score=5, comment="x" * 2000)


@pytest.mark.parametrize(
    ("answered", "score", "follow_up"),
    [
        (True, 1, True),
        (True, 2, True),  # follow_up_below = 3
        (True, 3, False),
        (True, 5, False),
        (False, 5, True),  # "no" to the question, whatever the score
    ],
)
def test_follow_up_thresholds(invitation, answered, score, follow_up):
    submit_survey_response(token=token_of(invitation), answered=answered, score=score)
    assert FollowUp.objects.exists() is follow_up


def test_follow_up_goes_to_the_agents_supervisor_and_notifies_them(now, invitation, supervisor):
    submit_survey_response(token=token_of(invitation), answered=False, score=1, comment="Rude")
    follow_up = FollowUp.objects.get()
    assert follow_up.supervisor == supervisor
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.opened_at == now
    # The policy's [surveys] follow_up = "2wd": Monday's follow-up is due at the end of Wednesday.
    assert follow_up.due_at.isoformat() == "2026-03-05T00:00:00+00:00"
    note = Notification.objects.get(kind="survey.follow_up")
    assert note.recipient == supervisor
    assert "Rude" in note.message
    assert note.url == f"/desk/surveys/follow-ups/{follow_up.pk}/"


def test_follow_up_goes_to_a_team_supervisor_without_own_supervisor(make_ticket, team, supervisor):
    lone = AgentFactory(user=UserFactory(username="lee"), team=team).user
    ticket = make_ticket(assignee=lone)
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=lone
    )
    submit_survey_response(token=token_of(invitation), answered=True, score=1)
    assert FollowUp.objects.get().supervisor == supervisor


def test_without_any_supervisor_every_supervisor_is_told(make_ticket, supervisor):
    other = AgentFactory(
        user=UserFactory(username="sue"), team=TeamFactory(name="Other"), role=Role.SUPERVISOR
    ).user
    orphan = AgentFactory(user=UserFactory(username="ozzy")).user
    ticket = make_ticket(assignee=orphan)
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=orphan
    )
    submit_survey_response(token=token_of(invitation), answered=True, score=1)
    assert FollowUp.objects.get().supervisor is None
    told = set(
        Notification.objects.filter(kind="survey.follow_up").values_list("recipient", flat=True)
    )
    assert told == {supervisor.pk, other.pk}


def test_closing_a_follow_up_needs_a_supervisor_and_notes(invitation, supervisor, agent):
    submit_survey_response(token=token_of(invitation), answered=False, score=2)
    follow_up = FollowUp.objects.get()
    with pytest.raises(PermissionDenied):
        close_follow_up(follow_up=follow_up, by=agent, notes="Called the customer")
    with pytest.raises(ValidationError):
        close_follow_up(follow_up=follow_up, by=supervisor, notes="  ")
    closed = close_follow_up(follow_up=follow_up, by=supervisor, notes="Called the customer")
    assert closed.status == FollowUpStatus.CLOSED and closed.closed_by == supervisor


def test_a_genuine_link_whose_invitation_is_gone_is_not_found(invitation):
    token = token_of(invitation)
    invitation.delete()
    with pytest.raises(SurveyNotFound):
        submit_survey_response(token=token, answered=True, score=5)
