"""`Idempotency-Key` on creates: a client that retries a POST (a timeout, a dropped
connection) with the same key gets the first response again, and nothing is created twice.

Rules: a key belongs to its API key (or session user) and lives `API_IDEMPOTENCY_HOURS`; the
same key with another body (or path) is refused with 422; only successful responses are kept
(a refused request may be corrected and retried with its key). The create and the record of its
response commit together, and the record is unique per (owner, key), so two concurrent requests
with one key cannot both create: the second's transaction fails and it replays the first.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.response import Response

from helpdesk.models import ApiKey, IdempotencyRecord

from .errors import Unprocessable

HEADER = "Idempotency-Key"
MAX_KEY = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID) per intended create. A retry with the same key "
    "returns the first response (header `Idempotent-Replayed: true`) for "
    "24 hours; the same key with a different body is refused with 422.",
)


def _owner(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _digest(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise Unprocessable(
            f"The {HEADER} was already used with a different request.",
            code="idempotency_key_reused",
        )
    return Response(
        record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"}
    )


def _live(owner: str, key: str):
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    return IdempotencyRecord.objects.filter(owner=owner, key=key, created_at__gte=cutoff)


def idempotent_create(request, create: Callable[[], Response]) -> Response:
    """Run `create()` (which returns the 201 response) honouring the request's key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return create()
    if len(key) > MAX_KEY:
        raise exceptions.ValidationError({HEADER: [f"At most {MAX_KEY} characters."]})
    owner, digest = _owner(request), _digest(request)
    if (found := _live(owner, key).first()) is not None:
        return _replay(found, digest)
    IdempotencyRecord.objects.filter(owner=owner, key=key).delete()  # an expired one
    try:
        with transaction.atomic():
            response = create()
            if 200 <= response.status_code < 300:
                body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=digest,
                    status_code=response.status_code,
                    response_body=body,
                )
    except IntegrityError:
        found = _live(owner, key).first()
        if found is None:
            raise
        return _replay(found, digest)
    return response


def purge_idempotency_records() -> int:
    """Forget responses older than `API_IDEMPOTENCY_HOURS`; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
