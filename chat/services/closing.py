"""Ending a chat the SOP's way: escalate only with notes; convert to a ticket for follow-up;
close with a summary once the customer confirms their issue is resolved; every chat recorded
on the customer's history with its transcript."""

from datetime import datetime

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chat.access import ChatAction, check_chat_access
from chat.models import ChatMessage, ChatSession, ChatStatus, Sender
from chat.webhooks import emit_chat_closed
from helpdesk import ratelimit
from helpdesk.events import announce_conversation_resolved
from helpdesk.models.people import Channel
from helpdesk.privacy.services import mask_text
from helpdesk.selectors.escalation import escalation_reaches
from helpdesk.services.notifications import notify
from helpdesk.services.people import record_interaction
from helpdesk.services.sla import cancel_clocks_for, stop_clocks_for
from tickets.services import acknowledge_new_ticket, add_internal_note, open_ticket

from .common import ChatClosed, RateLimited, lock_session, name_in_chat
from .events import DESK_GROUP, agent_group, author_name, chat_group, publish
from .messages import append_message
from .routing import offer_waiting_chats

TRANSCRIPT_LIMIT = 20_000
EMAIL_TRANSCRIPT_TASK = "chat.tasks.email_transcript"


def transcript(session: ChatSession) -> str:
    """The chat as plain text, one line per message (already redacted)."""
    lines = []
    rows = ChatMessage.objects.filter(session=session).select_related("author").order_by("seq")
    for m in rows:
        who = {Sender.CUSTOMER: name_in_chat(session) or "Customer", Sender.SYSTEM: "System"}.get(
            m.sender, author_name(m.author) or "Agent"
        )
        lines.append(f"[{m.created_at:%H:%M:%S}] {who}: {m.text}")
    return "\n".join(lines)[:TRANSCRIPT_LIMIT]


ESCALATION_NOTIFICATION = "chat.escalation"


@transaction.atomic
def escalate_chat(*, session_id: int, by, notes: str, now: datetime | None = None) -> ChatSession:
    """Escalate a chat by the one rule every channel follows (`helpdesk.selectors.escalation`:
    the agent's supervisor, else their team's, else any supervisor, else the managers), whoever
    of them is online: each is notified with the notes and a link that opens the chat in their
    console, the first (online first) is the chat's `escalated_to`. The chat stays with the
    agent until one of them takes it over (`chat.services.takeover`), and the customer is told
    so. Refused without notes, and when the rule finds nobody at all."""
    notes = mask_text((notes or "").strip()).text
    if not notes:
        raise ValidationError({"notes": "Say why you escalate: notes are required."})
    now = now or timezone.now()
    session = lock_session(session_id)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("Only an active chat can be escalated.")
    check_chat_access(user=by, session=session, action=ChatAction.ESCALATE)
    reaches = escalation_reaches(escalated_by=by)
    if not reaches:
        raise ChatClosed("There is nobody to escalate to: transfer the chat instead.")
    session.escalated_to_id = reaches[0]
    session.escalation_notes = notes
    session.save(update_fields=["escalated_to", "escalation_notes"])
    who = author_name(by)
    notify(
        recipient_ids=reaches,
        kind=ESCALATION_NOTIFICATION,
        message=f"{who} escalated the chat with {session.customer}: {notes}",
        url=f"{reverse('chat:console')}?session={session.pk}",
        now=now,
    )
    for user_id in reaches:  # a console open now shows it at once, with Watch
        publish(
            agent_group(user_id),
            {"type": "escalated", "session": session.pk, "by": who, "notes": notes},
        )
    record_interaction(
        customer=session.customer,
        channel=Channel.CHAT,
        kind="chat escalated",
        summary=notes,
        case=session,
        agent=by,
        occurred_at=now,
    )
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f"{who} has asked a supervisor to help with your question, and stays with you "
        "in the meantime.",
    )
    return session


