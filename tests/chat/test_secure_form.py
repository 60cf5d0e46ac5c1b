"""The secure form: encrypted at rest, never in the chat, shown only to the handling agent and
their own supervisor with every showing logged, purged after the retention period.

The value used is one masking would NOT hide (an account reference), so a leak of the value
itself shows: masking a card number in the transcript would hide a leaked card number too.
Escalation notes are masked like chat lines (their own leak test is at the end)."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings

from chat import services
from chat.models import SecureDetail, SecureDetailView
from chat.redaction import MASKS, redact
from helpdesk.access import AccessDenied
from helpdesk.models import Interaction, Notification, Role
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import (  # noqa: F401 (redis_layer is a fixture)
    agent_socket,
    customer,
    database_sync,
    redis_layer,
    run,
    until,
)
from tests.helpdesk.factories import CustomerFactory, TeamFactory, UserFactory

SECRET = "ACCT-7731-QZ-552019"  # a made-up account reference: no mask touches it
CARD = "4111 1111 1111 1111"


def test_the_secret_is_one_masking_would_not_hide():
    assert redact(SECRET).text == SECRET
    assert redact(f"my reference is {SECRET}").kinds == ()


@pytest.fixture
def handled(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    return chat


def everything_said(chat) -> str:
    """All the chat left behind in the database as text: its lines, the transcript, the
    customer's history, notifications, the session's own fields."""
    chat.refresh_from_db()
    parts = [services.transcript(chat), chat.summary, chat.escalation_notes, chat.question]
    parts += list(chat.messages.values_list("text", flat=True))
    parts += list(Interaction.objects.values_list("summary", flat=True))
    parts += list(Notification.objects.values_list("message", flat=True))
    return "\n".join(parts)


def test_details_are_encrypted_and_kept_out_of_the_chat(handled, agent):
    detail = services.submit_secure_details(session_id=handled.pk, label="Account", value=SECRET)
    stored = SecureDetail.objects.get(pk=detail.pk)
    assert SECRET not in stored.ciphertext and "552019" not in stored.ciphertext
    assert handled.messages.filter(text__contains='sent "Account" through the secure form').exists()
    services.close_chat(session_id=handled.pk, by=agent, summary="Account checked")
    said = everything_said(handled)
    assert "552019" not in said and "ACCT" not in said
    assert services.reveal_secure_detail(detail_id=detail.pk, user=agent) == SECRET
    assert SecureDetailView.objects.filter(detail=detail, viewer=agent).count() == 1


def test_nor_in_a_follow_up_ticket_or_an_escalation(policy, team):
    supervisor = make_agent("sam", team=team, role=Role.SUPERVISOR)
    agent = make_agent("ann", team=team, supervisor=supervisor)
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.submit_secure_details(session_id=chat.pk, label="Account", value=SECRET)
    ticket = services.convert_to_ticket(session_id=chat.pk, by=agent)
    services.escalate_chat(session_id=chat.pk, by=agent, notes="Needs a refund")
    assert not ticket.messages.filter(text__contains="552019").exists()
    assert "552019" not in everything_said(chat)


@pytest.fixture
def people(policy):
    """A chat of the Support team handled by Ann, whose own supervisor is Sam, and everyone
    else the rule names: by relation."""
    support, billing = TeamFactory(name="Support"), TeamFactory(name="Billing")
    sam = make_agent("sam", team=support, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=support, supervisor=sam)
    customer_login = UserFactory(username="carl")
    CustomerFactory(user=customer_login, email="carl@example.org")
    return {
        "handling agent": ann,
        "their supervisor": sam,
        "agent of the team": make_agent("olga", team=support),
        "agent of another team": make_agent("bob", team=billing),
        "supervisor of another team": make_agent("sue", team=billing, role=Role.SUPERVISOR),
        "manager": make_agent("mia", role=Role.MANAGER),
        "customer with a login": customer_login,
        "support": support,
    }


SEES = {"handling agent", "their supervisor"}


def test_only_the_handling_agent_and_their_own_supervisor_see_it(people):
    chat = services.start_chat(name="C", email="c@example.org", team=people["support"])
    services.accept_chat(session_id=chat.pk, agent=people["handling agent"])
    detail = services.submit_secure_details(session_id=chat.pk, label="Account", value=SECRET)
    answers = {}
    for who, user in people.items():
        if who == "support":
            continue
        try:
            answers[who] = services.reveal_secure_detail(detail_id=detail.pk, user=user)
        except AccessDenied:
            answers[who] = "refused"
    assert answers == {who: SECRET if who in SEES else "refused" for who in answers}
    viewers = set(SecureDetailView.objects.filter(detail=detail).values_list("viewer", flat=True))
    assert viewers == {people[who].pk for who in SEES}  # refusals leave no record of a view


def test_the_reveal_page_answers_by_the_same_rule(client, people):
    chat = services.start_chat(name="C", email="c@example.org", team=people["support"])
    services.accept_chat(session_id=chat.pk, agent=people["handling agent"])
    detail = services.submit_secure_details(session_id=chat.pk, label="Account", value=SECRET)
    reveal = f"/desk/chat/secure/{detail.pk}/reveal/"
    assert client.post(reveal).status_code == 302  # to the login
    statuses = {}
    for who, user in people.items():
        if who == "support":
            continue
        client.force_login(user)
        response = client.post(reveal)
        statuses[who] = response.status_code
        if response.status_code == 200:
            assert response.json() == {"value": SECRET}
            assert response["Cache-Control"] == "no-store"
        else:
            assert SECRET.encode() not in response.content
    assert statuses == {who: 200 if who in SEES else 403 for who in statuses}
    assert SecureDetailView.objects.filter(detail=detail).count() == len(SEES)
    client.force_login(people["handling agent"])
    assert client.post("/desk/chat/secure/999999/reveal/").status_code == 404


def test_taking_the_chat_over_by_transfer_is_refused_to_another_agent(client, people):
    """The attack of issue 11: a second agent transfers the chat to themselves, then reads the
    detail. Both steps are refused; the chat stays with its agent."""
    chat = services.start_chat(name="C", email="c@example.org", team=people["support"])
    ann, olga = people["handling agent"], people["agent of the team"]
    services.accept_chat(session_id=chat.pk, agent=ann)
    detail = services.submit_secure_details(session_id=chat.pk, label="Account", value=SECRET)
    with pytest.raises(AccessDenied):
        services.transfer_chat(session_id=chat.pk, by=olga, to_agent=olga)
    chat.refresh_from_db()
    assert chat.agent == ann
    client.force_login(olga)
    response = client.post(f"/desk/chat/secure/{detail.pk}/reveal/")
    assert response.status_code == 403 and SECRET.encode() not in response.content
    assert not SecureDetailView.objects.exists()


def test_a_supervisor_who_takes_the_chat_over_sees_it(people):
    """Taking over is a supervisor's power: transferred to them, they are its agent."""
    chat = services.start_chat(name="C", email="c@example.org", team=people["support"])
    services.accept_chat(session_id=chat.pk, agent=people["handling agent"])
    detail = services.submit_secure_details(session_id=chat.pk, label="Account", value=SECRET)
    sue = people["supervisor of another team"]
    with pytest.raises(AccessDenied):
        services.reveal_secure_detail(detail_id=detail.pk, user=sue)
    services.transfer_chat(session_id=chat.pk, by=sue, to_agent=sue)
    assert services.reveal_secure_detail(detail_id=detail.pk, user=sue) == SECRET
    with pytest.raises(AccessDenied):  # the agent who had it no longer does
        services.reveal_secure_detail(detail_id=detail.pk, user=people["handling agent"])


