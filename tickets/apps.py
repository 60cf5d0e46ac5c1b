from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Email and phone tickets: the case every channel can end in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from . import handlers

        handlers.register()
