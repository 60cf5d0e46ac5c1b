"""The tickets endpoints of the REST API (/api/v1/tickets/): one small view per action, each
translating HTTP to a call of `tickets.services` and back. Conventions: `helpdesk.api`."""

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from helpdesk.api import routing  # noqa: F401  (the <id:...> converter)
from helpdesk.api.base import ApiListView, ApiView
from helpdesk.api.idempotency import IDEMPOTENCY_PARAMETER
from helpdesk.api.schema import responses
from helpdesk.api.serializers import customer_from
from helpdesk.models import Clock, Scope
from helpdesk.models.sla import ClockState

from . import services
from .access import ACT_ROLES, READ_ROLES, TicketAction, check_ticket_access, readable_tickets
from .models import Ticket
from .queues import breached_clocks, ticket_type
from .selectors import ticket_clocks, ticket_timeline
from .serializers import (
    AssignInput,
    EscalateInput,
    MessageOutput,
    ResolveInput,
    TextInput,
    TicketApiFilter,
    TicketCreateInput,
    TicketDetailOutput,
    TicketEventOutput,
    TicketOutput,
    TicketUpdateInput,
    TimelineEntryOutput,
    ticket_rows,
)

TAGS = ["tickets"]


def api_tickets():
    """Tickets as the API shows them: what the output needs in one query (their soonest
    running target and whether one was missed are subqueries)."""
    earliest = (
        Clock.objects.filter(
            case_type=ticket_type(), case_id=OuterRef("pk"), state=ClockState.RUNNING
        )
        .order_by("due_at", "pk")
        .values("due_at", "target")[:1]
    )
    return Ticket.objects.select_related("customer", "team", "assignee").annotate(
        policy_version_number=F("policy_version__version"),
        next_due=Subquery(earliest.values("due_at")),
        next_target=Subquery(earliest.values("target")),
        breached=Exists(breached_clocks(now=timezone.now())),
    )


def with_details(page: list[Ticket]) -> list[Ticket]:
    """The page's tickets, in its order, with what the output needs: one query. The page is
    chosen first without the subqueries, so they run for its rows only, never for every row
    the filters match."""
    found = api_tickets().in_bulk([ticket.pk for ticket in page])
    return [found[ticket.pk] for ticket in page if ticket.pk in found]


def api_ticket(ticket_id: int) -> Ticket:
    return get_object_or_404(api_tickets(), pk=ticket_id)


def detail(ticket_id: int) -> dict:
    ticket = api_ticket(ticket_id)
    ticket.clocks = list(ticket_clocks(ticket=ticket))
    return TicketDetailOutput(ticket).data


def ticket_for(request, ticket_id: int, action: TicketAction) -> Ticket:
    """The ticket (404 without one) if the ticket access rule (`tickets.access`) lets the
    caller do `action` with it (403 otherwise)."""
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    check_ticket_access(user=request.user, ticket=ticket, action=action)
    return ticket


class TicketAccess:
    """The roles come from the ticket access rule; each view checks its ticket with it too."""

    read_scope = Scope.TICKETS_READ
    write_scope = Scope.TICKETS_WRITE
    read_roles = READ_ROLES
    write_roles = ACT_ROLES


class TicketListApi(TicketAccess, ApiListView):
    serializer_class = TicketOutput
    filterset_class = TicketApiFilter

    ordering = ("-pk",)  # newest first; the primary key's index serves every filter

    def get_queryset(self):
        # the page's ids (`with_details` reads the rest), of the tickets the caller may read
        return readable_tickets(self.request.user, Ticket.objects.only("pk"))

    @extend_schema(
        summary="List tickets",
        description="Newest first (by id), cursor-paginated (follow `next`); every filter "
        "narrows the list.",
        responses=responses({200: TicketOutput(many=True)}, 400, 404),
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = ticket_rows(with_details(page))
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Open a ticket",
        description="On any channel (a phone system logging a call: channel 'phone'), for an "
        "existing customer or one found or created from their details. The policy in force "
        "starts the channel's first response and resolution clocks (no automatic "
        "acknowledgement is owed: the integration acknowledges its own customer).",
        request=TicketCreateInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: TicketDetailOutput}, 400, 422),
        tags=TAGS,
    )
    def post(self, request):
        def create():
            data = TicketCreateInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            customer = customer_from(values)
            ticket = services.open_ticket(
                customer=customer,
                subject=values["subject"],
                channel=values["channel"],
                priority=values["priority"],
                team=values.get("team_id"),
                assignee=values.get("assignee_id"),
                actor=request.user,
                acknowledge=False,  # the integration acknowledges its own customer
            )
            return Response(detail(ticket.pk), status=status.HTTP_201_CREATED)

        return self.create_once(request, create)


class TicketDetailApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Read a ticket",
        description="The ticket with its SLA clocks.",
        responses=responses({200: TicketDetailOutput}, 404),
        tags=TAGS,
    )
    def get(self, request, ticket_id: int):
        ticket_for(request, ticket_id, TicketAction.READ)
        return Response(detail(ticket_id))

    @extend_schema(
        summary="Update a ticket",
        description="Status, priority, team and assignee, each through the desk's own rules "
        "(pending customer pauses the clocks; moved to a team, an assignee outside it is "
        "unassigned, ...), applied in that order in one transaction. Resolving needs a summary: "
        "use /resolve/.",
        request=TicketUpdateInput,
        responses=responses({200: TicketDetailOutput}, 400, 404),
        tags=TAGS,
    )
    def patch(self, request, ticket_id: int):
        ticket = ticket_for(request, ticket_id, TicketAction.ACT)
        data = TicketUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            if "status" in values:
                services.change_status(ticket=ticket, status=values["status"], actor=request.user)
            if "priority" in values:
                services.set_priority(
                    ticket=ticket, priority=values["priority"], actor=request.user
                )
            if "team_id" in values:
                services.move_ticket_to_team(
                    ticket=ticket, team=values["team_id"], actor=request.user
                )
            if "assignee_id" in values:
                services.assign_ticket(
                    ticket=ticket, assignee=values["assignee_id"], actor=request.user
                )
        return Response(detail(ticket.pk))


