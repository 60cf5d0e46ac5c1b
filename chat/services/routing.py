"""Routing and taking chats: a new chat is offered to the available agent of its team with the
fewest active chats under their limit; an agent of its team (any agent, for a chat without a
team), a supervisor or a manager may accept a waiting chat (`chat.access`), and two accepting at
once never both get it (the session's row lock decides, the agent's row lock keeps the limit).
An agent who becomes available is offered the longest-waiting chats of their team up to their
room (`offer_waiting_chats`); one who leaves hands their offers on (`release_offers`)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from chat.access import ChatAction, check_chat_access
from chat.models import ChatSession, ChatStatus, EndReason, Sender
from chat.presentation import queue_entry
from helpdesk.models import AgentProfile, Presence
from helpdesk.services.people import chat_limit_for
from helpdesk.services.sla import assign_clocks_for

from .common import AlreadyTaken, AtLimit, ChatClosed, chat_policy, lock_session, policy_of
from .events import DESK_GROUP, agent_group, author_name, chat_group, publish
from .messages import append_message


def policy_limit(session: ChatSession) -> int:
    return chat_policy(policy_of(session)).max_concurrent_per_agent or 1


def _profiles(team_id: int | None):
    profiles = AgentProfile.objects.filter(presence=Presence.ONLINE, user__is_active=True)
    if team_id is not None:
        profiles = profiles.filter(team_id=team_id)
    return profiles.select_related("user").annotate(
        active=Count("user__chats", filter=Q(user__chats__status=ChatStatus.ACTIVE))
    )


def _available(session: ChatSession) -> list[AgentProfile]:
    limit = policy_limit(session)
    return [
        p
        for p in _profiles(session.team_id)
        if p.active < chat_limit_for(profile=p, policy_limit=limit)
    ]


def pick_agent(*, session: ChatSession, exclude_user_id: int | None = None) -> AgentProfile | None:
    """The online agent of the chat's team (any team when it has none) with the fewest active
    chats and room under `chat_limit_for`; ties go to the one online longest, then by id."""
    candidates = [p for p in _available(session) if p.user_id != exclude_user_id]
    candidates.sort(key=lambda p: (p.active, p.presence_changed_at, p.pk))
    return candidates[0] if candidates else None


def route_chat(*, session: ChatSession, prefer=None) -> AgentProfile | None:
    """Offer a waiting chat to `pick_agent`'s choice (to `prefer`, the agent who invited the
    customer, when they are online with room); with nobody available it stays in the queue,
    where every agent sees it. Call with the session locked."""
    profile = None
    if prefer is not None:
        profile = next((p for p in _available(session) if p.user_id == prefer.pk), None)
    profile = profile or pick_agent(session=session, exclude_user_id=session.offered_to_id)
    session.offered_to = profile.user if profile else None
    ChatSession.objects.filter(pk=session.pk).update(offered_to=session.offered_to)
    if profile is not None:
        publish(agent_group(profile.user_id), {"type": "offer", **queue_entry(session)})
    publish(DESK_GROUP, {"type": "queue", "action": "waiting", **queue_entry(session)})
    return profile


def _check_room(agent, session: ChatSession) -> None:
    """Lock the agent's profile and check they may take one more chat."""
    profile = (
        AgentProfile.objects.select_for_update().filter(user=agent, user__is_active=True).first()
    )
    if profile is None:
        raise AtLimit("Only agents take chats.")
    limit = chat_limit_for(profile=profile, policy_limit=policy_limit(session))
    active = ChatSession.objects.filter(agent=agent, status=ChatStatus.ACTIVE).count()
    if active >= limit:
        raise AtLimit(f"You hold {active} chats, your limit is {limit}.", limit=limit)


def _assign(session: ChatSession, agent, now: datetime, text: str) -> None:
    previous = session.agent_id
    session.agent = agent
    session.status = ChatStatus.ACTIVE
    session.offered_to = None
    session.accepted_at = session.accepted_at or now
    session.save(update_fields=["agent", "status", "offered_to", "accepted_at"])
    assign_clocks_for(case=session, assignee=agent)
    append_message(session=session, sender=Sender.SYSTEM, text=text, now=now)
    event = {"type": "assigned", "session": session.pk}
    publish(agent_group(agent.pk), event)
    if previous and previous != agent.pk:
        publish(agent_group(previous), {"type": "unassigned", "session": session.pk})
    publish(
        chat_group(session.pk),
        {"type": "status", "status": "active", "session": session.pk, "agent": author_name(agent)},
    )
    publish(DESK_GROUP, {"type": "queue", "action": "taken", "session": session.pk})


