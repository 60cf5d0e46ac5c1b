from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from helpdesk.api.routing import api_not_found
from helpdesk.views.health import health_view
from helpdesk.views.login import LimitedAdminAuthenticationForm, LimitedLoginView
from tickets.views.inbound import inbound_email_view

admin.site.login_form = LimitedAdminAuthenticationForm  # sign-in attempts limited per address

urlpatterns = [
    path("", RedirectView.as_view(url="/desk/", permanent=False)),
    path("health/", health_view, name="health"),
    path("inbound/email/", inbound_email_view, name="inbound-email"),
    path("admin/", admin.site.urls),
    path("accounts/login/", LimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("chat.urls")),
    path("", include("surveys.urls")),
    path("desk/deadlines/", include("helpdesk.urls")),
    path("desk/complaints/", include("complaints.urls")),
    path("desk/", include("tickets.urls")),
    # The REST API: the core's endpoints and each channel's; its schema and docs.
    path("api/v1/", include("helpdesk.api.urls")),
    path("api/v1/", include("tickets.apis")),
    path("api/v1/", include("complaints.apis")),
    path("api/v1/", include("chat.apis")),
    path("api/v1/", include("surveys.apis")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        # the split view: its start-up script is a file, not inline (the CSP)
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    # The first routes of the schema and docs, kept as aliases.
    path("api/v1/schema/", RedirectView.as_view(pattern_name="api-schema", permanent=True)),
    path("api/v1/docs/", RedirectView.as_view(pattern_name="api-docs", permanent=True)),
    re_path(r"^api/", api_not_found),
]
