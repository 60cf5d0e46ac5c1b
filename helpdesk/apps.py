from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    """The shared core: policy, SLA clocks, people and knowledge. Knows no channel."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "helpdesk"
    verbose_name = "Help desk core"

    def ready(self):
        from . import ratelimit, signals  # noqa: F401  (ratelimit: its settings' check)
        from .api import tasks as api_tasks  # noqa: F401  (Celery: purge idempotency keys)
        from .privacy import tasks as privacy_tasks  # noqa: F401  (Celery: daily retention)
        from .webhooks import sla as webhook_sla

        webhook_sla.register()  # sla.warning and sla.breached webhooks

        from django.urls import reverse

        from . import sla_registry

        # policy.review: its reminders and escalations open the version's admin page.
        sla_registry.register_case_url(
            "helpdesk.policyversion",
            lambda pk: reverse("admin:helpdesk_policyversion_change", args=[pk]),
        )
        from . import cases

        cases.register()  # how deadlines and notifications name the core's cases

        from .models import Interaction, Notification
        from .privacy.services import register_masked_fields

        register_masked_fields(Interaction, ["summary"])  # the customer's history, any channel
        # Notifications quote what people wrote (an escalation's notes, a ticket's subject).
        register_masked_fields(Notification, ["message"])
