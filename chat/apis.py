"""The chats endpoints of the REST API (/api/v1/chats/): list, read with the transcript, and
leave an offline message (a ticket, through the service the widget's offline form uses).
Conventions: `helpdesk.api`. Who reads which chat is the console's rule (`chat.access`): the
list holds only the chats the caller may read, and another chat's page is a 403; a key acts as
its owner. Secure-form details are never read here: they stay with the handling agent and
their supervisor (`chat.services.secure`)."""

from datetime import UTC

from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from helpdesk.api import routing  # noqa: F401  (the <id:...> converter)
from helpdesk.api.base import ApiListView, ApiView
from helpdesk.api.idempotency import IDEMPOTENCY_PARAMETER
from helpdesk.api.permissions import STAFF, SUPERVISORS
from helpdesk.api.schema import responses
from helpdesk.api.views.reports import PeriodInput
from helpdesk.models import Scope

from . import services
from .access import ChatAction, check_chat_access, readable_chats
from .filters import ChatApiFilter
from .models import ChatMessage, ChatSession, Redaction
from .reports import chat_queue_report
from .serializers import (
    ChatDetailOutput,
    ChatOutput,
    ChatQueueReportOutput,
    OfflineMessageInput,
    OfflineMessageOutput,
)

TAGS = ["chats"]


def api_chats():
    """Chats as the API shows them, in one query: their latest line's time is a subquery on
    the (session, seq) unique index."""
    last_message = ChatMessage.objects.filter(
        session_id=OuterRef("pk"), seq=OuterRef("last_seq")
    ).values("created_at")[:1]
    return (
        ChatSession.objects.select_related(
            "customer", "team", "agent", "escalated_to", "policy_version"
        )
        .annotate(last_message_at=Subquery(last_message))
        .annotate(
            updated_at=Greatest(
                "started_at",
                Coalesce("accepted_at", "started_at"),
                Coalesce("closed_at", "started_at"),
                Coalesce("last_message_at", "started_at"),
            )
        )
    )


def detail(chat_id: int, *, user) -> dict:
    """The chat with its transcript, if `user` may read it (404 for no such chat, AccessDenied
    when the rule says no)."""
    lines = ChatMessage.objects.select_related("author").order_by("seq")
    redactions = Redaction.objects.select_related("message").order_by("at", "pk")
    chat = get_object_or_404(
        api_chats().prefetch_related(
            Prefetch("messages", queryset=lines, to_attr="transcript_lines"),
            Prefetch("redactions", queryset=redactions, to_attr="redaction_list"),
        ),
        pk=chat_id,
    )
    check_chat_access(user=user, session=chat, action=ChatAction.READ)
    return ChatDetailOutput(chat).data


class ChatAccess:
    read_scope = Scope.CHATS_READ
    write_scope = Scope.CHATS_WRITE
    read_roles = write_roles = STAFF


class ChatListApi(ChatAccess, ApiListView):
    serializer_class = ChatOutput
    filterset_class = ChatApiFilter
    ordering = ("-pk",)  # newest first

    def get_queryset(self):
        return readable_chats(self.request.user, api_chats())

    @extend_schema(
        summary="List chats",
        description="Newest first, cursor-paginated (follow `next`); every filter narrows the "
        "list. Only the chats the caller may read: an agent's own (handled now or at the end) "
        "and the waiting chats of their team; every chat for supervisors and managers. The "
        "transcript is on each chat's own page.",
        responses=responses({200: ChatOutput(many=True)}, 400, 404),
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class ChatDetailApi(ChatAccess, ApiView):
    @extend_schema(
        summary="Read a chat with its transcript",
        description="The chat, its summary and every line of its transcript in order, as "
        "stored: card and identity numbers were masked before they were stored, and details "
        "the customer gave through the secure form are never included. 403 for a chat the "
        "caller may not read (another agent's).",
        responses=responses({200: ChatDetailOutput}, 404),
        tags=TAGS,
    )
    def get(self, request, chat_id: int):
        return Response(detail(chat_id, user=request.user))


class OfflineMessageApi(ChatAccess, ApiView):
    @extend_schema(
        summary="Leave an offline message",
        description="What the chat widget's 'leave a message' form does: the message becomes "
        "a chat-channel ticket for the customer (found by email or phone, or created), with "
        "the message as its first note and the channel's clocks started. With `phone` it is a "
        "callback request. Send an `Idempotency-Key`: a retry then files one ticket, not two.",
        request=OfflineMessageInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: OfflineMessageOutput}, 400, 422),
        tags=TAGS,
    )
    def post(self, request):
        def create():
            data = OfflineMessageInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            ticket = services.leave_message(
                name=values.get("name", ""),
                email=values.get("email", ""),
                text=values["text"],
                callback_phone=values.get("phone", ""),
            )
            body = {
                "ticket_id": ticket.pk,
                "number": ticket.number,
                "reference": ticket.reference,
                "customer_id": ticket.customer_id,
            }
            return Response(OfflineMessageOutput(body).data, status=status.HTTP_201_CREATED)

        return self.create_once(request, create)


class ChatQueueReportApi(ApiView):
    read_scope = Scope.REPORTS_READ
    read_roles = SUPERVISORS

    @extend_schema(
        summary="Chat queue: answered, abandoned and the abandonment rate",
        description="Over the chats started in the period (default: the last 30 days), per "
        "day and in total: how many waited, were answered, were abandoned (the customer left "
        "before an answer: their widget fell silent) or left as a message, and the "
        "abandonment rate (abandoned / waited, %).",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, description="From (inclusive)."),
            OpenApiParameter("end", OpenApiTypes.DATETIME, description="Until (exclusive)."),
        ],
        responses=responses({200: ChatQueueReportOutput}, 400),
        tags=["reports"],
    )
    def get(self, request):
        data = PeriodInput(data=request.query_params.dict())  # "" is no value
        data.is_valid(raise_exception=True)
        start, end = data.validated_data["start"], data.validated_data["end"]
        report = chat_queue_report(start=start, end=end)
        figures = ("waited", "answered", "abandoned", "left_message", "abandonment_rate")
        body = {
            "start": start.astimezone(UTC),
            "end": end.astimezone(UTC),
            "total": {name: getattr(report.total, name) for name in figures},
            "days": [{"day": d.day, **{n: getattr(d, n) for n in figures}} for d in report.days],
        }
        return Response(ChatQueueReportOutput(body).data)


urlpatterns = [
    path("reports/chat/", ChatQueueReportApi.as_view(), name="api-reports-chat"),
    path("chats/", ChatListApi.as_view(), name="api-chats"),
    path(
        "chats/offline-messages/",
        OfflineMessageApi.as_view(),
        name="api-chat-offline-messages",
    ),
    path("chats/<id:chat_id>/", ChatDetailApi.as_view(), name="api-chat"),
]
