"""Reads of the desk's queues: which tickets each queue holds, soonest due first, and the
search agents type into the desk.

Every queue is one query (and one COUNT for the pager), whatever the number of tickets: the
next due time of a ticket is a correlated subquery on its running clocks, never a query per
row. The partial indexes these reads use are created by migration `tickets/0004_desk`
(PostgreSQL): `desk_clock_running_case`, `desk_clock_running_alerted`, `desk_clock_breached_open`
and the full-text GIN indexes.

Search (`search_tickets`):
- `#1042` is that ticket, by its reference, and nothing else; a bare `1042` is that ticket or any
  ticket whose words match it;
- words match the subject and every message's text (full-text search with English stemming and
  `websearch` syntax on PostgreSQL; every word, case-insensitively, elsewhere), and the
  customer's name or email address (whole words; an email address matches as a whole).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import and_

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from helpdesk.models import AgentProfile, Clock, Customer
from helpdesk.models.sla import ClockOutcome, ClockState

from .models import OPEN_STATUSES, Message, Status, Ticket

MINE = "mine"
UNASSIGNED = "unassigned"
TEAM = "team"
BREACHING_SOON = "soon"
BREACHED = "breached"
PENDING = "pending"
ALL_OPEN = "open"

QUEUES: dict[str, str] = {
    MINE: "Mine",
    UNASSIGNED: "Unassigned",
    TEAM: "My team",
    BREACHING_SOON: "Breaching soon",
    BREACHED: "Breached",
    PENDING: "Pending customer",
    ALL_OPEN: "All open",
}
DEFAULT_QUEUE = MINE


SEARCH_CONFIG = "english"  # subjects and message bodies: stemmed
NAME_CONFIG = "simple"  # names and addresses: as written
REFERENCE = re.compile(r"^#\s*(\d{1,18})$")
NUMBER = re.compile(r"^\d{1,18}$")


def ticket_type() -> ContentType:
    """The content type of tickets (cached by Django after the first call)."""
    return ContentType.objects.get_for_model(Ticket)


def _case_clocks() -> QuerySet[Clock]:
    return Clock.objects.filter(case_type=ticket_type(), case_id=OuterRef("pk"))


def with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate each ticket with its earliest running clock: `next_due` (its due time), and
    `next_warn` and `next_target` of the same clock; None when no clock is running.

    Each is an index-only read of the partial index `desk_clock_running_case` (case, due_at,
    with warn_at and target; running clocks only), so sorting thousands of tickets by it
    stays cheap."""
    earliest = _case_clocks().filter(state=ClockState.RUNNING).order_by("due_at")
    return tickets.annotate(
        next_due=Subquery(earliest.values("due_at")[:1]),
        next_warn=Subquery(earliest.values("warn_at")[:1]),
        next_target=Subquery(earliest.values("target")[:1]),
    )


def by_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Soonest due first; tickets without a running clock last, the longest waiting first."""
    return with_next_due(tickets).order_by(F("next_due").asc(nulls_last=True), "created_at", "pk")


def _alerted_clocks(*, now: datetime) -> QuerySet[Clock]:
    """Running clocks not breached yet whose first moment (their warning, or their due time
    when they have no warning) has come: a range of the index `desk_clock_running_alerted`."""
    return (
        _case_clocks()
        .annotate(alerted_at=Coalesce("warn_at", "due_at"))
        .filter(state=ClockState.RUNNING, outcome=ClockOutcome.PENDING, alerted_at__lte=now)
    )


def breached_clocks(*, now: datetime) -> QuerySet[Clock]:
    """Open clocks of a ticket whose target was missed: breached (recorded by the sweep) and
    running or paused, or running past due and not swept yet. Two small partial indexes."""
    recorded = _case_clocks().filter(
        outcome=ClockOutcome.BREACHED, state__in=(ClockState.RUNNING, ClockState.PAUSED)
    )
    return recorded | _alerted_clocks(now=now).filter(due_at__lte=now)


def breaching_soon_clocks(*, now: datetime) -> QuerySet[Clock]:
    """Running clocks past their warning time and not yet due."""
    return _alerted_clocks(now=now).filter(due_at__gt=now)


@dataclass(frozen=True)
class TeamOf:
    """A user's team and its members' user ids (the user among them)."""

    team_id: int | None
    member_ids: tuple[int, ...] = ()


def team_of(user) -> TeamOf:
    """One query: the user's team and who is in it."""
    rows = list(
        AgentProfile.objects.filter(team__members__user=user)
        .order_by("user_id")
        .values_list("team_id", "user_id")
    )
    if not rows:
        return TeamOf(team_id=None)
    return TeamOf(team_id=rows[0][0], member_ids=tuple(user_id for _, user_id in rows))


