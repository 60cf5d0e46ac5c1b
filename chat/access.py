"""Who may do what with a chat: the one rule the console socket, the desk pages, the API, the
admin and the chat services all apply (relations: `helpdesk.access`).

- read (resume; the transcript in the API and the admin; canned responses for it): its
  handling agent, supervisors and managers; a waiting chat also whoever may take it;
- take (accept a waiting chat): agents of the chat's team (every agent, for a chat without a
  team), supervisors and managers;
- write (message, typing), close, escalate, convert: its handling agent only;
- transfer (to an agent, to oneself to take over, to a team's queue): its handling agent,
  supervisors and managers;
- reveal a secure-form detail: its handling agent and that agent's own supervisor;
- watch (follow it live in the console, read-only, as an escalation's link opens it): its
  handling agent, supervisors and managers;
- take over (the chat becomes theirs, `chat.services.takeover`): supervisors and managers.

Supervisors and managers oversee every team, as with tickets (`tickets/visibility.py`). Another
agent, of the team or not, does nothing with a chat someone else handles. Refusals raise
`helpdesk.access.AccessDenied` (code `forbidden`, HTTP 403).
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from chat.models import ChatSession, ChatStatus
from helpdesk.access import (
    AccessDenied,
    CaseHolders,
    Relation,
    StaffMember,
    allows,
    check_relations,
    oversees_every_team,
    staff_member,
)
from helpdesk.models import AgentProfile


class ChatAction(StrEnum):
    READ = "read"
    TAKE = "take"
    WRITE = "write"
    CLOSE = "close"
    ESCALATE = "escalate"
    CONVERT = "convert"
    TRANSFER = "transfer"
    REVEAL = "reveal"
    WATCH = "watch"
    TAKE_OVER = "take_over"


_OVERSEERS = frozenset({Relation.SUPERVISOR, Relation.MANAGER})
_HANDLER = frozenset({Relation.HANDLER})
RULES: dict[ChatAction, frozenset[Relation]] = {
    ChatAction.READ: _HANDLER | _OVERSEERS,
    ChatAction.TAKE: frozenset({Relation.TEAM}) | _OVERSEERS,
    ChatAction.WRITE: _HANDLER,
    ChatAction.CLOSE: _HANDLER,
    ChatAction.ESCALATE: _HANDLER,
    ChatAction.CONVERT: _HANDLER,
    ChatAction.TRANSFER: _HANDLER | _OVERSEERS,
    ChatAction.REVEAL: frozenset({Relation.HANDLER, Relation.HANDLERS_SUPERVISOR}),
    ChatAction.WATCH: _HANDLER | _OVERSEERS,
    ChatAction.TAKE_OVER: _OVERSEERS,
}
REFUSALS: dict[ChatAction, str] = {
    ChatAction.READ: "That chat is not yours: only its agent, a supervisor or a manager may "
    "read it.",
    ChatAction.TAKE: "That chat waits for another team's agents.",
    ChatAction.WRITE: "Only the agent handling this chat may write in it.",
    ChatAction.CLOSE: "Only the agent handling this chat may close it.",
    ChatAction.ESCALATE: "Only the agent handling this chat may escalate it.",
    ChatAction.CONVERT: "Only the agent handling this chat may make it a ticket.",
    ChatAction.TRANSFER: "Only the agent handling this chat, a supervisor or a manager may "
    "transfer it.",
    ChatAction.REVEAL: "Only the agent handling this chat and their supervisor see this.",
    ChatAction.WATCH: "Only a supervisor or a manager may watch another agent's chat.",
    ChatAction.TAKE_OVER: "Only a supervisor or a manager may take a chat over.",
}


def allowed_relations(action: ChatAction, session: ChatSession) -> frozenset[Relation]:
    """The relations that allow `action` on this chat: a waiting chat may also be read by
    whoever may take it (the queue already shows them its question)."""
    allowed = RULES[action]
    if action == ChatAction.READ and session.status == ChatStatus.WAITING:
        allowed |= RULES[ChatAction.TAKE]
    return allowed


def _holders(session: ChatSession, action: ChatAction) -> CaseHolders:
    supervisor_id = None
    if Relation.HANDLERS_SUPERVISOR in RULES[action] and session.agent_id is not None:
        supervisor_id = (
            AgentProfile.objects.filter(user_id=session.agent_id)
            .values_list("supervisor_id", flat=True)
            .first()
        )
    return CaseHolders(
        handler_id=session.agent_id, team_id=session.team_id, handlers_supervisor_id=supervisor_id
    )


def check_chat_access(*, user, session: ChatSession, action: ChatAction) -> StaffMember:
    """The user as a member of staff, if the rule lets them do `action` with this chat;
    AccessDenied with the rule's words otherwise (for anyone who is not staff too)."""
    member = staff_member(user)
    if member is None:
        raise AccessDenied("Chats are for staff.")
    check_relations(
        member, _holders(session, action), allowed_relations(action, session), REFUSALS[action]
    )
    return member


def may(*, user, session: ChatSession, action: ChatAction) -> bool:
    """Whether `check_chat_access` would let the user do `action`."""
    return allows(check_chat_access, user=user, session=session, action=action)


def access_chat(*, user, chat_id, action: ChatAction) -> ChatSession:
    """The chat with this id if the user may do `action` with it. Raises
    ChatSession.DoesNotExist for a bad or unknown id, AccessDenied when the rule says no."""
    try:
        pk = int(chat_id)
    except (TypeError, ValueError):
        raise ChatSession.DoesNotExist("No such chat.") from None
    session = ChatSession.objects.select_related("customer").get(pk=pk)
    check_chat_access(user=user, session=session, action=action)
    return session


def may_take_waiting(member: StaffMember | None, team_id: int | None) -> bool:
    """Whether the member may take a waiting chat of this team (without a query: the consoles
    filter the queue events they forward with it)."""
    if member is None:
        return False
    holders = CaseHolders(handler_id=None, team_id=team_id)
    try:
        check_relations(member, holders, RULES[ChatAction.TAKE], "")
    except AccessDenied:
        return False
    return True


def takeable(member: StaffMember | None) -> Q:
    """The waiting chats `member` may take, as a filter of ChatSession."""
    if member is None:
        return Q(pk__in=[])
    if oversees_every_team(member):
        return Q(status=ChatStatus.WAITING)
    team = Q(team__isnull=True)
    if member.team_id is not None:
        team |= Q(team_id=member.team_id)
    return Q(status=ChatStatus.WAITING) & team


def readable_chats(user, chats: QuerySet[ChatSession] | None = None) -> QuerySet[ChatSession]:
    """The chats the user may read (the READ rule as one filter, for lists: the API, the
    admin): supervisors and managers every chat; an agent those they handle (or handled when
    it ended) and the waiting chats they may take; nobody else any."""
    chats = ChatSession.objects.all() if chats is None else chats
    member = staff_member(user)
    if member is None:
        return chats.none()
    if oversees_every_team(member):
        return chats
    return chats.filter(Q(agent_id=member.user_id) | takeable(member))
