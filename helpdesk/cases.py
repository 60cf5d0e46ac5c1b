"""How the core's own cases are named wherever a deadline or notification points at them: a
policy version under review ("Policy version 1.1") and a customer interaction ("Phone
call with Tom Baker"), each opening its admin page."""

from django.urls import reverse

from . import sla_registry
from .models import Interaction, PolicyVersion


def describe_policy_versions(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    return {
        pk: sla_registry.CaseLink(
            f"Policy version {number}",
            reverse("admin:helpdesk_policyversion_change", args=[pk]),
        )
        for pk, number in PolicyVersion.objects.filter(pk__in=ids).values_list("pk", "version")
    }


def describe_interactions(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    rows = Interaction.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "customer__name", "customer__email"
    )
    return {
        pk: sla_registry.CaseLink(
            f"{kind.capitalize() or 'Contact'} with {name or email or 'a customer'}",
            reverse("admin:helpdesk_interaction_change", args=[pk]),
        )
        for pk, kind, name, email in rows
    }


def register() -> None:
    sla_registry.register_case("helpdesk.policyversion", describe_policy_versions)
    sla_registry.register_case("helpdesk.interaction", describe_interactions)