@transaction.atomic
def convert_to_ticket(*, session_id: int, by, subject: str = "", now: datetime | None = None):
    """Open a follow-up ticket for the chat's customer, assigned to the agent, with the
    transcript as an internal note; the chat stays open until it is closed. Once per chat.

    A hand-off: the case continues by email, so the ticket runs `[channels.email]`'s targets
    and is acknowledged as email acknowledges (`acknowledge_new_ticket`: by email to the
    customer, at once for "0s", else at D unless the agent replies first)."""
    now = now or timezone.now()
    session = lock_session(session_id)
    check_chat_access(user=by, session=session, action=ChatAction.CONVERT)
    if session.ticket_id:
        return session.ticket
    ticket = open_ticket(
        customer=session.customer,
        subject=(subject or "").strip() or f"Follow-up of chat {session.pk}",
        channel=Channel.CHAT,
        opened_at=now,
        team=session.team,
        assignee=by,
        actor=by,
        acknowledged=True,  # at once ("0s"): written below, in this transaction
    )
    add_internal_note(ticket=ticket, author=by, text=transcript(session) or "(empty chat)", at=now)
    acknowledge_new_ticket(ticket=ticket, at=now)
    session.ticket = ticket
    session.save(update_fields=["ticket"])
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f"We have opened ticket {ticket.reference} to follow this up by email.",
    )
    return ticket


def _check_summary(summary: str) -> str:
    summary = mask_text((summary or "").strip()).text
    if not summary:
        raise ValidationError({"summary": "Close with a summary of the resolution."})
    return summary


@transaction.atomic
def ask_to_confirm(*, session_id: int, by, summary: str, now: datetime | None = None):
    """The agent sums up and asks the customer whether their issue is resolved."""
    now = now or timezone.now()
    summary = _check_summary(summary)
    session = lock_session(session_id)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("This chat is not active.")
    check_chat_access(user=by, session=session, action=ChatAction.CLOSE)
    session.summary = summary
    session.close_requested_at = now
    session.save(update_fields=["summary", "close_requested_at"])
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f"Summary: {summary}\nIs your issue resolved?",
    )
    publish(chat_group(session.pk), {"type": "confirm", "session": session.pk, "summary": summary})
    return session


CLOSED_UNANSWERED = "closed before an agent answered"


def _end_clocks(session: ChatSession, *, now: datetime, confirmed: bool | None) -> None:
    """A clock's outcome says what happened. Answered (or confirmed resolved by the customer):
    the targets are met, or breached if late (`stop_clocks_for`). Closed with no agent's word
    and no confirmation (the customer went quiet): nothing was met; the targets still pending
    are cancelled with the reason, one already missed stays breached (`cancel_clocks_for`)."""
    if session.first_response_at is None and not confirmed:
        cancel_clocks_for(case=session, reason=CLOSED_UNANSWERED, at=now)
    else:
        stop_clocks_for(case=session, at=now)


def _close(session: ChatSession, *, now: datetime, confirmed: bool | None, by=None) -> None:
    session.status = ChatStatus.CLOSED
    session.closed_at = now
    session.customer_confirmed_resolved = confirmed
    session.save(update_fields=["status", "closed_at", "customer_confirmed_resolved"])
    _end_clocks(session, now=now, confirmed=confirmed)
    emit_chat_closed(session)  # the integrators' webhook, after commit
    text = "Thank you for chatting with us. Come back any time."
    append_message(session=session, sender=Sender.SYSTEM, text=text, now=now)
    record_interaction(
        customer=session.customer,
        channel=Channel.CHAT,
        kind="chat closed",
        summary=f"{session.summary}\n\nResolved (customer): "
        f"{ {True: 'yes', False: 'no', None: 'not confirmed'}[confirmed] }\n\n"
        f"{transcript(session)}",
        case=session,
        agent=session.agent or by,
        occurred_at=now,
    )
    publish(chat_group(session.pk), {"type": "status", "status": "closed", "session": session.pk})
    publish(DESK_GROUP, {"type": "queue", "action": "closed", "session": session.pk})
    if session.agent_id:  # the agent has room again
        offer_waiting_chats(agent=session.agent)
    # Surveys (or any app) reacts through helpdesk/events.py; the widget shows the survey link.
    for answer in announce_conversation_resolved(
        conversation=session,
        customer=session.customer,
        channel=Channel.CHAT,
        agent=session.agent or by,
        at=now,
        by_email=False,
    ):
        if isinstance(answer, dict) and answer.get("survey_url"):
            publish(chat_group(session.pk), {"type": "survey", "url": answer["survey_url"]})


