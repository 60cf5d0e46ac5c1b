"""The message path under load: a new line costs one statement; lines sent at once by both ends
of a chat get contiguous unique numbers; a client_id repeated at once is stored once and leaves
no gap; every refusal still comes through the full rules."""

import pytest
from django.db import connection
from django.test import override_settings

from chat import services
from chat.models import ChatMessage, ChatStatus, Redaction, Sender
from tests.chat.conftest import make_agent
from tests.chat.test_concurrency import pg_policy, race  # noqa: F401 - PostgreSQL fixture

pytestmark = pytest.mark.integration


@pytest.fixture
def active_chat(pg_policy):  # noqa: F811 - the fixture imported above
    agent = make_agent("alex")
    chat = services.start_chat(name="Ann", email="ann@example.org")
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.agent_says(session_id=chat.pk, agent=agent, text="Hi Ann")  # the first response
    chat.refresh_from_db()
    return chat, agent


def seqs(chat) -> list[int]:
    return list(ChatMessage.objects.filter(session=chat).values_list("seq", flat=True))


def test_a_new_line_from_either_end_is_one_statement(active_chat, django_assert_num_queries):
    chat, agent = active_chat
    with django_assert_num_queries(1):
        customer = services.customer_says(session_id=chat.pk, text="Where is my order?")
    with django_assert_num_queries(1):
        reply = services.agent_says(session_id=chat.pk, agent=agent, text="On its way")
    assert (customer.created, reply.created) == (True, True)
    assert reply.message.seq == customer.message.seq + 1
    stored = ChatMessage.objects.get(pk=reply.message.pk)
    assert (stored.seq, stored.sender, stored.author, stored.text) == (
        reply.message.seq,
        Sender.AGENT,
        agent,
        "On its way",
    )
    chat.refresh_from_db()
    assert chat.last_seq == reply.message.seq


def test_lines_sent_at_once_by_both_ends_get_contiguous_unique_numbers(active_chat):
    chat, agent = active_chat
    before = chat.last_seq
    calls = [
        lambda i=i: services.customer_says(session_id=chat.pk, text=f"c{i}", client_id=f"c{i}")
        for i in range(6)
    ] + [
        lambda i=i: services.agent_says(session_id=chat.pk, agent=agent, text=f"a{i}")
        for i in range(6)
    ]
    with override_settings(CHAT_RATE_LIMIT=100):
        results = race(*calls)
    assert all(isinstance(r, services.Posted) and r.created for r in results), results
    assert sorted(r.message.seq for r in results) == list(range(before + 1, before + 13))
    assert seqs(chat) == list(range(1, before + 13))
    chat.refresh_from_db()
    assert chat.last_seq == before + 12


def test_a_client_id_repeated_at_once_is_stored_once_and_leaves_no_gap(active_chat):
    chat, _ = active_chat
    before = chat.last_seq
    with override_settings(CHAT_RATE_LIMIT=100):
        results = race(
            *[lambda: services.customer_says(session_id=chat.pk, text="hi", client_id="same")] * 6
        )
        assert all(isinstance(r, services.Posted) for r in results), results
        assert sorted(r.created for r in results) == [False] * 5 + [True]
        assert {r.message.seq for r in results} == {before + 1}
        after = services.customer_says(session_id=chat.pk, text="next", client_id="other")
    assert after.message.seq == before + 2
    assert seqs(chat) == list(range(1, before + 3))


def test_refusals_and_masking_still_follow_the_rules(active_chat):
    chat, agent = active_chat
    olga = make_agent("olga")
    with pytest.raises(services.NotAllowed):
        services.agent_says(session_id=chat.pk, agent=olga, text="not mine")
    with override_settings(CHAT_RATE_LIMIT=1):  # the one line above the limit is refused
        services.customer_says(session_id=chat.pk, text="first")
        with pytest.raises(services.RateLimited):
            services.customer_says(session_id=chat.pk, text="second")
    posted = services.customer_says(session_id=chat.pk, text="card 4111 1111 1111 1111")
    assert "4111" not in posted.message.text
    assert Redaction.objects.filter(session=chat, kind="card").exists()
    assert chat.messages.filter(sender=Sender.SYSTEM, text__contains="secure form").count() == 1
    chat.status = ChatStatus.CLOSED
    chat.save(update_fields=["status"])
    with pytest.raises(services.ChatClosed):
        services.customer_says(session_id=chat.pk, text="hello?")
    assert seqs(chat) == list(range(1, chat.messages.count() + 1))
    assert connection.vendor == "postgresql"
