"""Starting a chat with someone else's email tells the visitor nothing about them and changes
nothing on their record: the visitor is greeted by the name they gave, the details given stay on
the chat, and only the agent sees how they compare with the record found, beside that
customer's history (the SOP's returning customer)."""

import pytest
from asgiref.sync import async_to_sync
from django.core import mail

from chat import selectors, services
from chat.models import ChatSession
from helpdesk.models import Interaction
from helpdesk.models.people import Channel
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import customer, redis_layer, until  # noqa: F401
from tests.helpdesk.factories import CannedResponseFactory, CustomerFactory


@pytest.fixture
def jane(db):
    jane = CustomerFactory(name="Jane Doe", email="jane@example.org", phone="")
    record_interaction(
        customer=jane, channel=Channel.EMAIL, kind="email received", summary="Refund"
    )
    return jane


def start_as_mallory(client, **extra):
    data = {"name": "Mallory", "email": "JANE@example.org", "question": "Hi", **extra}
    response = client.post("/chat/start/", data, content_type="application/json")
    assert response.status_code == 201
    return ChatSession.objects.get(pk=response.json()["session"])


def test_the_visitor_is_greeted_by_the_name_they_gave(client, policy, team, jane):
    chat = start_as_mallory(client)
    assert "Mallory" in services.greeting_for(chat) and "Jane" not in services.greeting_for(chat)
    assert (chat.name_given, chat.email_given) == ("Mallory", "JANE@example.org")


@pytest.mark.integration
def test_the_socket_hello_names_the_visitor_as_they_gave_it(redis_layer):  # noqa: F811
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    CustomerFactory(name="Jane Doe", email="jane@example.org")
    chat = services.start_chat(name="Mallory", email="jane@example.org", question="Hi")

    async def hello():
        socket = customer(chat)
        assert (await socket.connect())[0]
        event = await until(socket, "hello")
        await socket.disconnect()
        return event

    event = async_to_sync(hello)()
    assert event["customer"] == "Mallory"
    assert "Jane" not in str(event)


def test_nothing_given_in_public_forms_changes_the_record(client, policy, team, jane):
    chat = start_as_mallory(client)
    services.leave_message(session_id=chat.pk, text="Call me", callback_phone="07700 900999")
    client.post(
        "/chat/message/",
        {"name": "Mallory", "email": "jane@example.org", "text": "Hi", "callback_phone": "0207"},
        content_type="application/json",
    )
    jane.refresh_from_db()
    assert (jane.name, jane.email, jane.phone) == ("Jane Doe", "jane@example.org", "")
    chat.refresh_from_db()
    assert chat.phone_given == "07700900999"


def test_the_agent_sees_how_the_details_compare_and_the_customers_history(
    client, policy, team, jane
):
    chat = start_as_mallory(client)
    services.leave_message(session_id=chat.pk, text="Call me", callback_phone="07700 900999")
    card = selectors.session_card(ChatSession.objects.get(pk=chat.pk))
    assert card["customer"] == "Mallory"
    check = card["check"]
    assert check["record"]["name"] == "Jane Doe"
    assert (check["email"], check["name"], check["phone"]) == (
        "matches",
        "differs",
        "not on record",
    )
    assert check["note"].startswith("Email matches Jane Doe's record; name differs")
    assert "Refund" in [h["summary"] for h in card["history"]]  # the returning customer's past
    started = Interaction.objects.get(customer=jane, kind="chat started")
    assert "Unverified: gave name Mallory" in started.summary
    # Only what was given, in a sentence an agent reads.
    assert "phone ;" not in started.summary and "name differs from the record" in started.summary


def test_a_new_customer_is_created_from_the_details_given(client, policy, team):
    data = {"name": "Ann Smith", "email": "ann@example.org"}
    session_id = client.post("/chat/start/", data, content_type="application/json").json()
    chat = ChatSession.objects.get(pk=session_id["session"])
    assert chat.customer.name == "Ann Smith"
    assert selectors.details_check(chat) == {
        "new_customer": True,
        "record": None,
        "note": "New customer.",
    }


def test_the_transcript_greets_and_labels_the_visitor_as_they_gave_it(
    client, policy, team, jane, celery_eager, django_capture_on_commit_callbacks
):
    chat = start_as_mallory(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transcript(session_id=chat.pk)
    (sent,) = mail.outbox
    assert sent.to == ["JANE@example.org"]
    assert "Hello Mallory" in sent.body and "Mallory: Hi" in sent.body
    assert "Jane" not in sent.body


def test_canned_responses_name_the_visitor_as_they_gave_it(client, policy, team, jane):
    agent = make_agent("alex", team=team)
    CannedResponseFactory(title="Delivery", body="Hi {customer_name}, it ships today.")
    chat = services.start_chat(name="Mallory", email="jane@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    client.force_login(agent)
    found = client.get("/desk/chat/canned/", {"q": "deliv", "session": chat.pk}).json()
    assert found["results"][0]["text"] == "Hi Mallory, it ships today."
