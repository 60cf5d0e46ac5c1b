"""The record of each email taken in (`InboundEmail`): its raw bytes stored first, so they are
never lost, then the record saved as processed, ignored or failed (`inbound.py` decides which).
"""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from ..email import storable
from ..models import InboundEmail, InboundStatus

MAX_ERROR = 2000  # characters of a failure's reason kept


def limited(value: str, field: str, model=InboundEmail) -> str:
    """`value` as the column can store it: no NUL or lone surrogate, cut to its length."""
    return storable(value or "")[: model._meta.get_field(field).max_length]


def store_raw(raw: bytes, digest: str, previous: InboundEmail | None) -> str:
    """The storage name of the raw bytes, saved before anything else so they are never lost."""
    if previous is not None and previous.content_hash == digest and previous.raw:
        return previous.raw.name
    holder = InboundEmail()
    holder.raw.save(f"{digest[:32]}.eml", ContentFile(raw), save=False)
    return holder.raw.name


def save_inbound(previous: InboundEmail | None, **fields) -> InboundEmail:
    """The record of an email taken in: `previous` (an earlier failed attempt) updated, or new."""
    inbound = previous if previous is not None else InboundEmail()
    for name, value in fields.items():
        setattr(inbound, name, value)
    inbound.save()
    return inbound


def save_failed(previous: InboundEmail | None, *, error: str, fields: dict) -> InboundEmail:
    """The email kept failed, with why (cut to MAX_ERROR), whatever else holds its Message-ID."""
    error = storable(error)[:MAX_ERROR]
    try:
        with transaction.atomic():
            return save_inbound(previous, status=InboundStatus.FAILED, error=error, **fields)
    except IntegrityError:
        # Another failed attempt holds this Message-ID (an email sent twice with other bytes):
        # keep this one all the same, under its bytes alone.
        if previous is not None:
            previous.refresh_from_db()
        fields = {**fields, "message_id": ""}
        return save_inbound(previous, status=InboundStatus.FAILED, error=error, **fields)
