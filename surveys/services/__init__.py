"""Every rule of surveys: invitations, responses, follow-ups and the weekly digest."""

from .digest import send_weekly_digest
from .follow_ups import close_follow_up, open_follow_up, supervisor_for
from .invitations import (
    invite_to_survey,
    on_conversation_resolved,
    send_survey_invitation_email,
    survey_path,
    survey_url,
)
from .responses import (
    ExpiredSurvey,
    SurveyError,
    SurveyNotFound,
    UsedSurvey,
    access_invitation,
    submit_survey_response,
)

__all__ = [
    "ExpiredSurvey",
    "SurveyError",
    "SurveyNotFound",
    "UsedSurvey",
    "access_invitation",
    "close_follow_up",
    "invite_to_survey",
    "on_conversation_resolved",
    "open_follow_up",
    "send_survey_invitation_email",
    "send_weekly_digest",
    "submit_survey_response",
    "supervisor_for",
    "survey_path",
    "survey_url",
]
