"""`chat.acknowledge`: the widget's automatic line with the queue position, within D of the
start; an agent's line first meets it (issue #12, item 3)."""

from datetime import timedelta

import pytest

from chat import services
from chat.models import Sender
from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.policy import publish_policy_version
from helpdesk.services.sla import check_clock, sweep_clocks
from tests.chat.conftest import policy_text

pytestmark = pytest.mark.django_db


def chat_policy(acknowledge: str):
    return publish_policy_version(
        document=policy_text(
            **{"[channels.chat]\n": f'[channels.chat]\nacknowledge = "{acknowledge}"\n'}
        ),
        approved_by="Tests",
        change_note="chat acknowledges",
    )


def ack_lines(session) -> list[str]:
    return list(
        session.messages.filter(sender=Sender.SYSTEM, text__contains="in the queue").values_list(
            "text", flat=True
        )
    )


def ack_clock(session) -> Clock:
    return Clock.objects.get(
        case_id=session.pk, case_type__model="chatsession", target="chat.acknowledge"
    )


def start(team, name="Ann"):
    return services.start_chat(name=name, email=f"{name.lower()}@example.org", team=team)


def test_at_once_the_customer_is_told_their_place_in_the_queue(db, team):
    chat_policy("0s")
    first, second = start(team), start(team, "Bo")

    assert ack_lines(second) == ["Thank you: we have your chat. You are number 2 in the queue."]
    assert len(ack_lines(first)) == 1
    clock = ack_clock(second)
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)


def test_within_thirty_seconds_the_line_goes_when_they_have_passed(db, team):
    chat_policy("30s")
    chat = start(team)
    clock = ack_clock(chat)
    assert ack_lines(chat) == [] and clock.due_at == chat.started_at + timedelta(seconds=30)

    check_clock(clock_id=clock.pk, now=clock.due_at)
    sweep_clocks(now=clock.due_at + timedelta(seconds=5))

    assert ack_lines(chat) == ["Thank you: we have your chat. You are number 1 in the queue."]
    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.MET


def test_an_agent_s_first_line_within_the_time_meets_it(db, team):
    chat_policy("30s")
    from tests.chat.conftest import make_agent

    agent = make_agent("alex", team=team)
    chat = start(team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.agent_says(session_id=chat.pk, agent=agent, text="Hello Ann")

    sweep_clocks(now=chat.started_at + timedelta(minutes=1))

    assert ack_lines(chat) == []
    assert ack_clock(chat).outcome == ClockOutcome.MET
