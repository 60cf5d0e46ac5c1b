"""Invitations: only where the policy asks for a survey, one per conversation, expiring per
the policy, emailed once after a ticket is resolved."""

from datetime import timedelta

import pytest
from django.core import mail

from helpdesk.events import announce_conversation_resolved
from helpdesk.services.policy import publish_policy_version
from surveys.models import SurveyInvitation
from surveys.services import invite_to_survey, send_survey_invitation_email, survey_path
from surveys.tokens import key_from
from tickets.models import Status
from tickets.services import change_status

from .conftest import policy_text

pytestmark = pytest.mark.django_db


def test_invitation_keeps_policy_version_and_expires_after_policy_duration(ticket, now, policy):
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=ticket.assignee
    )
    assert invitation.policy_version == policy
    assert invitation.created_at == now
    assert invitation.expires_at == now + timedelta(days=7)  # surveys.expires_after = "7d"
    assert invitation.conversation == ticket
    assert invitation.agent == ticket.assignee


def test_one_invitation_per_conversation(ticket):
    first = invite_to_survey(conversation=ticket, customer=ticket.customer, channel="email")
    again = invite_to_survey(conversation=ticket, customer=ticket.customer, channel="email")
    assert again.pk == first.pk
    assert SurveyInvitation.objects.count() == 1


def test_no_invitation_where_the_channel_has_survey_false(make_ticket):
    ticket = make_ticket(channel="phone")  # [channels.phone] survey = false
    assert invite_to_survey(conversation=ticket, customer=ticket.customer, channel="phone") is None
    assert not SurveyInvitation.objects.exists()


def test_no_invitation_when_the_policy_turns_surveys_off(ticket, now):
    publish_policy_version(
        document=policy_text(
            **{
                'version = "surveys-24x7"': 'version = "no-surveys"',
                "effective = 2020-01-01": "effective = 2026-02-01",
                'resolution = "5wd"\nsurvey = true': 'resolution = "5wd"\nsurvey = false',
            }
        ),
        approved_by="Tests",
        change_note="surveys off for email",
    )
    assert invite_to_survey(conversation=ticket, customer=ticket.customer, channel="email") is None


def test_web_ticket_follows_the_email_section(make_ticket):
    ticket = make_ticket(channel="web")
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="web", policy_section="email"
    )
    assert invitation is not None and invitation.channel == "web"


def test_link_is_signed_and_relative(ticket):
    invitation = invite_to_survey(conversation=ticket, customer=ticket.customer, channel="email")
    path = survey_path(invitation)
    assert path.startswith("/survey/") and path.endswith("/")
    assert key_from(path.split("/")[2]) == invitation.key


def test_resolving_a_ticket_invites_and_emails_once(
    ticket, agent, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    invitation = SurveyInvitation.objects.get()
    assert invitation.conversation == ticket and invitation.agent == agent
    assert invitation.emailed_at is not None
    to_customer = [m for m in mail.outbox if m.to == ["ann@example.org"]]
    assert len(to_customer) == 1
    message = to_customer[0]
    assert "Did we answer your question today?" in message.body
    assert "http://127.0.0.1:8000" + survey_path(invitation) in message.body
    # The task again (a re-delivered message) sends nothing again.
    sent = len(mail.outbox)
    assert send_survey_invitation_email(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == sent


def test_resolving_a_phone_ticket_invites_nobody(make_ticket, agent):
    ticket = make_ticket(channel="phone")
    change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    assert not SurveyInvitation.objects.exists()


def test_a_chat_answer_carries_the_link_and_no_email(ticket, django_capture_on_commit_callbacks):
    # A chat announces itself with by_email=False: the widget shows the returned link.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = announce_conversation_resolved(
            conversation=ticket, customer=ticket.customer, channel="chat", by_email=False
        )
    invitation = SurveyInvitation.objects.get()
    assert answers == [{"survey_url": survey_path(invitation), "expires_at": invitation.expires_at}]
    assert callbacks == []


def test_no_email_for_expired_used_or_addressless(ticket, customer, time_machine):
    invitation = invite_to_survey(conversation=ticket, customer=customer, channel="email")
    time_machine.move_to(invitation.expires_at + timedelta(seconds=1))
    assert send_survey_invitation_email(invitation_id=invitation.pk) is False
    assert mail.outbox == []


def test_a_broken_survey_never_stops_a_ticket_resolving(ticket, agent, monkeypatch):
    from surveys.services import invitations

    def broken(**kwargs):
        raise RuntimeError("surveys are down")

    monkeypatch.setattr(invitations, "invite_to_survey", broken)
    change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert not SurveyInvitation.objects.exists()
