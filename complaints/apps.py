from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Complaints: the managers' workflow in the admin, with written acknowledgement deadlines."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"

    def ready(self):
        from helpdesk import sla_registry

        from .models import RESOLUTION_TARGET
        from .services import on_resolution_breach

        sla_registry.register_breach_handler(RESOLUTION_TARGET, on_resolution_breach)

        from helpdesk.privacy.services import register_masked_fields

        from .models import Complaint, ComplaintEvent, Letter

        register_masked_fields(Complaint, ["description", "desired_outcome", "outcome"])
        register_masked_fields(ComplaintEvent, ["note"])  # the notes of each step
        register_masked_fields(Letter, ["subject", "body"])

        from . import retention

        retention.register()  # [retention]: closed complaints
        from . import cases

        cases.register()  # "Complaint C-2026-00001" wherever a deadline or notification names one
