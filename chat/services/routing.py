"""Routing and taking chats: a new chat is offered to the available agent of its team with the
fewest active chats under their limit; any agent may accept a waiting chat, and two accepting at
once never both get it (the session's row lock decides, the agent's row lock keeps the limit)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from chat.models import ChatSession, ChatStatus, Sender
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


def pick_agent(*, session: ChatSession, exclude_user_id: int | None = None) -> AgentProfile | None:
    """The online agent of the chat's team (any team when it has none) with the fewest active
    chats and room under `chat_limit_for`; ties go to the one online longest, then by id."""
    limit = policy_limit(session)
    candidates = [
        p
        for p in _profiles(session.team_id)
        if p.user_id != exclude_user_id and p.active < chat_limit_for(profile=p, policy_limit=limit)
    ]
    candidates.sort(key=lambda p: (p.active, p.presence_changed_at, p.pk))
    return candidates[0] if candidates else None


def route_chat(*, session: ChatSession) -> AgentProfile | None:
    """Offer a waiting chat to `pick_agent`'s choice; with nobody available it stays in the
    queue, where every agent sees it. Call with the session locked."""
    profile = pick_agent(session=session, exclude_user_id=session.offered_to_id)
    session.offered_to = profile.user if profile else None
    ChatSession.objects.filter(pk=session.pk).update(offered_to=session.offered_to)
    if profile is not None:
        publish(agent_group(profile.user_id), {"type": "offer", **queue_entry(session)})
    publish(DESK_GROUP, {"type": "queue", "action": "waiting", **queue_entry(session)})
    return profile


def queue_entry(session: ChatSession) -> dict:
    return {
        "session": session.pk,
        "customer": session.customer.name or session.customer.email or "Customer",
        "question": session.question[:200],
        "started_at": session.started_at.isoformat(),
        "offered_to": session.offered_to_id,
    }


def _check_room(agent, session: ChatSession) -> None:
    """Lock the agent's profile and check they may take one more chat."""
    profile = AgentProfile.objects.select_for_update().filter(user=agent).first()
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
    """The agent takes a waiting chat. Raises AlreadyTaken when someone else was first (or it
    is no longer waiting) and AtLimit when the agent holds as many chats as they may."""
    now = now or timezone.now()
    session = lock_session(session_id)
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
    another team, where it is routed again."""
    now = now or timezone.now()
    session = lock_session(session_id)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("Only an active chat can be transferred.")
    if to_agent is not None:
        _check_room(to_agent, session)
        _assign(
            session,
            to_agent,
            now,
            f"{author_name(by)} transferred the chat to {author_name(to_agent)}.",
        )
        return session
    if to_team is None:
        raise ChatClosed("Say who or which team takes the chat.")
    previous = session.agent_id
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
    publish(agent_group(previous), {"type": "unassigned", "session": session.pk})
    publish(chat_group(session.pk), {"type": "status", "status": "waiting", "session": session.pk})
    route_chat(session=session)
    return session
