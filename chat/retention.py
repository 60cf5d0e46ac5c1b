"""How chat keeps the policy's `[retention]` (helpdesk.privacy.retention): a chat's lines, its
secure-form details and, for `closed_cases`, everything that says who the customer was, each
removed once its time since the chat closed has passed."""

from datetime import datetime

from django.db.models import QuerySet

from chat.models import ChatMessage, ChatSession, ChatStatus, SecureDetail
from helpdesk.models import RetentionKind
from helpdesk.privacy.retention import register_retention, release_customer


def chats_closed_before(cutoff: datetime) -> QuerySet[ChatSession]:
    """Chats that ended (closed or missed) at or before `cutoff`."""
    return ChatSession.objects.filter(
        status__in=[ChatStatus.CLOSED, ChatStatus.MISSED], closed_at__lte=cutoff
    )


def delete_transcript(session: ChatSession, now: datetime) -> int:
    """The chat's lines are deleted (the record of masked numbers goes with them)."""
    _, deleted = ChatMessage.objects.filter(session=session).delete()
    return deleted.get(ChatMessage._meta.label, 0)  # lines, not the redaction records with them


def delete_secure_details(session: ChatSession, now: datetime) -> int:
    """The secure-form details given in the chat are emptied, as their own purge does."""
    return SecureDetail.objects.filter(session=session, purged_at__isnull=True).update(
        ciphertext="", purged_at=now
    )


def anonymise_chat(session: ChatSession, now: datetime) -> int:
    """Lines and secure details deleted, what the customer wrote or gave emptied, and the chat
    detached from the customer."""
    items = delete_transcript(session, now) + delete_secure_details(session, now)
    ChatSession.objects.filter(pk=session.pk).update(
        question="", summary="", escalation_notes="", name_given="", email_given="", phone_given=""
    )
    return items + 1 + release_customer(case=session)


def register() -> None:
    for key, remove in (
        (RetentionKind.CHAT_TRANSCRIPTS, delete_transcript),
        (RetentionKind.SECURE_DETAILS, delete_secure_details),
        (RetentionKind.CLOSED_CASES, anonymise_chat),
    ):
        register_retention(
            key=key, model=ChatSession, closed_before=chats_closed_before, remove=remove
        )
