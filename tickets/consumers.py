"""The desk's WebSocket (`ws/desk/`): live events for agents' pages (see `tickets.events`).

Staff only: an anonymous visitor, a customer or anyone without a staff role is refused before
the handshake completes. Every connection hears group "desk" (new tickets, new messages); a
ticket page also subscribes to its ticket (an event heard through both is forwarded once):

    -> {"action": "subscribe", "ticket": <id>}      <- {"subscribed": <id>}
    -> {"action": "unsubscribe", "ticket": <id>}
    <- {"event": "ticket.created" | "message.created", "ticket_id": ..., "reference": ...}

The origin is checked by `AllowedHostsOriginValidator` (config/asgi.py).
"""

from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import DESK_GROUP, ticket_group
from .models import Ticket
from .permissions import is_desk_staff

REFUSED = 4403  # the close code a refused connection gets
MAX_SUBSCRIPTIONS = 20
RECENT = 200  # events remembered so one heard through two groups is forwarded once


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.subscribed: set[str] = set()
        self.recent: deque = deque(maxlen=RECENT)
        if not await database_sync_to_async(is_desk_staff)(self.scope.get("user")):
            await self.close(code=REFUSED)
            return
        await self.channel_layer.group_add(DESK_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in (DESK_GROUP, *getattr(self, "subscribed", ())):
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
            elif not await database_sync_to_async(_ticket_exists)(ticket_id):
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
        key = (event["type"], event.get("ticket_id"), event.get("message_id"))
        if key in self.recent:  # heard through "desk" and "ticket-<id>" both
            return
        self.recent.append(key)
        payload = {key: value for key, value in event.items() if key != "type"}
        await self.send_json({"event": event["type"], **payload})

    async def ticket_created(self, event):
        await self._forward(event)

    async def message_created(self, event):
        await self._forward(event)


def _ticket_exists(ticket_id: int) -> bool:
    return Ticket.objects.filter(pk=ticket_id).exists()
