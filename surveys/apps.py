from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from helpdesk.events import conversation_resolved
        from surveys.services import on_conversation_resolved

        conversation_resolved.connect(
            on_conversation_resolved, dispatch_uid="surveys.invite_to_survey"
        )

        from helpdesk.privacy.services import register_masked_fields

        from .models import FollowUp, SurveyResponse

        register_masked_fields(SurveyResponse, ["comment"])
        register_masked_fields(FollowUp, ["notes"])
        from . import cases

        cases.register()  # "Survey follow-up for Tom Baker" on deadlines and notifications
