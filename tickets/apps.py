from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Email and phone tickets: the case every channel can end in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from . import handlers

        handlers.register()
        from . import cases

        cases.register()  # "Ticket #1000" wherever a deadline or notification names one

        from helpdesk.privacy.services import register_masked_fields

        from .models import (
            Call,
            CallbackRequest,
            InboundEmail,
            Message,
            Ticket,
            TicketEvent,
            Voicemail,
        )

        # Text a customer or agent writes, masked on every save (the raw .eml is kept as received).
        register_masked_fields(Ticket, ["subject"])
        register_masked_fields(TicketEvent, ["note"])
        # A bounce's diagnostic is the receiving server's words, which may quote our email.
        register_masked_fields(
            Message, ["subject", "text", "quoted_text", "html", "notes", "bounce_diagnostic"]
        )
        register_masked_fields(InboundEmail, ["subject"])
        register_masked_fields(Call, ["notes"])
        register_masked_fields(Voicemail, ["transcript", "notes"])
        register_masked_fields(CallbackRequest, ["note"])

        from . import retention

        retention.register()  # [retention]: raw emails, closed tickets
