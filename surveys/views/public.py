"""The customer's survey page: a plain form that works without JavaScript.

Every failure is a friendly page with the right status, never a 500: a tampered or unknown link
404, an answered one 409, an expired one 410, too many requests 429, too large a body 413.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from helpdesk import ratelimit
from helpdesk.forms import apply_service_errors
from surveys.forms import SurveyForm
from surveys.services import SurveyError, access_invitation, submit_survey_response


def _rate_limit(request) -> ratelimit.Verdict:
    """Count this request against its address (helpdesk.ratelimit, shared by every server
    process): refused past SURVEYS_RATE_LIMIT per SURVEYS_RATE_WINDOW_SECONDS."""
    rate = ratelimit.Rate(settings.SURVEYS_RATE_LIMIT, settings.SURVEYS_RATE_WINDOW_SECONDS)
    return ratelimit.hit("survey-page", ratelimit.client_address(request), rate=rate)


def _private(response):
    # The link is the customer's key: never sent to another site (a Referer), never cached;
    # "same-origin", not "no-referrer", which would send "Origin: null" and fail CSRF.
    response["Referrer-Policy"] = "same-origin"
    return response


def _problem(request, *, status: int, title: str, message: str):
    context = {"title": title, "message": message}
    return _private(render(request, "surveys/problem.html", context, status=status))


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.SURVEYS_MAX_REQUEST_BYTES


@never_cache
@require_http_methods(["GET", "POST"])
def survey_view(request, token: str):
    limit = _rate_limit(request)
    if not limit.allowed:
        response = _problem(
            request,
            status=429,
            title="Please try again in a few minutes",
            message="We have had too many requests from your connection. Please wait a few "
            "minutes and open the link again.",
        )
        response["Retry-After"] = str(limit.retry_after)
        return response
    if request.method == "POST" and _too_large(request):
        return _problem(
            request,
            status=413,
            title="Your answer is too long",
            message="Please shorten your comment and send the survey again.",
        )
    try:
        invitation, policy = access_invitation(token=token)
    except SurveyError as error:
        return _problem(request, status=error.status, title=error.title, message=error.message)
    form = SurveyForm(request.POST or None, scale=policy.surveys.scale)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                submit_survey_response(
                    token=token,
                    answered=data["answered"] == "yes",
                    score=data["score"],
                    comment=data["comment"],
                )
            except SurveyError as error:
                return _problem(
                    request, status=error.status, title=error.title, message=error.message
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return _private(redirect("surveys:thanks"))
        status = 400
    context = {
        "form": form,
        "question": policy.surveys.question,
        "scale": policy.surveys.scale,
        "company": policy.document.company,
        "invitation": invitation,
    }
    return _private(render(request, "surveys/survey.html", context, status=status))


def thanks_view(request):
    return render(request, "surveys/thanks.html")
