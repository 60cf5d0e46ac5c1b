"""The complaints review as an admin page (CSS bar charts) and as CSV, for managers."""

import csv
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from helpdesk.services.policy import policy_in_force

from ..access import ComplaintAction, check_complaint_access
from ..selectors import CADENCES, complaint_review, review_period


def _bars(rows: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """Each (label, count) with its bar width in percent of the largest."""
    top = max((count for _, count in rows), default=0) or 1
    return [(label, count, round(100 * count / top)) for label, count in rows]


def _next_day(cadence: str, start: date, end: date) -> date:
    """A day whose last whole period is the one after [start, end)."""
    if cadence == "monthly":
        return (end + timedelta(days=32)).replace(day=1)
    return end + (end - start)


def review_view(model_admin, request: HttpRequest) -> HttpResponse:
    check_complaint_access(user=request.user, action=ComplaintAction.REVIEW)
    now = timezone.now()
    _, policy = policy_in_force(now=now)
    zone = policy.calendar.zone
    default = policy.complaints.review if policy.complaints else "weekly"
    cadence = request.GET.get("cadence", default)
    if cadence not in CADENCES:
        cadence = default
    try:
        day = date.fromisoformat(request.GET["day"])
    except (KeyError, ValueError):
        day = now.astimezone(zone).date()
    start, end = review_period(cadence, day)
    review = complaint_review(cadence=cadence, start=start, end=end, zone=zone, now=now)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="complaints-review-{cadence}-{start.isoformat()}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(["section", "figure", "value"])
        writer.writerows(review.rows())
        return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Complaints review",
        "review": review,
        "cadence": cadence,
        "cadences": CADENCES,
        "policy_cadence": default,
        "day": day,
        "charts": [
            ("By category", _bars(review.by_category)),
            ("By channel", _bars(review.by_channel)),
            ("By root cause (resolved in the period)", _bars(review.by_root_cause)),
        ],
        "previous_day": start.isoformat(),
        "next_day": _next_day(cadence, start, end).isoformat(),
    }
    return TemplateResponse(request, "admin/complaints/complaint/review.html", context)
