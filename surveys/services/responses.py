"""The customer's answer: checked once, saved once."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models.people import Channel
from helpdesk.policy import ServicePolicy, SurveysPolicy
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import service_policy_for
from surveys.models import COMMENT_MAX_CHARS, SurveyInvitation, SurveyResponse
from surveys.tokens import TamperedToken, key_from
from surveys.webhooks import emit_survey_submitted

from .follow_ups import open_follow_up


class SurveyError(Exception):
    """A survey link that cannot be answered; `status` is the HTTP status the page gets."""

    status = 400
    title = "This survey cannot be answered"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SurveyNotFound(SurveyError):
    status = 404
    title = "We could not find this survey"


class ExpiredSurvey(SurveyError):
    status = 410
    title = "This survey has closed"


class UsedSurvey(SurveyError):
    status = 409
    title = "Thank you, we already have your answer"


def _check(invitation: SurveyInvitation | None, now: datetime) -> SurveyInvitation:
    if invitation is None:
        raise SurveyNotFound("This survey link is not one of ours. Please check the link.")
    if invitation.used_at is not None:
        raise UsedSurvey("This survey has already been answered. Thank you for your feedback.")
    if invitation.expires_at <= now:
        raise ExpiredSurvey(
            "This survey has closed, so we can no longer take an answer. "
            "You are welcome to contact us again at any time."
        )
    return invitation


def _key(token: str) -> str:
    try:
        return key_from(token)
    except TamperedToken as error:
        raise SurveyNotFound(
            "This survey link is not valid. It may have been cut short; please copy the whole "
            "link from your email."
        ) from error


def access_invitation(
    *, token: str, now: datetime | None = None
) -> tuple[SurveyInvitation, ServicePolicy]:
    """The invitation behind a link, and the policy of its version; raises a
    `SurveyError` (tampered or unknown, used, expired) when it cannot be answered."""
    key = _key(token)
    invitation = SurveyInvitation.objects.select_related("policy_version").filter(key=key).first()
    invitation = _check(invitation, now or timezone.now())
    return invitation, service_policy_for(invitation.policy_version)


def _clean(surveys: SurveysPolicy, answered, score, comment: str) -> tuple[bool, int, str]:
    errors = {}
    if not isinstance(answered, bool):
        errors["answered"] = "Please say whether we answered your question."
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not 1 <= score <= surveys.scale:
        errors["score"] = f"Please choose a score from 1 to {surveys.scale}."
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        errors["comment"] = f"Please keep your comment under {COMMENT_MAX_CHARS} characters."
    if errors:
        raise ValidationError(errors)
    return answered, score, comment


@transaction.atomic
def submit_survey_response(
    *, token: str, answered: bool, score: int, comment: str = "", now: datetime | None = None
) -> SurveyResponse:
    """Save the customer's answer to the survey behind `token`.

    Rules: the link must verify, be unused and unexpired (else a `SurveyError` saying which);
    `score` is 1..the scale of the invitation's policy version, the comment at most
    COMMENT_MAX_CHARS (else `ValidationError`). The invitation is locked, so of two
    submissions at once one is saved and the other gets `UsedSurvey`. The answer goes on the
    customer's history; a score under `follow_up_below`, or "no" to the question, opens a
    follow-up for the agent's supervisor.
    """
    now = now or timezone.now()
    key = _key(token)
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("policy_version", "customer")
        .filter(key=key)
        .first()
    )
    invitation = _check(invitation, now)
    surveys = service_policy_for(invitation.policy_version).surveys
    answered, score, comment = _clean(surveys, answered, score, comment)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                invitation=invitation,
                answered=answered,
                score=score,
                comment=comment,
                submitted_at=now,
            )
    except IntegrityError as error:
        raise UsedSurvey("This survey has already been answered. Thank you.") from error
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    summary = f"Question answered: {'yes' if answered else 'no'}. Satisfaction {score}/"
    summary += f"{surveys.scale}." + (f"\n\n{comment}" if comment else "")
    record_interaction(
        customer=invitation.customer,
        channel=Channel.SURVEY,
        kind="survey answered",
        summary=summary,
        case=invitation,
        agent=invitation.agent,
        occurred_at=now,
    )
    if score < surveys.follow_up_below or not answered:
        open_follow_up(response=response, now=now)
    emit_survey_submitted(response, scale=surveys.scale)  # the integrators' webhook, after commit
    return response