def test_purged_after_the_retention_period(handled, agent):
    detail = services.submit_secure_details(session_id=handled.pk, label="Account", value=SECRET)
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=29)) == 0
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=30)) == 1
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=31)) == 0
    detail.refresh_from_db()
    assert detail.ciphertext == "" and detail.purged_at is not None
    with pytest.raises(services.ChatClosed):
        services.reveal_secure_detail(detail_id=detail.pk, user=agent)


def test_keys_rotate_and_a_wrong_key_reads_nothing(handled, agent):
    with override_settings(CHAT_SECURE_FORM_KEY="old-key"):
        detail = services.submit_secure_details(
            session_id=handled.pk, label="Account", value=SECRET
        )
    with override_settings(CHAT_SECURE_FORM_KEY="new-key,old-key"):
        assert services.reveal_secure_detail(detail_id=detail.pk, user=agent) == SECRET
    with override_settings(CHAT_SECURE_FORM_KEY="another"), pytest.raises(services.ChatClosed):
        services.reveal_secure_detail(detail_id=detail.pk, user=agent)


def test_the_customer_s_form(client, handled):
    url = f"/chat/secure/{services.token_for(handled)}/"
    assert client.get(url).status_code == 200
    assert client.get("/chat/secure/forged/").status_code == 404
    response = client.post(url, {"label": "Account", "value": SECRET})
    assert b"your agent has been told" in response.content
    assert SECRET.encode() not in response.content
    detail = SecureDetail.objects.get()
    assert detail.label == "Account" and SECRET not in detail.ciphertext


