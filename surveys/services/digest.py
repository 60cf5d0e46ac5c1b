"""The weekly survey digest emailed to supervisors and managers (the SOP reviews chat feedback
weekly). Beat runs it on Monday morning; it covers the previous full week, Monday 00:00 to
Monday 00:00 in the server's time zone, and is sent once per week whatever runs twice."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from helpdesk.roles import OVERSEEING_ROLES
from surveys.models import SurveyDigest
from surveys.selectors import Filters, survey_report


def digest_period(now: datetime) -> tuple[datetime, datetime]:
    """The previous full week before `now`, local Monday 00:00 to Monday 00:00, as aware times."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).date()
    zone = timezone.get_current_timezone()
    end = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    start = datetime.combine(monday - timedelta(days=7), datetime.min.time(), tzinfo=zone)
    return start, end


def digest_recipients() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(agent_profile__role__in=OVERSEEING_ROLES, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def send_weekly_digest(*, now: datetime | None = None) -> SurveyDigest | None:
    """Email the digest of the week before `now` to every active supervisor and manager with
    an address, once per week: returns the record of it, or None when that week's was sent."""
    now = now or timezone.now()
    start, end = digest_period(now)
    if SurveyDigest.objects.filter(period_start=start).exists():
        return None
    report = survey_report(filters=Filters(start=start, end=end), with_series=False)
    recipients = digest_recipients()
    context = {
        "report": report,
        "start": start,
        "end": end - timedelta(seconds=1),
        "desk_url": settings.SURVEYS_BASE_URL.rstrip("/") + reverse("surveys:desk"),
    }
    subject = render_to_string("surveys/email/digest_subject.txt", context).strip()
    body = render_to_string("surveys/email/digest.txt", context)
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = SurveyDigest.objects.create(
                    period_start=start, period_end=end, sent_at=now, recipients=len(recipients)
                )
        except IntegrityError:  # sent at the same moment by another run
            return None
        # Sent inside the transaction: an SMTP error rolls the record back and the task retries.
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
        )
    return digest
