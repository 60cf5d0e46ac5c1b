"""Webhook subscriptions (scope webhooks:manage; managers in the desk): create, list, read,
update, delete, and each one's delivery log."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from helpdesk.api.fields import JsonBoolean, JsonText
from helpdesk.models import Scope, WebhookDelivery, WebhookSubscription
from helpdesk.webhooks import EVENTS
from helpdesk.webhooks.subscriptions import (
    EVENT_CHOICES,
    MAX_DESCRIPTION,
    MAX_SECRET,
    MAX_URL,
    MIN_SECRET,
    subscription_create,
    subscription_delete,
    subscription_update,
)

from ..base import ApiView
from ..idempotency import IDEMPOTENCY_PARAMETER
from ..permissions import MANAGERS
from ..schema import paginated, responses

EVENT_HELP = "Event names; ['*'] for every event. Events: " + ", ".join(EVENTS) + "."


class SubscriptionOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "description", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "The subscription's id."},
            "events": {"help_text": EVENT_HELP},
            "is_active": {"help_text": "false: no deliveries are made."},
            "description": {"help_text": "What receives the events."},
            "created_at": {"help_text": "When it was created (UTC)."},
        }


class SubscriptionCreatedOutput(SubscriptionOutput):
    secret = JsonText(help_text="Signs the deliveries; shown only here, once.")

    class Meta(SubscriptionOutput.Meta):
        fields = [*SubscriptionOutput.Meta.fields, "secret"]


class SubscriptionInput(serializers.Serializer):
    # The shape of the input; the rules are the service's (helpdesk.webhooks.subscriptions).
    url = serializers.URLField(
        max_length=MAX_URL,
        help_text="Where to POST: https (http only where the server allows it), to a public "
        "address; private, loopback, link-local and reserved addresses are refused, here and "
        "again at each delivery against the addresses the host resolves to.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_CHOICES)),
        allow_empty=False,
        min_length=1,  # documented as minItems
        help_text=EVENT_HELP,
    )
    is_active = JsonBoolean(default=True, help_text="false pauses deliveries.")
    description = JsonText(
        required=False,
        allow_blank=True,
        max_length=MAX_DESCRIPTION,
        help_text="What receives them.",
    )
    secret = JsonText(
        required=False,
        min_length=MIN_SECRET,
        max_length=MAX_SECRET,
        help_text="Your signing secret (16+ characters); generated when left out.",
    )


class DeliveryOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "The delivery's id (X-Helpdesk-Delivery)."},
            "event": {"help_text": "The event's name."},
            "attempts": {"help_text": "How many times it was sent."},
            "last_status_code": {"help_text": "The receiver's last HTTP status (null: no answer)."},
            "last_error": {"help_text": "What went wrong last time, if anything."},
            "created_at": {"help_text": "When the event happened (UTC)."},
            "delivered_at": {"help_text": "When a 2xx answered it (UTC)."},
            "payload": {"help_text": "The body sent, less its delivery id."},
            "status": {"help_text": "pending (to be tried), delivered, failed (gave up)."},
            "next_attempt_at": {"help_text": "When it will be tried next (UTC)."},
        }


class WebhookAccess:
    read_scope = write_scope = Scope.WEBHOOKS_MANAGE
    read_roles = write_roles = MANAGERS


class SubscriptionListApi(WebhookAccess, ApiView):
    @extend_schema(
        summary="List webhook subscriptions",
        operation_id="webhooks_list",
        responses=responses({200: paginated(SubscriptionOutput, "PaginatedSubscriptionList")}),
        tags=["webhooks"],
    )
    def get(self, request):
        return self.paginate(
            request, WebhookSubscription.objects.all(), SubscriptionOutput, ordering=("-pk",)
        )

    @extend_schema(
        summary="Subscribe a URL to events",
        description="The response holds the signing secret, the only time it is shown.",
        request=SubscriptionInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: SubscriptionCreatedOutput}, 400, 422),
        tags=["webhooks"],
    )
    def post(self, request):
        def create():
            data = SubscriptionInput(data=request.data)
            data.is_valid(raise_exception=True)
            subscription = subscription_create(created_by=request.user, **data.validated_data)
            return Response(
                SubscriptionCreatedOutput(subscription).data, status=status.HTTP_201_CREATED
            )

        return self.create_once(request, create)


class SubscriptionDetailApi(WebhookAccess, ApiView):
    @extend_schema(
        summary="Read a subscription",
        responses=responses({200: SubscriptionOutput}, 404),
        tags=["webhooks"],
    )
    def get(self, request, subscription_id: int):
        subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
        return Response(SubscriptionOutput(subscription).data)

    @extend_schema(
        summary="Update a subscription",
        description="URL, events, active, description or secret.",
        request=SubscriptionInput,
        responses=responses({200: SubscriptionOutput}, 400, 404),
        tags=["webhooks"],
    )
    def patch(self, request, subscription_id: int):
        subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
        data = SubscriptionInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subscription = subscription_update(subscription=subscription, **data.validated_data)
        return Response(SubscriptionOutput(subscription).data)

    @extend_schema(
        summary="Delete a subscription",
        description="With its delivery log.",
        responses=responses({204: None}, 404),
        tags=["webhooks"],
    )
    def delete(self, request, subscription_id: int):
        subscription_delete(subscription=get_object_or_404(WebhookSubscription, pk=subscription_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryListApi(WebhookAccess, ApiView):
    @extend_schema(
        summary="A subscription's delivery log",
        operation_id="webhooks_deliveries_list",
        description="Every delivery, newest first: status, attempts, last status code, error.",
        responses=responses({200: paginated(DeliveryOutput, "PaginatedDeliveryList")}, 404),
        tags=["webhooks"],
    )
    def get(self, request, subscription_id: int):
        subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
        return self.paginate(request, subscription.deliveries.all(), DeliveryOutput)