@transaction.atomic
def accept_chat(*, session_id: int, agent, now: datetime | None = None) -> ChatSession:
    """The agent takes a waiting chat. Raises AccessDenied when the chat waits for another
    team (`chat.access`: agents of its team, supervisors and managers take it), AlreadyTaken
    when someone else was first (or it is no longer waiting), ChatClosed when the customer left
    before anyone answered (`chat.services.abandonment`) and AtLimit when the agent holds as
    many chats as they may."""
    now = now or timezone.now()
    session = lock_session(session_id)
    check_chat_access(user=agent, session=session, action=ChatAction.TAKE)
    if session.status == ChatStatus.MISSED and session.end_reason == EndReason.ABANDONED:
        raise ChatClosed("The customer left before anyone answered: this chat has ended.")
    if session.status != ChatStatus.WAITING:
        raise AlreadyTaken("Another agent has taken this chat, or it has ended.")
    _check_room(agent, session)
    _assign(session, agent, now, f"{author_name(agent)} joined the chat.")
    return session


@transaction.atomic
def transfer_chat(
    *, session_id: int, by, to_agent=None, to_team=None, now: datetime | None = None
) -> ChatSession:
    """Hand an active chat to another agent (who must have room), or back to the queue of
    another team, where it is routed again. Only its handling agent, a supervisor or a manager
    (`by`) may (`chat.access`): a supervisor takes a chat over by transferring it to
    themselves. The agent who had it has room again: waiting chats are offered to them
    (`offer_waiting_chats`)."""
    now = now or timezone.now()
    session = lock_session(session_id)
    check_chat_access(user=by, session=session, action=ChatAction.TRANSFER)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("Only an active chat can be transferred.")
    if to_agent is not None:
        previous = session.agent
        _check_room(to_agent, session)
        _assign(
            session,
            to_agent,
            now,
            f"{author_name(by)} transferred the chat to {author_name(to_agent)}.",
        )
        if previous is not None and previous.pk != to_agent.pk:
            offer_waiting_chats(agent=previous)
        return session
    if to_team is None:
        raise ChatClosed("Say who or which team takes the chat.")
    previous = session.agent
    session.team = to_team
    session.agent = None
    session.status = ChatStatus.WAITING
    session.save(update_fields=["team", "agent", "status"])
    assign_clocks_for(case=session, assignee=None)
    append_message(
        session=session,
        sender=Sender.SYSTEM,
        now=now,
        text=f"{author_name(by)} transferred the chat to the {to_team.name} team.",
    )
    publish(chat_group(session.pk), {"type": "status", "status": "waiting", "session": session.pk})
    route_chat(session=session)
    if previous is not None:
        publish(agent_group(previous.pk), {"type": "unassigned", "session": session.pk})
        offer_waiting_chats(agent=previous)
    return session


def _waiting_for(profile: AgentProfile):
    """Waiting chats this agent may be offered: their team's (teamless chats too), not offered
    to another agent who is online."""
    mine = (
        Q(team__isnull=True) | Q(team_id=profile.team_id)
        if profile.team_id
        else Q(team__isnull=True)
    )
    unoffered = Q(offered_to__isnull=True) | ~Q(offered_to__agent_profile__presence=Presence.ONLINE)
    return ChatSession.objects.filter(mine, unoffered, status=ChatStatus.WAITING).exclude(
        offered_to_id=profile.user_id
    )


@transaction.atomic
def offer_waiting_chats(*, agent) -> list[int]:
    """An agent became available (came online, ended or handed over a chat, or their limit was
    raised): the longest-waiting chats of their team that no online agent has been offered are
    offered to them, oldest first, up to their room (their limit less the chats they hold or
    have been offered). Chats another transaction holds are skipped (`SKIP LOCKED`), so two
    agents becoming available at once are never offered the same chat; the presence sweep
    offers what was skipped. Returns the ids offered."""
    profile = (
        AgentProfile.objects.filter(user=agent, presence=Presence.ONLINE, user__is_active=True)
        .select_related("user")
        .first()
    )
    if profile is None:
        return []
    oldest = _waiting_for(profile).order_by("started_at", "pk").first()
    if oldest is None:
        return []
    held = ChatSession.objects.filter(
        Q(agent=agent, status=ChatStatus.ACTIVE) | Q(offered_to=agent, status=ChatStatus.WAITING)
    ).count()
    room = chat_limit_for(profile=profile, policy_limit=policy_limit(oldest)) - held
    if room <= 0:
        return []
    chats = list(
        _waiting_for(profile)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("customer")
        .order_by("started_at", "pk")[:room]
    )
    for session in chats:
        session.offered_to = agent
        publish(agent_group(agent.pk), {"type": "offer", **queue_entry(session)})
        publish(DESK_GROUP, {"type": "queue", "action": "waiting", **queue_entry(session)})
    ChatSession.objects.filter(pk__in=[s.pk for s in chats]).update(offered_to=agent)
    return [s.pk for s in chats]


@transaction.atomic
def release_offers(*, agent) -> list[int]:
    """An agent went away or offline: the waiting chats offered to them are routed again (to
    another available agent, or back to the open queue). A chat locked at that moment is
    skipped: offered to someone not online, it counts as unoffered, so the next agent to become
    available (or the sweep) gets it. Returns their ids."""
    chats = list(
        ChatSession.objects.filter(offered_to=agent, status=ChatStatus.WAITING)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("customer")
        .order_by("started_at", "pk")
    )
    for session in chats:
        route_chat(session=session)
    return [s.pk for s in chats]
