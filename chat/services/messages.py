"""Messages of a chat: redacted, numbered under the session's lock, rate-limited, broadcast
after commit. The agent's first message meets `chat.first_response`.

`customer_says` and `agent_says` are the entry points. The common line (new, nothing to mask,
within the rate, the agent's first response already given) is stored by one SQL statement
(`_quick_post`); every other case falls back to the rules one by one under the session's lock."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from chat.models import ChatMessage, ChatSession, Redaction, Sender
from helpdesk.privacy.services import mask_text
from helpdesk.services.sla import stop_clocks_for

from .common import (
    ACKNOWLEDGE,
    FIRST_RESPONSE,
    RateLimited,
    lock_session,
    max_message_chars,
)
from .events import chat_group, message_event, publish
from .posting import check_may_post, posting_condition

REDACTION_NOTICE = (
    "For your security we removed a card or identity number from your message. Please never "
    "share such numbers in chat: use the secure form (the link under the chat) instead."
)


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    created: bool  # False: the same client_id was posted before, nothing new was stored


def check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A message needs some text."})
    limit = max_message_chars()
    if len(text) > limit:
        raise ValidationError({"text": f"A message holds at most {limit} characters."})
    return text


def append_message(
    *,
    session: ChatSession,
    sender: str,
    text: str,
    author=None,
    client_id: str = "",
    now: datetime,
) -> ChatMessage:
    """Store one message with the session's next seq. The caller holds the session's lock
    (`lock_session`) and has checked the text; the text is redacted here, whoever sends it."""
    redacted = mask_text(text, now=now)
    session.last_seq += 1
    message = ChatMessage.objects.create(
        session=session,
        seq=session.last_seq,
        sender=sender,
        author=author,
        text=redacted.text,
        client_id=client_id,
        created_at=now,
    )
    ChatSession.objects.filter(pk=session.pk).update(last_seq=session.last_seq)
    if redacted.kinds:
        Redaction.objects.bulk_create(
            Redaction(session=session, message=message, kind=kind, at=now)
            for kind in redacted.kinds
        )
    publish(chat_group(session.pk), message_event(message))
    if redacted.kinds and sender != Sender.SYSTEM and not session.redaction_warned:
        session.redaction_warned = True
        ChatSession.objects.filter(pk=session.pk).update(redaction_warned=True)
        append_message(session=session, sender=Sender.SYSTEM, text=REDACTION_NOTICE, now=now)
    return message


def _check_rate(session: ChatSession, sender: str, now: datetime) -> None:
    window = timedelta(seconds=settings.CHAT_RATE_WINDOW_SECONDS)
    recent = ChatMessage.objects.filter(
        session=session, sender=sender, created_at__gt=now - window
    ).count()
    if recent >= settings.CHAT_RATE_LIMIT:
        raise RateLimited(
            f"Too many messages: at most {settings.CHAT_RATE_LIMIT} every "
            f"{settings.CHAT_RATE_WINDOW_SECONDS} seconds."
        )


def _existing(session: ChatSession, sender: str, client_id: str) -> ChatMessage | None:
    if not client_id:
        return None
    return ChatMessage.objects.filter(session=session, sender=sender, client_id=client_id).first()


def post_message(
    *,
    session: ChatSession,
    sender: str,
    text: str,
    author=None,
    client_id: str = "",
    now: datetime | None = None,
) -> Posted:
    """The rules shared by customer and agent messages; the caller holds the lock."""
    now = now or timezone.now()
    text = check_text(text)
    client_id = (client_id or "")[:64]
    if (found := _existing(session, sender, client_id)) is not None:
        return Posted(found, created=False)
    _check_rate(session, sender, now)
    message = append_message(
        session=session, sender=sender, text=text, author=author, client_id=client_id, now=now
    )
    return Posted(message, created=True)


def post_customer_message(
    *, session: ChatSession, text: str, client_id: str = "", now: datetime | None = None
) -> Posted:
    """A customer's line in their live chat (the posting rule, `chat.services.posting`). Call
    inside `transaction.atomic` with the session locked (`customer_says` does both)."""
    check_may_post(session=session, sender=Sender.CUSTOMER)
    return post_message(
        session=session, sender=Sender.CUSTOMER, text=text, client_id=client_id, now=now
    )


def post_agent_message(
    *, session: ChatSession, agent, text: str, client_id: str = "", now: datetime | None = None
) -> Posted:
    """The handling agent's line; the first one meets `chat.first_response` (and
    `chat.acknowledge`, if it still runs: the customer has heard from us). Call with the
    session locked (`chat.services.agent_says`). Who may post: the posting rule
    (`chat.services.posting`)."""
    check_may_post(session=session, sender=Sender.AGENT, author=agent)
    now = now or timezone.now()
    posted = post_message(
        session=session,
        sender=Sender.AGENT,
        text=text,
        author=agent,
        client_id=client_id,
        now=now,
    )
    if posted.created and session.first_response_at is None:
        session.first_response_at = now
        ChatSession.objects.filter(pk=session.pk).update(first_response_at=now)
        stop_clocks_for(case=session, targets=[FIRST_RESPONSE, ACKNOWLEDGE], at=now)
    return posted


# One round trip for a new line. `s` locks the session row (FOR UPDATE returns its latest
# last_seq once the lock is ours, so numbers stay contiguous under concurrency) only if the
# posting rule lets the sender post (`chat.services.posting.posting_condition`: the chat's
# state, and for staff the access rule and their role now) and the sender is within the rate;
# `m` stores the line with the next seq unless its client_id was stored before (the partial
# unique index); `u` moves last_seq only when a line was stored, so a duplicate leaves no gap.
# No row back: the caller applies the rules one by one to say why (closed, duplicate, rate) or
# to store it after all.
_QUICK_POST = """
WITH s AS (
    SELECT id, last_seq FROM chat_chatsession
    WHERE id = %(session)s AND {may_post} {fast_path_only}
      AND (SELECT count(*) FROM chat_chatmessage
           WHERE session_id = %(session)s AND sender = %(sender)s
             AND created_at > %(since)s) < %(limit)s
    FOR UPDATE
), m AS (
    INSERT INTO chat_chatmessage (session_id, seq, sender, author_id, text, client_id, created_at)
    SELECT id, last_seq + 1, %(sender)s, %(author)s, %(text)s, %(client_id)s, %(now)s FROM s
    ON CONFLICT (session_id, sender, client_id) WHERE NOT (client_id = '') DO NOTHING
    RETURNING id, seq
), u AS (
    UPDATE chat_chatsession SET last_seq = m.seq FROM m WHERE chat_chatsession.id = %(session)s
)
SELECT id, seq FROM m
"""
# The agent's first response stops a clock: the Python path's, which also says why a line was
# refused (`post_agent_message` applies the same posting rule).
_AFTER_FIRST_RESPONSE = "AND first_response_at IS NOT NULL"


def _quick_post(
    *, session_id: int, sender: str, text: str, author, client_id: str, now: datetime
) -> ChatMessage | None:
    """Store and publish a new line in one statement, or None when the line needs the full
    rules: a number to mask (the notice), the agent's first response (the clock), a refusal or
    a repeated client_id. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return None
    redacted = mask_text(text, now=now)
    if redacted.kinds:
        return None
    rule = posting_condition(sender)
    if rule is None:
        return None
    may_post, rule_params = rule
    params = {
        **rule_params,
        "session": session_id,
        "sender": sender,
        "since": now - timedelta(seconds=settings.CHAT_RATE_WINDOW_SECONDS),
        "limit": settings.CHAT_RATE_LIMIT,
        "author": author.pk if author is not None else None,
        "text": redacted.text,
        "client_id": client_id,
        "now": now,
    }
    with connection.cursor() as cursor:
        fast_path_only = _AFTER_FIRST_RESPONSE if sender == Sender.AGENT else ""
        cursor.execute(_QUICK_POST.format(may_post=may_post, fast_path_only=fast_path_only), params)
        row = cursor.fetchone()
    if row is None:
        return None
    message = ChatMessage(
        id=row[0],
        session_id=session_id,
        seq=row[1],
        sender=sender,
        author=author,
        text=redacted.text,
        client_id=client_id,
        created_at=now,
    )
    publish(chat_group(session_id), message_event(message))
    return message


