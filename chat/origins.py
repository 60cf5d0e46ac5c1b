"""Which sites may talk to chat from a browser: the help desk's own origin everywhere, and the
customer sites of `CHAT_WIDGET_ORIGINS` (full origins, `https://shop.example`) for the widget's
endpoints and sockets only, never for the desk's.

An origin is its scheme, host and port, all three compared (`http://desk.example:8080` is not
`https://desk.example`): a page on another port of the same host is another site.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

# The widget's sockets: the customer's chat and the visitor socket (chat/routing.py).
WIDGET_SOCKET_PREFIX = "/ws/chat/"

Origin = tuple[str, str, int]  # scheme, host, port
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(origin: str) -> Origin | None:
    """`scheme://host[:port]` as (scheme, host, port), the default port filled in; None for
    anything else (`null`, another scheme, a path, a malformed port)."""
    try:
        parts = urlsplit((origin or "").strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def widget_origins() -> set[Origin]:
    return {o for o in map(parse_origin, settings.CHAT_WIDGET_ORIGINS) if o is not None}


def is_widget_origin(origin: str) -> bool:
    """The origin is a customer site allowed to embed the widget."""
    parsed = parse_origin(origin)
    return parsed is not None and parsed in widget_origins()


def same_site(request, origin: str) -> bool:
    """The origin is the help desk's own (the page the request's scheme and host serve)."""
    parsed = parse_origin(origin)
    return parsed is not None and parsed == parse_origin(f"{request.scheme}://{request.get_host()}")


def is_trusted_origin(origin: Origin) -> bool:
    """One of `CSRF_TRUSTED_ORIGINS` (as Django's CSRF check trusts them: `https://*.example`
    matches the subdomains), for a desk served under a name its proxy does not pass on."""
    scheme, host, port = origin
    for pattern in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in pattern
        trusted = parse_origin(pattern.replace("://*.", "://", 1))
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if host == trusted[1] or (wildcard and is_same_domain(host, "." + trusted[1])):
            return True
    return False


def socket_own_origin(scope) -> Origin | None:
    """The origin of the help desk page that opened this socket, from its Host header and
    scheme; None when the host is not one of `ALLOWED_HOSTS` (as Django refuses it for HTTP)."""
    headers = dict(scope.get("headers", []))
    host = headers.get(b"host", b"").decode("latin1")
    domain, _ = split_domain_port(host)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return None
    secure = scope.get("scheme") == "wss"
    proxy = settings.SECURE_PROXY_SSL_HEADER  # as Django's request.scheme reads it
    if proxy:
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode("latin1")
        if name in headers:
            secure = headers[name].decode("latin1").split(",")[0].strip() == proxy[1]
    return parse_origin(f"{'https' if secure else 'http'}://{host}")


def socket_origin_allowed(scope) -> bool:
    """A socket opens only from the help desk's own origin or a trusted one; the widget's
    sockets also from the sites of `CHAT_WIDGET_ORIGINS`. Scheme, host and port all count."""
    raw = dict(scope.get("headers", [])).get(b"origin")
    origin = parse_origin(raw.decode("latin1")) if raw else None
    if origin is None:
        return False
    if origin == socket_own_origin(scope) or is_trusted_origin(origin):
        return True
    return scope.get("path", "").startswith(WIDGET_SOCKET_PREFIX) and origin in widget_origins()


class WidgetOriginValidator:
    """The origin check of every socket (see `socket_origin_allowed`); settings are read per
    connection. A refused socket is closed before the application sees it."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and socket_origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
