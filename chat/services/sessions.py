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

from chat.models import ChatSession, ChatStatus, EndReason, Sender
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
from helpdesk.services.sla import cancel_clocks_for, start_clocks
from tickets.services import (
    acknowledge_new_ticket,
    open_ticket,
    record_customer_message,
    request_callback,
)

from .acknowledgement import acknowledge_chat, acknowledges_at_once
from .common import (
    ACKNOWLEDGE,
    FIRST_RESPONSE,
    RESOLUTION,
    ChatClosed,
    ChatUnavailable,
    chat_policy,
    lock_session,
    name_in_chat,
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
    at_once = acknowledges_at_once(policy)
    start_clocks(
        case=session,
        targets=[t for t in (ACKNOWLEDGE, FIRST_RESPONSE, RESOLUTION) if t in targets],
        started_at=now,
        policy_version=version,
        new_case=True,
        met=[ACKNOWLEDGE] if at_once else [],  # the line goes now, below
    )
    if at_once:
        acknowledge_chat(session=session, now=now)
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


LEFT_A_MESSAGE = "left a message"


def _message_ticket(
    customer,
    *,
    subject: str,
    text: str,
    now: datetime,
    name: str = "",
    email: str = "",
    team=None,
):
    """A message left on the chat: a ticket answered by email, so it runs `[channels.email]`'s
    targets and is acknowledged as email acknowledges; the customer's words are their message
    on it, from the name and address they gave."""
    ticket = open_ticket(
        customer=customer,
        subject=subject,
        channel=Channel.CHAT,
        opened_at=now,
        team=team,
        acknowledged=True,  # at once ("0s"): written below, in this transaction
    )
    message = record_customer_message(
        ticket=ticket, text=text, from_name=name, from_address=email, at=now
    )
    acknowledge_new_ticket(ticket=ticket, replying_to=message, at=now)
    return ticket


def _callback_ticket(customer, *, name: str, phone: str, text: str, now: datetime, team=None):
    """A callback asked for on the chat: a phone case (`request_callback`) on the phone
    channel's targets, on the callbacks-due page, with the customer's words as its note; the
    number is on the request, never written on the customer's record."""
    callback = request_callback(
        number=phone,
        name=name,
        note=text,
        team=team,
        customer=customer,
        requested_at=now,
    )
    return callback.ticket


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
    callback. Returns the ticket.

    Rules (a hand-off: the case continues on another channel, and runs that channel's promises):
    - A message becomes a ticket answered by email (`_message_ticket`): email's targets, email's
      acknowledgement, the customer's words as their message. It needs an address to answer.
    - A callback request (a number given) becomes a phone callback case (`_callback_ticket`):
      phone's targets, on the callbacks-due page.
    - From a waiting chat, the chat ends as missed (`end_reason` left_message) and its clocks
      are cancelled, "left a message": nobody answered, so none is met (one already missed
      stays breached).
    - The details given (a callback number too) go on the ticket and the chat as given, never
      on an existing customer's record (the module's rule).
    """
    now = now or timezone.now()
    text = check_text(text)
    phone = normalise_phone(callback_phone)
    if session_id is None:
        if not (email or "").strip() and not phone:
            raise ValidationError(
                {"email": "Give an email address (or a phone number) to reply to."}
            )
        customer = find_or_create_customer(name=name, email=email, phone=phone, update_found=False)
        name, email = (name or "").strip(), normalise_email(email)
        if phone:
            return _callback_ticket(customer, name=name, phone=phone, text=text, now=now)
        return _message_ticket(
            customer, subject="Message left on chat", text=text, now=now, name=name, email=email
        )
    session = lock_session(session_id)
    if session.status != ChatStatus.WAITING:
        raise ChatClosed("Only a waiting chat can be left as a message.")
    if phone:
        ticket = _callback_ticket(
            session.customer,
            name=name_in_chat(session),
            phone=phone,
            text=text,
            now=now,
            team=session.team,
        )
        thanks = f"Thank you: we will call you back on {phone} (ticket {ticket.reference})."
    elif session.email_given:
        ticket = _message_ticket(
            session.customer,
            subject="Message left on chat",
            text=text,
            now=now,
            name=name_in_chat(session),
            email=session.email_given,
            team=session.team,
        )
        thanks = (
            f"Thank you: we have your message as ticket {ticket.reference} and will reply by email."
        )
    else:
        raise ValidationError({"email": "Give a phone number to call you back on."})
    session.status = ChatStatus.MISSED
    session.end_reason = EndReason.LEFT_MESSAGE
    session.closed_at = now
    session.ticket = ticket
    session.phone_given = phone or session.phone_given
    session.save(update_fields=["status", "end_reason", "closed_at", "ticket", "phone_given"])
    cancel_clocks_for(case=session, reason=LEFT_A_MESSAGE, at=now)
    append_message(session=session, sender=Sender.SYSTEM, now=now, text=thanks)
    publish(chat_group(session.pk), {"type": "status", "status": "missed", "session": session.pk})
    publish(DESK_GROUP, {"type": "queue", "action": "left", "session": session.pk})
    emit_chat_closed(session)  # ended as missed: the integrators' webhook, after commit
    return ticket
