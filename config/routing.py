"""WebSocket routes of every app, in one list for config/asgi.py."""

websocket_urlpatterns: list = []
