"""A chat whose customer left before an answer is visible as such to integrators: the
`chat.closed` webhook and the chats API say missed, abandoned; a chat closed the usual way has
no end reason."""

from datetime import timedelta

import pytest

from chat import services as chat_services
from chat.services.abandonment import sweep_abandoned_chats

from . import webhook_fixtures
from .webhook_fixtures import received

delivered = webhook_fixtures.delivered

pytestmark = pytest.mark.django_db


def test_an_abandoned_chat_goes_out_as_missed_abandoned(delivered, receiver, policy, now, api):
    session = chat_services.start_chat(name="Ann Smith", email="ann@example.org")
    with delivered("chat.closed"):
        assert sweep_abandoned_chats(now=now + timedelta(minutes=5)) == 1
    (data,) = received(receiver, "chat.closed")
    assert (data["id"], data["status"], data["end_reason"]) == (session.pk, "missed", "abandoned")
    assert data["closed_at"] == "2026-03-04T10:05:00Z" and data["agent_id"] is None

    shown = api("token:*").get(f"/api/v1/chats/{session.pk}/")
    assert shown.status_code == 200
    assert (shown.json()["status"], shown.json()["end_reason"]) == ("missed", "abandoned")
    chat_services.start_chat(name="Bo", email="bo@example.org")  # still waiting: not listed
    listed = api("token:*").get("/api/v1/chats/", {"end_reason": "abandoned"}).json()["results"]
    assert [c["id"] for c in listed] == [session.pk]
    bad = api("token:*").get("/api/v1/chats/", {"end_reason": "bored"})
    assert bad.status_code == 400


def test_a_chat_closed_by_its_agent_has_no_end_reason(delivered, receiver, staff, policy, api):
    agent = staff["agent"]
    session = chat_services.start_chat(name="Ann Smith", email="ann@example.org")
    chat_services.accept_chat(session_id=session.pk, agent=agent)
    chat_services.agent_says(session_id=session.pk, agent=agent, text="Hello!")
    with delivered("chat.closed"):
        chat_services.close_chat(session_id=session.pk, by=agent, summary="Answered")
    (data,) = received(receiver, "chat.closed")
    assert (data["status"], data["end_reason"]) == ("closed", "")
    listed = api("token:*").get("/api/v1/chats/").json()["results"]
    assert [(c["id"], c["end_reason"]) for c in listed] == [(session.pk, "")]
