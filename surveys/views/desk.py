"""The supervisors' survey page in the desk: figures over time, follow-ups, CSV export."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from helpdesk.services.policy import policy_in_force
from surveys.access import SurveyAction, check_survey_access, follow_ups_listed_for
from surveys.forms import PERIODS, ReportFilterForm
from surveys.selectors import (
    Filters,
    follow_up_clock,
    follow_up_detail,
    open_follow_ups,
    survey_report,
)
from surveys.services import close_follow_up


def _filters(request) -> tuple[ReportFilterForm, Filters, str]:
    form = ReportFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    _label, span, bucket = PERIODS[data.get("period") or "12w"]
    end = timezone.now()
    team, agent = data.get("team"), data.get("agent")
    filters = Filters(
        start=end - span,
        end=end,
        team_id=team.pk if team else None,
        agent_id=agent.pk if agent else None,
        channel=data.get("channel") or "",
    )
    return form, filters, bucket


def _percent(value: float | None) -> float:
    return round(value * 100, 1) if value is not None else 0.0


@login_required
def desk_view(request):
    check_survey_access(user=request.user, action=SurveyAction.READ)
    form, filters, bucket = _filters(request)
    report = survey_report(filters=filters, bucket=bucket)
    scale = policy_in_force()[1].surveys.scale
    series = [
        {
            "period": period,
            "figures": figures,
            "response_pct": _percent(figures.response_rate),
            "answered_pct": _percent(figures.answered_rate),
            "average_pct": round((figures.average or 0) / scale * 100, 1),
        }
        for period, figures in report.series
    ]
    context = {
        "form": form,
        "report": report,
        "series": series,
        "bucket": bucket,
        "follow_ups": open_follow_ups(user=follow_ups_listed_for(request.user)),
        "export_url": reverse("surveys:export") + "?" + request.GET.urlencode(),
        "now": timezone.now(),
    }
    return render(request, "surveys/desk.html", context)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@login_required
def export_view(request):
    check_survey_access(user=request.user, action=SurveyAction.READ)
    _form, filters, bucket = _filters(request)
    report = survey_report(filters=filters, bucket=bucket)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="survey-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "section",
            "label",
            "invitations",
            "responses",
            "response_rate",
            "answered_rate",
            "average_score",
        ]  # fmt: skip
    )
    rows = [("total", "all", report.total)]
    rows += [(bucket, period.date().isoformat(), f) for period, f in report.series]
    rows += [("agent", label, f) for label, f in report.by_agent.items()]
    rows += [("channel", label, f) for label, f in report.by_channel.items()]
    for section, label, f in rows:
        writer.writerow(
            [
                section,
                label,
                f.invitations,
                f.responses,
                _fmt(f.response_rate),
                _fmt(f.answered_rate),
                _fmt(f.average, 2),
            ]  # fmt: skip
        )
    return response


def conversation_admin_url(invitation) -> str:
    """The transcript: the conversation's page in the admin (surveys knows no channel app)."""
    model = invitation.conversation_type
    try:
        return reverse(
            f"admin:{model.app_label}_{model.model}_change", args=[invitation.conversation_id]
        )
    except NoReverseMatch:
        return ""


def complaint_link(follow_up) -> str:
    """The admin's 'log a complaint' page with what the follow-up knows filled in."""
    invitation = follow_up.response.invitation
    try:
        url = reverse("admin:complaints_complaint_add")
    except NoReverseMatch:
        return ""
    response = follow_up.response
    description = (
        f"Survey answer on {invitation}: score {response.score}, question answered: "
        f"{'yes' if response.answered else 'no'}.\n\n{response.comment}"
    ).strip()
    channel = invitation.channel if invitation.channel in ("chat", "email", "phone") else ""
    query = {"customer": invitation.customer_id, "channel": channel, "description": description}
    return f"{url}?{urlencode(query)}"


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_view(request, pk: int):
    check_survey_access(user=request.user, action=SurveyAction.READ)
    follow_up = follow_up_detail(follow_up_id=pk)
    if follow_up is None:
        raise Http404("No such follow-up.")
    error = ""
    if request.method == "POST":
        try:
            close_follow_up(
                follow_up=follow_up, by=request.user, notes=request.POST.get("notes", "")
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            return redirect("surveys:follow-up", pk=pk)
    # The due time is the clock's when the follow-up has one (else the fallback set at opening).
    clock = follow_up_clock(follow_up=follow_up)
    due_at = clock.due_at if clock is not None else follow_up.due_at
    context = {
        "follow_up": follow_up,
        "clock": clock,
        "due_at": due_at,
        "invitation": follow_up.response.invitation,
        "conversation_url": conversation_admin_url(follow_up.response.invitation),
        "complaint_url": complaint_link(follow_up),
        "error": error,
        "overdue": follow_up.status == "open" and due_at < timezone.now(),
    }
    return render(request, "surveys/follow_up.html", context, status=400 if error else 200)
