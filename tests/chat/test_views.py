"""The chat pages and their JSON endpoints."""

import json
from datetime import UTC, datetime

import time_machine
from django.contrib.auth import get_user_model

from chat import services
from chat.models import ChatSession
from helpdesk.models import Role
from tests.chat.conftest import make_agent
from tests.helpdesk.factories import CannedResponseFactory, CustomerFactory, UserFactory


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_customer_page_loads_the_widget(client, db):
    response = client.get("/chat/")
    assert response.status_code == 200
    assert b"chat/widget.js" in response.content


def test_start_returns_a_token_that_opens_the_chat(client, policy):
    response = post_json(
        client, "/chat/start/", {"name": "Ann", "email": "ann@example.org", "question": "Hi"}
    )
    assert response.status_code == 201
    body = response.json()
    session = ChatSession.objects.get()
    assert body["session"] == session.pk
    assert body["ws"] == f"/ws/chat/{body['token']}/"
    assert services.access_session_by_token(body["token"]) == session


def test_start_needs_name_and_a_valid_email(client, policy):
    assert post_json(client, "/chat/start/", {"name": "Ann"}).status_code == 400
    bad = post_json(client, "/chat/start/", {"name": "Ann", "email": "not-an-email"})
    assert bad.status_code == 400
    assert "not a valid email" in bad.json()["detail"]


@time_machine.travel(datetime(2026, 3, 4, 23, 0, tzinfo=UTC), tick=False)
def test_outside_hours_start_says_when_chat_opens_and_a_message_becomes_a_ticket(client, db):
    response = post_json(client, "/chat/start/", {"name": "Ann", "email": "ann@example.org"})
    assert response.status_code == 409
    assert response.json()["opens_at"] == "2026-03-05T08:00:00+00:00"
    left = post_json(
        client, "/chat/message/", {"name": "Ann", "email": "ann@example.org", "text": "Call me"}
    )
    assert left.status_code == 201
    assert left.json()["reference"].startswith("#")
    nobody = post_json(client, "/chat/message/", {"name": "Ann", "text": "Call me"})
    assert nobody.status_code == 400


def test_the_console_is_for_staff_only(client, policy):
    customer_user = UserFactory(username="cust")
    CustomerFactory(user=customer_user)
    client.force_login(customer_user)
    assert client.get("/desk/chat/").status_code == 403
    agent = make_agent("alex")
    client.force_login(agent)
    response = client.get("/desk/chat/")
    assert response.status_code == 200
    assert b"chat/console.js" in response.content


def test_canned_responses_are_filled_in_for_the_chat_s_customer(client, policy):
    agent = make_agent("alex")
    CannedResponseFactory(title="Delivery", body="Hi {customer_name}, it ships today.")
    chat = services.start_chat(name="Ann Smith", email="ann@example.org")
    services.accept_chat(session_id=chat.pk, agent=agent)
    client.force_login(agent)
    found = client.get("/desk/chat/canned/", {"q": "deliv", "session": chat.pk}).json()
    assert found["results"][0]["text"] == "Hi Ann Smith, it ships today."
    other = make_agent("olga", role=Role.AGENT)
    client.force_login(other)
    found = client.get("/desk/chat/canned/", {"q": "deliv", "session": chat.pk}).json()
    assert found["results"][0]["text"] == "Hi there, it ships today."  # not their chat


def test_the_admin_shows_a_chat_read_only_without_secure_values(client, policy):

    chat = services.start_chat(
        name="Ann", email="ann@example.org", question="card 4111111111111111"
    )
    services.submit_secure_details(session_id=chat.pk, label="Card", value="4111111111111111")
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    page = client.get(f"/admin/chat/chatsession/{chat.pk}/change/")
    assert page.status_code == 200
    assert b"[card removed]" in page.content and b"4111" not in page.content
