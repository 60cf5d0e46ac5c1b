"""The core's endpoints under /api/v1/ (the channels add theirs in config/urls.py)."""

from django.urls import path

from . import routing  # noqa: F401  (the <id:...> converter)
from .views import customers, policy, reports, teams, webhooks

urlpatterns = [
    path("customers/", customers.CustomerListApi.as_view(), name="api-customers"),
    path(
        "customers/<id:customer_id>/",
        customers.CustomerDetailApi.as_view(),
        name="api-customer",
    ),
    path(
        "customers/<id:customer_id>/history/",
        customers.CustomerHistoryApi.as_view(),
        name="api-customer-history",
    ),
    path("policy/", policy.PolicyInForceApi.as_view(), name="api-policy"),
    path("policy/versions/", policy.PolicyVersionListApi.as_view(), name="api-policy-versions"),
    path("policy/deadline/", policy.PolicyDeadlineApi.as_view(), name="api-policy-deadline"),
    path("reports/sla/", reports.SlaReportApi.as_view(), name="api-reports-sla"),
    path("teams/", teams.TeamListApi.as_view(), name="api-teams"),
    path("teams/<id:team_id>/", teams.TeamDetailApi.as_view(), name="api-team"),
    path("webhooks/", webhooks.SubscriptionListApi.as_view(), name="api-webhooks"),
    path(
        "webhooks/<id:subscription_id>/",
        webhooks.SubscriptionDetailApi.as_view(),
        name="api-webhook",
    ),
    path(
        "webhooks/<id:subscription_id>/deliveries/",
        webhooks.DeliveryListApi.as_view(),
        name="api-webhook-deliveries",
    ),
]
