"""Escalating a chat and taking it over (issue #12, item 5): a chat escalates by the same rule as a
ticket (`helpdesk.selectors.escalation`), whoever is online; the customer is told a supervisor
has been asked to help, and that one has joined only when one takes the chat over; the
notification opens the chat in the console; a supervisor or a manager takes the chat over."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from chat import selectors, services
from chat.models import ChatSession, ChatStatus, Sender
from chat.services.takeover import take_over_chat
from helpdesk.access import AccessDenied
from helpdesk.models import Clock, Interaction, Notification, Presence, Role
from helpdesk.models.sla import ClockState
from helpdesk.selectors.cases import case_link
from tests.chat.conftest import make_agent
from tickets.services import escalate_ticket, open_ticket

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def active_chat(team, agent, email="cat@example.org") -> ChatSession:
    chat = services.start_chat(name="Cat", email=email, question="Refund?", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    return ChatSession.objects.get(pk=chat.pk)


def system_lines(chat) -> list[str]:
    return list(
        chat.messages.filter(sender=Sender.SYSTEM).order_by("seq").values_list("text", flat=True)
    )


def recipients(kind: str) -> list[str]:
    rows = Notification.objects.filter(kind=kind).order_by("pk")
    return list(rows.values_list("recipient__username", flat=True))


# -- one rule for every channel ----------------------------------------------------------------


def test_a_chat_escalates_to_the_team_s_supervisor_who_is_away(policy, team):
    """Refused before ("Nobody supervises you") when no supervisor of the team was online."""
    make_agent("sam", team=team, role=Role.SUPERVISOR, presence=Presence.AWAY)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)

    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")

    chat.refresh_from_db()
    assert chat.escalated_to.username == "sam"
    assert recipients("chat.escalation") == ["sam"]


def test_with_no_supervisor_a_chat_escalates_to_the_managers(policy, team):
    make_agent("mia", role=Role.MANAGER, presence=Presence.OFFLINE)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)

    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")

    assert ChatSession.objects.get(pk=chat.pk).escalated_to.username == "mia"
    assert recipients("chat.escalation") == ["mia"]


@pytest.mark.parametrize("own_supervisor", [True, False])
def test_a_chat_and_a_ticket_reach_the_same_people(policy, team, own_supervisor):
    sam = make_agent("sam", role=Role.SUPERVISOR, presence=Presence.OFFLINE)
    make_agent("kate", team=team, role=Role.SUPERVISOR, presence=Presence.ONLINE)
    make_agent("kim", team=team, role=Role.SUPERVISOR, presence=Presence.OFFLINE)
    ann = make_agent("ann", team=team, supervisor=sam if own_supervisor else None)
    chat = active_chat(team, ann)
    ticket = open_ticket(
        customer=chat.customer, subject="Refund", channel="email", acknowledge=False
    )

    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")
    escalate_ticket(ticket=ticket, actor=ann, notes="Refund over my limit")

    chat_people, ticket_people = recipients("chat.escalation"), recipients("ticket.escalation")
    assert sorted(chat_people) == sorted(ticket_people)
    assert chat_people == (["sam"] if own_supervisor else ["kate", "kim"])  # online first
    chat.refresh_from_db()
    assert chat.escalated_to.username == chat_people[0]


def test_an_escalation_with_nobody_to_reach_is_refused_and_changes_nothing(policy, team):
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)
    with pytest.raises(services.ChatClosed, match="nobody to escalate to"):
        services.escalate_chat(session_id=chat.pk, by=ann, notes="Help")
    assert ChatSession.objects.get(pk=chat.pk).escalated_to is None
    assert not Notification.objects.exists()


# -- what the customer is told, what the notification opens -----------------------------------


def test_the_customer_is_told_a_supervisor_was_asked_not_that_one_took_over(policy, team):
    make_agent("sam", team=team, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)

    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")

    last = system_lines(chat)[-1]
    assert "asked a supervisor to help" in last
    assert "Ann" in last  # who stays with them meanwhile
    assert "passed to a supervisor" not in " ".join(system_lines(chat))
    assert ChatSession.objects.get(pk=chat.pk).agent == ann  # still Ann's chat


def test_the_notification_opens_the_chat_in_the_console(policy, team):
    make_agent("sam", team=team, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)

    services.escalate_chat(session_id=chat.pk, by=ann, notes="Card 4111 1111 1111 1111 declined")

    note = Notification.objects.get(kind="chat.escalation")
    assert note.url == f"{reverse('chat:console')}?session={chat.pk}"
    assert f"escalated the chat with {chat.customer}" in note.message  # not "chat 12"
    # Its deadlines name it the same way and open it in the console too.
    link = case_link(ContentType.objects.get_for_model(ChatSession).pk, chat.pk)
    assert (link.label, link.url) == (f"Chat with {chat.customer.name}", note.url)
    assert "4111" not in note.message  # the notes are masked like chat lines
    assert "4111" not in ChatSession.objects.get(pk=chat.pk).escalation_notes


def test_escalation_notes_are_still_required(policy, team):
    make_agent("sam", team=team, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)
    with pytest.raises(ValidationError):
        services.escalate_chat(session_id=chat.pk, by=ann, notes="   ")


# -- taking a chat over -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER])
def test_a_supervisor_or_manager_takes_the_chat_over(policy, team, role):
    boss = make_agent("sam", team=team, role=role, presence=Presence.AWAY, limit=1)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)
    make_agent("other", role=Role.SUPERVISOR)
    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")

    take_over_chat(session_id=chat.pk, by=boss, now=NOW)

    chat.refresh_from_db()
    assert (chat.agent, chat.status) == (boss, ChatStatus.ACTIVE)
    title = {Role.SUPERVISOR: "a supervisor", Role.MANAGER: "a manager"}[role]
    assert (
        system_lines(chat)[-1] == f"Sam, {title}, has joined the chat and will help you from here."
    )
    running = Clock.objects.filter(case_id=chat.pk, case_type__model="chatsession").exclude(
        state=ClockState.STOPPED
    )
    assert running.exists() and {c.assignee_id for c in running} == {boss.pk}
    taken = Interaction.objects.get(kind="chat taken over")
    assert (taken.agent, taken.occurred_at, taken.customer) == (boss, NOW, chat.customer)
    assert "Ann" in taken.summary
    # The new handler writes; the old one no longer does.
    services.agent_says(session_id=chat.pk, agent=boss, text="Hello, I am Sam.")
    with pytest.raises(services.NotAllowed):
        services.agent_says(session_id=chat.pk, agent=ann, text="Still here?")


def test_a_take_over_needs_no_room_under_the_chat_limit(policy, team):
    """A supervisor steps in whatever they hold: taking over is not routing."""
    sam = make_agent("sam", team=team, role=Role.SUPERVISOR, limit=1)
    ann = make_agent("ann", team=team, limit=5)
    active_chat(team, sam, email="first@example.org")
    chat = active_chat(team, ann)
    take_over_chat(session_id=chat.pk, by=sam)
    assert ChatSession.objects.get(pk=chat.pk).agent == sam


def test_an_agent_cannot_take_over_another_s_chat(policy, team):
    ann, olga = make_agent("ann", team=team), make_agent("olga", team=team)
    chat = active_chat(team, ann)
    for who in (olga, ann):
        with pytest.raises(AccessDenied):
            take_over_chat(session_id=chat.pk, by=who)
    assert ChatSession.objects.get(pk=chat.pk).agent == ann


def test_only_an_active_chat_is_taken_over(policy, team):
    sam = make_agent("sam", team=team, role=Role.SUPERVISOR)
    waiting = services.start_chat(name="Cat", email="cat@example.org", team=team)
    with pytest.raises(services.ChatClosed):
        take_over_chat(session_id=waiting.pk, by=sam)
    chat = active_chat(team, make_agent("ann", team=team), email="dan@example.org")
    take_over_chat(session_id=chat.pk, by=sam)
    with pytest.raises(services.ChatClosed, match="already yours"):
        take_over_chat(session_id=chat.pk, by=sam)


def test_the_old_agent_is_offered_waiting_chats_again(policy, team):
    sam = make_agent("sam", team=team, role=Role.SUPERVISOR, presence=Presence.OFFLINE)
    ann = make_agent("ann", team=team, limit=1)
    chat = active_chat(team, ann)
    waiting = services.start_chat(name="Dee", email="dee@example.org", team=team)
    assert ChatSession.objects.get(pk=waiting.pk).offered_to is None  # Ann is full

    take_over_chat(session_id=chat.pk, by=sam)

    assert ChatSession.objects.get(pk=waiting.pk).offered_to == ann


def test_an_escalation_taken_over_by_another_supervisor_leaves_the_list(policy, team):
    kate = make_agent("kate", team=team, role=Role.SUPERVISOR, presence=Presence.ONLINE)
    kim = make_agent("kim", team=team, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=team)
    chat = active_chat(team, ann)
    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund over my limit")
    assert selectors.escalations_for(user=kate) == [
        {"session": chat.pk, "by": "Ann", "notes": "Refund over my limit"}
    ]

    take_over_chat(session_id=chat.pk, by=kim)

    assert selectors.escalations_for(user=kate) == []


@pytest.mark.parametrize("value", ["1", "abc", "", "-5", "9" * 40])
def test_the_console_opens_with_any_session_in_its_link(policy, team, client, value):
    """The link's `session` is read by the console's script and checked by the socket's rule:
    the page itself serves every value, never a 500."""
    client.force_login(make_agent("sam", team=team, role=Role.SUPERVISOR))
    response = client.get(reverse("chat:console"), {"session": value})
    assert response.status_code == 200
    assert b'id="console-notice"' in response.content
