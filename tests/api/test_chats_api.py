"""The chats endpoints: the list and its filters, a chat with its transcript (never a secure
form's value, nor in a webhook), who reads which chat (the console's rule, chat/access.py),
and offline messages that become one ticket per Idempotency-Key."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from chat import services
from chat.models import ChatSession, ChatStatus
from helpdesk.models import Role, Scope
from helpdesk.services.api_keys import api_key_create
from tests.helpdesk.factories import AgentFactory, TeamFactory
from tickets.models import Ticket

from . import webhook_fixtures
from .live_schema import call_and_check, live_schema_fixture  # noqa: F401 (a fixture)
from .webhook_fixtures import received

delivered = webhook_fixtures.delivered  # a fixture

URL = "/api/v1/chats/"
OFFLINE = "/api/v1/chats/offline-messages/"
SECRET = "4929-SECRET-0042"


def start(name="Ann Smith", email="ann@example.org", question="My order is late", team=None):
    return services.start_chat(name=name, email=email, question=question, team=team)


@pytest.fixture
def talked(policy, staff, time_machine, now):
    """An active chat: the customer and the agent exchanged lines, one with a card number."""
    chat = start()
    services.accept_chat(session_id=chat.pk, agent=staff["agent"])
    time_machine.move_to(now + timedelta(seconds=30), tick=False)
    services.agent_says(session_id=chat.pk, agent=staff["agent"], text="Hi Ann, let me look.")
    time_machine.move_to(now + timedelta(seconds=60), tick=False)
    services.customer_says(session_id=chat.pk, text="My card is 4111 1111 1111 1111")
    chat.refresh_from_db()
    return chat


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_chat_reads_with_its_transcript_in_order(api, staff, talked):
    services.submit_secure_details(session_id=talked.pk, label="Card", value=SECRET)
    response = api("token:chats:read").get(f"{URL}{talked.pk}/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "active" and data["customer"]["email"] == "ann@example.org"
    assert data["agent"]["username"] == "agent-1"
    lines = data["transcript"]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert data["message_count"] == len(lines)
    assert lines[0]["sender"] == "customer" and lines[0]["text"] == "My order is late"
    assert lines[0]["author"] == "Ann Smith" and lines[0]["author_id"] is None
    agent_line = next(line for line in lines if line["sender"] == "agent")
    assert agent_line["text"] == "Hi Ann, let me look."
    assert agent_line["author_id"] == staff["agent"].pk
    assert agent_line["created_at"] == "2026-03-04T10:00:30Z"
    card_line = next(line for line in lines if "card" in line["text"].lower())
    assert "4111 1111 1111 1111" not in card_line["text"]  # masked as stored
    assert [r["kind"] for r in data["redactions"]] == ["card"]
    assert data["redactions"][0]["seq"] == card_line["seq"]
    assert data["last_message_at"] == lines[-1]["created_at"] == data["updated_at"]
    assert SECRET not in response.content.decode()  # the secure form's value, never
    listed = api("token:chats:read").get(URL)
    assert SECRET not in listed.content.decode()


def test_a_closed_chat_has_its_summary(api, staff, talked):
    services.close_chat(session_id=talked.pk, by=staff["agent"], summary="Parcel re-sent.")
    data = api("agent").get(f"{URL}{talked.pk}/").json()
    assert data["status"] == "closed" and data["summary"] == "Parcel re-sent."
    assert data["closed_at"] == data["updated_at"] == "2026-03-04T10:01:00Z"
    assert data["customer_confirmed_resolved"] is None


def test_an_unknown_chat_is_a_404(api, policy):
    response = api("agent").get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_filters_narrow_the_list(api, staff, policy, time_machine, now):
    team = TeamFactory(name="Billing")
    first = start(team=team)
    time_machine.move_to(now + timedelta(hours=1), tick=False)
    second = start(name="Bob Jones", email="bob@example.org")
    services.accept_chat(session_id=second.pk, agent=staff["agent"])
    time_machine.move_to(now + timedelta(hours=2), tick=False)
    third = start(name="Cat", email="cat@example.org")
    client = api("token:chats:read")
    assert ids(client.get(URL)) == [third.pk, second.pk, first.pk]  # newest first
    assert ids(client.get(URL, {"status": "active"})) == [second.pk]
    assert ids(client.get(URL, {"team": team.pk})) == [first.pk]
    assert ids(client.get(URL, {"agent": staff["agent"].pk})) == [second.pk]
    assert ids(client.get(URL, {"customer": first.customer_id})) == [first.pk]
    after = (now + timedelta(minutes=30)).isoformat()
    before = (now + timedelta(minutes=90)).isoformat()
    assert ids(client.get(URL, {"started_after": after})) == [third.pk, second.pk]
    assert ids(client.get(URL, {"started_after": after, "started_before": before})) == [second.pk]
    assert ids(client.get(URL, {"search": "bob"})) == [second.pk]
    assert ids(client.get(URL, {"search": "CAT@example"})) == [third.pk]
    # A new line moves a chat into `updated_since`.
    time_machine.move_to(now + timedelta(hours=3), tick=False)
    services.customer_says(session_id=first.pk, text="Still there?")
    since = (now + timedelta(minutes=150)).isoformat()
    assert ids(client.get(URL, {"updated_since": since})) == [first.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "asleep"}, "status"),
        ({"started_after": "yesterday"}, "started_after"),
        ({"updated_since": "2026-13-01"}, "updated_since"),
        ({"team": "billing"}, "team"),
        ({"started_before": "9999-12-31T23:00:00-05:00"}, "started_before"),  # past year 9999
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, policy, params, field):
    response = api("agent").get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_time_with_an_odd_offset_is_taken_in_utc(api, talked):
    """PostgreSQL refuses offsets past 15:59; the filter sends the time in UTC."""
    response = api("agent").get(URL, {"started_after": "2026-03-04T00:00:00-20:12"})
    assert ids(response) == []  # 20:12 UTC, after the chat started
    response = api("agent").get(URL, {"updated_since": "2026-03-03T00:00:00-20:12"})
    assert ids(response) == [talked.pk]


def test_cursor_pages_cover_every_chat_once(api, policy):
    made = {start(email=f"c{n}@example.org").pk for n in range(5)}
    page = api("agent").get(URL, {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = api("agent").get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert set(seen) == made and len(seen) == len(made)


@pytest.mark.parametrize("who", ["supervisor", "token:chats:read"])
def test_query_count_does_not_grow_with_the_page(
    api, policy, staff, django_assert_num_queries, who
):
    client = api(who)
    team = TeamFactory()
    for n in range(3):
        start(email=f"few{n}@example.org", team=team)
    client.get(URL)  # warm: content types, last_used_at
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).json()["results"]) == 3
    for n in range(27):
        chat = start(email=f"many{n}@example.org", team=team)
        services.customer_says(session_id=chat.pk, text="Hello?")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 30
    assert len(few.captured_queries) <= 5  # session or key, role, the page


def test_an_offline_message_becomes_one_ticket_per_idempotency_key(api, policy):
    client = api("token:chats:write")
    body = {"name": "Dan", "email": "dan@example.org", "text": "Where is my refund?"}
    first = client.post(OFFLINE, body, format="json", HTTP_IDEMPOTENCY_KEY="offline-1")
    assert first.status_code == 201, first.content
    again = client.post(OFFLINE, body, format="json", HTTP_IDEMPOTENCY_KEY="offline-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    ticket = Ticket.objects.get()
    data = first.json()
    assert data["ticket_id"] == ticket.pk and data["reference"] == ticket.reference
    assert data["number"] == ticket.number and data["customer_id"] == ticket.customer_id
    assert ticket.channel == "chat" and ticket.subject == "Message left on chat"
    assert ticket.customer.email == "dan@example.org" and ticket.customer.name == "Dan"
    # The customer's words are their message on the ticket (and it is acknowledged by email).
    assert ticket.messages.get(direction="inbound").text == "Where is my refund?"
    other = client.post(OFFLINE, body, format="json", HTTP_IDEMPOTENCY_KEY="offline-2")
    assert other.status_code == 201 and Ticket.objects.count() == 2


def test_an_offline_message_with_a_phone_is_a_callback_request(api, policy):
    body = {"name": "Eve", "phone": "+44 7700 900123", "text": "Call me about my bill."}
    response = api("agent").post(OFFLINE, body, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["ticket_id"])
    assert (ticket.channel, ticket.subject) == ("phone", "Callback request from Eve")
    callback = ticket.callback_requests.get()  # a phone callback, on the callbacks-due page
    assert "447700900123" in re.sub(r"\D", "", callback.number)
    assert callback.note == "Call me about my bill."


def test_an_offline_message_masks_card_numbers(api, policy):
    body = {"email": "fay@example.org", "text": "Card 4111 1111 1111 1111 was charged twice"}
    response = api("agent").post(OFFLINE, body, format="json")
    assert response.status_code == 201
    note = Ticket.objects.get().messages.get(direction="inbound").text
    assert "4111 1111 1111 1111" not in note and "charged twice" in note


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Gus", "text": "Hello"}, "email"),  # nobody to reply to: the service says so
        ({"email": "gus@example.org", "text": ""}, "text"),
        ({"email": "gus@example.org", "text": "x" * 2001}, "text"),  # CHAT_MAX_MESSAGE_CHARS
        ({"email": "gus@example.org"}, "text"),
        ({"phone": "after six", "text": "Call me"}, "phone"),
        ({"email": "not an address", "text": "Hello"}, "email"),
    ],
)
def test_a_bad_offline_message_is_a_400_naming_the_field(api, policy, body, field):
    response = api("agent").post(OFFLINE, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Ticket.objects.exists()


def test_a_key_without_the_scope_is_refused(api, talked):
    assert api("token:tickets:read").get(URL).status_code == 403
    response = api("token:chats:read").post(
        OFFLINE, {"email": "h@example.org", "text": "Hi"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == f"This key lacks the scope '{Scope.CHATS_WRITE}'."
    assert not Ticket.objects.exists()


def test_customers_never_see_chats(api, talked):
    assert api("customer").get(f"{URL}{talked.pk}/").status_code == 403
    assert api("anonymous").get(URL).status_code == 401
    assert ChatSession.objects.get().status == ChatStatus.ACTIVE


def test_filled_answers_match_the_schema(live_schema, make_key, staff, talked):
    """Schemathesis mostly meets empty lists and unknown ids; these answers carry real rows."""
    services.close_chat(session_id=talked.pk, by=staff["agent"], summary="Parcel re-sent.")
    headers = {"Authorization": f"Token {make_key(Scope.CHATS_READ, Scope.CHATS_WRITE)}"}
    listed = call_and_check(live_schema, "GET /api/v1/chats/", headers=headers)
    assert len(listed.json()["results"]) == 1
    read = call_and_check(
        live_schema, "GET /api/v1/chats/{chat_id}/", headers=headers, path={"chat_id": talked.pk}
    )
    assert read.json()["summary"] == "Parcel re-sent."
    body = {"email": "i@example.org", "text": "Hi"}
    left = call_and_check(
        live_schema, "POST /api/v1/chats/offline-messages/", headers=headers, body=body
    )
    assert left.status_code == 201


# -- who reads which chat: the console's rule (chat/access.py) -------------------------------


@pytest.fixture
def desk(policy):
    """Ann and Olga of Support, Bob of Billing, Sam supervising Support, Mia a manager; chats:
    Ann's active one, Ann's closed one, one waiting for each team."""
    support, billing = TeamFactory(name="Support"), TeamFactory(name="Billing")

    def member(name, team=None, role=Role.AGENT):
        return AgentFactory(user__username=name, team=team, role=role).user

    people = {
        "handling agent": member("ann", support),
        "agent of the team": member("olga", support),
        "agent of another team": member("bob", billing),
        "supervisor": member("sam", support, Role.SUPERVISOR),
        "manager": member("mia", None, Role.MANAGER),
    }
    ann = people["handling agent"]
    closed = start(email="c1@example.org", team=support)
    services.accept_chat(session_id=closed.pk, agent=ann)
    services.close_chat(session_id=closed.pk, by=ann, summary="Done")
    active = start(email="c2@example.org", team=support)
    services.accept_chat(session_id=active.pk, agent=ann)
    chats = {
        "closed": closed.pk,
        "active": active.pk,
        "waiting support": start(email="c3@example.org", team=support).pk,
        "waiting billing": start(email="c4@example.org", team=billing).pk,
    }
    return people, chats


READS = {
    "handling agent": {"closed", "active", "waiting support"},
    "agent of the team": {"waiting support"},
    "agent of another team": {"waiting billing"},
    "supervisor": {"closed", "active", "waiting support", "waiting billing"},
    "manager": {"closed", "active", "waiting support", "waiting billing"},
}


@pytest.mark.parametrize("relation", list(READS))
def test_each_reads_the_chats_the_console_lets_them_read(relation, desk):
    """Issue 11: any agent read any transcript through the API while the console said "That
    chat is not yours". The list holds what the rule lets them read; any other chat is a 403."""
    people, chats = desk
    client = APIClient()
    client.force_login(people[relation])
    listed = set(ids(client.get(URL)))
    assert listed == {chats[name] for name in READS[relation]}
    for name, chat_id in chats.items():
        response = client.get(f"{URL}{chat_id}/")
        if name in READS[relation]:
            assert response.status_code == 200, (name, response.content)
            assert response.json()["id"] == chat_id
        else:
            assert response.status_code == 403, (name, response.content)
            error = response.json()["error"]
            assert error["code"] == "permission_denied" and "not yours" in error["message"]
            assert "Where is my" not in response.content.decode()


