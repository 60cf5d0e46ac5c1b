"""The chats list's filters in the REST API (`chat.apis`): every filter narrows the list."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from chat.models import ChatMessage, ChatSession, ChatStatus, EndReason
from helpdesk.api.filters import IdFilter, TextFilter, UtcDateTimeFilter


class ChatApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ChatStatus.choices, help_text="One status: waiting, active, closed or missed."
    )
    end_reason = django_filters.ChoiceFilter(
        choices=EndReason.choices,
        help_text="Why a missed chat ended: abandoned (the customer left) or left_message.",
    )
    team = IdFilter(field_name="team_id", help_text="A team's id.")
    agent = IdFilter(field_name="agent_id", help_text="The id of the agent who took the chat.")
    customer = IdFilter(field_name="customer_id", help_text="A customer's id.")
    started_after = UtcDateTimeFilter(
        field_name="started_at", lookup_expr="gte", help_text="Started at or after this time."
    )
    started_before = UtcDateTimeFilter(
        field_name="started_at", lookup_expr="lt", help_text="Started before this time."
    )
    updated_since = UtcDateTimeFilter(
        method="filter_updated_since",
        help_text="Started, taken, closed or given a message at or after this time.",
    )
    search = TextFilter(
        method="filter_search", help_text="Part of the customer's name or email address."
    )

    class Meta:
        model = ChatSession
        fields = []

    def filter_updated_since(self, queryset, name, value):
        message = ChatMessage.objects.filter(session_id=OuterRef("pk"), created_at__gte=value)
        return queryset.filter(
            Q(started_at__gte=value)
            | Q(accepted_at__gte=value)
            | Q(closed_at__gte=value)
            | Exists(message)
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__name__icontains=value) | Q(customer__email__icontains=value)
        )
