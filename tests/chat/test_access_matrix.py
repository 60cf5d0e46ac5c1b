"""The chat socket's permission matrix: every message type the agent console's socket accepts,
sent by every role and relation to a chat, against the rule of `chat/access.py`; as the API's
matrix (tests/api/test_permissions.py) does for endpoints.

Relations to a chat of the Support team handled by Ann: Ann herself; Olga, another agent of
Support; Bob, an agent of Billing; Sam, the Support supervisor (Ann's own); Mia, a manager. The
chat's customer and another customer reach no desk socket (their logins are refused at
connect), and their own sockets know none of the desk's types: what they send there acts on
their own chat at most. A refused frame leaves the chat as it was."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services
from chat.models import ChatSession
from chat.services.invitations import visitor_arrived
from helpdesk.models import Role
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import (  # noqa: F401 (redis_layer is a fixture)
    APP,
    agent_socket,
    customer,
    redis_layer,
    run,
    until,
)
from tests.helpdesk.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("redis_layer")]

HANDLER, TEAM, OTHER_TEAM = "handling agent", "agent of the team", "agent of another team"
SUPERVISOR, MANAGER = "supervisor", "manager"
CUSTOMER, OTHER_CUSTOMER = "the chat's customer", "another customer"
STAFF = (HANDLER, TEAM, OTHER_TEAM, SUPERVISOR, MANAGER)
OK, FORBIDDEN, UNKNOWN = "ok", "forbidden", "invalid"


def only(*allowed: str) -> dict[str, str]:
    """Staff outcomes: ok for `allowed`, forbidden for the rest."""
    return {who: OK if who in allowed else FORBIDDEN for who in STAFF}


# What each frame gets, by relation. Customers send it on their own chat's socket, where only
# message, typing, resume and heartbeat exist (and act on their own chat).
CUSTOMER_SIDE = {"message", "typing", "resume", "heartbeat"}
EXPECTED = {
    "accept": only(HANDLER, TEAM, SUPERVISOR, MANAGER),  # a waiting chat of the team
    "message": only(HANDLER),
    "typing": only(HANDLER),
    "resume": only(HANDLER, SUPERVISOR, MANAGER),
    "resume a waiting chat": only(HANDLER, TEAM, SUPERVISOR, MANAGER),
    "close": only(HANDLER),
    "close at once": only(HANDLER),
    "escalate": only(HANDLER),
    "convert": only(HANDLER),
    "transfer to me": only(HANDLER, SUPERVISOR, MANAGER),
    "transfer to another team": only(HANDLER, SUPERVISOR, MANAGER),
    "watch": only(HANDLER, SUPERVISOR, MANAGER),
    "take over": only(SUPERVISOR, MANAGER),
    "presence": only(*STAFF),
    "heartbeat": only(*STAFF),
    "invite": only(*STAFF),
}
WAITING_KINDS = {"accept", "resume a waiting chat"}


def frame(kind: str, chat: ChatSession, world: dict, who) -> dict:
    session = chat.pk
    return {
        "accept": {"type": "accept", "session": session},
        "message": {"type": "message", "session": session, "text": "Hello", "client_id": "m1"},
        "typing": {"type": "typing", "session": session, "typing": True},
        "resume": {"type": "resume", "session": session, "after_seq": 0},
        "resume a waiting chat": {"type": "resume", "session": session, "after_seq": 0},
        "close": {"type": "close", "session": session, "summary": "Sorted"},
        "close at once": {
            "type": "close",
            "session": session,
            "summary": "Sorted",
            "confirm": False,
        },
        "escalate": {"type": "escalate", "session": session, "notes": "Refund above my limit"},
        "convert": {"type": "convert", "session": session, "subject": "Follow-up"},
        "transfer to me": {
            "type": "transfer",
            "session": session,
            "to_agent": getattr(who, "username", "nobody"),
        },
        "transfer to another team": {
            "type": "transfer",
            "session": session,
            "to_team": world["billing"].pk,
        },
        "watch": {"type": "watch", "session": session},
        "take over": {"type": "take_over", "session": session},
        "presence": {"type": "presence", "presence": "online"},
        "heartbeat": {"type": "heartbeat"},
        "invite": {
            "type": "invite",
            "visit": visitor_arrived(token="", channel_name="matrix").pk,
            "message": "Can I help?",
        },
    }[kind]


@pytest.fixture
def world():
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    support, billing = TeamFactory(name="Support"), TeamFactory(name="Billing")
    sam = make_agent("sam", team=support, role=Role.SUPERVISOR, limit=100)
    people = {
        HANDLER: make_agent("ann", team=support, supervisor=sam, limit=100),
        TEAM: make_agent("olga", team=support, limit=100),
        OTHER_TEAM: make_agent("bob", team=billing, limit=100),
        SUPERVISOR: sam,
        MANAGER: make_agent("mia", role=Role.MANAGER, limit=100),
    }
    return {"people": people, "support": support, "billing": billing, "n": [0]}


def new_chat(world, *, waiting: bool = False) -> ChatSession:
    """A chat of the Support team: handled by Ann, or still waiting."""
    world["n"][0] += 1
    chat = services.start_chat(
        name="Cat",
        email=f"cat{world['n'][0]}@example.org",
        question="Where is my parcel?",
        team=world["support"],
    )
    if not waiting:
        services.accept_chat(session_id=chat.pk, agent=world["people"][HANDLER])
    return ChatSession.objects.get(pk=chat.pk)


def snapshot(chat_id: int) -> dict:
    """What a frame could change about a chat (not `offered_to`: routing moves it)."""
    return ChatSession.objects.filter(pk=chat_id).values(
        "status",
        "agent_id",
        "team_id",
        "summary",
        "escalated_to_id",
        "escalation_notes",
        "ticket_id",
        "last_seq",
        "close_requested_at",
    )[0]


SENTINEL = {"type": "matrix-end"}


async def outcome_of(socket, content: dict) -> str:
    """Send `content`, then a frame of no known type: the consumer answers frames in order, so
    an error before the sentinel's is the frame's, and none means it was done."""
    await socket.send_json_to({**content, "ref": "matrix"})
    await socket.send_json_to(SENTINEL)
    found = OK
    while True:
        event = await socket.receive_json_from(timeout=5)
        if event["type"] != "error":
            continue
        if event["detail"] == "Unknown type 'matrix-end'.":
            return found
        if found == OK:
            found = event["code"]


def desk_outcome(user, content: dict) -> str:
    result: list[str] = []

    async def scenario():
        desk = agent_socket(user)
        assert (await desk.connect())[0]
        await until(desk, "hello")
        result.append(await outcome_of(desk, content))
        await desk.disconnect()

    run(scenario)
    return result[0]


def customer_outcome(chat: ChatSession, content: dict) -> str:
    result: list[str] = []

    async def scenario():
        socket = customer(chat)
        assert (await socket.connect())[0]
        await until(socket, "hello")
        result.append(await outcome_of(socket, content))
        await socket.disconnect()

    run(scenario)
    return result[0]


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_desk_socket_matrix(world, kind):
    got: dict[str, str] = {}
    for relation, user in world["people"].items():
        chat = new_chat(world, waiting=kind in WAITING_KINDS)
        before = snapshot(chat.pk)
        got[relation] = desk_outcome(user, frame(kind, chat, world, user))
        if got[relation] != OK:
            assert snapshot(chat.pk) == before, f"{relation} changed the chat"
    assert got == EXPECTED[kind]

    # The chat's customer, on their own chat's socket: the desk's types do not exist there.
    chat = new_chat(world, waiting=kind in WAITING_KINDS)
    before = snapshot(chat.pk)
    own = customer_outcome(chat, frame(kind, chat, world, None))
    assert own == (OK if kind.split(" ")[0] in CUSTOMER_SIDE else UNKNOWN)
    if own != OK:
        assert snapshot(chat.pk) == before
    # Another customer, naming this chat on their own socket: this chat does not change.
    victim = new_chat(world, waiting=kind in WAITING_KINDS)
    before = snapshot(victim.pk)
    customer_outcome(chat, frame(kind, victim, world, None))
    assert snapshot(victim.pk) == before


def test_customers_logins_never_open_the_desk_socket(world):
    chat = new_chat(world)
    own = chat.customer
    own.user = UserFactory(username="cat")
    own.save(update_fields=["user"])
    other = CustomerFactory(user=UserFactory(username="dee"), email="dee@example.org")
    accepted: list[bool] = []

    async def scenario():
        for user in (own.user, other.user):
            desk = agent_socket(user)
            accepted.append((await desk.connect())[0])
            await desk.disconnect()

    run(scenario)
    assert accepted == [False, False]


def test_the_queue_shows_each_agent_the_chats_they_may_take(world):
    """Another team's waiting chat is neither in an agent's hello nor sent to them live."""
    mine = new_chat(world, waiting=True)
    seen: dict[str, list] = {}
    later: list[ChatSession] = []

    def two_more():
        billing = services.start_chat(name="Dan", email="dan@example.org", team=world["billing"])
        support = services.start_chat(name="Eve", email="eve@example.org", team=world["support"])
        later.extend([billing, support])

    async def scenario():
        who_sees = {TEAM: "support", OTHER_TEAM: "billing", MANAGER: "support"}
        sockets = {who: agent_socket(world["people"][who]) for who in who_sees}
        for who, desk in sockets.items():
            await desk.connect()
            seen[who] = [q["session"] for q in (await until(desk, "hello"))["queue"]]
        await database_sync_to_async(two_more)()
        billing, support = later
        for who, desk in sockets.items():
            # Each console's events come in the order they were sent: Billing's chat before
            # Support's, so a console that got Support's and not Billing's was not sent it.
            last = {"support": support.pk, "billing": billing.pk}[who_sees[who]]
            while True:
                event = await desk.receive_json_from(timeout=5)
                if event["type"] == "offer" or event.get("action") == "waiting":
                    seen[who].append(event["session"])
                    if event["session"] == last:
                        break
            await desk.disconnect()

    run(scenario)
    billing, support = later
    assert mine.pk in seen[TEAM] and support.pk in seen[TEAM] and billing.pk not in seen[TEAM]
    assert mine.pk not in seen[OTHER_TEAM] and billing.pk in seen[OTHER_TEAM]
    assert {mine.pk, billing.pk, support.pk} <= set(seen[MANAGER])


def test_the_visitor_socket_knows_none_of_the_desk_s_types(world):
    """A visitor's widget (not chatting yet) names a chat in every desk frame: none exists
    there (heartbeat is the visitor's own), and the chat does not change."""
    chat = new_chat(world)
    waiting = new_chat(world, waiting=True)
    before = {chat.pk: snapshot(chat.pk), waiting.pk: snapshot(waiting.pk)}
    got: dict[str, str] = {}

    async def scenario():
        visitor = WebsocketCommunicator(APP, "/ws/chat/visitor/")
        assert (await visitor.connect())[0]
        for kind in EXPECTED:
            if kind in ("heartbeat", "invite"):
                continue
            target = waiting if kind in WAITING_KINDS else chat
            content = await database_sync_to_async(frame)(kind, target, world, None)
            got[kind] = await outcome_of(visitor, content)
        await visitor.disconnect()

    run(scenario)
    assert set(got.values()) == {UNKNOWN}, got
    assert {pk: snapshot(pk) for pk in before} == before
