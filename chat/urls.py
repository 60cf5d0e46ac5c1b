"""Chat pages: the customer's at /chat/, the agent console at /desk/chat/ (mounted at the root
of config/urls.py, before the desk's own routes)."""

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.chat_page, name="page"),
    path("chat/demo/", views.embed_demo_view, name="embed-demo"),
    path("chat/start/", views.start_view, name="start"),
    path("chat/message/", views.leave_message_view, name="leave-message"),
    path("chat/secure/<str:token>/", views.secure_form_view, name="secure-form"),
    path("desk/chat/", views.console_view, name="console"),
    path("desk/chat/canned/", views.canned_view, name="canned"),
    path(
        "desk/chat/secure/<int:detail_id>/reveal/", views.reveal_secure_view, name="reveal-secure"
    ),
]
