"""Email in over HTTP: `POST /inbound/email/` with a raw RFC 5322 message as the body, for a
mail provider's inbound webhook or a relay of our own (see docs/email.md).

The request is signed instead of carrying a session or CSRF token:

    X-Timestamp: <unix seconds>
    X-Signature: sha256=<hex HMAC-SHA256(INBOUND_EMAIL_SECRET, "<X-Timestamp>." + body)>

A timestamp more than `TOLERANCE` seconds from our clock is refused, so a captured request
cannot be replayed later (and within the window a replay is a duplicate, which changes nothing).

| answer | when |
| --- | --- |
| 202 `{"kind": "new" or "reply" ..., "ticket": "#1042"}` | taken in (`kind` "failed": kept raw, unreadable or over a cap, with its `error`) |
| 200 `{"kind": "duplicate", "ticket": null}` | the desk already has this email |
| 400 `{"error": ...}` | the body is empty |
| 403 `{"error": ...}` | the signature or timestamp is missing, malformed, stale or wrong |
| 413 `{"error": ...}` | the body is larger than TICKETS_MAX_EMAIL_BYTES |
| 503 `{"error": ...}` | INBOUND_EMAIL_SECRET is not set: the endpoint is off; or the database is unavailable (send again later) |
"""  # noqa: E501

import hashlib
import hmac
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import conf
from ..services import ingest_email
from ..services.inbound import DUPLICATE

TOLERANCE = 300  # seconds either side of our clock
MAX_TIMESTAMP_DIGITS = 12
SIGNATURE_PREFIX = "sha256="


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Signature value for `body` sent at `timestamp` (what a sender computes)."""
    payload = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def check_signature(*, secret: str, timestamp: str, signature: str, body: bytes, now: float) -> str:
    """'' when the request is genuine and fresh, else why not."""
    if not timestamp or not signature:
        return "X-Timestamp and X-Signature headers are required"
    # At most 12 digits: int() of a 5,000-digit string raises (and would be no time of ours).
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "X-Timestamp must be a Unix time in seconds"
    if abs(now - int(timestamp)) > TOLERANCE:
        return f"X-Timestamp is more than {TOLERANCE} seconds away from the server's time"
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        return "the signature does not match the body"
    return ""


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # signed instead: see the module's docstring
@require_POST
def inbound_email_view(request):
    secret = getattr(settings, "INBOUND_EMAIL_SECRET", "")
    if not secret:
        return _error(503, "inbound email over HTTP is off: INBOUND_EMAIL_SECRET is not set")
    limit = conf.max_email_bytes()
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(413, f"the email is larger than the {limit} bytes limit")
    # Read from the stream, not request.body, which stops at DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _error(413, f"the email is larger than the {limit} bytes limit")
    problem = check_signature(
        secret=secret,
        timestamp=request.headers.get("X-Timestamp", ""),
        signature=request.headers.get("X-Signature", ""),
        body=body,
        now=time.time(),
    )
    if problem:
        return _error(403, problem)
    if not body.strip():
        return _error(400, "the body is empty: it must be a raw RFC 5322 email")
    try:
        result = ingest_email(raw=body)
    except (OperationalError, InterfaceError):
        return _error(503, "the desk cannot store email right now: send it again later")
    answer = {
        "kind": result.kind,
        "ticket": result.ticket.reference if result.ticket is not None else None,
    }
    if result.error:
        answer["error"] = result.error
    return JsonResponse(answer, status=200 if result.kind == DUPLICATE else 202)
