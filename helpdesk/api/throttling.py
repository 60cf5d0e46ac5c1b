"""Requests per API key (or per session user) per period: `API_THROTTLE_RATE`, e.g. 600/min."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from helpdesk.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
