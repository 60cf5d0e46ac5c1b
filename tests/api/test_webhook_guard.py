"""The SSRF guard where it acts: a subscription to an address only the desk can reach is
refused in the API and the admin (the url field named), and a delivery whose host resolves to
one (DNS rebinding) fails at once, with the reason, without being retried. Deliveries connect
to the addresses they checked, verify TLS for the URL's host, and never follow a redirect."""

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from helpdesk.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from helpdesk.webhooks.addresses import address_refusal, current_rules, parse_rules
from helpdesk.webhooks.delivery import deliver_webhook, due_deliveries

from .receiver import SECRET, start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolver(monkeypatch):
    """resolver({name: [addresses]}): what the names resolve to during the test (the test's
    stand-in for a DNS server it cannot run); any other name resolves as usual."""
    real = socket.getaddrinfo

    def install(answers: dict[str, list[str]]):
        def getaddrinfo(host, port, *args, **kwargs):
            if host in answers:
                return [
                    (
                        socket.AF_INET6 if ":" in a else socket.AF_INET,
                        socket.SOCK_STREAM,
                        6,
                        "",
                        (a, port),
                    )
                    for a in answers[host]
                ]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr("helpdesk.webhooks.delivery.socket.getaddrinfo", getaddrinfo)

    return install


def one_delivery(url: str) -> WebhookDelivery:
    """A pending delivery of a ticket.created to `url`, as an event makes one."""
    subscription, _ = WebhookSubscription.objects.update_or_create(
        defaults={"url": url, "events": ["ticket.created"], "secret": SECRET}
    )
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event="ticket.created",
        payload={"event": "ticket.created", "occurred_at": "2026-03-04T10:00:00Z", "data": {}},
        next_attempt_at=timezone.now(),
    )


def port_of(receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/")[0])


# -- subscribing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.7/hooks", "private"),
        ("https://[::ffff:192.168.0.1]/hooks", "private"),
        ("https://localhost/hooks", "loopback"),
        ("https://[::1]:8000/hooks", "loopback"),
    ],
)
def test_the_api_refuses_a_url_to_an_internal_address(api, staff, url, says):
    client = api("token:webhooks:manage")
    response = client.post(
        "/api/v1/webhooks/", {"url": url, "events": ["ticket.created"]}, format="json"
    )
    assert response.status_code == 400, response.content
    (message,) = response.json()["error"]["fields"]["url"]
    assert says in message and "may not go to" in message
    assert not WebhookSubscription.objects.exists()


def test_the_api_refuses_an_update_to_an_internal_address_and_plain_http(api, staff, settings):
    client = api("token:webhooks:manage")
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://crm.example.com/h", "events": ["ticket.created"]},
        format="json",
    ).json()
    path = f"/api/v1/webhooks/{created['id']}/"
    response = client.patch(path, {"url": "https://192.168.1.20/h"}, format="json")
    assert response.status_code == 400
    assert "private" in response.json()["error"]["fields"]["url"][0]
    settings.WEBHOOK_ALLOW_HTTP = False
    response = client.patch(path, {"url": "http://crm.example.com/h"}, format="json")
    assert response.status_code == 400
    assert "https" in response.json()["error"]["fields"]["url"][0]
    assert WebhookSubscription.objects.get().url == "https://crm.example.com/h"
    # An update that leaves the url alone is not judged by it.
    assert client.patch(path, {"is_active": False}, format="json").status_code == 200


def test_the_admin_refuses_a_url_to_an_internal_address(admin_client):
    response = admin_client.post(
        "/admin/helpdesk/webhooksubscription/add/",
        {"url": "https://169.254.169.254/latest", "events": ["ticket.created"], "is_active": "on"},
    )
    assert response.status_code == 200  # the form again, with the error on its url field
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"] and "link-local" in errors["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_the_settings_make_the_rules(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.internal", "10.1.0.0/16"]
    settings.WEBHOOK_DENIED_NETWORKS = ["198.51.100.0/24"]
    settings.WEBHOOK_ALLOW_HTTP = False
    assert current_rules() == parse_rules(
        allowed_hosts=["hooks.internal", "10.1.0.0/16"],
        denied_networks=["198.51.100.0/24"],
        allow_http=False,
    )
    settings.WEBHOOK_DENIED_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="10.0.0.0/33"):
        current_rules()


# -- delivering -------------------------------------------------------------------------------


