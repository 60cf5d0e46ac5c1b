"""Agents' presence on chat, kept alive by their console's heartbeat.

- Opening the console records the socket; the console sends `heartbeat` every
  `CHAT_HEARTBEAT_SECONDS`, and the agent's chosen presence on (re)connect.
- Only an online agent is offered chats. Coming online offers them the longest-waiting chats
  of their team (`offer_waiting_chats`); going away or offline routes their pending offers
  to someone else (`release_offers`).
- When the agent's last console socket closes, an online agent becomes away (a reload or a
  dropped network is likely back in seconds, and the console restores their choice when it
  reconnects); an agent whose every console has been silent longer than
  `CHAT_HEARTBEAT_TIMEOUT_SECONDS` (a closed laptop, a crashed server) is marked offline by the
  periodic `sweep_presence`, which also offers what was left unoffered.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chat.models import ChatStatus, ConsoleSocket
from helpdesk.models import AgentProfile, Presence
from helpdesk.services.people import set_presence

from .common import NotAllowed
from .events import agent_group, publish
from .routing import offer_waiting_chats, release_offers


def heartbeat_seconds() -> int:
    return settings.CHAT_HEARTBEAT_SECONDS


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.CHAT_HEARTBEAT_TIMEOUT_SECONDS)


def _profile(agent, *, lock: bool = False) -> AgentProfile:
    rows = AgentProfile.objects.select_for_update() if lock else AgentProfile.objects
    profile = rows.filter(user=agent).select_related("user").first()
    if profile is None:
        raise NotAllowed("Only agents have a presence.")
    return profile


def presence_of(agent) -> str:
    profile = AgentProfile.objects.filter(user=agent).only("presence").first()
    return profile.presence if profile else Presence.OFFLINE


def _changed(profile: AgentProfile, before: str) -> None:
    if profile.presence == before:
        return
    publish(agent_group(profile.user_id), {"type": "presence", "presence": profile.presence})
    if profile.presence == Presence.ONLINE:
        offer_waiting_chats(agent=profile.user)
    else:
        release_offers(agent=profile.user)


@transaction.atomic
def change_presence(*, agent, presence: str, now: datetime | None = None) -> AgentProfile:
    """The agent sets themselves online, away or offline (`set_presence` checks the value).
    Coming online offers them waiting chats; leaving hands their pending offers on. Every
    console of the agent is told (`presence`)."""
    profile = _profile(agent, lock=True)
    before = profile.presence
    set_presence(profile=profile, presence=presence, now=now or timezone.now())
    _changed(profile, before)
    return profile


@transaction.atomic
def console_opened(*, agent, channel_name: str, now: datetime | None = None) -> None:
    """An agent's console socket connected: its heartbeat starts now."""
    now = now or timezone.now()
    ConsoleSocket.objects.update_or_create(
        channel_name=channel_name,
        defaults={"agent": agent, "opened_at": now, "heartbeat_at": now},
    )


def console_heartbeat(*, agent, channel_name: str, now: datetime | None = None) -> None:
    """The console is alive. A socket the sweep already gave up on is recorded again."""
    now = now or timezone.now()
    updated = ConsoleSocket.objects.filter(channel_name=channel_name, agent=agent).update(
        heartbeat_at=now
    )
    if not updated:
        console_opened(agent=agent, channel_name=channel_name, now=now)


def _live_consoles(now: datetime):
    return ConsoleSocket.objects.filter(heartbeat_at__gte=now - heartbeat_timeout())


@transaction.atomic
def console_closed(*, agent, channel_name: str, now: datetime | None = None) -> str | None:
    """An agent's console socket closed. With no other live console left, an online agent
    becomes away. Returns their presence now (None: not an agent)."""
    now = now or timezone.now()
    ConsoleSocket.objects.filter(channel_name=channel_name).delete()
    profile = AgentProfile.objects.select_for_update().filter(user=agent).first()
    if profile is None:
        return None
    if profile.presence == Presence.ONLINE and not _live_consoles(now).filter(agent=agent).exists():
        set_presence(profile=profile, presence=Presence.AWAY, now=now)
        _changed(profile, Presence.ONLINE)
    return profile.presence


def sweep_presence(*, now: datetime | None = None) -> int:
    """Run by beat every `CHAT_HEARTBEAT_SECONDS`: consoles silent past the timeout are
    forgotten; online or away agents with no live console whose presence is older than the
    timeout go offline (their offers are routed again); then every online agent with room,
    least busy first, is offered the chats still waiting unoffered. Safe to repeat. Returns
    how many agents went offline."""
    now = now or timezone.now()
    stale = now - heartbeat_timeout()
    ConsoleSocket.objects.filter(heartbeat_at__lt=stale).delete()
    silent = (
        AgentProfile.objects.filter(
            presence__in=[Presence.ONLINE, Presence.AWAY], presence_changed_at__lt=stale
        )
        .exclude(Exists(_live_consoles(now).filter(agent=OuterRef("user"))))
        .values_list("user_id", flat=True)
    )
    gone = 0
    for user_id in list(silent):
        with transaction.atomic():
            profile = AgentProfile.objects.select_for_update().select_related("user")
            profile = profile.get(user_id=user_id)
            if (
                profile.presence == Presence.OFFLINE
                or _live_consoles(now).filter(agent_id=user_id).exists()
            ):
                continue  # changed since we looked
            before = profile.presence
            set_presence(profile=profile, presence=Presence.OFFLINE, now=now)
            _changed(profile, before)
            gone += 1
    online = (
        AgentProfile.objects.filter(presence=Presence.ONLINE, user__is_active=True)
        .select_related("user")
        .annotate(active=Count("user__chats", filter=Q(user__chats__status=ChatStatus.ACTIVE)))
        .order_by("active", "presence_changed_at", "pk")
    )
    for profile in online:
        offer_waiting_chats(agent=profile.user)
    return gone