@transaction.atomic
def confirm_resolved(*, session_id: int, resolved: bool, now: datetime | None = None):
    """The customer answers: resolved closes the chat; not resolved lets it go on."""
    now = now or timezone.now()
    session = lock_session(session_id)
    if session.status != ChatStatus.ACTIVE or session.close_requested_at is None:
        raise ChatClosed("There is nothing to confirm.")
    if resolved:
        _close(session, now=now, confirmed=True)
        return session
    session.close_requested_at = None
    session.customer_confirmed_resolved = False
    session.save(update_fields=["close_requested_at", "customer_confirmed_resolved"])
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text="The customer says the issue is not resolved yet.",
    )
    return session


@transaction.atomic
def close_chat(*, session_id: int, by, summary: str, now: datetime | None = None):
    """The agent closes without the customer's answer (they left): the summary is required and
    the record says the resolution was not confirmed."""
    now = now or timezone.now()
    summary = _check_summary(summary)
    session = lock_session(session_id)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("This chat is not active.")
    check_chat_access(user=by, session=session, action=ChatAction.CLOSE)
    session.summary = summary
    session.save(update_fields=["summary"])
    _close(session, now=now, confirmed=None, by=by)
    return session


@transaction.atomic
def request_transcript(*, session_id: int, now: datetime | None = None) -> None:
    """The customer asks for the transcript by email: sent by a Celery task after commit, to
    the address given for the chat. Once per chat (RateLimited after), and at most
    CHAT_TRANSCRIPT_RATE_PER_ADDRESS to one address across all chats, so the form cannot be
    used to send mail to someone else's address again and again."""
    now = now or timezone.now()
    session = ChatSession.objects.get(pk=session_id)
    if not session.email_given:
        raise ChatClosed("We have no email address to send the transcript to.")
    first = ChatSession.objects.filter(pk=session_id, transcript_requested_at__isnull=True)
    if not first.update(transcript_requested_at=now):
        raise RateLimited("The transcript of this chat has been emailed already.")
    try:
        ratelimit.check(
            "chat-transcript-to",
            session.email_given.casefold(),
            rate=settings.CHAT_TRANSCRIPT_RATE_PER_ADDRESS,
            detail="We have emailed as many transcripts to this address as we may today.",
        )
    except ratelimit.RateLimitExceeded as error:
        raise RateLimited(error.detail) from None  # and the chat is not marked as sent
    transaction.on_commit(
        lambda: current_app.signature(EMAIL_TRANSCRIPT_TASK, args=[session_id]).apply_async(),
        robust=True,
    )


def send_transcript_email(*, session_id: int) -> bool:
    """Email the chat's transcript (redacted, as stored) to the address given for the chat,
    greeting the name given (never the record's); True if sent."""
    session = ChatSession.objects.get(pk=session_id)
    if not session.email_given:
        return False
    body = (
        f"Hello {name_in_chat(session) or 'there'},\n\nHere is the transcript of your chat "
        f"with us on {session.started_at:%d %b %Y}.\n\n{transcript(session)}\n"
    )
    send_mail(
        subject=f"Your chat transcript ({session.started_at:%d %b %Y})",
        message=body,
        from_email=None,
        recipient_list=[session.email_given],
    )
    return True