def test_a_name_that_resolves_to_a_refused_address_fails_at_once(receiver, resolver, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    # Public when subscribed, loopback when delivered: DNS rebinding.
    resolver({"hooks.example.com": ["93.184.216.34", "127.0.0.1"]})
    delivery = one_delivery(f"http://hooks.example.com:{port_of(receiver)}/hooks")
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert (sent.status, sent.attempts, sent.last_status_code) == ("failed", 1, None)
    assert sent.last_error == (
        "Refused: Webhooks may not go to hooks.example.com: 127.0.0.1 is a loopback address."
    )
    assert sent.next_attempt_at is None and due_deliveries() == []  # never retried
    assert receiver.received == []


def test_the_machine_s_own_name_is_refused(receiver, settings):
    """A real lookup: this machine's host name resolves to itself (loopback, or its private
    address), which no webhook may reach."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    host = socket.gethostname()
    found = {info[4][0] for info in socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)}
    if not any(address_refusal(address, parse_rules()) for address in found):
        pytest.skip(f"{host} resolves to public addresses only here")
    delivery = one_delivery(f"http://{host}:{port_of(receiver)}/hooks")
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert sent.status == DeliveryStatus.FAILED
    assert sent.last_error.startswith(f"Refused: Webhooks may not go to {host}")
    assert receiver.received == []


def test_an_address_refused_since_subscribing_fails_at_once(receiver, settings):
    delivery = one_delivery(receiver.url)  # http://127.0.0.1, allowed by the test settings
    settings.WEBHOOK_ALLOWED_HOSTS = []
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert sent.status == DeliveryStatus.FAILED and sent.attempts == 1
    assert "127.0.0.1 is a loopback address" in sent.last_error
    assert receiver.received == []


def test_plain_http_refused_since_subscribing_fails_at_once(receiver, settings):
    delivery = one_delivery(receiver.url)
    settings.WEBHOOK_ALLOW_HTTP = False
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert sent.status == DeliveryStatus.FAILED and "https" in sent.last_error
    assert receiver.received == []


def test_the_delivery_goes_to_the_address_checked_not_a_second_lookup(
    receiver, resolver, monkeypatch
):
    connected = []
    resolver({"hooks.example.com": ["127.0.0.1"]})  # 127.0.0.1 is allowed in the tests
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr("helpdesk.webhooks.delivery.socket.create_connection", create_connection)
    delivery = one_delivery(f"http://hooks.example.com:{port_of(receiver)}/hooks?x=1")
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert sent.status == DeliveryStatus.DELIVERED
    assert connected == [("127.0.0.1", port_of(receiver))]  # the address, never the name
    (got,) = receiver.received
    assert got.signature_ok
    assert got.headers["Host"] == f"hooks.example.com:{port_of(receiver)}"


# -- redirects --------------------------------------------------------------------------------


@pytest.fixture
def redirecting():
    """A server that answers every POST with 307 to `redirecting.location`; counts them."""

    class State:
        location = ""
        hits = 0

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            State.hits += 1
            self.send_response(307)
            self.send_header("Location", State.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    State.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield State
    server.shutdown()
    server.server_close()


def test_a_redirect_is_never_followed(receiver, redirecting):
    redirecting.location = receiver.url  # e.g. to an internal address
    delivery = one_delivery(redirecting.url)
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert (sent.status, sent.last_status_code) == ("pending", 307)  # a failed attempt
    assert "redirects are not followed" in sent.last_error
    assert redirecting.hits == 1 and receiver.received == []


# -- TLS --------------------------------------------------------------------------------------


def self_signed(name: str, directory) -> tuple[str, str]:
    """(certificate path, key path) of a self-signed certificate for `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650 * 3))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """The receiver behind TLS with a certificate for hooks.example.com, which the desk's
    default TLS context is made to trust (SSL_CERT_FILE)."""
    cert, key = self_signed("hooks.example.com", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    receiver, server = start_receiver(SECRET)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield receiver
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_address_and_verifies_the_url_s_host(
    tls_receiver, resolver, settings
):
    port = port_of(tls_receiver)
    resolver({"hooks.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]})
    delivery = one_delivery(f"https://hooks.example.com:{port}/hooks")
    sent = deliver_webhook(delivery_id=delivery.pk)
    assert (sent.status, sent.last_status_code) == ("delivered", 200), sent.last_error
    assert [r.signature_ok for r in tls_receiver.received] == [True]
    # The same server under a name its certificate does not cover: refused by TLS, retried.
    second = one_delivery(f"https://other.example.com:{port}/hooks")
    sent = deliver_webhook(delivery_id=second.pk)
    assert sent.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in sent.last_error
    assert len(tls_receiver.received) == 1
