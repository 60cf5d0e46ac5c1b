"""The policy's own review (POLICY.md, "The policy's own review"): `policy.review` is a target
like any other, on the version in force as its case.

Round 1 of a version's review clock starts on its effective date (00:00 in the policy's time
zone) and is due `document.review_every_months` months later; each recorded review stops the
running round (met, or breached if it came late) and starts the next from the review. Warnings
and escalation come from the SLA sweep like any clock's; the notifications link to the
version's admin page.
"""

from datetime import datetime, time

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.models import Clock, PolicyReview, PolicyVersion
from helpdesk.models.sla import ClockState
from helpdesk.policy import REVIEW_TARGET, PolicyError
from helpdesk.selectors.policy import policy_version_in_force, service_policy_for
from helpdesk.services.sla import (
    cancel_clocks_for,
    latest_clocks,
    restart_clocks_for,
    start_clocks,
    stop_clocks_for,
)

_MAX_REVIEWER = PolicyReview._meta.get_field("reviewed_by").max_length


def review_started_at(version: PolicyVersion) -> datetime:
    """00:00 of the version's effective date in its policy's time zone: round 1's start."""
    zone = service_policy_for(version).calendar.zone
    return datetime.combine(version.effective, time.min, zone)


@transaction.atomic
def keep_policy_review(*, now: datetime | None = None) -> Clock | None:
    """Make sure the version in force at `now` has its review clock, and only it.

    Rules: the version in force runs round 1 of `policy.review` from its effective date (a
    version reviewed before keeps its latest round), answerable by whoever published it; the
    review clocks of versions no longer in force end cancelled, "superseded by version N". Run
    by beat (`helpdesk.tasks.keep_policy_review`) and before a review is recorded; safe to
    repeat. Returns the clock counting now, or None when no version is in force.
    """
    now = now or timezone.now()
    version = policy_version_in_force(now=now)
    if version is None:
        return None
    others = (
        Clock.objects.filter(
            case_type=ContentType.objects.get_for_model(PolicyVersion), target=REVIEW_TARGET
        )
        .exclude(case_id=version.pk)
        .exclude(state=ClockState.STOPPED)
        .values_list("case_id", flat=True)
    )
    for old in PolicyVersion.objects.filter(pk__in=list(others)).order_by("pk"):
        cancel_clocks_for(
            case=old,
            targets=[REVIEW_TARGET],
            at=now,
            reason=f"superseded by version {version.version}",
        )
    clock = latest_clocks(case=version, targets=[REVIEW_TARGET]).get(REVIEW_TARGET)
    if clock is not None:
        return clock
    (clock,) = start_clocks(
        case=version,
        targets=[REVIEW_TARGET],
        started_at=review_started_at(version),
        assignee=version.published_by,
        policy_version=version,
    )
    return clock


@transaction.atomic
def record_policy_review(
    *, reviewed_by: str, note: str, recorded_by=None, now: datetime | None = None
) -> PolicyReview:
    """Record that `reviewed_by` reviewed the version in force, with `note`: the version stays
    as it is (a change is a new version, `publish_policy_version`).

    Rules: who reviewed it (at most 200 characters) and what the review found are required
    (`ValidationError` naming the field); with no version in force there is nothing to review
    (`PolicyError`). The running `policy.review` round stops (met; breached if the review came
    after its due time) and the next starts now, due `document.review_every_months` months
    later, under the version's own policy.
    """
    now = now or timezone.now()
    reviewed_by, note = (reviewed_by or "").strip(), (note or "").strip()
    if not reviewed_by:
        raise ValidationError({"reviewed_by": "Say who reviewed the policy."})
    if len(reviewed_by) > _MAX_REVIEWER:
        raise ValidationError({"reviewed_by": f"At most {_MAX_REVIEWER} characters."})
    if not note:
        raise ValidationError({"note": "Say what the review found."})
    version = policy_version_in_force(now=now)
    if version is None:
        raise PolicyError("no policy version is in force: publish one before reviewing it")
    keep_policy_review(now=now)
    review = PolicyReview.objects.create(
        version=version, reviewed_by=reviewed_by, note=note, reviewed_at=now,
        recorded_by=recorded_by,
    )  # fmt: skip
    stop_clocks_for(case=version, targets=[REVIEW_TARGET], at=now)
    restart_clocks_for(
        case=version,
        targets=[REVIEW_TARGET],
        at=now,
        assignee=version.published_by,
        policy_version=version,
    )
    return review
