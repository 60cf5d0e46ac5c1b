"""The desk's queues at /desk/: mine, unassigned, my team, breaching soon, breached, pending
customer and all open; filtered, searched, soonest due first, paginated.

The page runs a fixed number of queries whatever the number of tickets (see
`tests/tickets/test_desk_queries.py`); its rows are also served alone (`queue_rows`) so the
page's live script can refresh them when a ticket or message arrives.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from helpdesk.access import desk_staff_required
from helpdesk.models import Team

from ..filters import TicketQueueFilter, chosen_status
from ..models import Priority, Status, Ticket, TicketChannel
from ..queues import DEFAULT_QUEUE, QUEUES, by_next_due, queue_tickets
from ..templatetags.desk import time_left

PAGE_SIZE = 50
CHANNELS, STATUSES, PRIORITIES = (dict(c.choices) for c in (TicketChannel, Status, Priority))


@dataclass(frozen=True)
class QueueRow:
    """A ticket as its queue row shows it, every value ready (a page has 50 of them: plain
    values keep its rendering fast)."""

    number: int
    reference: str
    url: str
    subject: str
    customer: str
    channel: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    team: str
    assignee: str
    target: str
    due: str  # ISO 8601, for the countdown script; "" without a running clock
    warn: str
    due_text: str
    countdown: str
    css: str  # "breached", "warning" or ""

    @classmethod
    def of(cls, ticket: Ticket, *, now: datetime) -> "QueueRow":
        due, warn = ticket.next_due, ticket.next_warn
        css = ""
        if due is not None and due <= now:
            css = "breached"
        elif warn is not None and warn <= now:
            css = "warning"
        return cls(
            number=ticket.number,
            reference=ticket.reference,
            url=reverse("tickets:ticket", args=[ticket.number]),
            subject=ticket.subject,
            customer=str(ticket.customer),
            channel=CHANNELS.get(ticket.channel, ticket.channel),
            status=ticket.status,
            status_label=STATUSES.get(ticket.status, ticket.status),
            priority=ticket.priority,
            priority_label=PRIORITIES.get(ticket.priority, ticket.priority),
            team=ticket.team.name if ticket.team else "",
            assignee=ticket.assignee.get_username() if ticket.assignee else "",
            target=ticket.next_target or "",
            due=due.isoformat() if due else "",
            warn=warn.isoformat() if warn else "",
            due_text=timezone.localtime(due).strftime("%a %d %b %H:%M") if due else "",
            countdown=time_left(due, now),
            css=css,
        )


def queue_context(request) -> dict:
    now = timezone.now()
    queue = request.GET.get("queue", DEFAULT_QUEUE)
    if queue not in QUEUES:
        queue = DEFAULT_QUEUE
    tickets = queue_tickets(
        user=request.user, queue=queue, now=now, any_status=bool(chosen_status(request.GET))
    )
    filters = TicketQueueFilter(request.GET, queryset=tickets)
    # The page's customers are read after the sort and limit (one small query), not joined to
    # every ticket of the queue before it; agents and teams are few, joined by hash.
    rows = by_next_due(filters.qs).select_related("assignee", "team").prefetch_related("customer")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [QueueRow.of(ticket, now=now) for ticket in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    tabs = request.GET.copy()
    for key in ("page", "queue"):
        tabs.pop(key, None)
    return {
        "now": now,
        "queue": queue,
        "queues": QUEUES,
        "queue_label": QUEUES[queue],
        "filters": filters,
        "page": page,
        "rows": rows,
        "search": request.GET.get("q", ""),
        "choices": filter_choices(request.GET),
        "params": params.urlencode(),
        "tab_params": tabs.urlencode(),
    }


def filter_choices(params) -> list[dict]:
    """The filters' selects, each with its choices and the one chosen (plain values: the
    form's own widgets render every option through a template of its own, which is slow)."""
    teams = [
        (str(pk), name) for pk, name in Team.objects.order_by("name").values_list("pk", "name")
    ]
    selects = [
        ("channel", "Channel", "Any channel", TicketChannel.choices),
        ("status", "Status", "Any open status", Status.choices),
        ("priority", "Priority", "Any priority", Priority.choices),
        ("team", "Team", "Any team", teams),
    ]
    return [
        {"name": name, "label": label, "empty": empty, "choices": options,
         "chosen": params.get(name, "")}
        for name, label, empty, options in selects
    ]  # fmt: skip


@desk_staff_required
def queue_view(request):
    return render(request, "tickets/queue.html", queue_context(request))


@desk_staff_required
def queue_rows(request):
    """The rows of the queue alone, as the page asks for them when something changed."""
    return render(request, "tickets/_queue_rows.html", queue_context(request))
