"""ws/chat/visitor/: the widget of a visitor who is not chatting, so the desk sees who is on
the site and may invite them (docs/chat-protocol.md). Thin: parse, call a service."""

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from chat.consumers import ChatSocket
from chat.services import NotAllowed
from chat.services.invitations import (
    answer_invitation,
    visit_group,
    visit_token,
    visitor_arrived,
    visitor_heartbeat,
    visitor_left,
)
from chat.services.presence import heartbeat_seconds
from helpdesk import ratelimit

BEATS_PER_INTERVAL = 5  # per visit and CHAT_HEARTBEAT_SECONDS (one is normal; reconnects add some)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class VisitorConsumer(ChatSocket):
    """No credential: the visit's signed token (from an earlier `visit` answer) says which
    visit it is; anything else starts a new visit."""

    visit_id: int | None = None

    async def connect(self):
        await self.accept()

    async def disconnect(self, code):
        if self.visit_id is not None:
            await self.channel_layer.group_discard(visit_group(self.visit_id), self.channel_name)
            await database_sync_to_async(visitor_left)(
                visit_id=self.visit_id, channel_name=self.channel_name
            )

    async def chat_event(self, message):
        await self.send_json(message["event"])

    def visit(self) -> int:
        if self.visit_id is None:
            raise NotAllowed("Say which visit first (visit).")
        return self.visit_id

    async def do_visit(self, content):
        if self.visit_id is not None:  # one visit per socket: a socket cannot mint visits
            raise NotAllowed("This socket has said its visit already.")

        def arrived():
            visit = visitor_arrived(
                token=str(content.get("visit") or ""),
                channel_name=self.channel_name,
                page=str(content.get("page") or ""),
                title=str(content.get("title") or ""),
                declined=bool(content.get("declined")),
                address=(self.scope.get("client") or ("",))[0] or "",
            )
            return visit, visit_token(visit)

        visit, token = await database_sync_to_async(arrived)()
        self.visit_id = visit.pk
        await self.channel_layer.group_add(visit_group(visit.pk), self.channel_name)
        await self.send_json(
            {
                "type": "visit",
                "visit": token,
                "heartbeat": heartbeat_seconds(),
                "declined": visit.declined_at is not None,
            }
        )

    async def do_heartbeat(self, content):
        # The widget beats once per interval; past BEATS_PER_INTERVAL a beat is dropped (no
        # database write), quietly: the visit stays here, the socket open.
        rate = ratelimit.Rate(BEATS_PER_INTERVAL, heartbeat_seconds())
        verdict = await sync_to_async(ratelimit.hit, thread_sensitive=False)(
            "chat-visitor-beat", str(self.visit()), rate=rate
        )
        if verdict.allowed:
            await database_sync_to_async(visitor_heartbeat)(
                visit_id=self.visit(), channel_name=self.channel_name
            )

    async def do_answer(self, content):
        await database_sync_to_async(answer_invitation)(
            visit_id=self.visit(),
            invitation_id=_int_or_none(content.get("invitation")),
            accept=bool(content.get("accept")),
        )
