"""Which sites may talk to chat from a browser: the help desk's own hosts (`ALLOWED_HOSTS`)
everywhere, and the customer sites of `CHAT_WIDGET_ORIGINS` (full origins, `https://shop.example`)
for the widget's endpoints and sockets only, never for the desk's."""

from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings

# The widget's sockets: the customer's chat and the visitor socket (chat/routing.py).
WIDGET_SOCKET_PREFIX = "/ws/chat/"


def _normalise(origin: str) -> str:
    return (origin or "").strip().rstrip("/").lower()


def widget_origins() -> set[str]:
    return {_normalise(o) for o in settings.CHAT_WIDGET_ORIGINS if o.strip()}


def is_widget_origin(origin: str) -> bool:
    """The origin is a customer site allowed to embed the widget."""
    return _normalise(origin) in widget_origins()


class WidgetOriginValidator:
    """Channels' origin check with one exception: the widget's sockets also accept the sites of
    `CHAT_WIDGET_ORIGINS`. Every other socket (the desk's, the agent console's) accepts only
    `ALLOWED_HOSTS`, as `AllowedHostsOriginValidator` does. Settings are read per connection."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = ["localhost", "127.0.0.1", "[::1]"]
        if scope["type"] == "websocket" and scope.get("path", "").startswith(WIDGET_SOCKET_PREFIX):
            allowed += sorted(widget_origins())
        return await OriginValidator(self.application, allowed)(scope, receive, send)


def same_site(request, origin: str) -> bool:
    """The origin is the help desk's own host (the widget on /chat/)."""
    return urlparse(origin).netloc.lower() == request.get_host().lower()
