"""The agent console's presence, heartbeat and invitations: a mixin of `AgentChatConsumer`
(chat/consumers.py), thin like it: parse, call a service through `database_sync_to_async`."""

from channels.db import database_sync_to_async

from chat.services.invitations import invite_visitor, visitors_here
from chat.services.presence import (
    change_presence,
    console_closed,
    console_heartbeat,
    console_opened,
    heartbeat_seconds,
    presence_of,
)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DeskPresenceMixin:
    """Needs `self.user` (set in connect) and `self.channel_name`."""

    async def desk_opened(self) -> dict:
        """Record the console socket; the fields it adds to `hello`."""

        def opened() -> dict:
            console_opened(agent=self.user, channel_name=self.channel_name)
            return {
                "presence": presence_of(self.user),
                "heartbeat": heartbeat_seconds(),
                "visitors": visitors_here(),
            }

        return await database_sync_to_async(opened)()

    async def desk_closed(self) -> None:
        await database_sync_to_async(console_closed)(
            agent=self.user, channel_name=self.channel_name
        )

    async def do_heartbeat(self, content):
        await database_sync_to_async(console_heartbeat)(
            agent=self.user, channel_name=self.channel_name
        )

    async def do_presence(self, content):
        profile = await database_sync_to_async(change_presence)(
            agent=self.user, presence=str(content.get("presence", ""))
        )
        await self.send_json({"type": "presence", "presence": profile.presence})

    async def do_invite(self, content):
        invitation = await database_sync_to_async(invite_visitor)(
            visit_id=_int_or_none(content.get("visit")),
            agent=self.user,
            message=str(content.get("message", "")),
        )
        await self.send_json(
            {"type": "invited", "visit": invitation.visit_id, "invitation": invitation.pk}
        )
