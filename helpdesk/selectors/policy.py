"""Which policy version is in force, and the revision history of the policy."""

from datetime import datetime

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone

from helpdesk.models import PolicyVersion

IN_FORCE = "in force"
SCHEDULED = "scheduled"
SUPERSEDED = "superseded"


def policy_version_in_force(*, now: datetime | None = None) -> PolicyVersion | None:
    """The latest version whose effective date has come (in the server's local date); among
    versions effective the same day, the one published last."""
    today = timezone.localdate(now or timezone.now())
    return (
        PolicyVersion.objects.filter(effective__lte=today)
        .order_by("-effective", "-published_at", "-pk")
        .first()
    )


def policy_version_exists(*, version: str) -> bool:
    """Whether a version with this number has been published."""
    return PolicyVersion.objects.filter(version=version).exists()


def policy_version_history(*, now: datetime | None = None) -> QuerySet[PolicyVersion]:
    """Every published version, newest publication first, each annotated with `status`: "in
    force" (the one version in force at `now`), "scheduled" (effective date still to come) or
    "superseded" (its date has come but a later version replaced it)."""
    today = timezone.localdate(now or timezone.now())
    in_force = policy_version_in_force(now=now)
    return (
        PolicyVersion.objects.select_related("published_by")
        .annotate(
            status=Case(
                When(pk=in_force.pk if in_force else None, then=Value(IN_FORCE)),
                When(effective__gt=today, then=Value(SCHEDULED)),
                default=Value(SUPERSEDED),
                output_field=CharField(),
            )
        )
        .order_by("-published_at", "-pk")
    )
