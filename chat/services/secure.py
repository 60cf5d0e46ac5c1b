"""The secure form: sensitive details a customer must not type into chat, kept apart from it.

Rules: the value is encrypted at rest with Fernet (`cryptography`; AES-128-CBC with an
HMAC-SHA256 tag) under a key derived by HKDF from `CHAT_SECURE_FORM_KEY` (several keys separated
by commas rotate: the first encrypts, every one decrypts; empty: derived from SECRET_KEY under
its own label). It is never in a transcript, an email, a broadcast or an API response: the chat
only says that details arrived. Only the agent handling the chat and that agent's supervisor
are shown it, and each showing is logged. It is purged `CHAT_SECURE_RETENTION_DAYS` after it
was given (the policy format has no key for this period yet)."""

import base64
from datetime import datetime, timedelta
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chat.access import ChatAction, check_chat_access, may
from chat.models import (
    LIVE_STATUSES,
    ChatSession,
    SecureDetail,
    SecureDetailView,
    Sender,
)

from .common import ChatClosed, lock_session
from .events import agent_group, publish
from .messages import append_message

_LABEL = b"helpdesk chat secure form v1"
MAX_VALUE_CHARS = 500


@cache
def _fernet(keys: str) -> MultiFernet:
    secrets = [k.strip() for k in keys.split(",") if k.strip()] or [settings.SECRET_KEY]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
                        secret.encode()
                    )
                )
            )
            for secret in secrets
        ]
    )


def _cipher() -> MultiFernet:
    return _fernet(settings.CHAT_SECURE_FORM_KEY)


@transaction.atomic
def submit_secure_details(
    *, session_id: int, label: str, value: str, now: datetime | None = None
) -> SecureDetail:
    """The customer gives a detail through the secure form of their open chat."""
    now = now or timezone.now()
    label, value = (label or "").strip()[:100], (value or "").strip()
    if not label or not value or len(value) > MAX_VALUE_CHARS:
        raise ValidationError({"value": "Say what it is and give it (at most 500 characters)."})
    session = lock_session(session_id)
    if session.status not in LIVE_STATUSES:
        raise ChatClosed("This chat has ended.")
    detail = SecureDetail.objects.create(
        session=session,
        label=label,
        ciphertext=_cipher().encrypt(value.encode()).decode(),
        created_at=now,
        purge_after=now + timedelta(days=settings.CHAT_SECURE_RETENTION_DAYS),
    )
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f'The customer sent "{label}" through the secure form.',
    )
    if session.agent_id:
        publish(
            agent_group(session.agent_id),
            {"type": "secure", "session": session.pk, "id": detail.pk, "label": label},
        )
    return detail


def may_see_secure(*, user, session: ChatSession) -> bool:
    """The agent handling the chat, or that agent's own supervisor (`chat.access`)."""
    return may(user=user, session=session, action=ChatAction.REVEAL)


@transaction.atomic
def reveal_secure_detail(*, detail_id: int, user, now: datetime | None = None) -> str:
    """The plain value, for the agent handling the chat or that agent's own supervisor
    (`chat.access`; AccessDenied for anyone else, who is not recorded as having seen it); the
    showing is logged."""
    detail = SecureDetail.objects.select_related("session").get(pk=detail_id)
    check_chat_access(user=user, session=detail.session, action=ChatAction.REVEAL)
    if detail.purged_at is not None:
        raise ChatClosed("This detail has been purged.")
    SecureDetailView.objects.create(detail=detail, viewer=user, at=now or timezone.now())
    try:
        return _cipher().decrypt(detail.ciphertext.encode()).decode()
    except InvalidToken:
        raise ChatClosed("This detail cannot be read with the keys in force.") from None


def purge_secure_details(*, now: datetime | None = None) -> int:
    """Empty every detail past its retention; returns how many (safe to repeat)."""
    now = now or timezone.now()
    return SecureDetail.objects.filter(purge_after__lte=now, purged_at__isnull=True).update(
        ciphertext="", purged_at=now
    )
