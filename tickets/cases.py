"""How a ticket is named wherever a deadline or notification points at it: "Ticket #1000"
(its number, never its database id), opening the ticket's desk page."""

from django.urls import reverse

from helpdesk import sla_registry

from .models import Ticket


def describe_tickets(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    numbers = Ticket.objects.filter(pk__in=ids).values_list("pk", "number")
    return {
        pk: sla_registry.CaseLink(f"Ticket #{number}", reverse("tickets:ticket", args=[number]))
        for pk, number in numbers
    }


def register() -> None:
    sla_registry.register_case("tickets.ticket", describe_tickets)
