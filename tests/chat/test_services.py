"""The rules of a chat: start, messages and their numbers, redaction, routing, taking, closing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chat import services
from chat.models import ChatMessage, ChatSession, ChatStatus, Redaction, Sender
from chat.redaction import MASKS
from helpdesk.models import Clock, Interaction, Notification, Presence
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.helpdesk.factories import TeamFactory
from tests.helpdesk.sla_support import eager_celery


def clock(session, target):
    return Clock.objects.get(case_id=session.pk, target=target, case_type__model="chatsession")


def test_start_chat_finds_the_customer_starts_clocks_and_records_it(agent, chat):
    assert chat.status == ChatStatus.WAITING
    assert chat.customer.email == "ann@example.org"
    assert chat.customer.name == "Ann Smith"
    assert chat.question == "My order is late"
    assert [(m.seq, m.sender, m.text) for m in chat.messages.all()] == [
        (1, Sender.CUSTOMER, "My order is late")
    ]
    first = clock(chat, "chat.first_response")
    assert first.due_at == chat.started_at + timedelta(seconds=60)
    assert clock(chat, "chat.resolution").state == ClockState.RUNNING
    assert chat.wait_notice_due_at == chat.started_at + timedelta(seconds=20)
    assert chat.offer_due_at == chat.started_at + timedelta(minutes=3)
    assert Interaction.objects.filter(customer=chat.customer, kind="chat started").exists()
    assert chat.offered_to == agent  # routed to the only online agent of the team


def test_a_returning_customer_is_recognised_by_email(chat, team):
    again = services.start_chat(name="Ann", email="ANN@example.org", team=team)
    assert again.customer == chat.customer
    assert again.last_seq == 0  # no question, no message


def test_outside_service_hours_chat_is_refused_with_the_opening_time(db):
    # The project's own policy: 08:00-22:00 London. 23:00 on a Wednesday is closed.
    late = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
    with pytest.raises(services.ChatUnavailable) as refused:
        services.start_chat(name="Ann", email="ann@example.org", now=late)
    assert refused.value.extra["opens_at"] == datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    assert not ChatSession.objects.exists()
    ticket = services.leave_message(
        name="Ann", email="ann@example.org", text="Please call me about my order", now=late
    )
    assert ticket.channel == "chat"
    assert ticket.customer.email == "ann@example.org"


def test_the_greeting_uses_the_customer_s_first_name(chat):
    assert services.greeting_for(chat) == (
        "Hi Ann, thanks for contacting Example Support Ltd. How can I help you today?"
    )


def test_messages_are_numbered_in_order_and_a_repeated_client_id_is_not_stored_twice(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    a = services.customer_says(session_id=chat.pk, text="hello", client_id="c1")
    b = services.agent_says(session_id=chat.pk, agent=agent, text="Hi Ann", client_id="a1")
    again = services.customer_says(session_id=chat.pk, text="hello", client_id="c1")
    assert (a.message.seq, b.message.seq) == (3, 4)  # 1: question, 2: "Alex joined"
    assert again.created is False and again.message.pk == a.message.pk
    assert list(chat.messages.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert [m.seq for m in services.messages_after(session=chat, after_seq=2)] == [3, 4]


def test_card_numbers_are_masked_before_storing_recorded_without_value_and_warned_once(chat):
    posted = services.customer_says(session_id=chat.pk, text="card 4111 1111 1111 1111 ok")
    assert posted.message.text == f"card {MASKS['card']} ok"
    services.customer_says(session_id=chat.pk, text="NI AB123456C")
    texts = list(chat.messages.values_list("text", flat=True))
    assert not any("4111" in t or "AB123456C" in t for t in texts)
    assert [r.kind for r in Redaction.objects.filter(session=chat)] == ["card", "nino"]
    warnings = chat.messages.filter(sender=Sender.SYSTEM, text__contains="secure form")
    assert warnings.count() == 1


def test_message_size_and_rate_are_limited(chat):
    with pytest.raises(ValidationError):
        services.customer_says(session_id=chat.pk, text="x" * 2001)
    with pytest.raises(ValidationError):
        services.customer_says(session_id=chat.pk, text="   ")
    now = datetime.now(UTC)
    with override_settings(CHAT_RATE_LIMIT=3, CHAT_RATE_WINDOW_SECONDS=10):
        for i in range(2):  # the question counts as the first
            services.customer_says(session_id=chat.pk, text=f"m{i}", now=now)
        with pytest.raises(services.RateLimited):
            services.customer_says(session_id=chat.pk, text="one too many", now=now)
        services.customer_says(session_id=chat.pk, text="later", now=now + timedelta(seconds=11))


def test_the_agent_s_first_message_meets_first_response(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    assert clock(chat, "chat.first_response").assignee == agent
    services.agent_says(session_id=chat.pk, agent=agent, text=services.greeting_for(chat))
    first = clock(chat, "chat.first_response")
    assert (first.state, first.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    chat.refresh_from_db()
    assert chat.first_response_at is not None


def test_only_the_handling_agent_writes_and_nobody_writes_in_a_waiting_chat(chat, agent, team):
    other = make_agent("olga", team=team)
    with pytest.raises(services.ChatClosed):
        services.agent_says(session_id=chat.pk, agent=agent, text="too early")
    services.accept_chat(session_id=chat.pk, agent=agent)
    with pytest.raises(services.NotAllowed):
        services.agent_says(session_id=chat.pk, agent=other, text="not mine")


def test_routing_offers_to_the_agent_with_fewest_active_chats_under_their_limit(policy, team):
    busy = make_agent("busy", team=team)
    free = make_agent("free", team=team)
    make_agent("away", team=team, presence=Presence.AWAY)
    make_agent("elsewhere")  # online, other team
    first = services.start_chat(name="A", email="a@example.org", team=team)
    services.accept_chat(session_id=first.pk, agent=busy)
    second = services.start_chat(name="B", email="b@example.org", team=team)
    assert second.offered_to == free
    services.accept_chat(session_id=second.pk, agent=free)
    services.accept_chat(
        session_id=services.start_chat(name="C", email="c@example.org", team=team).pk, agent=free
    )
    assert services.start_chat(name="D", email="d@example.org", team=team).offered_to == busy


def test_an_agent_at_their_limit_is_not_offered_and_cannot_accept(policy, team):
    solo = make_agent("solo", team=team, limit=1)
    one = services.start_chat(name="A", email="a@example.org", team=team)
    services.accept_chat(session_id=one.pk, agent=solo)
    two = services.start_chat(name="B", email="b@example.org", team=team)
    assert two.offered_to is None  # waits in the queue
    with pytest.raises(services.AtLimit):
        services.accept_chat(session_id=two.pk, agent=solo)


def test_a_taken_chat_cannot_be_accepted_again(chat, agent, team):
    services.accept_chat(session_id=chat.pk, agent=agent)
    with pytest.raises(services.AlreadyTaken):
        services.accept_chat(session_id=chat.pk, agent=make_agent("late", team=team))


def test_transfer_to_an_agent_and_to_a_team(chat, agent, team):
    services.accept_chat(session_id=chat.pk, agent=agent)
    bob = make_agent("bob", team=team)
    services.transfer_chat(session_id=chat.pk, by=agent, to_agent=bob)
    chat.refresh_from_db()
    assert chat.agent == bob and chat.status == ChatStatus.ACTIVE
    assert clock(chat, "chat.first_response").assignee == bob
    billing = TeamFactory(name="Billing")
    carla = make_agent("carla", team=billing)
    services.transfer_chat(session_id=chat.pk, by=bob, to_team=billing)
    chat.refresh_from_db()
    assert (chat.status, chat.agent, chat.team, chat.offered_to) == (
        ChatStatus.WAITING,
        None,
        billing,
        carla,
    )


def test_escalation_needs_notes_and_notifies_the_supervisor(policy, team):
    supervisor = make_agent("sam", team=team, role="supervisor")
    agent = make_agent("ann", team=team)
    agent.agent_profile.supervisor = supervisor
    agent.agent_profile.save()
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    with pytest.raises(ValidationError):
        services.escalate_chat(session_id=chat.pk, by=agent, notes="  ")
    services.escalate_chat(session_id=chat.pk, by=agent, notes="Refund over my limit")
    chat.refresh_from_db()
    assert chat.escalated_to == supervisor
    assert chat.escalation_notes == "Refund over my limit"
    assert Notification.objects.filter(recipient=supervisor, kind="chat.escalation").exists()
    assert Interaction.objects.filter(kind="chat escalated", summary="Refund over my limit")


def test_convert_to_ticket_once_with_the_transcript(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.customer_says(session_id=chat.pk, text="card 4111111111111111")
    ticket = services.convert_to_ticket(session_id=chat.pk, by=agent, subject="Late order")
    assert services.convert_to_ticket(session_id=chat.pk, by=agent) == ticket
    assert (ticket.customer, ticket.assignee, ticket.subject) == (
        chat.customer,
        agent,
        "Late order",
    )
    note = ticket.messages.get(direction="internal")  # (the other: the acknowledgement)
    assert "My order is late" in note.text and "4111" not in note.text


def test_close_after_the_customer_confirms_records_summary_and_transcript(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.agent_says(session_id=chat.pk, agent=agent, text="It ships today.")
    with pytest.raises(ValidationError):
        services.ask_to_confirm(session_id=chat.pk, by=agent, summary="")
    services.ask_to_confirm(session_id=chat.pk, by=agent, summary="Order ships today")
    services.confirm_resolved(session_id=chat.pk, resolved=True)
    chat.refresh_from_db()
    assert chat.status == ChatStatus.CLOSED
    assert chat.customer_confirmed_resolved is True
    assert chat.summary == "Order ships today"
    assert not Clock.objects.filter(
        case_id=chat.pk, case_type__model="chatsession", state=ClockState.RUNNING
    ).exists()
    record = Interaction.objects.get(customer=chat.customer, kind="chat closed")
    assert "Order ships today" in record.summary and "It ships today." in record.summary
    assert record.agent == agent
    with pytest.raises(services.ChatClosed):
        services.customer_says(session_id=chat.pk, text="one more thing")


def test_not_resolved_keeps_the_chat_going_and_the_agent_may_close_unconfirmed(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.ask_to_confirm(session_id=chat.pk, by=agent, summary="Explained shipping")
    services.confirm_resolved(session_id=chat.pk, resolved=False)
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE
    services.close_chat(session_id=chat.pk, by=agent, summary="Customer left")
    chat.refresh_from_db()
    assert (chat.status, chat.customer_confirmed_resolved) == (ChatStatus.CLOSED, None)


def test_wait_notice_and_offer_are_sent_once_when_due(chat):
    early = chat.started_at + timedelta(seconds=19)
    assert services.send_wait_notice(session_id=chat.pk, now=early) is False
    at = chat.started_at + timedelta(seconds=20)
    assert services.send_wait_notice(session_id=chat.pk, now=at) is True
    assert services.send_wait_notice(session_id=chat.pk, now=at) is False
    notice = chat.messages.filter(sender=Sender.SYSTEM).last()
    assert "An agent will be with you in about 1 minute" in notice.text
    assert services.offer_message(session_id=chat.pk, now=at) is False
    later = chat.started_at + timedelta(minutes=3)
    assert services.offer_message(session_id=chat.pk, now=later) is True
    assert services.offer_message(session_id=chat.pk, now=later) is False
    assert "leave us a message" in chat.messages.last().text


def test_the_sweep_sends_what_a_lost_task_did_not(chat, policy, team):
    second = services.start_chat(name="B", email="b@example.org", team=team)
    at = second.started_at + timedelta(minutes=3)
    assert services.sweep_chat_timers(now=at) == 4  # two notices, two offers
    assert services.sweep_chat_timers(now=at) == 0
    # The second in the queue is told a longer wait than the first.
    notice = second.messages.get(sender=Sender.SYSTEM, text__contains="about")
    assert "about 2 minutes" in notice.text


def test_no_notice_once_accepted(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    assert services.sweep_chat_timers(now=chat.started_at + timedelta(minutes=5)) == 0


def test_leaving_a_message_from_the_queue_makes_a_ticket_and_ends_the_chat(chat):
    ticket = services.leave_message(session_id=chat.pk, text="Call me", callback_phone="0207946000")
    chat.refresh_from_db()
    assert (chat.status, chat.ticket) == (ChatStatus.MISSED, ticket)
    assert (ticket.channel, ticket.subject) == ("phone", "Callback request from Ann Smith")
    # The number is on the chat and the callback as given, not written on the customer's record.
    assert chat.phone_given == "0207946000" and chat.customer.phone == ""
    assert ticket.callback_requests.get().number == "0207946000"
    assert not Clock.objects.filter(
        case_id=chat.pk, case_type__model="chatsession", state=ClockState.RUNNING
    ).exists()


def test_a_chat_keeps_the_policy_version_it_started_under(chat, policy):
    publish_policy_version(
        document=policy_text(**{'version = "chat-24x7"': 'version = "2"'})
        .replace("effective = 2020-01-01", "effective = 2021-01-01")
        .replace('first_response = "60s"', 'first_response = "30s"', 1),
        approved_by="Tests",
        change_note="faster",
    )
    assert chat.policy_version == policy
    assert ChatMessage.objects.filter(session=chat).count() == 1


def test_tokens_open_their_own_chat_only(chat, team):
    token = services.token_for(chat)
    assert services.access_session_by_token(token) == chat
    other = services.start_chat(name="B", email="b@example.org", team=team)
    assert services.access_session_by_token(services.token_for(other)) == other
    assert services.access_session_by_token(token[:-2] + "xx") is None
    assert services.access_session_by_token(str(chat.key)) is None


def test_the_transcript_is_emailed_on_request_redacted(
    chat, agent, mailoutbox, django_capture_on_commit_callbacks
):
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.customer_says(session_id=chat.pk, text="card 4111111111111111")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        services.request_transcript(session_id=chat.pk)
    assert [m.to for m in mailoutbox] == [["ann@example.org"]]
    body = mailoutbox[0].body
    assert "My order is late" in body and "Alex joined the chat." in body
    assert "4111" not in body
