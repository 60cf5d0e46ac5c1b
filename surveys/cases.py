"""How a survey follow-up is named wherever a deadline or notification points at it:
"Survey follow-up for Tom Baker", opening its desk page."""

from django.urls import reverse

from helpdesk import sla_registry

from .models import FollowUp


def describe_follow_ups(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    rows = FollowUp.objects.filter(pk__in=ids).values_list(
        "pk",
        "response__invitation__customer__name",
        "response__invitation__customer__email",
    )
    return {
        pk: sla_registry.CaseLink(
            f"Survey follow-up for {name or email or 'a customer'}",
            reverse("surveys:follow-up", args=[pk]),
        )
        for pk, name, email in rows
    }


def register() -> None:
    sla_registry.register_case("surveys.followup", describe_follow_ups)
