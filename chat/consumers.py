"""WebSocket consumers of live chat (protocol: docs/chat-protocol.md). Thin: authenticate,
parse, call a service through `database_sync_to_async`, and forward the group events the
services publish after commit through the Redis channel layer."""

import time

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from chat import selectors, services
from chat.access import ChatAction, access_chat, may_take_waiting
from chat.desk_presence import DeskPresenceMixin
from chat.models import ChatSession
from chat.services.abandonment import customer_seen, seen_every
from chat.services.common import name_in_chat
from chat.services.events import DESK_GROUP, agent_group, chat_group
from chat.services.presence import heartbeat_seconds
from chat.threads import in_chat_thread
from helpdesk import bounded_json, ratelimit
from helpdesk.access import AccessDenied, staff_member
from helpdesk.models import Team

REJECTED = 4403  # close code of a socket refused at connect


def _error(code: str, detail: str, **extra) -> dict:
    return {"type": "error", "code": code, "detail": detail, **extra}


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ChatSocket(AsyncJsonWebsocketConsumer):
    """What both ends share: frame size, JSON parsing, errors, resume and group events."""

    async def dispatch(self, message):
        # Channels hops to its one sync thread before every event to close stale database
        # connections. Every database call here goes through `database_sync_to_async` or
        # `chat.threads`, which close them, so the hop (three per chat message: received,
        # delivered to each end) is skipped.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_json(_error("invalid", "Send JSON text frames."))
            return
        if len(text_data) > settings.CHAT_MAX_FRAME_BYTES:
            await self.send_json(_error("too_large", "The frame is too large."))
            return
        try:
            content = bounded_json.loads(text_data)
        except ValueError:
            await self.send_json(_error("invalid", "The frame is not JSON."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json(_error("invalid", "Each frame is an object with a type."))
            return
        handler = getattr(self, "do_" + content["type"].replace("-", "_"), None)
        if handler is None:
            await self.send_json(_error("invalid", f"Unknown type {content['type']!r}."))
            return
        try:
            await handler(content)
        except services.ChatError as error:
            await self.send_json(_error(error.code, error.detail, ref=content.get("ref")))
        except AccessDenied as error:  # the chat access rule (chat/access.py) said no
            await self.send_json(_error(error.code, error.message, ref=content.get("ref")))
        except ChatSession.DoesNotExist:
            await self.send_json(_error("invalid", "No such chat.", ref=content.get("ref")))
        except ValidationError as error:
            await self.send_json(_error("invalid", " ".join(error.messages)))

    async def send_missed(self, session_id: int, after_seq) -> None:
        after = _as_int(after_seq) or 0
        events = await database_sync_to_async(_missed)(session_id, after)
        for event in events:
            await self.send_json(event)
        last = events[-1]["seq"] if events else after
        await self.send_json({"type": "resumed", "session": session_id, "last_seq": last})

    async def typing(self, session_id: int, sender: str, typing) -> None:
        await self.channel_layer.group_send(
            chat_group(session_id),
            {
                "type": "chat.event",
                "event": {
                    "type": "typing",
                    "session": session_id,
                    "sender": sender,
                    "typing": bool(typing),
                },
            },
        )

    async def message_ack(self, posted, content) -> None:
        await self.send_json(
            {
                "type": "ack",
                "session": posted.message.session_id,
                "seq": posted.message.seq,
                "client_id": content.get("client_id", ""),
                "duplicate": not posted.created,
            }
        )


def _missed(session_id: int, after: int) -> list[dict]:
    session = ChatSession(pk=session_id)
    return selectors.message_events(services.messages_after(session=session, after_seq=after))


def _customer_connected(session) -> dict:
    customer_seen(session_id=session.pk)
    return services.waiting_status(session)


class CustomerChatConsumer(ChatSocket):
    """ws/chat/<token>/: one customer's one chat, opened by its signed token. The socket is the
    customer's presence (`chat.services.abandonment`): connecting and each `heartbeat` say they
    are still there; closing alone ends nothing (a reload reconnects)."""

    seen_at = float("-inf")  # (monotonic) when this socket last wrote the customer's presence

    async def connect(self):
        token = self.scope["url_route"]["kwargs"]["token"]
        session = await database_sync_to_async(services.access_session_by_token)(token)
        if session is None:
            await self.close(code=REJECTED)
            return
        self.session_id = session.pk
        await self.channel_layer.group_add(chat_group(session.pk), self.channel_name)
        waiting = await database_sync_to_async(_customer_connected)(session)
        self.seen_at = time.monotonic()
        await self.accept()
        await self.send_json(
            {
                "type": "hello",
                "session": session.pk,
                "status": session.status,
                "end_reason": session.end_reason,
                "customer": name_in_chat(session),  # as given: never the record's name
                "last_seq": session.last_seq,
                "heartbeat": heartbeat_seconds(),
                **waiting,
            }
        )

    async def disconnect(self, code):
        if hasattr(self, "session_id"):
            await self.channel_layer.group_discard(chat_group(self.session_id), self.channel_name)

    async def do_heartbeat(self, content):
        # One write per socket and half interval at most (and `customer_seen` writes at most
        # once per chat and half interval, whatever the sockets): extra beats cost nothing.
        if time.monotonic() - self.seen_at < seen_every().total_seconds():
            return
        self.seen_at = time.monotonic()
        await database_sync_to_async(customer_seen)(session_id=self.session_id)

    async def chat_event(self, message):
        event = message["event"]
        if event.get("type") == "typing" and event.get("sender") == "customer":
            return  # our own typing
        await self.send_json(event)

    async def do_message(self, content):
        posted = await in_chat_thread(self.session_id, services.customer_says)(
            session_id=self.session_id,
            text=str(content.get("text", "")),
            client_id=str(content.get("client_id", "")),
        )
        await self.message_ack(posted, content)

    async def do_typing(self, content):
        # Past CHAT_TYPING_RATE for this chat (whatever its sockets and servers) a frame is
        # dropped, quietly: typing is a hint, and the chat itself goes on.
        verdict = await sync_to_async(ratelimit.hit, thread_sensitive=False)(
            "chat-typing", str(self.session_id), rate=settings.CHAT_TYPING_RATE
        )
        if verdict.allowed:
            await self.typing(self.session_id, "customer", content.get("typing", True))

    async def do_resume(self, content):
        await self.send_missed(self.session_id, content.get("after_seq"))

    async def do_confirm(self, content):
        await database_sync_to_async(services.confirm_resolved)(
            session_id=self.session_id, resolved=bool(content.get("resolved"))
        )

    async def do_email_transcript(self, content):
        await database_sync_to_async(services.request_transcript)(session_id=self.session_id)
        await self.send_json({"type": "transcript", "session": self.session_id, "sent": True})

    async def do_leave_message(self, content):
        ticket = await database_sync_to_async(services.leave_message)(
            session_id=self.session_id,
            text=str(content.get("text", "")),
            callback_phone=str(content.get("callback_phone", "")),
        )
        await self.send_json({"type": "ticket", "reference": ticket.reference})


def _agent_hello(user, member) -> dict:
    return {
        "type": "hello",
        "agent": user.first_name or user.get_username(),
        "queue": selectors.waiting_queue(member=member),
        "chats": selectors.agent_chats(user=user),
        "escalations": selectors.escalations_for(user=user),
    }


def _card(session_id: int) -> dict:
    return selectors.session_card(
        ChatSession.objects.select_related("customer", "policy_version").get(pk=session_id)
    )


def _check(user, session_id: int, action: ChatAction) -> None:
    access_chat(user=user, chat_id=session_id, action=action)


def _watch_card(user, session_id: int) -> dict:
    access_chat(user=user, chat_id=session_id, action=ChatAction.WATCH)
    return selectors.watch_card(
        ChatSession.objects.select_related("customer", "agent", "policy_version").get(pk=session_id)
    )


def _user_or_team(content):
    if content.get("to_agent"):
        return get_user_model().objects.get(username=str(content["to_agent"])), None
    return None, Team.objects.get(pk=_as_int(content.get("to_team")))


class AgentChatConsumer(DeskPresenceMixin, ChatSocket):
    """ws/desk/chat/: an agent's console, every chat they hold and the queue, on one socket."""

    async def connect(self):
        user = self.scope.get("user")
        member = await database_sync_to_async(staff_member)(user)
        if member is None:
            await self.close(code=REJECTED)
            return
        self.user, self.member = user, member
        self.sessions: set[int] = set()
        self.watching: set[int] = set()  # chats followed read-only (`do_watch`), not held
        hello = await database_sync_to_async(_agent_hello)(user, member)
        hello.update(await self.desk_opened())  # presence, heartbeat, visitors
        for group in (DESK_GROUP, agent_group(user.pk)):
            await self.channel_layer.group_add(group, self.channel_name)
        for card in hello["chats"]:
            await self.join(card["session"])
        await self.accept()
        await self.send_json(hello)

    async def join(self, session_id: int) -> None:
        self.sessions.add(session_id)
        await self.channel_layer.group_add(chat_group(session_id), self.channel_name)

    async def disconnect(self, code):
        if not hasattr(self, "user"):
            return
        await self.desk_closed()  # the last console closing makes an online agent away
        for group in [DESK_GROUP, agent_group(self.user.pk)] + [
            chat_group(s) for s in self.sessions | self.watching
        ]:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def chat_event(self, message):
        event = message["event"]
        kind, session_id = event.get("type"), event.get("session")
        if kind == "typing" and event.get("sender") == "agent":
            return
        waiting = kind == "offer" or (kind == "queue" and event.get("action") == "waiting")
        if waiting and not may_take_waiting(self.member, event.get("team")):
            return  # another team's queue (chat/access.py): not shown, not taken here
        if kind == "assigned":
            self.watching.discard(session_id)  # a watched chat taken over is held from now
            await self.join(session_id)
            event = {**event, "chat": await database_sync_to_async(_card)(session_id)}
        elif kind == "unassigned" and session_id in self.sessions:
            self.sessions.discard(session_id)
            await self.channel_layer.group_discard(chat_group(session_id), self.channel_name)
        await self.send_json(event)

    def session_of(self, content) -> int:
        session_id = _as_int(content.get("session"))
        if session_id is None:
            raise services.NotAllowed("Say which chat (session).")
        return session_id

    async def do_accept(self, content):
        session_id = self.session_of(content)
        await database_sync_to_async(services.accept_chat)(session_id=session_id, agent=self.user)
        await self.join(session_id)

    async def do_message(self, content):
        session_id = self.session_of(content)
        posted = await in_chat_thread(session_id, services.agent_says)(
            session_id=session_id,
            agent=self.user,
            text=str(content.get("text", "")),
            client_id=str(content.get("client_id", "")),
        )
        await self.message_ack(posted, content)

    async def do_typing(self, content):
        session_id = self.session_of(content)
        if session_id not in self.sessions:  # the chats this console holds need no query
            await database_sync_to_async(_check)(self.user, session_id, ChatAction.WRITE)
        await self.typing(session_id, "agent", content.get("typing", True))

    async def do_resume(self, content):
        session_id = self.session_of(content)
        await database_sync_to_async(_check)(self.user, session_id, ChatAction.READ)
        await self.send_missed(session_id, content.get("after_seq"))

    async def do_close(self, content):
        service = services.ask_to_confirm if content.get("confirm", True) else services.close_chat
        await database_sync_to_async(service)(
            session_id=self.session_of(content),
            by=self.user,
            summary=str(content.get("summary", "")),
        )

    async def do_escalate(self, content):
        await database_sync_to_async(services.escalate_chat)(
            session_id=self.session_of(content), by=self.user, notes=str(content.get("notes", ""))
        )

    async def do_convert(self, content):
        ticket = await database_sync_to_async(services.convert_to_ticket)(
            session_id=self.session_of(content),
            by=self.user,
            subject=str(content.get("subject", "")),
        )
        await self.send_json(
            {"type": "ticket", "session": content["session"], "reference": ticket.reference}
        )

    async def do_transfer(self, content):
        try:
            to_agent, to_team = await database_sync_to_async(_user_or_team)(content)
        except (ObjectDoesNotExist, ValueError):
            raise services.NotAllowed("No such agent or team.") from None
        await database_sync_to_async(services.transfer_chat)(
            session_id=self.session_of(content), by=self.user, to_agent=to_agent, to_team=to_team
        )

    async def do_watch(self, content):
        """Follow a chat live, read-only (`chat.access` WATCH: supervisors and managers, and
        its own agent): its card now, then every event of the chat; `resume` fetches what was
        said before. Writing in it still needs WRITE, which a watcher lacks."""
        session_id = self.session_of(content)
        card = await database_sync_to_async(_watch_card)(self.user, session_id)
        if session_id not in self.sessions:
            self.watching.add(session_id)
            await self.channel_layer.group_add(chat_group(session_id), self.channel_name)
        await self.send_json({"type": "watching", "session": session_id, "chat": card})

    async def do_unwatch(self, content):
        session_id = self.session_of(content)
        if session_id in self.watching:
            self.watching.discard(session_id)
            await self.channel_layer.group_discard(chat_group(session_id), self.channel_name)

    async def do_take_over(self, content):
        await database_sync_to_async(services.take_over_chat)(
            session_id=self.session_of(content), by=self.user
        )  # answered by `assigned` to this user's consoles, as a transfer is

    # presence, heartbeat, invite: DeskPresenceMixin (chat/desk_presence.py)
