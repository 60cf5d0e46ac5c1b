"""Requests per API key (or per session user, or per address) per period: `API_THROTTLE_RATE`,
e.g. 600/min, counted by the help desk's one limiter (helpdesk/ratelimit.py): an atomic count in
Redis, so the rate holds across every server process and concurrent request (DRF's own throttle
reads, appends and writes back a list in the cache, and concurrent requests overwrite each
other's hits). Past the rate: the API's JSON 429 (`throttled`) with Retry-After."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from helpdesk import ratelimit
from helpdesk.models import ApiKey


class ApiKeyRateThrottle(BaseThrottle):
    scope = "api"

    def __init__(self):
        self.retry_after: int | None = None

    def ident(self, request) -> str:
        if isinstance(request.auth, ApiKey):
            return f"key:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        # REMOTE_ADDR, not X-Forwarded-For, which any client may write.
        return f"ip:{ratelimit.client_address(request)}"

    def allow_request(self, request, view) -> bool:
        rate = settings.API_THROTTLE_RATE
        if not rate:
            return True
        verdict = ratelimit.hit(self.scope, self.ident(request), rate=rate)
        self.retry_after = verdict.retry_after or None
        return verdict.allowed

    def wait(self) -> int | None:
        return self.retry_after
