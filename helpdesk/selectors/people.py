"""Reads about people: a customer's history across channels and the staff on duty."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, QuerySet

from helpdesk.models import AgentProfile, Customer, Interaction, Presence, Team


def customer_history(*, customer: Customer, limit: int = 50) -> list[Interaction]:
    """The customer's interactions on every channel, newest first, with the agent and the kind
    of case loaded (one query however many there are)."""
    return list(
        Interaction.objects.filter(customer=customer)
        .select_related("agent", "case_type")
        .order_by("-occurred_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class CustomerSummary:
    """What the desk shows about a customer who has been in touch before."""

    customer: Customer
    total: int
    by_channel: dict[str, int] = field(default_factory=dict)
    last_contact_at: datetime | None = None
    last_channel: str = ""

    @property
    def is_returning(self) -> bool:
        return self.total > 0


def returning_customer_summary(
    *, customer: Customer, before: datetime | None = None
) -> CustomerSummary:
    """Interactions counted by channel, and the last contact. `before` leaves out what happened
    from that moment on, e.g. the chat the agent is answering now."""
    interactions = Interaction.objects.filter(customer=customer)
    if before is not None:
        interactions = interactions.filter(occurred_at__lt=before)
    rows = (
        interactions.order_by()
        .values("channel")
        .annotate(count=Count("pk"), last=Max("occurred_at"))
        .order_by("-count", "channel")
    )
    by_channel = {}
    last_contact_at, last_channel = None, ""
    for row in rows:
        by_channel[row["channel"]] = row["count"]
        if last_contact_at is None or row["last"] > last_contact_at:
            last_contact_at, last_channel = row["last"], row["channel"]
    return CustomerSummary(
        customer=customer,
        total=sum(by_channel.values()),
        by_channel=by_channel,
        last_contact_at=last_contact_at,
        last_channel=last_channel,
    )


def agents_online(*, team: Team | None = None) -> QuerySet[AgentProfile]:
    """Staff marked online (optionally of one team), longest online first, users loaded."""
    profiles = AgentProfile.objects.filter(presence=Presence.ONLINE, user__is_active=True)
    if team is not None:
        profiles = profiles.filter(team=team)
    return profiles.select_related("user", "team").order_by("presence_changed_at", "pk")
