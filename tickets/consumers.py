"""The desk's WebSocket (`ws/desk/`): live events for agents' pages (see `tickets.events`).

Staff only: an anonymous visitor, a customer or anyone without a staff role is refused before
the handshake completes. Every connection hears group "tickets.desk" (new tickets, new
messages) and the groups of the tickets its user may see (`tickets.visibility`: changes of
status, assignee, priority, escalations, merges); a ticket page also subscribes to its ticket,
if its user may see it (an event heard through several groups is forwarded once). Only the
tickets app's groups: the chat console's events (`chat.agent.<id>`) never reach this socket.

    -> {"action": "subscribe", "ticket": <id>}      <- {"subscribed": <id>}
    -> {"action": "unsubscribe", "ticket": <id>}
    <- {"event": "ticket.created" | "message.created", "ticket_id": ..., "reference": ...}
    <- {"event": "ticket.updated", "ticket_id": ..., "number": ..., "reference": ...,
        "event_id": ..., "change": "status" | "assignee" | "priority" | "escalation" | "note"
        | "merge", "status": ..., "status_label": ..., "priority": ..., "priority_label": ...,
        "assignee_id": ..., "assignee": <username or "">, "team_id": ..., "team": <name or "">,
        "merged_into": <reference or null>, "merged_into_number": ...}

The origin is checked by `AllowedHostsOriginValidator` (config/asgi.py).
"""

from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk.access import staff_member

from .access import may_use_tickets
from .visibility import desk_groups, may_follow_ticket, ticket_group

REFUSED = 4403  # the close code a refused connection gets
MAX_SUBSCRIPTIONS = 20
RECENT = 200  # events remembered so one heard through two groups is forwarded once


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.subscribed: set[str] = set()
        self.groups_joined: tuple[str, ...] = ()
        self.recent: deque = deque(maxlen=RECENT)
        user = self.scope.get("user")
        member = await database_sync_to_async(_desk_member)(user)
        if member is None:
            await self.close(code=REFUSED)
            return
        self.groups_joined = desk_groups(member)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in (*getattr(self, "groups_joined", ()), *getattr(self, "subscribed", ())):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        action, ticket_id = content.get("action"), content.get("ticket")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            await self.send_json({"error": "ticket must be a ticket id"})
            return
        group = ticket_group(ticket_id)
        if action == "subscribe":
            if len(self.subscribed) >= MAX_SUBSCRIPTIONS:
                await self.send_json({"error": "too many subscriptions"})
            elif not await database_sync_to_async(may_follow_ticket)(
                self.scope.get("user"), ticket_id
            ):  # one it may not see is as unknown as one that does not exist
                await self.send_json({"error": "no such ticket"})
            else:
                self.subscribed.add(group)
                await self.channel_layer.group_add(group, self.channel_name)
                await self.send_json({"subscribed": ticket_id})
        elif action == "unsubscribe":
            self.subscribed.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)
        else:
            await self.send_json({"error": "unknown action"})

    async def _forward(self, event: dict) -> None:
        key = (
            event["type"],
            event.get("ticket_id"),
            event.get("message_id"),
            event.get("event_id"),
        )
        if key in self.recent:  # heard through the desk's and the ticket's groups both
            return
        self.recent.append(key)
        payload = {key: value for key, value in event.items() if key != "type"}
        await self.send_json({"event": event["type"], **payload})

    async def ticket_created(self, event):
        await self._forward(event)

    async def message_created(self, event):
        await self._forward(event)

    async def ticket_updated(self, event):
        await self._forward(event)


def _desk_member(user):
    """The user's role and team, when the ticket access rule (`tickets.access`) lets them
    use the desk; else None."""
    return staff_member(user) if may_use_tickets(user) else None
