"""Presence kept alive by the console's heartbeat, and waiting chats offered to an agent as soon
as they can take them (online, a chat ended or handed over, a higher limit). Time is passed in
(`now=`), never waited for."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from chat import services
from chat.models import ChatSession, ConsoleSocket
from chat.services.presence import (
    change_presence,
    console_closed,
    console_heartbeat,
    console_opened,
    sweep_presence,
)
from chat.services.routing import offer_waiting_chats
from helpdesk.models import AgentProfile, Presence
from tests.chat.conftest import make_agent
from tests.helpdesk.factories import TeamFactory

TIMEOUT = timedelta(seconds=60)


def presence(user) -> str:
    return AgentProfile.objects.get(user=user).presence


def offered(user) -> list[int]:
    return list(
        ChatSession.objects.filter(offered_to=user, status="waiting")
        .order_by("started_at", "pk")
        .values_list("pk", flat=True)
    )


def waiting_chats(n, *, team=None, start=None):
    """n chats started a minute apart (the first waited longest), with nobody online."""
    start = start or timezone.now() - timedelta(hours=1)
    return [
        services.start_chat(
            name=f"C{i}", email=f"c{i}@example.org", team=team, now=start + timedelta(minutes=i)
        )
        for i in range(n)
    ]


def test_coming_online_offers_the_longest_waiting_chats_of_the_team_up_to_the_limit(policy, team):
    alex = make_agent("alex", team=team, presence=Presence.OFFLINE, limit=2)
    hours_ago = timezone.now() - timedelta(hours=3)
    waiting_chats(1, team=TeamFactory(name="Billing"), start=hours_ago)  # another team's
    teamless = waiting_chats(1, start=hours_ago + timedelta(minutes=30))  # anyone's
    chats = waiting_chats(3, team=team, start=hours_ago + timedelta(hours=1))
    assert not offered(alex)

    change_presence(agent=alex, presence=Presence.ONLINE)

    assert offered(alex) == [teamless[0].pk, chats[0].pk]  # oldest first, two: the limit


def test_an_agent_holding_chats_is_offered_only_the_room_left(policy, team):
    alex = make_agent("alex", team=team, limit=2)
    first = services.start_chat(name="A", email="a@example.org", team=team)
    services.accept_chat(session_id=first.pk, agent=alex)
    change_presence(agent=alex, presence=Presence.AWAY)
    chats = waiting_chats(3, team=team)
    change_presence(agent=alex, presence=Presence.ONLINE)
    assert offered(alex) == [chats[0].pk]


def test_going_away_hands_pending_offers_to_another_online_agent(policy, team):
    alex = make_agent("alex", team=team)
    chat = services.start_chat(name="Ann", email="ann@example.org", team=team)
    assert offered(alex) == [chat.pk]
    bob = make_agent("bob", team=team, presence=Presence.OFFLINE)
    change_presence(agent=bob, presence=Presence.ONLINE)
    assert offered(bob) == []  # offered to alex, who is online: not re-offered

    change_presence(agent=alex, presence=Presence.AWAY)

    assert offered(alex) == [] and offered(bob) == [chat.pk]
    assert services.pick_agent(session=chat) is not None  # bob, never alex while away
    assert services.pick_agent(session=chat).user == bob


def test_closing_a_chat_offers_the_agent_the_next_waiting_one(policy, team):
    alex = make_agent("alex", team=team, limit=1)
    first = services.start_chat(name="A", email="a@example.org", team=team)
    services.accept_chat(session_id=first.pk, agent=alex)
    second = services.start_chat(name="B", email="b@example.org", team=team)
    assert offered(alex) == []  # at their limit: it waits in the queue
    services.close_chat(session_id=first.pk, by=alex, summary="Done")
    assert offered(alex) == [second.pk]


def test_handing_a_chat_over_offers_the_agent_the_next_waiting_one(policy, team):
    alex = make_agent("alex", team=team, limit=1)
    bob = make_agent("bob", team=team, limit=1)
    first = services.start_chat(name="A", email="a@example.org", team=team)
    services.accept_chat(session_id=first.pk, agent=alex)
    second = services.start_chat(name="B", email="b@example.org", team=team)
    services.accept_chat(session_id=second.pk, agent=bob)
    services.close_chat(session_id=second.pk, by=bob, summary="Done")
    third = services.start_chat(name="C", email="c@example.org", team=team)
    assert offered(bob) == [third.pk]
    change_presence(agent=bob, presence=Presence.AWAY)  # bob leaves; third waits unoffered
    services.transfer_chat(session_id=first.pk, by=alex, to_agent=bob)
    assert offered(alex) == [third.pk]


def test_the_sweep_offers_waiting_chats_when_a_supervisor_raises_a_limit(policy, team):
    alex = make_agent("alex", team=team, limit=0)  # taken off chat
    chat = services.start_chat(name="A", email="a@example.org", team=team)
    console_opened(agent=alex, channel_name="c1")
    assert offered(alex) == []
    AgentProfile.objects.filter(user=alex).update(max_concurrent_chats=2)  # the admin
    sweep_presence()
    assert offered(alex) == [chat.pk]


def test_the_last_console_closing_makes_an_online_agent_away(policy, team):
    alex = make_agent("alex", team=team)
    now = timezone.now()
    console_opened(agent=alex, channel_name="tab-1", now=now)
    console_opened(agent=alex, channel_name="tab-2", now=now)
    chat = services.start_chat(name="A", email="a@example.org", team=team)
    assert console_closed(agent=alex, channel_name="tab-1", now=now) == Presence.ONLINE
    assert offered(alex) == [chat.pk]
    assert console_closed(agent=alex, channel_name="tab-2", now=now) == Presence.AWAY
    assert presence(alex) == Presence.AWAY and offered(alex) == []
    assert not ConsoleSocket.objects.exists()


def test_a_silent_console_does_not_keep_the_agent_online(policy, team):
    alex = make_agent("alex", team=team)
    now = timezone.now()
    console_opened(agent=alex, channel_name="tab-1", now=now)
    console_opened(agent=alex, channel_name="dead", now=now - 2 * TIMEOUT)  # a crashed server
    assert console_closed(agent=alex, channel_name="tab-1", now=now) == Presence.AWAY


@override_settings(CHAT_HEARTBEAT_TIMEOUT_SECONDS=60)
def test_an_agent_whose_heartbeat_is_older_than_the_timeout_goes_offline(policy, team):
    start = timezone.now()
    alex = make_agent("alex", team=team, presence_changed_at=start)
    bob = make_agent("bob", team=team, presence_changed_at=start)
    console_opened(agent=alex, channel_name="alex-tab", now=start)
    console_opened(agent=bob, channel_name="bob-tab", now=start)
    chat = services.start_chat(name="A", email="a@example.org", team=team, now=start)
    assert chat.offered_to in (alex, bob)

    console_heartbeat(agent=bob, channel_name="bob-tab", now=start + timedelta(seconds=40))
    assert sweep_presence(now=start + timedelta(seconds=59)) == 0  # both within the timeout
    assert sweep_presence(now=start + timedelta(seconds=61)) == 1  # alex fell silent

    assert (presence(alex), presence(bob)) == (Presence.OFFLINE, Presence.ONLINE)
    assert offered(alex) == [] and offered(bob) == [chat.pk]  # alex's offer went to bob
    assert not ConsoleSocket.objects.filter(agent=alex).exists()
    assert sweep_presence(now=start + timedelta(seconds=61)) == 0  # safe to repeat
    assert sweep_presence(now=start + timedelta(seconds=101)) == 1  # bob's last beat: +40 s


def test_an_agent_just_set_online_is_not_swept_before_the_timeout(policy, team):
    start = timezone.now()
    alex = make_agent("alex", team=team, presence_changed_at=start)  # no console yet
    assert sweep_presence(now=start + timedelta(seconds=30)) == 0
    assert presence(alex) == Presence.ONLINE
    assert sweep_presence(now=start + TIMEOUT + timedelta(seconds=1)) == 1
    assert presence(alex) == Presence.OFFLINE


def test_a_heartbeat_after_the_sweep_records_the_console_again(policy, team):
    alex = make_agent("alex", team=team)
    start = timezone.now()
    console_opened(agent=alex, channel_name="tab", now=start)
    sweep_presence(now=start + 2 * TIMEOUT)
    console_heartbeat(agent=alex, channel_name="tab", now=start + 2 * TIMEOUT)
    assert ConsoleSocket.objects.filter(agent=alex, channel_name="tab").exists()


def test_presence_must_be_one_of_the_three(policy, team):
    alex = make_agent("alex", team=team)
    with pytest.raises(Exception, match="not a presence"):
        change_presence(agent=alex, presence="asleep")
    stranger = make_agent("x", team=team)
    AgentProfile.objects.filter(user=stranger).delete()
    with pytest.raises(services.NotAllowed):
        change_presence(agent=stranger, presence=Presence.ONLINE)


def test_an_offline_agent_is_offered_nothing(policy, team):
    alex = make_agent("alex", team=team, presence=Presence.OFFLINE)
    waiting_chats(1, team=team)
    assert offer_waiting_chats(agent=alex) == []


def test_beat_runs_the_presence_sweep_every_heartbeat():
    from config.settings import base

    entry = base.CELERY_BEAT_SCHEDULE["chat-presence"]
    assert entry["task"] == "chat.tasks.sweep_presence"
    assert entry["schedule"] == float(base.CHAT_HEARTBEAT_SECONDS)
