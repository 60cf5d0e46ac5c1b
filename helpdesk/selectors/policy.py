"""Which policy version is in force."""

from django.utils import timezone

from helpdesk.models import PolicyVersion


def policy_version_in_force(*, now=None) -> PolicyVersion | None:
    """The latest version whose effective date has come (in the server's local date)."""
    today = timezone.localdate(now or timezone.now())
    return (
        PolicyVersion.objects.filter(effective__lte=today)
        .order_by("-effective", "-published_at", "-pk")
        .first()
    )
