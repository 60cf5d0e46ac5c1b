"""The desk in a real browser, against the real servers: an email comes in, an agent answers it
with a canned response, and the customer receives the reply at a real SMTP server, threaded;
and new tickets and messages reach open pages without a reload.

Servers: Daphne (the ASGI app, HTTP and WebSocket) and a Celery worker as subprocesses on the
PostgreSQL test database, Redis as broker (under this run's key prefix) and channel layer, and
an aiosmtpd server in this process as the customer's mail server.
"""

import email
import email.policy

import pytest
from django.conf import settings

from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, CannedResponseFactory
from tests.integration.conftest import (
    Worker,
    broker,  # noqa: F401 (the worker's Redis broker)
)
from tests.support.servers import SERVER_START_TIMEOUT, asgi_server, free_port, wait_for
from tests.tickets.conftest import eml
from tickets.models import AutoMessage
from tickets.services import ingest_email

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CUSTOMER_MESSAGE_ID = "<CAF1234.kettle@mail.example.org>"  # tests/tickets/emails/plain.eml


class Mailbox:
    """An aiosmtpd handler keeping every email it is given, parsed."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((envelope.rcpt_tos, parsed))
        return "250 OK: queued"

    def find(self, subject_part: str, body_part: str):
        for recipients, message in self.received:
            body = message.get_body(("plain",)).get_content()
            if subject_part in message["Subject"] and body_part in body:
                return recipients, message
        return None


@pytest.fixture
def customer_mail_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), ready_timeout=SERVER_START_TIMEOUT
    )
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}", mailbox
    controller.stop()


@pytest.fixture
def desk_servers(transactional_db, broker, customer_mail_server, tmp_path, monkeypatch):  # noqa: F811
    """Daphne and a Celery worker sharing this run's broker; mail goes to the test's server."""
    mail_url, mailbox = customer_mail_server
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    env = {
        "TEST_EMAIL_URL": mail_url,
        "TEST_BROKER_KEYPREFIX": broker.prefix,
        "MEDIA_ROOT": str(media),
        "DEFAULT_FROM_EMAIL": "Example Support <support@helpdesk.example>",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # the worker's environment (it copies this process's)
    worker = Worker(broker, tmp_path)
    worker.start()
    try:
        with asgi_server(tmp_path, **env) as url:
            yield url, mailbox, worker
    finally:
        worker.stop()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/desk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/desk/")


def test_an_agent_answers_an_email_with_a_canned_response(desk_servers, page):
    base_url, mailbox, worker = desk_servers
    ensure_policy_in_force()
    AgentFactory(user__username="maya", user__first_name="Maya", user__last_name="Patel")
    CannedResponseFactory(
        title="Greeting", shortcut="greeting", body="Hi {customer_name}, thanks for writing."
    )
    ticket = ingest_email(raw=eml("plain.eml")).ticket  # committed: the servers see it
    row = f"tr[data-ticket='{ticket.number}']"

    log_in(page, base_url, "maya")
    page.click("a[data-queue=unassigned]")
    page.click(f"{row} a >> nth=0")
    page.wait_for_url(f"{base_url}/desk/tickets/{ticket.number}/")
    assert "My kettle stopped working" in page.locator("h1").inner_text()
    page.select_option("#canned-select", label="Greeting (/greeting)")
    reply_box = page.locator("#id_reply-text")
    assert reply_box.input_value() == "Hi Ann Lee, thanks for writing."
    reply_box.press("End")
    reply_box.type(" Could you send us a photo of the kettle?")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("text=Reply sent to ann.lee@example.org.")

    found = wait_for(
        lambda: mailbox.find(f"[{ticket.reference}]", "Could you send us a photo"),
        timeout=60,
        what=f"the reply at the customer's mail server; worker log:\n{worker.output()}",
    )
    recipients, reply = found
    assert recipients == ["ann.lee@example.org"]
    assert reply["Subject"] == f"Re: My kettle stopped working [{ticket.reference}]"
    body = reply.get_body(("plain",)).get_content()
    assert body.startswith("Hi Ann Lee, thanks for writing. Could you send us a photo")
    # Threaded: it answers the thread's latest email, our acknowledgement of Ann's email (which
    # itself answers hers), and References lists the thread from Ann's email on.
    ack = ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT)
    assert ack.in_reply_to == CUSTOMER_MESSAGE_ID
    assert reply["In-Reply-To"].strip() == ack.message_id
    assert reply["References"].split() == [CUSTOMER_MESSAGE_ID, ack.message_id]
    sent = ticket.messages.get(message_id=reply["Message-ID"].strip())
    assert sent.author.username == "maya" and sent.sent_at is not None


def test_new_tickets_and_messages_appear_without_a_reload(desk_servers, page):
    base_url, _mailbox, _worker = desk_servers
    ensure_policy_in_force()
    AgentFactory(user__username="maya")

    log_in(page, base_url, "maya")
    page.click("a[data-queue=unassigned]")
    page.wait_for_selector("body[data-live=connected]")
    page.evaluate("window.notReloaded = true")

    ticket = ingest_email(raw=eml("plain.eml")).ticket
    page.wait_for_selector(f"tr[data-ticket='{ticket.number}']")
    assert page.evaluate("window.notReloaded") is True  # the row came over the WebSocket
    page.click(f"tr[data-ticket='{ticket.number}'] a >> nth=0")
    page.wait_for_selector(f"body[data-subscribed='{ticket.pk}']")
    page.evaluate("window.notReloaded = true")

    reply = eml(
        "reply_references.eml",
        parent=ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT).message_id,
    )
    ingest_email(raw=reply)
    page.wait_for_selector("#timeline >> text=the switch light stays off")
    assert page.evaluate("window.notReloaded") is True  # so did the customer's answer
