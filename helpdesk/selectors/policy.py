"""Which policy version is in force, and the revision history of the policy. Reads only:
nothing here ever publishes a version (publishing is `helpdesk.services.policy`)."""

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone

from helpdesk.models import PolicyVersion
from helpdesk.policy import PolicyError, ServicePolicy, load_policy_file, parse_policy

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


class PolicyInForce(NamedTuple):
    """The policy in force: its published version and its parsed policy. `version` is None
    when no version has been published yet: `policy` is then the project's policy file as it
    stands, the one that will be published when the first case opens."""

    version: PolicyVersion | None
    policy: ServicePolicy

    @property
    def published(self) -> bool:
        return self.version is not None


def policy_in_force(*, now: datetime | None = None) -> PolicyInForce:
    """The policy in force at `now`, read without writing anything.

    Rules: the version in force (`policy_version_in_force`) and its policy; when no version has
    been published at all, no version and the project's file (`settings.SERVICE_POLICY_FILE`),
    read but not published; when versions exist but none has taken effect yet, `PolicyError`
    says when the first one will (there is no policy to apply). An unreadable or invalid
    project file is a `PolicyError` too.
    """
    version = policy_version_in_force(now=now)
    if version is not None:
        return PolicyInForce(version, service_policy_for(version))
    if PolicyVersion.objects.exists():
        raise not_yet_in_force(now=now)
    return PolicyInForce(None, load_policy_file(settings.SERVICE_POLICY_FILE))


def not_yet_in_force(*, now: datetime | None = None) -> PolicyError:
    """The error when versions are published but none has taken effect by `now`."""
    first = PolicyVersion.objects.order_by("effective", "published_at", "pk").first()
    today = timezone.localdate(now or timezone.now())
    return PolicyError(
        f"document.effective: no policy version is in force on {today:%Y-%m-%d}; the first, "
        f"{first.version}, takes effect on {first.effective:%Y-%m-%d}"
    )


def service_policy_for(version: PolicyVersion) -> ServicePolicy:
    """The parsed policy of a published version. Published documents never change, so each is
    parsed once per process."""
    return _parse_published(version.pk, version.version, version.document)


@lru_cache(maxsize=64)
def _parse_published(pk: int | None, version: str, document: str) -> ServicePolicy:
    # Keyed by (pk, version) and the text itself: a primary key reused after a rolled-back
    # transaction (tests on SQLite) can never return another document's policy.
    return parse_policy(document)


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
