"""Email in over HTTP: `POST /inbound/email/`, signed with HMAC-SHA256 over the timestamp and
the raw body (the scheme of docs/email.md)."""

import hashlib
import hmac
import http.client
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from helpdesk.services.policy import ensure_policy_in_force
from tests.support.servers import asgi_server
from tickets.models import InboundEmail, InboundStatus, Ticket

from .conftest import MONDAY_10AM, eml

pytestmark = pytest.mark.django_db

SECRET = "test-inbound-secret-0123456789"
URL = "/inbound/email/"


def signed_headers(body: bytes, *, secret: str = SECRET, at=None) -> dict[str, str]:
    """What a sender adds, computed from the recipe in docs/email.md (not the view's helper)."""
    timestamp = str(int((at or MONDAY_10AM).timestamp()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": f"sha256={digest.hexdigest()}"}


@pytest.fixture
def endpoint(settings, policy, django_capture_on_commit_callbacks):
    """The endpoint switched on; a CSRF-enforcing client posts raw bytes to it."""
    settings.INBOUND_EMAIL_SECRET = SECRET
    client = Client(enforce_csrf_checks=True)

    def post(body: bytes, headers: dict[str, str] | None = None):
        with django_capture_on_commit_callbacks(execute=False):
            return client.post(
                URL,
                data=body,
                content_type="message/rfc822",
                headers=signed_headers(body) if headers is None else headers,
            )

    return post


def test_a_signed_email_becomes_a_ticket(endpoint):
    response = endpoint(eml("plain.eml"))

    ticket = Ticket.objects.get()
    assert response.status_code == 202
    assert response.json() == {"kind": "new", "ticket": ticket.reference}
    assert ticket.customer.email == "ann.lee@example.org"
    assert InboundEmail.objects.get().raw.read() == eml("plain.eml")


def test_the_same_email_again_is_a_duplicate_and_changes_nothing(endpoint, time_machine):
    endpoint(eml("plain.eml"))
    time_machine.shift(timedelta(seconds=30))  # sent again, signed again

    body = eml("plain.eml")
    response = endpoint(body, signed_headers(body, at=MONDAY_10AM + timedelta(seconds=30)))

    assert response.status_code == 200
    assert response.json() == {"kind": "duplicate", "ticket": None}
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (1, 1)


def test_a_reply_threads_onto_its_ticket(endpoint):
    ticket_ref = endpoint(eml("plain.eml")).json()["ticket"]

    response = endpoint(eml("reply_references.eml", parent="<CAF1234.kettle@mail.example.org>"))

    assert response.status_code == 202
    assert response.json() == {"kind": "reply", "ticket": ticket_ref}


def test_an_unreadable_email_is_kept_as_failed_and_said_so(endpoint):
    response = endpoint(eml("garbage.eml"))

    assert response.status_code == 202
    answer = response.json()
    assert answer["kind"] == "failed" and answer["ticket"] is None and answer["error"]
    assert InboundEmail.objects.get().status == InboundStatus.FAILED


@pytest.mark.parametrize(
    "headers, why",
    [
        ({}, "X-Timestamp and X-Signature headers are required"),
        ({"X-Signature": "sha256=00"}, "X-Timestamp and X-Signature headers are required"),
        ({"X-Timestamp": "soon", "X-Signature": "sha256=00"}, "X-Timestamp must be a Unix time"),
        ({"X-Timestamp": "-5", "X-Signature": "sha256=00"}, "X-Timestamp must be a Unix time"),
    ],
)
def test_a_request_without_a_proper_signature_is_refused(endpoint, headers, why):
    response = endpoint(eml("plain.eml"), headers)

    assert response.status_code == 403
    assert response.json()["error"].startswith(why)
    assert not Ticket.objects.exists() and not InboundEmail.objects.exists()


def test_a_wrong_secret_or_a_changed_body_is_refused(endpoint):
    body = eml("plain.eml")
    wrong_secret = endpoint(body, signed_headers(body, secret="guessed"))
    changed = endpoint(body.replace(b"kettle", b"toaster"), signed_headers(body))

    for response in (wrong_secret, changed):
        assert response.status_code == 403
        assert response.json() == {"error": "the signature does not match the body"}
    assert not InboundEmail.objects.exists()


def test_a_replay_with_a_new_timestamp_does_not_match_the_signature(endpoint):
    body = eml("plain.eml")
    captured = signed_headers(body, at=MONDAY_10AM - timedelta(hours=1))
    replayed = {**captured, "X-Timestamp": str(int(MONDAY_10AM.timestamp()))}

    assert endpoint(body, replayed).status_code == 403


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_stale_or_future_timestamp_is_refused(endpoint, offset):
    body = eml("plain.eml")

    response = endpoint(body, signed_headers(body, at=MONDAY_10AM + timedelta(seconds=offset)))

    assert response.status_code == 403
    assert "more than 300 seconds" in response.json()["error"]


def test_a_timestamp_within_five_minutes_is_accepted(endpoint):
    body = eml("plain.eml")

    response = endpoint(body, signed_headers(body, at=MONDAY_10AM - timedelta(seconds=299)))

    assert response.status_code == 202


def test_a_body_over_the_limit_is_refused_with_413(endpoint, settings):
    settings.TICKETS_MAX_EMAIL_BYTES = 1000
    body = eml("plain.eml") + b"x" * 1000

    response = endpoint(body)

    assert response.status_code == 413
    assert response.json() == {"error": "the email is larger than the 1000 bytes limit"}
    assert not InboundEmail.objects.exists()


def test_an_email_larger_than_djangos_upload_memory_limit_is_still_taken(endpoint, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # TICKETS_MAX_EMAIL_BYTES alone applies

    assert endpoint(eml("plain.eml")).status_code == 202


def test_an_empty_body_is_a_bad_request(endpoint):
    response = endpoint(b"")

    assert response.status_code == 400 and "empty" in response.json()["error"]


def test_without_a_secret_the_endpoint_is_off(endpoint, settings):
    settings.INBOUND_EMAIL_SECRET = ""

    response = endpoint(eml("plain.eml"))

    assert response.status_code == 503
    assert "INBOUND_EMAIL_SECRET" in response.json()["error"]
    assert not InboundEmail.objects.exists()


def test_only_post_is_allowed(endpoint, client):
    assert client.get(URL).status_code == 405


# Through the real ASGI server --------------------------------------------------------------


@pytest.mark.integration
def test_through_the_asgi_server(transactional_db, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the ASGI server shares only a PostgreSQL test database (`make test`)")
    ensure_policy_in_force()
    monkeypatch.setenv("INBOUND_EMAIL_SECRET", SECRET)
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    # An auto-reply opens a ticket without an acknowledgement: nothing waits on a broker.
    body = eml("auto_reply.eml")
    headers = signed_headers(body, at=datetime.now(UTC))
    stale = signed_headers(body, at=datetime(2001, 9, 9, tzinfo=UTC))

    with asgi_server(tmp_path) as base:
        status, answer = http_post(base, body, headers)
        refused, why = http_post(base, body, stale)

    ticket = Ticket.objects.get()
    assert status == 202 and answer == {"kind": "auto", "ticket": ticket.reference}
    assert refused == 403 and "300 seconds" in why["error"]


def http_post(base: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    """POST over a real socket; (status, JSON answer)."""
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        conn.request("POST", URL, body=body, headers={**headers, "Content-Type": "message/rfc822"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()
