"""The secure form: encrypted at rest, never in the chat, shown only to the handling agent and
their supervisor with every showing logged, purged after the retention period."""

from datetime import timedelta

import pytest
from django.test import override_settings

from chat import services
from chat.models import SecureDetail, SecureDetailView
from helpdesk.models import Role
from tests.chat.conftest import make_agent

CARD = "4111 1111 1111 1111"


@pytest.fixture
def handled(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    return chat


def test_details_are_encrypted_and_kept_out_of_the_chat(handled, agent):
    detail = services.submit_secure_details(session_id=handled.pk, label="Card", value=CARD)
    stored = SecureDetail.objects.get(pk=detail.pk)
    assert CARD not in stored.ciphertext and "4111" not in stored.ciphertext
    assert not handled.messages.filter(text__contains="4111").exists()
    assert handled.messages.filter(text__contains='sent "Card" through the secure form').exists()
    assert "4111" not in services.transcript(handled)
    assert services.reveal_secure_detail(detail_id=detail.pk, user=agent) == CARD
    assert SecureDetailView.objects.filter(detail=detail, viewer=agent).count() == 1


def test_only_the_handling_agent_and_their_supervisor_see_it(policy, team):
    supervisor = make_agent("sam", team=team, role=Role.SUPERVISOR)
    agent = make_agent("ann", team=team)
    agent.agent_profile.supervisor = supervisor
    agent.agent_profile.save()
    other = make_agent("olga", team=team)
    manager = make_agent("mia", role=Role.MANAGER)
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    detail = services.submit_secure_details(session_id=chat.pk, label="NI", value="AB123456C")
    assert services.reveal_secure_detail(detail_id=detail.pk, user=supervisor) == "AB123456C"
    for stranger in (other, manager):
        with pytest.raises(services.NotAllowed):
            services.reveal_secure_detail(detail_id=detail.pk, user=stranger)
    assert SecureDetailView.objects.filter(detail=detail).count() == 1


def test_purged_after_the_retention_period(handled, agent):
    detail = services.submit_secure_details(session_id=handled.pk, label="Card", value=CARD)
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=29)) == 0
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=30)) == 1
    assert services.purge_secure_details(now=detail.created_at + timedelta(days=31)) == 0
    detail.refresh_from_db()
    assert detail.ciphertext == "" and detail.purged_at is not None
    with pytest.raises(services.ChatClosed):
        services.reveal_secure_detail(detail_id=detail.pk, user=agent)


def test_keys_rotate_and_a_wrong_key_reads_nothing(handled, agent):
    with override_settings(CHAT_SECURE_FORM_KEY="old-key"):
        detail = services.submit_secure_details(session_id=handled.pk, label="Card", value=CARD)
    with override_settings(CHAT_SECURE_FORM_KEY="new-key,old-key"):
        assert services.reveal_secure_detail(detail_id=detail.pk, user=agent) == CARD
    with override_settings(CHAT_SECURE_FORM_KEY="another"), pytest.raises(services.ChatClosed):
        services.reveal_secure_detail(detail_id=detail.pk, user=agent)


def test_the_pages(client, handled, agent):
    url = f"/chat/secure/{services.token_for(handled)}/"
    assert client.get(url).status_code == 200
    assert client.get("/chat/secure/forged/").status_code == 404
    response = client.post(url, {"label": "Card", "value": CARD})
    assert b"your agent has been told" in response.content
    detail = SecureDetail.objects.get()
    reveal = f"/desk/chat/secure/{detail.pk}/reveal/"
    assert client.post(reveal).status_code == 302  # to the login
    client.force_login(agent)
    response = client.post(reveal)
    assert response.json() == {"value": CARD}
    assert response["Cache-Control"] == "no-store"
    client.force_login(make_agent("olga"))
    assert client.post(reveal).status_code == 403