def queue_tickets(
    *,
    user,
    queue: str,
    now: datetime | None = None,
    team: TeamOf | None = None,
    any_status: bool = False,
) -> QuerySet[Ticket]:
    """The tickets of `queue` (a key of QUEUES) for `user`, not yet ordered or limited.

    Open tickets only (new, open, pending customer, on hold; with `any_status`, every status,
    for a status filter to choose from): `mine` is assigned to the user,
    `unassigned` to nobody, `team` belongs to the user's team (`team`, read when not given)
    or is assigned to one of its members, `soon` has a clock past its warning, `breached` a
    missed target, `pending` waits on the customer. An unknown queue is `mine`.
    """
    now = now or timezone.now()
    tickets = Ticket.objects.all()
    if not any_status:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if queue == UNASSIGNED:
        return tickets.filter(assignee__isnull=True)
    if queue == TEAM:
        team = team if team is not None else team_of(user)
        if team.team_id is None:
            return tickets.none()
        # Two index reads (team, status) and (assignee, status), OR-ed: no join.
        return tickets.filter(Q(team_id=team.team_id) | Q(assignee_id__in=team.member_ids))
    if queue == BREACHING_SOON:
        return tickets.filter(Exists(breaching_soon_clocks(now=now)))
    if queue == BREACHED:
        return tickets.filter(Exists(breached_clocks(now=now)))
    if queue == PENDING:
        return tickets.filter(status=Status.PENDING_CUSTOMER)
    if queue == ALL_OPEN:
        return tickets
    return tickets.filter(assignee=user)


@dataclass(frozen=True)
class ParsedSearch:
    number: int | None
    words: str
    only_number: bool


def parse_search(text: str) -> ParsedSearch:
    """`#1042` → that reference only; `1042` → that reference or those words; else words."""
    text = " ".join((text or "").split())
    match = REFERENCE.match(text)
    if match:
        return ParsedSearch(number=int(match.group(1)), words="", only_number=True)
    number = int(text) if NUMBER.match(text) else None
    return ParsedSearch(number=number, words=text, only_number=False)


def search_tickets(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`tickets` narrowed to those matching the search `text` (rules in the module's
    docstring). An empty search narrows nothing."""
    parsed = parse_search(text)
    if parsed.only_number:
        return tickets.filter(number=parsed.number)
    if not parsed.words:
        return tickets
    if connection.vendor == "postgresql":
        matching = Q(pk__in=_full_text_ids(parsed.words))
    else:
        matching = _contains(parsed.words)
    if parsed.number is not None:
        matching |= Q(number=parsed.number)
    return tickets.filter(matching)


def _full_text_ids(words: str) -> QuerySet:
    """Ids of tickets whose subject, messages or customer match: a UNION of three reads, each
    on its own GIN index (migration `tickets/0004_desk`), so none scans its table."""
    query = SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG)
    by_subject = (
        Ticket.objects.annotate(found=SearchVector("subject", config=SEARCH_CONFIG))
        .filter(found=query)
        .order_by()
        .values("pk")
    )
    by_message = (
        Message.objects.annotate(found=SearchVector("text", config=SEARCH_CONFIG))
        .filter(found=query)
        .order_by()
        .values("ticket_id")
    )
    by_customer = (
        Ticket.objects.filter(customer__in=_matching_customers(words)).order_by().values("pk")
    )
    return by_subject.union(by_message, by_customer)


def _matching_customers(words: str) -> QuerySet[Customer]:
    name_query = SearchQuery(words, search_type="plain", config=NAME_CONFIG)
    found = (
        Customer.objects.annotate(found=SearchVector("name", "email", config=NAME_CONFIG))
        .filter(found=name_query)
        .order_by()
        .values("pk")
    )
    by_address = (  # the partial unique index on lower(email) where email is not ''
        Customer.objects.annotate(address=Lower("email"))
        .filter(address=words.lower())
        .exclude(email="")
        .order_by()
        .values("pk")
    )
    return found.union(by_address)


def _contains(words: str) -> Q:
    """Every word somewhere in the subject, a message, or the customer's name or email."""
    each = []
    for word in words.split():
        in_messages = Message.objects.filter(text__icontains=word).values("ticket_id")
        each.append(
            Q(subject__icontains=word)
            | Q(customer__name__icontains=word)
            | Q(customer__email__icontains=word)
            | Q(pk__in=in_messages)
        )
    return reduce(and_, each)
