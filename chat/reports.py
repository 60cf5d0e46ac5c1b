"""Read-side: the chat queue report for supervisors (`/api/v1/reports/chat/`).

Every chat waits in the queue first, so the chats that waited in a period are the chats started
in it (a chat belongs to the day it started, in the desk's time zone, TIME_ZONE). Of those:
answered (an agent took it), abandoned (the customer left before an answer,
`chat.services.abandonment`) and left as a message. The abandonment rate is abandoned / waited,
as a percentage (one decimal; None when nothing waited). The SLA side of the same chats
(first response, cancelled clocks) is in the SLA report (`helpdesk.selectors.reports`)."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from chat.models import ChatSession, ChatStatus, EndReason


@dataclass(frozen=True)
class QueueFigures:
    waited: int
    answered: int
    abandoned: int
    left_message: int

    @property
    def abandonment_rate(self) -> float | None:
        return round(100 * self.abandoned / self.waited, 1) if self.waited else None


@dataclass(frozen=True)
class DayFigures(QueueFigures):
    day: date | None = None


@dataclass(frozen=True)
class QueueReport:
    days: list[DayFigures]
    total: QueueFigures


_COUNTS = {
    "waited": Count("pk"),
    "answered": Count("pk", filter=Q(accepted_at__isnull=False)),
    "abandoned": Count("pk", filter=Q(status=ChatStatus.MISSED, end_reason=EndReason.ABANDONED)),
    "left_message": Count(
        "pk", filter=Q(status=ChatStatus.MISSED, end_reason=EndReason.LEFT_MESSAGE)
    ),
}


def chat_queue_report(*, start: datetime, end: datetime) -> QueueReport:
    """The chats started in [start, end), per day and in total, in one query."""
    rows = (
        ChatSession.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(day=TruncDate("started_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .order_by()
        .values("day")
        .annotate(**_COUNTS)
        .order_by("day")
    )
    days = [DayFigures(**row) for row in rows]
    total = QueueFigures(
        **{name: sum(getattr(d, name) for d in days) for name in _COUNTS},
    )
    return QueueReport(days=days, total=total)


__all__ = ["DayFigures", "QueueFigures", "QueueReport", "chat_queue_report"]
