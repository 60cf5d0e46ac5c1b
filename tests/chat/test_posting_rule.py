"""Who may post in which chat state: one rule (`chat.services.posting`), and both ways a line is
stored (the one-statement SQL path and the locked Python path) give its answer, for every
state and every kind of author, including an agent whose role was taken away or whose account
was closed while their console was still open (the user object they post with is stale)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from chat import services
from chat.models import ChatMessage, ChatSession, ChatStatus, Sender
from chat.services import messages
from chat.services.posting import may_post
from helpdesk.models import AgentProfile, Role
from tests.chat.conftest import make_agent

AUTHORS = (
    "customer",
    "handling agent",
    "another agent",
    "a supervisor not handling it",
    "handling agent, account closed since",
    "handling agent, role taken away since",
)


def expected(status: str, author: str) -> bool:
    if author == "customer":
        return status in (ChatStatus.WAITING, ChatStatus.ACTIVE)
    return author == "handling agent" and status == ChatStatus.ACTIVE


@pytest.fixture
def chat_in(policy):
    """chat_in(status, author) -> (session, sender, user): an answered chat handled by alex,
    put in `status`, and who posts as `author` (the user as their console holds it)."""

    def make(status: str, author: str):
        alex = make_agent("alex")
        chat = services.start_chat(name="Ann", email="ann@example.org")
        services.accept_chat(session_id=chat.pk, agent=alex)
        services.agent_says(session_id=chat.pk, agent=alex, text="Hi Ann")  # the first response
        ChatSession.objects.filter(pk=chat.pk).update(status=status)
        chat.refresh_from_db()
        if author == "customer":
            return chat, Sender.CUSTOMER, None
        user = alex
        if author == "another agent":
            user = make_agent("olga")
        elif author == "a supervisor not handling it":
            user = make_agent("sam", role=Role.SUPERVISOR)
        elif author == "handling agent, account closed since":
            get_user_model().objects.filter(pk=alex.pk).update(is_active=False)
        elif author == "handling agent, role taken away since":
            AgentProfile.objects.filter(user_id=alex.pk).delete()
        return chat, Sender.AGENT, user

    return make


CASES = [(status, author) for status in ChatStatus.values for author in AUTHORS]


@pytest.mark.parametrize(("status", "author"), CASES)
def test_the_rule_answers_for_every_state_and_author(chat_in, status, author):
    chat, sender, user = chat_in(status, author)
    assert may_post(session=chat, sender=sender, author=user) is expected(status, author)


@pytest.mark.parametrize(("status", "author"), CASES)
def test_the_python_path_gives_the_rules_answer(chat_in, status, author):
    chat, sender, user = chat_in(status, author)
    with transaction.atomic():
        session = services.common.lock_session(chat.pk)
        try:
            if sender == Sender.CUSTOMER:
                services.post_customer_message(session=session, text="hello")
            else:
                services.post_agent_message(session=session, agent=user, text="hello")
        except (services.ChatClosed, services.NotAllowed):
            stored = False
        else:
            stored = True
    assert stored is expected(status, author)


@pytest.mark.parametrize(("status", "author"), CASES)
def test_the_sql_path_stores_only_what_the_rule_allows(chat_in, status, author):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")
    chat, sender, user = chat_in(status, author)
    before = ChatMessage.objects.filter(session=chat).count()
    message = messages._quick_post(
        session_id=chat.pk,
        sender=sender,
        text="hello",
        author=user,
        client_id="",
        now=chat.started_at,
    )
    assert (message is not None) is expected(status, author)
    assert ChatMessage.objects.filter(session=chat).count() == before + (message is not None)


def test_an_agent_whose_role_was_taken_away_cannot_post_through_either_path(chat_in):
    chat, _, alex = chat_in(ChatStatus.ACTIVE, "handling agent, role taken away since")
    with pytest.raises(services.NotAllowed):
        services.agent_says(session_id=chat.pk, agent=alex, text="still here?")
    assert not ChatMessage.objects.filter(session=chat, text="still here?").exists()