def post_message(view, request, ticket_id: int, write_message):
    """A reply or a note on a ticket (`write_message` is the service), created once per
    Idempotency-Key."""
    ticket = ticket_for(request, ticket_id, TicketAction.ACT)

    def create():
        data = TextInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = write_message(
            ticket=ticket, author=request.user, text=data.validated_data["text"]
        )
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)

    return view.create_once(request, create)


class TicketReplyApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Reply to the customer",
        description="A public reply, emailed by the desk; it meets the first response target.",
        request=TextInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: MessageOutput}, 400, 404, 422),
        tags=TAGS,
    )
    def post(self, request, ticket_id: int):
        return post_message(self, request, ticket_id, services.send_reply)


class TicketNoteApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Add an internal note",
        description="For staff only: never emailed, never meets a target.",
        request=TextInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: MessageOutput}, 400, 404, 422),
        tags=TAGS,
    )
    def post(self, request, ticket_id: int):
        return post_message(self, request, ticket_id, services.add_internal_note)


class TicketAssignApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Assign a ticket",
        description="To a member of staff (null unassigns); they answer for its open clocks.",
        request=AssignInput,
        responses=responses({200: TicketDetailOutput}, 400, 404),
        tags=TAGS,
    )
    def post(self, request, ticket_id: int):
        ticket = ticket_for(request, ticket_id, TicketAction.ACT)
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.assign_ticket(
            ticket=ticket, assignee=data.validated_data["assignee_id"], actor=request.user
        )
        return Response(detail(ticket.pk))


class TicketEscalateApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Escalate to a supervisor",
        description="With notes (required); the supervisor is notified. A resolved or closed "
        "ticket is refused (400).",
        request=EscalateInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: TicketEventOutput}, 400, 404, 422),
        tags=TAGS,
    )
    def post(self, request, ticket_id: int):
        ticket = ticket_for(request, ticket_id, TicketAction.ACT)

        def create():
            data = EscalateInput(data=request.data)
            data.is_valid(raise_exception=True)
            event = services.escalate_ticket(
                ticket=ticket, actor=request.user, notes=data.validated_data["notes"]
            )
            return Response(TicketEventOutput(event).data, status=status.HTTP_201_CREATED)

        return self.create_once(request, create)


class TicketResolveApi(TicketAccess, ApiView):
    @extend_schema(
        summary="Resolve a ticket",
        description="With a summary (required): every clock stops and the summary goes on the "
        "customer's history. A resolved or closed ticket is refused (400).",
        request=ResolveInput,
        responses=responses({200: TicketDetailOutput}, 400, 404),
        tags=TAGS,
    )
    def post(self, request, ticket_id: int):
        ticket = ticket_for(request, ticket_id, TicketAction.ACT)
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.resolve_ticket(
            ticket=ticket, actor=request.user, summary=data.validated_data["summary"]
        )
        return Response(detail(ticket.pk))


class TicketTimelineApi(TicketAccess, ApiView):
    @extend_schema(
        summary="A ticket's timeline",
        operation_id="tickets_timeline_list",
        description="Everything that happened, oldest first: messages, changes, calls, "
        "voicemails, callback requests.",
        responses=responses({200: TimelineEntryOutput(many=True)}, 404),
        tags=TAGS,
    )
    def get(self, request, ticket_id: int):
        ticket = ticket_for(request, ticket_id, TicketAction.READ)
        entries = [
            {
                "kind": entry.kind,
                "at": entry.at,
                "id": entry.item.pk,
                "summary": str(entry.item),
                "message": entry.item if entry.kind == "message" else None,
                "event": entry.item if entry.kind == "event" else None,
            }
            for entry in ticket_timeline(ticket=ticket)
        ]
        return Response(TimelineEntryOutput(entries, many=True).data)


urlpatterns = [
    path("tickets/", TicketListApi.as_view(), name="api-tickets"),
    path("tickets/<id:ticket_id>/", TicketDetailApi.as_view(), name="api-ticket"),
    path("tickets/<id:ticket_id>/reply/", TicketReplyApi.as_view(), name="api-ticket-reply"),
    path("tickets/<id:ticket_id>/notes/", TicketNoteApi.as_view(), name="api-ticket-notes"),
    path("tickets/<id:ticket_id>/assign/", TicketAssignApi.as_view(), name="api-ticket-assign"),
    path(
        "tickets/<id:ticket_id>/escalate/",
        TicketEscalateApi.as_view(),
        name="api-ticket-escalate",
    ),
    path("tickets/<id:ticket_id>/resolve/", TicketResolveApi.as_view(), name="api-ticket-resolve"),
    path(
        "tickets/<id:ticket_id>/timeline/",
        TicketTimelineApi.as_view(),
        name="api-ticket-timeline",
    ),
]
