"""WebSocket routes of chat (mounted in config/routing.py)."""

from django.urls import path

from chat.consumers import AgentChatConsumer, CustomerChatConsumer

websocket_urlpatterns = [
    path("ws/chat/<str:token>/", CustomerChatConsumer.as_asgi()),
    path("ws/desk/chat/", AgentChatConsumer.as_asgi()),
]
