"""Staff sign-in with a limit on attempts: at most LOGIN_RATE posts per address (the shared
limiter, helpdesk/ratelimit.py), counted before the password is checked, so guessing passwords
from one address stops (the desk's sign-in answers 429 with Retry-After; the admin's shows the
same error on its form). Both sign-in forms share one count per address."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS

from helpdesk import ratelimit


class _Limited:
    retry_after: int | None = None

    def clean(self):
        try:
            ratelimit.check(
                "login",
                ratelimit.client_address(self.request),
                rate=settings.LOGIN_RATE,
                detail="Too many sign-in attempts from your connection.",
            )
        except ratelimit.RateLimitExceeded as error:
            self.retry_after = error.retry_after
            raise ValidationError(error.detail, code="rate_limited") from None
        return super().clean()


class LimitedAuthenticationForm(_Limited, AuthenticationForm):
    pass


class LimitedAdminAuthenticationForm(_Limited, AdminAuthenticationForm):
    pass


class LimitedLoginView(LoginView):
    authentication_form = LimitedAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "rate_limited"):
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response
