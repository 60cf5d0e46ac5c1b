"""The agents' desk, mounted at /desk/: the queues and the ticket page."""

from django.urls import path

from .views import phone, queues, ticket
from .views.actions import ACTIONS, ticket_action

app_name = "tickets"

urlpatterns = [
    path("", queues.queue_view, name="queue"),
    path("rows/", queues.queue_rows, name="queue-rows"),
    path("tickets/<int:number>/", ticket.ticket_view, name="ticket"),
    path("tickets/<int:number>/timeline/", ticket.timeline_fragment, name="timeline"),
    path("phone/calls/new/", phone.log_call_view, name="phone-log-call"),
    path("phone/callbacks/", phone.callbacks_view, name="phone-callbacks"),
    path(
        "phone/callbacks/<str:kind>/<int:pk>/done/",
        phone.callback_done_view,
        name="phone-callback-done",
    ),
    *[
        path(
            f"tickets/<int:number>/{action}/",
            ticket_action,
            {"action": action},
            name=f"ticket-{action}",
        )
        for action in ACTIONS
    ],
]
