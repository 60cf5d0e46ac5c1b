"""ASGI entry point: HTTP through Django, WebSocket through Channels (origin-checked, with the
user's session)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.origins import WidgetOriginValidator  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The page's own origin (scheme, host and port; the host in ALLOWED_HOSTS) or one of
        # CSRF_TRUSTED_ORIGINS, plus CHAT_WIDGET_ORIGINS for the chat widget's sockets only
        "websocket": WidgetOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up made (settings, URL conf, apps, models) lives as long as the process: freeze it
# out of the garbage collector's reach, so a full collection under load walks only what requests
# made and does not stall every socket of the process (measured: bench/chat_load.py's p99).
gc.freeze()
