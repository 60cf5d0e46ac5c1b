"""The desk queue's filters: channel, status, priority, team, and the search box."""

import django_filters
from django import forms

from helpdesk.models import Team

from .models import Priority, Status, Ticket, TicketChannel
from .queues import search_tickets


class TicketQueueFilter(django_filters.FilterSet):
    """Narrows a queue's tickets (`tickets.queues.queue_tickets`). A queue holds open tickets;
    the view widens it to every status when one is chosen here (resolved tickets, say)."""

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "#1042, name, words"}),
    )
    channel = django_filters.ChoiceFilter(choices=TicketChannel.choices, empty_label="Any channel")
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any open status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")

    class Meta:
        model = Ticket
        fields = ["q", "channel", "status", "priority", "team"]

    def filter_search(self, queryset, name, value):
        return search_tickets(queryset, value)


def chosen_status(params) -> str:
    """The status the filters ask for, when it is a real one ('' otherwise)."""
    status = params.get("status", "")
    return status if status in Status.values else ""
