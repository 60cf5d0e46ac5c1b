"""Live events for the desk, sent over the Redis channel layer to every agent's browser
(`tickets.consumers.DeskConsumer`) once the change is committed.

Group "desk" hears every new ticket and every new message; group "ticket-<id>" hears the new
messages and changes of one ticket. A change of a ticket (status, assignee, priority,
escalation, resolution, merge: `ticket.updated`) goes to the groups that may see the ticket
(`tickets.visibility`). Events carry ids and display values only (status, priority, assignee's
username, team's name): a page shows them as text, and fetches anything more through its own
(permission-checked) views.

A broadcast never breaks the request that caused it: it runs after commit, and a channel layer
that is down or slow (Redis unreachable) is logged and given up after SEND_TIMEOUT seconds.
"""

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Message, Priority, Status, Ticket, TicketEvent
from .visibility import DESK_GROUP, Holder, audience
from .webhooks import emit_message_created, emit_ticket_created

logger = logging.getLogger(__name__)

TICKET_CREATED = "ticket.created"
MESSAGE_CREATED = "message.created"
TICKET_UPDATED = "ticket.updated"
STATUSES, PRIORITIES = dict(Status.choices), dict(Priority.choices)
SEND_TIMEOUT = 2.0  # seconds


def ticket_group(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


def send_event(groups: tuple[str, ...], event: dict) -> bool:
    """Send `event` to each group now; False (logged) when the channel layer failed."""
    layer = get_channel_layer()
    if layer is None:
        return False

    async def send_all():
        for group in groups:
            await layer.group_send(group, event)

    async def bounded():
        await asyncio.wait_for(send_all(), timeout=SEND_TIMEOUT)

    try:
        _run(bounded)
    except Exception:
        logger.warning("desk event %s not sent to %s", event.get("type"), groups, exc_info=True)
        return False
    return True


def _run(coroutine_function) -> None:
    """Run it to the end from synchronous code: here, or, when this thread itself runs an event
    loop (synchronous code called inside one), from a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # No loop here: run it on this thread's own loop, kept for the next event (a new loop
        # and thread per event, as async_to_sync makes, cost more than the send itself, and a
        # kept loop keeps the channel layer's connections too).
        _thread_loop().run_until_complete(coroutine_function())
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(coroutine_function)).result(timeout=SEND_TIMEOUT + 1)


_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop for broadcasts (a new one in a forked child)."""
    pid = os.getpid()
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed() or _local.pid != pid:
        loop = _local.loop = asyncio.new_event_loop()
        _local.pid = pid
    return loop


def _after_commit(groups: tuple[str, ...], event: dict) -> None:
    transaction.on_commit(partial(send_event, groups, event), robust=True)


def broadcast_ticket_created(ticket: Ticket) -> None:
    """Tell every desk a ticket was opened (after commit)."""
    event = {
        "type": TICKET_CREATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
    }
    _after_commit((DESK_GROUP,), event)
    emit_ticket_created(ticket)  # the integrators' webhook, also after commit


def broadcast_message_created(message: Message) -> None:
    """Tell every desk, and the pages of its ticket, a message was added (after commit)."""
    ticket = message.ticket
    event = {
        "type": MESSAGE_CREATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "message_id": message.pk,
        "direction": message.direction,
    }
    _after_commit((DESK_GROUP, ticket_group(ticket.pk)), event)
    emit_message_created(message)  # the integrators' webhook, also after commit


def broadcast_ticket_updated(
    ticket: Ticket,
    *,
    event: TicketEvent | None = None,
    change: str = "",
    previous: Holder | None = None,
) -> None:
    """Tell the desks that may see `ticket` (as saved) what it is now, after commit: its status,
    priority, assignee and team (ids and display values), what changed (`event`'s kind, or
    `change`) and, when merged, where it went. `previous` is the team and assignee it had
    before the change, if they changed: the desks that could see it then hear it too."""
    holders = [Holder(team_id=ticket.team_id, assignee_id=ticket.assignee_id)]
    if previous is not None and previous not in holders:
        holders.append(previous)
    assignee = ticket.assignee if ticket.assignee_id is not None else None
    team = ticket.team if ticket.team_id is not None else None
    merged_into = ticket.merged_into if ticket.merged_into_id is not None else None
    payload = {
        "type": TICKET_UPDATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "event_id": event.pk if event is not None else None,
        "change": event.kind if event is not None else change,
        "status": ticket.status,
        "status_label": STATUSES.get(ticket.status, ticket.status),
        "priority": ticket.priority,
        "priority_label": PRIORITIES.get(ticket.priority, ticket.priority),
        "assignee_id": ticket.assignee_id,
        "assignee": assignee.get_username() if assignee is not None else "",
        "team_id": ticket.team_id,
        "team": team.name if team is not None else "",
        "merged_into": merged_into.reference if merged_into is not None else None,
        "merged_into_number": merged_into.number if merged_into is not None else None,
    }
    _after_commit((*audience(holders), ticket_group(ticket.pk)), payload)
