"""Starting a chat (or, outside service hours, taking a message), and the entry points that
lock a session and post to it.

Who is chatting: the public forms take a name, an email and maybe a phone number from anyone,
so they are a claim, not proof. The rule, for every chat and message left:

- What the visitor gave is recorded on the chat as given (`name_given`, `email_given`,
  `phone_given`) and is what the visitor is shown: they are greeted by the name they gave.
- The chat belongs to the customer the email matches (created from the details given when
  nobody matches), so the agent sees that customer's history as the SOP asks, beside how the
  details given compare with the record (`chat.selectors.details_check`); the chat goes on that
  history marked with the details given when they differ.
- Nothing on record is shown to the visitor (not the stored name, not the history) and nothing
  given in a public form is written on an existing customer's record (not a name, not a phone):
  only an agent, who can judge, changes the record.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chat.models import ChatSession, ChatStatus, Sender
from chat.webhooks import emit_chat_closed, emit_chat_started
from helpdesk.models import Customer, Team
from helpdesk.models.people import Channel
from helpdesk.privacy.services import mask_text
from helpdesk.services.people import (
    find_or_create_customer,
    normalise_email,
    normalise_phone,
    record_interaction,
)
from helpdesk.services.policy import policy_for_new_case, policy_in_force
from helpdesk.services.sla import start_clock, stop_clocks_for
from tickets.services import add_internal_note, open_ticket

from .common import (
    FIRST_RESPONSE,
    RESOLUTION,
    ChatClosed,
    ChatUnavailable,
    chat_policy,
    lock_session,
)
from .events import DESK_GROUP, chat_group, publish
from .messages import append_message, check_text
from .routing import route_chat
from .timers import schedule_timers


@dataclass(frozen=True)
class Opening:
    """When live chat next opens (None: no chat in the policy at all)."""

    opens_at: datetime | None


def chat_opening(*, now: datetime | None = None) -> Opening | None:
    """None when live chat is open at `now`; else when it opens next."""
    now = now or timezone.now()
    _, policy = policy_in_force(now=now)
    if "chat" not in policy.channels:
        return Opening(None)
    if policy.calendar.is_open(now):
        return None
    return Opening(policy.calendar.next_opening(now))


@transaction.atomic
def start_chat(
    *,
    name: str,
    email: str,
    question: str = "",
    team: Team | None = None,
    offer_to=None,
    now: datetime | None = None,
) -> ChatSession:
    """A customer asks for a live chat: found again by email (or created; the details given are
    kept on the chat and never change the record: the module's rule), the chat waits in
    the queue under the policy in force, its `chat.first_response` and `chat.resolution` clocks
    start now, the wait notice and the offer to leave a message are scheduled, and it is
    offered to an agent (`offer_to` first, the agent who invited the customer, when they are
    online with room). Outside service hours raises ChatUnavailable (with `opens_at`): the
    customer leaves a message instead (`leave_message`)."""
    now = now or timezone.now()
    opening = chat_opening(now=now)
    if opening is not None:
        raise ChatUnavailable("Live chat is closed now.", opens_at=opening.opens_at)
    name, email = (name or "").strip(), normalise_email(email)
    matched = bool(email) and Customer.objects.filter(email__iexact=email).exists()
    customer = find_or_create_customer(name=name, email=email, update_found=False)
    version, policy = policy_for_new_case(now=now)
    chat = chat_policy(policy)
    due = policy.calendar.due
    session = ChatSession.objects.create(
        customer=customer,
        name_given=name[:200],
        email_given=email,
        matched_record=matched,
        team=team,
        policy_version=version,
        question=mask_text(check_text(question)).text if question.strip() else "",
        started_at=now,
        customer_seen_at=now,  # asking is being here: the widget's heartbeat goes on from now
        wait_notice_due_at=due(chat.wait_notice_after, now) if chat.wait_notice_after else None,
        offer_due_at=due(chat.offer_message_after, now) if chat.offer_message_after else None,
    )
    if question.strip():
        append_message(session=session, sender=Sender.CUSTOMER, text=question, now=now)
    targets = policy.targets()
    for target in (FIRST_RESPONSE, RESOLUTION):
        if target in targets:
            start_clock(case=session, target=target, started_at=now)
    record_interaction(
        customer=customer,
        channel=Channel.CHAT,
        kind="chat started",
        summary=_given_note(session) + session.question[:500],
        case=session,
        occurred_at=now,
    )
    route_chat(session=session, prefer=offer_to)
    schedule_timers(session)
    emit_chat_started(session)  # the integrators' webhook, after commit
    return session


def _given_note(session: ChatSession) -> str:
    """A line for the customer's history when the details given are not the record's."""
    differ = [
        field
        for field, given, stored in (
            ("name", session.name_given, session.customer.name),
            ("phone", session.phone_given, session.customer.phone),
        )
        if given and given.casefold() != (stored or "").casefold()
    ]
    if not differ:
        return ""
    given = ", ".join(
        f"{field} {value}"
        for field in ("name", "email", "phone")
        if (value := getattr(session, field + "_given"))
    )
    verb = "differs" if len(differ) == 1 else "differ"
    return f"[Unverified: gave {given}; {' and '.join(differ)} {verb} from the record]\n"


def _message_ticket(customer, *, subject: str, text: str, now: datetime, team=None):
    ticket = open_ticket(
        customer=customer, subject=subject, channel=Channel.CHAT, opened_at=now, team=team
    )
    add_internal_note(ticket=ticket, author=None, text=mask_text(text).text, at=now)
    return ticket


@transaction.atomic
def leave_message(
    *,
    text: str,
    session_id: int | None = None,
    name: str = "",
    email: str = "",
    callback_phone: str = "",
    now: datetime | None = None,
):
    """The customer leaves a message (outside service hours, or tired of waiting) or asks for a
    callback: it becomes a ticket. From a waiting chat, the chat ends as missed and its clocks
    stop. Returns the ticket. The details given (a callback number too) go on the ticket and
    the chat as given, never on an existing customer's record (the module's rule)."""
    now = now or timezone.now()
    text = check_text(text)
    phone = normalise_phone(callback_phone)
    kind = "Callback request" if phone else "Message left on chat"
    if phone:
        text = f"Please call back on {phone}.\n\n{text}"
    if session_id is None:
        if not (email or "").strip() and not phone:
            raise ValidationError(
                {"email": "Give an email address (or a phone number) to reply to."}
            )
        customer = find_or_create_customer(name=name, email=email, phone=phone, update_found=False)
        given = ", ".join(v for v in ((name or "").strip(), (email or "").strip(), phone) if v)
        text = f"Given in the form: {given}\n\n{text}"
        return _message_ticket(customer, subject=kind, text=text, now=now)
    session = lock_session(session_id)
    if session.status != ChatStatus.WAITING:
        raise ChatClosed("Only a waiting chat can be left as a message.")
    ticket = _message_ticket(session.customer, subject=kind, text=text, now=now, team=session.team)
    session.status = ChatStatus.MISSED
    session.closed_at = now
    session.ticket = ticket
    session.phone_given = phone or session.phone_given
    session.save(update_fields=["status", "closed_at", "ticket", "phone_given"])
    stop_clocks_for(case=session, at=now)
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f"Thank you: we have your message as ticket {ticket.reference} and will reply "
        "by email.",
    )
    publish(chat_group(session.pk), {"type": "status", "status": "missed", "session": session.pk})
    publish(DESK_GROUP, {"type": "queue", "action": "left", "session": session.pk})
    emit_chat_closed(session)  # ended as missed: the integrators' webhook, after commit
    return ticket
