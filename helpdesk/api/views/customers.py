"""Customers: create, read, update, find by email or phone, and their history on every
channel."""

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from helpdesk.api.fields import JsonText
from helpdesk.customer_access import (
    READ_ROLES,
    UPDATE_ROLES,
    readable_customers,
    readable_interactions,
)
from helpdesk.models import Customer, Interaction, Scope
from helpdesk.services.customers import customer_create, customer_update
from helpdesk.services.people import normalise_phone

from ..base import ApiListView, ApiView
from ..filters import TextFilter
from ..idempotency import IDEMPOTENCY_PARAMETER
from ..schema import paginated, responses


class CustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "external_id", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "The customer's id."},
            "name": {"help_text": "Used to greet them."},
            "phone": {"help_text": "Phone number, as stored (normalised)."},
            "email": {"help_text": "Email address (unique, case-insensitively)."},
            "external_id": {"help_text": "Your own id for this person (unique)."},
            "created_at": {"help_text": "When the customer was first recorded (UTC)."},
        }


class CustomerInput(serializers.Serializer):
    name = JsonText(
        required=False, allow_blank=True, max_length=200, help_text="Used to greet them."
    )
    email = JsonText(required=False, allow_blank=True, max_length=254, help_text="Email address.")
    phone = JsonText(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Phone number: digits, optionally a leading + and spaces, dashes, brackets.",
    )
    external_id = JsonText(
        required=False, allow_blank=True, max_length=100, help_text="Your own id for them."
    )


class CustomerFilter(django_filters.FilterSet):
    email = TextFilter(field_name="email", lookup_expr="iexact", help_text="Exact email, any case.")
    phone = TextFilter(
        method="filter_phone", help_text="Phone number, matched as stored (normalised)."
    )
    external_id = TextFilter(help_text="Your own id for the customer.")

    class Meta:
        model = Customer
        fields = ["email", "phone", "external_id"]

    def filter_phone(self, queryset, name, value):
        try:
            return queryset.filter(phone=normalise_phone(value))
        except ValidationError:
            return queryset.none()


class InteractionOutput(serializers.ModelSerializer):
    agent = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The member of staff, if any.",
    )
    case_type = serializers.SerializerMethodField(help_text="The kind of case, e.g. 'ticket'.")

    class Meta:
        model = Interaction
        fields = [
            "id",
            "channel",
            "kind",
            "summary",
            "occurred_at",
            "agent",
            "case_type",
            "case_id",
        ]
        extra_kwargs = {
            "id": {"help_text": "The interaction's id."},
            "channel": {"help_text": "chat, email, phone, web, api, complaint or survey."},
            "summary": {"help_text": "One line about it."},
            "occurred_at": {"help_text": "When it happened (UTC)."},
            "case_id": {"help_text": "The id of its case (ticket, chat, complaint), if any."},
        }

    def get_case_type(self, obj) -> str | None:
        return obj.case_type.model if obj.case_type_id else None


class CustomerAccess:
    """The roles come from the customer access rule (`helpdesk.customer_access`); each view
    reads customers through its filters too."""

    read_scope = Scope.CUSTOMERS_READ
    write_scope = Scope.CUSTOMERS_WRITE
    read_roles = READ_ROLES
    write_roles = UPDATE_ROLES


class CustomerListApi(CustomerAccess, ApiListView):
    serializer_class = CustomerOutput
    filterset_class = CustomerFilter

    def get_queryset(self):
        return readable_customers(self.request.user)

    @extend_schema(
        summary="Find customers",
        description="Customers, newest first; `?email=` or `?phone=` finds one.",
        responses=responses({200: CustomerOutput(many=True)}, 400),
        tags=["customers"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a customer",
        description="Needs an email, a phone or an external id. An email or external id that "
        "is another customer's is refused (400).",
        request=CustomerInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: CustomerOutput}, 400, 422),
        tags=["customers"],
    )
    def post(self, request):
        def create():
            data = CustomerInput(data=request.data)
            data.is_valid(raise_exception=True)
            customer = customer_create(**data.validated_data)
            return Response(CustomerOutput(customer).data, status=status.HTTP_201_CREATED)

        return self.create_once(request, create)


class CustomerDetailApi(CustomerAccess, ApiView):
    @extend_schema(
        summary="Read a customer",
        responses=responses({200: CustomerOutput}, 404),
        tags=["customers"],
    )
    def get(self, request, customer_id: int):
        customer = get_object_or_404(readable_customers(request.user), pk=customer_id)
        return Response(CustomerOutput(customer).data)

    @extend_schema(
        summary="Update a customer",
        description="Sets the details given; the others stay.",
        request=CustomerInput,
        responses=responses({200: CustomerOutput}, 400, 404),
        tags=["customers"],
    )
    def patch(self, request, customer_id: int):
        customer = get_object_or_404(readable_customers(request.user), pk=customer_id)
        data = CustomerInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = customer_update(customer=customer, **data.validated_data)
        return Response(CustomerOutput(customer).data)


class CustomerHistoryApi(CustomerAccess, ApiView):
    @extend_schema(
        summary="A customer's history",
        operation_id="customers_history_list",
        description="Every interaction on every channel (tickets, calls, chats, complaints, "
        "surveys), newest first.",
        responses=responses({200: paginated(InteractionOutput, "PaginatedInteractionList")}, 404),
        tags=["customers"],
    )
    def get(self, request, customer_id: int):
        customer = get_object_or_404(readable_customers(request.user), pk=customer_id)
        queryset = (
            readable_interactions(request.user)
            .filter(customer=customer)
            .select_related("agent", "case_type")
        )
        return self.paginate(request, queryset, InteractionOutput, ordering=("-occurred_at", "-pk"))
