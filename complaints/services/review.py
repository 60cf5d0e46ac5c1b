"""The periodic review of complaints, emailed to the managers on the policy's cadence."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from helpdesk.models import AgentProfile, Role
from helpdesk.services.policy import policy_in_force

from ..models import ReviewSent
from ..selectors import Review, complaint_review, review_period


def current_review(*, now: datetime | None = None) -> Review:
    """The review of the last whole period of the policy in force's cadence."""
    now = now or timezone.now()
    _, policy = policy_in_force(now=now)
    cadence = policy.complaints.review if policy.complaints else "weekly"
    zone = policy.calendar.zone
    start, end = review_period(cadence, now.astimezone(zone).date())
    return complaint_review(cadence=cadence, start=start, end=end, zone=zone, now=now)


def manager_emails() -> list[str]:
    profiles = AgentProfile.objects.filter(role=Role.MANAGER, user__is_active=True)
    return sorted({p.user.email for p in profiles.select_related("user") if p.user.email})


def send_complaint_review(*, now: datetime | None = None) -> ReviewSent | None:
    """Email the managers the review of the last whole period, once per period.

    Rule: the policy in force sets the cadence (daily, weekly, monthly); a period already
    reviewed is not sent again, however often this runs (beat runs it hourly). The row is
    written in the same transaction as the email is sent, so a failed send is retried next run.
    Returns the record of the review sent now, or None.
    """
    now = now or timezone.now()
    review = current_review(now=now)
    recipients = manager_emails()
    if not recipients:  # nobody to send it to yet: try again on the next run
        return None
    if ReviewSent.objects.filter(cadence=review.cadence, period_start=review.start).exists():
        return None
    try:
        with transaction.atomic():
            sent = ReviewSent.objects.create(
                cadence=review.cadence,
                period_start=review.start,
                period_end=review.last_day,
                sent_at=now,
                recipients=len(recipients),
            )
            context = {"review": review, "rows": review.rows()}
            send_mail(
                subject=" ".join(
                    render_to_string("complaints/review_email_subject.txt", context).split()
                ),
                message=render_to_string("complaints/review_email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
    except IntegrityError:  # sent by a concurrent run
        return None
    return sent
