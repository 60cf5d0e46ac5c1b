from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    """The shared core: policy, SLA clocks, people and knowledge. Knows no channel."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "helpdesk"
    verbose_name = "Help desk core"

    def ready(self):
        from . import ratelimit, signals  # noqa: F401  (ratelimit: its settings' check)
        from .api import tasks as api_tasks  # noqa: F401  (Celery: purge idempotency keys)
        from .webhooks import sla as webhook_sla

        webhook_sla.register()  # sla.warning and sla.breached webhooks
