"""WebSocket routes of every app, in one list for config/asgi.py."""

from django.urls import path

from chat.routing import websocket_urlpatterns as chat_websocket_urlpatterns
from tickets.consumers import DeskConsumer

websocket_urlpatterns: list = [
    path("ws/desk/", DeskConsumer.as_asgi()),
    *chat_websocket_urlpatterns,
]