def test_a_key_reads_what_its_owner_may_read(desk):
    people, chats = desk
    for relation in ("agent of the team", "manager"):
        key = api_key_create(name="CRM", owner=people[relation], scopes=[Scope.CHATS_READ]).key
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert set(ids(client.get(URL))) == {chats[name] for name in READS[relation]}
        assert client.get(f"{URL}{chats['active']}/").status_code == (
            200 if "active" in READS[relation] else 403
        )


def test_the_secure_value_and_masked_notes_never_go_out(api, desk, delivered, receiver):
    """Neither the API nor a webhook carries a secure-form value or an unmasked number from
    escalation notes."""
    people, chats = desk
    ann, sam = people["handling agent"], people["supervisor"]
    ann.agent_profile.supervisor = sam
    ann.agent_profile.save()
    chat_id = chats["active"]
    with delivered("chat.started", "chat.closed"):
        services.submit_secure_details(session_id=chat_id, label="Account", value=SECRET)
        services.escalate_chat(
            session_id=chat_id, by=ann, notes="Card 4111 1111 1111 1111, refund above my limit"
        )
        services.convert_to_ticket(session_id=chat_id, by=ann)
        services.close_chat(session_id=chat_id, by=ann, summary="Checked the account")
    (closed,) = received(receiver, "chat.closed")
    assert closed["id"] == chat_id and closed["escalated"] is True
    client = api("token:*")
    for response in (client.get(f"{URL}{chat_id}/"), client.get(URL)):
        assert response.status_code == 200
        body = response.content.decode()
        assert SECRET not in body and "4111 1111 1111 1111" not in body
    assert "[card removed]" in client.get(f"{URL}{chat_id}/").json()["escalation_notes"]
    for delivery in receiver.received:
        assert SECRET not in json.dumps(delivery.body)
        assert "4111 1111 1111 1111" not in json.dumps(delivery.body)