@pytest.mark.integration
@pytest.mark.usefixtures("redis_layer")
def test_the_value_never_reaches_a_socket():
    """The agent is told a detail arrived (its label), never its value: not in the live event,
    not in the console's hello when it reconnects, not in a resume; nor does the customer's
    socket carry it."""
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    agent = make_agent("alex")
    chat = services.start_chat(name="Ann Smith", email="ann@example.org", question="Account?")
    services.accept_chat(session_id=chat.pk, agent=agent)
    frames: list[dict] = []
    hello_again: list[dict] = []

    async def scenario():
        cust, desk = customer(chat), agent_socket(agent)
        await cust.connect()
        await desk.connect()
        frames.append(await until(desk, "hello"))
        frames.append(await until(cust, "hello"))
        await database_sync(
            services.submit_secure_details, session_id=chat.pk, label="Account", value=SECRET
        )
        while True:
            frame = await desk.receive_json_from(timeout=5)
            frames.append(frame)
            if frame["type"] == "secure":
                break
        frames.append(await until(cust, "message", sender="system"))
        await desk.disconnect()
        again = agent_socket(agent)
        await again.connect()
        hello_again.append(await until(again, "hello"))
        await again.send_json_to({"type": "resume", "session": chat.pk, "after_seq": 0})
        while (frame := await again.receive_json_from(timeout=5))["type"] != "resumed":
            frames.append(frame)
        await again.disconnect()
        await cust.disconnect()

    run(scenario)
    secure = next(f for f in frames if f["type"] == "secure")
    assert (secure["session"], secure["label"]) == (chat.pk, "Account")
    assert hello_again[0]["chats"][0]["secure"][0]["label"] == "Account"
    assert any(f["type"] == "message" and "secure form" in f["text"] for f in frames)
    wire = json.dumps(frames + hello_again)
    assert "552019" not in wire and "ACCT" not in wire


# -- escalation notes: masked like every chat line ---------------------------------------------


def test_escalation_notes_are_masked_wherever_they_go(policy, team):
    supervisor = make_agent("sam", team=team, role=Role.SUPERVISOR)
    agent = make_agent("ann", team=team, supervisor=supervisor)
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    notes = f"She read out her card {CARD} and NI AB 12 34 56 C; refund above my limit"
    services.escalate_chat(session_id=chat.pk, by=agent, notes=notes)
    chat.refresh_from_db()
    assert chat.escalation_notes == (
        f"She read out her card {MASKS['card']} and NI {MASKS['nino']}; refund above my limit"
    )
    said = everything_said(chat)
    assert "4111" not in said and "AB 12 34 56 C" not in said
    note = Notification.objects.get(recipient=supervisor, kind="chat.escalation")
    assert MASKS["card"] in note.message
    assert Interaction.objects.filter(kind="chat escalated", summary=chat.escalation_notes).exists()
