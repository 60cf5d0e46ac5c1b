"""Reports: SLA compliance by target and channel, and first response times, over a period."""

from datetime import UTC, timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from helpdesk.api.fields import JsonText
from helpdesk.models import Scope
from helpdesk.selectors.reports import first_response_times, sla_compliance

from ..base import ApiView
from ..permissions import SUPERVISORS
from ..schema import responses

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodInput(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False, help_text=f"From (inclusive, ISO 8601); default {DEFAULT_DAYS} days ago."
    )
    end = serializers.DateTimeField(required=False, help_text="Until (exclusive); default now.")

    def validate(self, attrs):
        end = attrs.get("end") or timezone.now()
        start = attrs.get("start") or end - timedelta(days=DEFAULT_DAYS)
        if start >= end:
            raise serializers.ValidationError({"start": "The start must be before the end."})
        if end - start > timedelta(days=MAX_DAYS):
            raise serializers.ValidationError({"start": f"At most {MAX_DAYS} days at once."})
        return {"start": start, "end": end}


class ComplianceOutput(serializers.Serializer):
    target = JsonText(help_text="e.g. email.first_response.")
    channel = JsonText(help_text="The target's section: chat, email, phone, ...")
    met = serializers.IntegerField(help_text="Clocks stopped in time.")
    breached = serializers.IntegerField(help_text="Clocks whose target was missed.")
    running = serializers.IntegerField(help_text="Clocks not decided yet (running or paused).")
    cancelled = serializers.IntegerField(
        help_text="Clocks whose target stopped applying (e.g. the customer left before an "
        "answer): neither met nor breached, not in percent_met."
    )
    percent_met = serializers.FloatField(
        allow_null=True, help_text="Met as a percentage of met + breached; null if none."
    )


class ResponseTimesOutput(serializers.Serializer):
    channel = JsonText(help_text="chat, email, phone, ...")
    count = serializers.IntegerField(help_text="First responses given in the period.")
    median_seconds = serializers.FloatField(
        allow_null=True, help_text="Median time to first response, seconds (paused time out)."
    )
    p90_seconds = serializers.FloatField(
        allow_null=True, help_text="90th percentile of the same, seconds."
    )


class SlaReportOutput(serializers.Serializer):
    start = serializers.DateTimeField(help_text="The period's start (UTC).")
    end = serializers.DateTimeField(help_text="The period's end (UTC).")
    compliance = ComplianceOutput(many=True, help_text="Per target, clocks started in the period.")
    first_response = ResponseTimesOutput(many=True, help_text="Per channel.")


class SlaReportApi(ApiView):
    read_scope = Scope.REPORTS_READ
    read_roles = SUPERVISORS

    @extend_schema(
        summary="SLA compliance and first response times",
        description="Over the clocks that started in the period (default: the last 30 days): "
        "per target and channel, how many met, breached, are still running or were cancelled "
        "(the target stopped applying), and % met of met + breached; per "
        "channel, the median and 90th percentile time to first response.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, description="From (inclusive)."),
            OpenApiParameter("end", OpenApiTypes.DATETIME, description="Until (exclusive)."),
        ],
        responses=responses({200: SlaReportOutput}, 400),
        tags=["reports"],
    )
    def get(self, request):
        data = PeriodInput(data=request.query_params.dict())  # "" is no value
        data.is_valid(raise_exception=True)
        start, end = data.validated_data["start"], data.validated_data["end"]
        report = {
            "start": start.astimezone(UTC),
            "end": end.astimezone(UTC),
            "compliance": [
                {**vars(row), "percent_met": row.percent_met}
                for row in sla_compliance(start=start, end=end)
            ],
            "first_response": [vars(row) for row in first_response_times(start=start, end=end)],
        }
        return Response(SlaReportOutput(report).data)
