"""Inviting a customer to the survey of a conversation, and emailing the invitation."""

import logging
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from helpdesk.models.people import Channel
from helpdesk.services.policy import policy_for_new_case, service_policy_for
from surveys.models import SurveyInvitation
from surveys.tokens import new_key, token_for

logger = logging.getLogger(__name__)

SEND_INVITATION_TASK = "surveys.tasks.send_survey_invitation"


def survey_path(invitation: SurveyInvitation) -> str:
    """The invitation's signed, single-use link, relative to the site: `/survey/<token>/`."""
    return reverse("surveys:survey", args=[token_for(invitation.key)])


def survey_url(invitation: SurveyInvitation) -> str:
    """The absolute link, as the customer gets it by email (SURVEYS_BASE_URL + path)."""
    return settings.SURVEYS_BASE_URL.rstrip("/") + survey_path(invitation)


def _of(conversation: models.Model) -> models.QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        conversation_type=ContentType.objects.get_for_model(conversation),
        conversation_id=conversation.pk,
    )


@transaction.atomic
def invite_to_survey(
    *,
    conversation: models.Model,
    customer,
    channel: str,
    policy_section: str | None = None,
    agent=None,
    email: bool | None = None,
    now: datetime | None = None,
) -> SurveyInvitation | None:
    """Invite `customer` to the survey of `conversation` (a resolved ticket, a closed chat).

    Rules: only where the policy in force gives the conversation's section (`policy_section`,
    default the channel: a web ticket runs under "email") `survey = true` (None otherwise);
    one invitation per conversation, so asking again returns the first one unchanged. The
    invitation keeps the policy version in force and expires after its `surveys.expires_after`.
    The customer is emailed the link after commit when `email` is true (default: on every
    channel but chat, whose widget shows the link) and they have an address.
    """
    existing = _of(conversation).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    version, policy = policy_for_new_case(now=now)
    section = policy.channels.get(str(policy_section or channel))
    if section is None or not section.survey:
        return None
    invitation = SurveyInvitation(
        conversation_type=ContentType.objects.get_for_model(conversation),
        conversation_id=conversation.pk,
        channel=str(channel),
        customer=customer,
        agent=agent,
        key=new_key(),
        policy_version=version,
        created_at=now,
        expires_at=policy.calendar.due(policy.surveys.expires_after, now),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # invited at the same moment elsewhere: that one stands
        return _of(conversation).get()
    if email is None:
        email = str(channel) != Channel.CHAT
    if email and customer.email:
        invitation_id = invitation.pk
        transaction.on_commit(
            lambda: current_app.signature(SEND_INVITATION_TASK, args=[invitation_id]).apply_async(),
            robust=True,
        )
    return invitation


def on_conversation_resolved(
    sender,
    *,
    conversation,
    customer,
    channel,
    policy_section=None,
    agent=None,
    at=None,
    by_email=True,
    **_,
):
    """Receiver of `helpdesk.events.conversation_resolved`: invite the customer; answer the
    sender with the survey link (the chat widget shows it), or None without a survey.

    A survey that cannot be made (no policy in force, ...) is logged and never stops the
    ticket or chat from being resolved: its savepoint alone rolls back."""
    try:
        with transaction.atomic():
            invitation = invite_to_survey(
                conversation=conversation,
                customer=customer,
                channel=channel,
                policy_section=policy_section,
                agent=agent,
                email=by_email,
                now=at,
            )
    except Exception:
        logger.exception(
            "no survey invitation for %s %s", type(conversation).__name__, conversation.pk
        )
        return None
    if invitation is None:
        return None
    return {"survey_url": survey_path(invitation), "expires_at": invitation.expires_at}


def send_survey_invitation_email(*, invitation_id: int, now: datetime | None = None) -> bool:
    """Email the invitation's link to the customer, once; True if an email went out now.

    Nothing is sent when it was emailed before, was answered, has expired, or the customer has
    no address. The row stays locked while sending so two runs cannot both send; an SMTP error
    propagates (the task retries) and leaves it unsent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("customer", "policy_version")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.emailed_at is not None:
            return False
        if invitation.used_at is not None or invitation.expires_at <= now:
            return False
        address = invitation.customer.email
        if not address:
            return False
        policy = service_policy_for(invitation.policy_version)
        context = {
            "invitation": invitation,
            "customer": invitation.customer,
            "company": policy.document.company,
            "question": policy.surveys.question,
            "url": survey_url(invitation),
            "expires_at": timezone.localtime(invitation.expires_at),
        }
        send_mail(
            subject=render_to_string("surveys/email/invitation_subject.txt", context).strip(),
            message=render_to_string("surveys/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
        invitation.emailed_at = now
        invitation.save(update_fields=["emailed_at"])
        return True