def _say(*, session_id: int, sender: str, author, text: str, client_id: str, now, locked_post):
    """The common line in one statement (`_quick_post`); anything else (a number to mask, the
    first response, a refusal, a repeat) by `locked_post(session, text, client_id, now)` under
    the session's lock, where every rule is checked."""
    now = now or timezone.now()
    text = check_text(text)
    client_id = (client_id or "")[:64]
    message = _quick_post(
        session_id=session_id,
        sender=sender,
        text=text,
        author=author,
        client_id=client_id,
        now=now,
    )
    if message is not None:
        return Posted(message, created=True)
    with transaction.atomic():
        return locked_post(lock_session(session_id), text, client_id, now)


def customer_says(
    *, session_id: int, text: str, client_id: str = "", now: datetime | None = None
) -> Posted:
    """A customer's line in their chat (`post_customer_message`'s rules)."""
    return _say(
        session_id=session_id,
        sender=Sender.CUSTOMER,
        author=None,
        text=text,
        client_id=client_id,
        now=now,
        locked_post=lambda session, text, client_id, now: post_customer_message(
            session=session, text=text, client_id=client_id, now=now
        ),
    )


def agent_says(
    *, session_id: int, agent, text: str, client_id: str = "", now: datetime | None = None
) -> Posted:
    """The handling agent's line (`post_agent_message`'s rules; the first one meets
    `chat.first_response`)."""
    return _say(
        session_id=session_id,
        sender=Sender.AGENT,
        author=agent,
        text=text,
        client_id=client_id,
        now=now,
        locked_post=lambda session, text, client_id, now: post_agent_message(
            session=session, agent=agent, text=text, client_id=client_id, now=now
        ),
    )


def messages_after(*, session: ChatSession, after_seq: int, limit: int = 500) -> list[ChatMessage]:
    """What a reconnecting client missed: the messages with seq above `after_seq`, in order."""
    return list(
        ChatMessage.objects.filter(session=session, seq__gt=max(0, after_seq))
        .select_related("author")
        .order_by("seq")[:limit]
    )
