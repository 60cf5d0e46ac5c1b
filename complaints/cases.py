"""How a complaint is named wherever a deadline or notification points at it: its reference
("Complaint C-2026-00001"), opening its desk page."""

from django.urls import reverse

from helpdesk import sla_registry

from .models import Complaint


def describe_complaints(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    references = Complaint.objects.filter(pk__in=ids).values_list("pk", "reference")
    return {
        pk: sla_registry.CaseLink(
            f"Complaint {reference}", reverse("complaints:detail", args=[reference])
        )
        for pk, reference in references
    }


def register() -> None:
    sla_registry.register_case("complaints.complaint", describe_complaints)
