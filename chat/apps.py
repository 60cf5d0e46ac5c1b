from django.apps import AppConfig


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"

    def ready(self):
        from helpdesk.privacy.services import register_masked_fields

        from .models import ChatMessage, ChatSession

        # Lines, the question, escalation notes and the summary: masked on every save. A line
        # stored in one statement (services/messages.py) is masked there, by the same rule.
        register_masked_fields(ChatSession, ["question", "summary", "escalation_notes"])
        register_masked_fields(ChatMessage, ["text"])

        from . import retention

        retention.register()  # [retention]: transcripts, secure details, closed chats

        from .services import acknowledgement

        acknowledgement.register()  # chat.acknowledge: the automatic line at D
        from . import cases

        cases.register()  # "Chat with Tom Baker" wherever a deadline or notification names one
