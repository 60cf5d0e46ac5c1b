"""Celery tasks of chat: thin, load by id, call a service that checks state first."""

from celery import shared_task
from django.db import OperationalError

from chat import services
from chat.services.abandonment import sweep_abandoned_chats
from chat.services.invitations import sweep_visits
from chat.services.presence import sweep_presence as _sweep_presence

_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "max_retries": 5,
}


@shared_task(**_RETRY)
def send_wait_notice(session_id: int) -> bool:
    return services.send_wait_notice(session_id=session_id)


@shared_task(**_RETRY)
def offer_message(session_id: int) -> bool:
    return services.offer_message(session_id=session_id)


@shared_task(**_RETRY)
def sweep_chat_timers() -> int:
    """Beat's back-up of the two tasks above: whatever a lost task did not send."""
    return services.sweep_chat_timers()


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=30, max_retries=5)
def email_transcript(session_id: int) -> bool:
    """The transcript a customer asked for, by email."""
    return services.send_transcript_email(session_id=session_id)


@shared_task(**_RETRY)
def purge_secure_details() -> int:
    """Run by beat: secure-form details past their retention are emptied."""
    return services.purge_secure_details()


@shared_task(**_RETRY)
def sweep_presence() -> int:
    """Run by beat every CHAT_HEARTBEAT_SECONDS: agents whose console fell silent go offline,
    visitors whose widget did have left, waiting chats whose customer's widget did end as
    abandoned (before anything is offered), and waiting chats are offered to agents with room."""
    sweep_visits()
    sweep_abandoned_chats()
    return _sweep_presence()
