"""A customer who closes the page while waiting: their widget falls silent, and the presence
sweep (beat's `chat.tasks.sweep_presence`) ends the chat as missed, abandoned, once; its clocks
end cancelled with the reason (a target already breached stays breached), nothing escalates a
day later, the chat leaves the queue and cannot be taken. A customer whose widget keeps beating,
or an active chat, is never ended for silence. The clock is the test's (time-machine)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from chat import selectors, services, tasks
from chat.models import ChatSession, ChatStatus, EndReason, Sender
from chat.services.abandonment import customer_seen, sweep_abandoned_chats
from helpdesk.access import staff_member
from helpdesk.models import Clock, ClockEscalation, Interaction, Notification
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.policy import publish_policy_version
from helpdesk.services.sla import sweep_clocks
from tests.chat.conftest import policy_text

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
LEFT = "customer left before an answer"


@pytest.fixture
def clock_at(time_machine):
    """clock_at(seconds): the time is T0 + seconds, and stays there."""

    def move(seconds: float) -> datetime:
        moment = T0 + timedelta(seconds=seconds)
        time_machine.move_to(moment, tick=False)
        return moment

    move(0)
    return move


@pytest.fixture
def waiting(policy, team, clock_at):
    return services.start_chat(
        name="Ann Smith", email="ann@example.org", question="Where is my parcel?", team=team
    )


def clocks(chat) -> dict[str, Clock]:
    return {
        c.target: c for c in Clock.objects.filter(case_id=chat.pk, case_type__model="chatsession")
    }


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_a_customer_who_closed_the_page_is_gone_from_the_queue_and_nothing_escalates(
    waiting, agent, clock_at
):
    clock_at(91)
    tasks.sweep_presence()  # what beat runs every CHAT_HEARTBEAT_SECONDS

    waiting.refresh_from_db()
    assert (waiting.status, waiting.end_reason) == (ChatStatus.MISSED, EndReason.ABANDONED)
    assert waiting.closed_at == T0 + timedelta(seconds=91)
    assert selectors.waiting_queue(member=staff_member(agent)) == []
    ran = clocks(waiting)
    # Nobody answered in the 60 s the policy promises while the customer was there: a breach
    # that happened stays one; the resolution never came into question: cancelled.
    assert ran["chat.first_response"].outcome == ClockOutcome.BREACHED
    resolution = ran["chat.resolution"]
    assert (resolution.outcome, resolution.cancel_reason) == (ClockOutcome.CANCELLED, LEFT)
    assert all(c.state == ClockState.STOPPED for c in ran.values())
    assert not any(c.outcome == ClockOutcome.MET for c in ran.values())

    escalated_before = ClockEscalation.objects.count()
    sweep_clocks(now=T0 + timedelta(days=1))  # a day later: nothing more breaches or escalates
    assert ClockEscalation.objects.count() == escalated_before
    assert clocks(waiting)["chat.resolution"].outcome == ClockOutcome.CANCELLED
    assert not Notification.objects.filter(message__contains="manager").exists()


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_a_customer_gone_before_the_first_response_was_due_cancels_both_clocks(
    policy, team, clock_at
):
    publish_policy_version(
        document=policy_text(
            **{
                'version = "chat-24x7"': 'version = "slow-first-response"',
                "effective = 2020-01-01": "effective = 2021-01-01",
                'first_response = "60s"': 'first_response = "5m"',
            }
        ),
        approved_by="Tests",
        change_note="slow first response",
    )
    chat = services.start_chat(name="Bo", email="bo@example.org", team=team)
    clock_at(100)
    assert sweep_abandoned_chats() == 1
    ran = clocks(chat)
    assert {t: (c.outcome, c.cancel_reason) for t, c in ran.items()} == {
        "chat.first_response": (ClockOutcome.CANCELLED, LEFT),
        "chat.resolution": (ClockOutcome.CANCELLED, LEFT),
    }


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90, CHAT_HEARTBEAT_SECONDS=20)
def test_a_customer_whose_widget_keeps_beating_keeps_waiting(waiting, clock_at):
    for second in (20, 40, 60, 80, 100, 120):
        clock_at(second)
        customer_seen(session_id=waiting.pk)
        tasks.sweep_presence()
    waiting.refresh_from_db()
    assert waiting.status == ChatStatus.WAITING and waiting.customer_seen_at == clock_at(120)

    clock_at(120 + 89)
    assert sweep_abandoned_chats() == 0  # silent 89 s: maybe a reload
    clock_at(120 + 91)
    assert sweep_abandoned_chats() == 1


@override_settings(CHAT_HEARTBEAT_SECONDS=20)
def test_beats_are_written_at_most_once_per_half_interval(waiting, clock_at):
    clock_at(5)
    assert customer_seen(session_id=waiting.pk) is False  # seen at the start, 5 s ago
    clock_at(11)
    assert customer_seen(session_id=waiting.pk) is True
    assert customer_seen(session_id=waiting.pk) is False


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_the_sweep_ends_a_chat_once(waiting, clock_at):
    clock_at(200)
    assert sweep_abandoned_chats() == 1
    assert sweep_abandoned_chats() == 0
    tasks.sweep_presence()
    left = waiting.messages.filter(sender=Sender.SYSTEM, text__contains="left before")
    assert left.count() == 1
    history = Interaction.objects.filter(customer=waiting.customer, kind="chat missed")
    assert [i.summary for i in history] == ["Left before an agent answered (waited 0 s)."]


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_accepting_an_abandoned_chat_is_refused_with_a_clear_message(waiting, agent, clock_at):
    clock_at(100)
    sweep_abandoned_chats()
    with pytest.raises(services.ChatClosed, match="left before anyone answered"):
        services.accept_chat(session_id=waiting.pk, agent=agent)
    assert ChatSession.objects.get(pk=waiting.pk).agent is None


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_an_active_chat_is_never_ended_for_silence(waiting, agent, clock_at):
    services.accept_chat(session_id=waiting.pk, agent=agent)
    clock_at(3600)
    assert sweep_abandoned_chats() == 0
    waiting.refresh_from_db()
    assert waiting.status == ChatStatus.ACTIVE and waiting.end_reason == ""


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_a_chat_taken_back_to_the_queue_counts_its_silence_from_the_last_beat(
    waiting, agent, team, clock_at
):
    services.accept_chat(session_id=waiting.pk, agent=agent)
    clock_at(300)
    customer_seen(session_id=waiting.pk)
    services.transfer_chat(session_id=waiting.pk, by=agent, to_team=team)
    clock_at(350)
    assert sweep_abandoned_chats() == 0
    clock_at(391)
    assert sweep_abandoned_chats() == 1


# -- closing a chat nobody answered ------------------------------------------------------------


def test_a_chat_closed_before_the_agent_said_a_word_does_not_meet_the_first_response(
    waiting, agent, clock_at
):
    services.accept_chat(session_id=waiting.pk, agent=agent)
    clock_at(30)  # within the 60 s target, but nobody answered
    services.close_chat(session_id=waiting.pk, by=agent, summary="Customer gone")
    ran = clocks(waiting)
    assert ran["chat.first_response"].outcome == ClockOutcome.CANCELLED
    assert ran["chat.first_response"].cancel_reason == "closed before an agent answered"
    assert ran["chat.resolution"].outcome == ClockOutcome.CANCELLED


def test_a_chat_answered_and_closed_meets_its_targets(waiting, agent, clock_at):
    services.accept_chat(session_id=waiting.pk, agent=agent)
    clock_at(20)
    services.agent_says(session_id=waiting.pk, agent=agent, text="Let me check.")
    clock_at(40)
    services.close_chat(session_id=waiting.pk, by=agent, summary="Parcel re-sent")
    assert {t: c.outcome for t, c in clocks(waiting).items()} == {
        "chat.first_response": ClockOutcome.MET,
        "chat.resolution": ClockOutcome.MET,
    }


def test_a_chat_closed_unanswered_after_the_first_response_was_due_stays_breached(
    waiting, agent, clock_at
):
    services.accept_chat(session_id=waiting.pk, agent=agent)
    clock_at(120)
    services.close_chat(session_id=waiting.pk, by=agent, summary="Customer gone")
    ran = clocks(waiting)
    assert ran["chat.first_response"].outcome == ClockOutcome.BREACHED
    assert ran["chat.resolution"].outcome == ClockOutcome.CANCELLED
