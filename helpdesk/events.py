"""Events one app announces and others react to, so channel apps never import each other
(DESIGN.md: "reactions across apps go through a small set of events or a registry").

`conversation_resolved`: a ticket was resolved or a chat closed. The sender announces it inside
its transaction with `announce_conversation_resolved(...)`; receivers (surveys invites the
customer) do their own work in the same transaction and put side effects after commit. What the
receivers return comes back to the sender: surveys returns the survey link, so the chat widget
can show it without chat importing surveys.
"""

from datetime import datetime

from django.db import models
from django.dispatch import Signal
from django.utils import timezone

# kwargs: conversation (the ticket or chat), customer, channel (a `Channel` value),
# policy_section (the `[channels.X]` section the conversation runs under: a web ticket runs
# under "email"), agent (a user or None), at (aware datetime), by_email (whether the customer
# should be written to: false for a chat, whose widget shows what receivers return)
conversation_resolved = Signal()


def announce_conversation_resolved(
    *,
    conversation: models.Model,
    customer,
    channel: str,
    policy_section: str | None = None,
    agent=None,
    at: datetime | None = None,
    by_email: bool = True,
) -> list:
    """Tell every receiver that `conversation` was resolved; returns what they returned
    (None answers dropped). A receiver's exception propagates: it shares the transaction."""
    responses = conversation_resolved.send(
        sender=type(conversation),
        conversation=conversation,
        customer=customer,
        channel=str(channel),
        policy_section=str(policy_section or channel),
        agent=agent,
        at=at or timezone.now(),
        by_email=by_email,
    )
    return [response for _receiver, response in responses if response is not None]
