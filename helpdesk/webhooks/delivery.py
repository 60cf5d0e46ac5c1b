"""Sending one delivery: sign, POST with a timeout, record the attempt, and schedule the next
with exponential backoff until it succeeds or `WEBHOOK_MAX_ATTEMPTS` is reached.

At-least-once: a delivery is leased (its `next_attempt_at` moved past the timeout) before it
is sent, so two workers do not send it at the same time; a worker that dies mid-way leaves it
pending, and the sweep sends it again once the lease has passed. Receivers deduplicate on
`X-Helpdesk-Delivery`.

Each attempt checks the URL and every address its host resolves to against the SSRF guard
(`addresses`) and connects only to those checked addresses; no proxy, no redirect followed.
"""

import hashlib
import hmac
import http.client
import json
import socket
import ssl
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpdesk.models import DeliveryStatus, WebhookDelivery

from . import addresses

USER_AGENT = "Helpdesk-Webhooks/1.0"
MAX_ERROR = 2000


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` with the subscription's secret."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base × 2^(attempts-1), capped."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def _connect(ips: list[str], port: int, timeout: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers."""
    error: OSError | None = None
    for ip in ips:
        try:
            return socket.create_connection((ip, port), timeout=timeout)
        except OSError as failed:
            error = failed
    raise error or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to the checked addresses only (never a second lookup of the name)."""

    def __init__(self, host: str, port: int, *, ips: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.ips = ips

    def connect(self):
        self.sock = _connect(self.ips, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the checked addresses only; the certificate is verified for the URL's host."""

    def __init__(self, host: str, port: int, *, ips: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.ips = ips

    def connect(self):
        sock = _connect(self.ips, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _resolve(target: addresses.Target) -> list[str]:
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """(status code, error text); the error is empty for a 2xx. Raises RefusedAddress when
    the URL, or any address its host resolves to now, is one webhooks may not reach (see
    `addresses`); the connection goes to those checked addresses, so the name is not looked
    up again in between (DNS rebinding). A redirect is an answer (3xx), never followed: the
    signed body is not resent anywhere else."""
    rules = addresses.current_rules()
    target = addresses.check_url(url, rules)
    try:
        found = _resolve(target)
    except (OSError, ValueError) as error:
        return None, f"DNS: {target.host} could not be resolved ({error})"
    checked = addresses.check_resolved(target, found, rules)
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(
        target.host, target.port, ips=checked, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        code, reason = response.status, response.reason
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    if 200 <= code < 300:
        return code, ""
    if 300 <= code < 400:
        return code, f"HTTP {code} {reason} (redirects are not followed: subscribe the final URL)"
    return code, f"HTTP {code} {reason}"


def _lease(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # not due yet, or another worker holds the lease
        lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        return delivery


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {"id": delivery.pk, **delivery.payload}
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def deliver_webhook(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Send the delivery if it is pending and due; returns it as recorded (None if there was
    nothing to do). A 2xx delivers it; anything else is a failed attempt, retried after
    `backoff()` until the last attempt, which fails it for good. A URL or address the SSRF
    guard refuses (`addresses`) fails it at once, the reason in `last_error`."""
    now = now or timezone.now()
    delivery = _lease(delivery_id, now)
    if delivery is None:
        return None
    subscription = delivery.subscription
    body = body_of(delivery)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": delivery.event,
        "X-Helpdesk-Delivery": str(delivery.pk),
        "X-Helpdesk-Timestamp": str(timestamp),
        "X-Helpdesk-Signature": sign(secret=subscription.secret, timestamp=timestamp, body=body),
    }
    try:
        code, error = _post(subscription.url, body, headers)
        refused = False
    except addresses.RefusedAddress as refusal:  # not retried: it would be refused again
        code, error, refused = None, f"Refused: {refusal}", True
    finished = now
    delivery.last_status_code = code
    delivery.last_error = error[:MAX_ERROR]
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = finished
        delivery.next_attempt_at = None
    elif refused or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = finished + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "last_status_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def due_deliveries(
    *, now: datetime | None = None, grace_seconds: float = 0, limit: int = 500
) -> list[int]:
    """Ids of pending deliveries whose next attempt came more than `grace_seconds` ago (lost
    tasks, a broker that was down, retries whose task vanished), oldest first."""
    cutoff = (now or timezone.now()) - timedelta(seconds=grace_seconds)
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again (from the admin or the API): pending, due now, attempts kept."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now or timezone.now()
    )
    delivery.refresh_from_db()
    return delivery
