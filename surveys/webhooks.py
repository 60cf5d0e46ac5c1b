"""The surveys channel's webhook events (see `helpdesk.webhooks`): what their `data` holds.
Called by `submit_survey_response`; sent after commit.

The answer's numbers go out (score, its scale, answered, whether a follow-up opened), not the
customer's comment (read it through the API)."""

from django.contrib.contenttypes.models import ContentType

from helpdesk.webhooks import emit_event

from .models import FollowUp, SurveyResponse


def emit_survey_submitted(response: SurveyResponse, *, scale: int) -> None:
    invitation = response.invitation
    follow_up = FollowUp.objects.filter(response=response).only("pk", "due_at").first()
    payload = {
        "id": response.pk,
        "invitation_id": invitation.pk,
        "conversation_type": ContentType.objects.get_for_id(invitation.conversation_type_id).model,
        "conversation_id": invitation.conversation_id,
        "channel": invitation.channel,
        "customer_id": invitation.customer_id,
        "agent_id": invitation.agent_id,
        "answered": response.answered,
        "score": response.score,
        "scale": scale,
        "commented": bool(response.comment),
        "submitted_at": response.submitted_at,
        "follow_up_opened": follow_up is not None,
        "follow_up_id": follow_up.pk if follow_up is not None else None,
        "follow_up_due_at": follow_up.due_at if follow_up is not None else None,
    }
    emit_event(name="survey.submitted", payload=payload, occurred_at=response.submitted_at)
