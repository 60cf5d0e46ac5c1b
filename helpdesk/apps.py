from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    """The shared core: policy, SLA clocks, people and knowledge. Knows no channel."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "helpdesk"
    verbose_name = "Help desk core"

    def ready(self):
        from . import signals  # noqa: F401
