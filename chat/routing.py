"""WebSocket routes of chat (mounted in config/routing.py). The widget's sockets live under
/ws/chat/, where `chat.origins.WidgetOriginValidator` also accepts `CHAT_WIDGET_ORIGINS`."""

from django.urls import path

from chat.consumers import AgentChatConsumer, CustomerChatConsumer
from chat.visitor_consumer import VisitorConsumer

websocket_urlpatterns = [
    path("ws/chat/visitor/", VisitorConsumer.as_asgi()),
    path("ws/chat/<str:token>/", CustomerChatConsumer.as_asgi()),
    path("ws/desk/chat/", AgentChatConsumer.as_asgi()),
]
