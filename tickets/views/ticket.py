"""The ticket page at /desk/tickets/<number>/: the whole timeline, the reply box with canned
responses and articles at hand, every action on the ticket, and the customer's history.

A fixed number of queries however long the timeline (see `tests/tickets/test_desk_queries.py`).
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from helpdesk.access import desk_staff_required
from helpdesk.selectors.knowledge import canned_responses_for, search_knowledge
from helpdesk.selectors.people import customer_history, returning_customer_summary
from helpdesk.selectors.sla import DeskClock
from helpdesk.services.knowledge import canned_response_context, render_canned_response
from helpdesk.services.policy import service_policy_for

from ..access import TicketAction, check_ticket_access
from ..forms import (
    AssignForm,
    EscalateForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    ResolveForm,
    StatusForm,
)
from ..models import Ticket
from ..selectors import ticket_clocks, ticket_for_desk, ticket_timeline
from ..services.outbound import base_subject

KNOWLEDGE_HITS = 5
HISTORY_LIMIT = 20
SUBJECT_WORDS = 8  # at most, for PostgreSQL's one "any of these words" search
WORDS_ONE_BY_ONE = 3  # elsewhere, the longest few searched one by one
_WORD = re.compile(r"[^\W_]{3,}")


def knowledge_at_hand(*, ticket: Ticket, searched: str) -> list:
    """Canned responses and articles for the ticket: what the agent searched for, or else
    anything matching a word of its subject (PostgreSQL: one `websearch` "or" query; elsewhere,
    where every word must match, its longest words one by one)."""
    if searched:
        return search_knowledge(query=searched, channel=ticket.channel, limit=KNOWLEDGE_HITS)
    words = _WORD.findall(base_subject(ticket.subject))[:SUBJECT_WORDS]
    if connection.vendor == "postgresql" or not words:
        query = " or ".join(words)
        return search_knowledge(query=query, channel=ticket.channel, limit=KNOWLEDGE_HITS)
    hits, seen = [], set()
    for word in sorted(words, key=len, reverse=True)[:WORDS_ONE_BY_ONE]:
        for hit in search_knowledge(query=word, channel=ticket.channel, limit=KNOWLEDGE_HITS):
            if (hit.kind, hit.item.pk) not in seen:
                seen.add((hit.kind, hit.item.pk))
                hits.append(hit)
    return sorted(hits, key=lambda hit: -hit.rank)[:KNOWLEDGE_HITS]


def get_ticket(number: int, *, user=None, action: TicketAction | None = None) -> Ticket:
    """The ticket with this number (404 without one), checked against the ticket access rule
    (`tickets.access`) for `user` and `action` when given."""
    ticket = ticket_for_desk(number=number)
    if ticket is None:
        raise Http404(f"No ticket #{number}.")
    if action is not None:
        check_ticket_access(user=user, ticket=ticket, action=action)
    return ticket


def blank_forms(ticket: Ticket) -> dict:
    """Every form of the page, unbound, each with its action's prefix (so their fields never
    share an id)."""
    return {
        "reply": ReplyForm(prefix="reply"),
        "note": NoteForm(prefix="note"),
        "assign": AssignForm(prefix="assign", initial={"assignee": ticket.assignee_id}),
        "status": StatusForm(prefix="status", ticket=ticket, initial={"status": ticket.status}),
        "priority": PriorityForm(prefix="priority", initial={"priority": ticket.priority}),
        "escalate": EscalateForm(prefix="escalate"),
        "resolve": ResolveForm(prefix="resolve"),
        "merge": MergeForm(prefix="merge", ticket=ticket),
    }


def canned_texts(ticket: Ticket, agent) -> list[dict]:
    """The canned responses usable on the ticket's channel, as plain text with the customer's
    name (and the agent's, the company's, the reference) filled in."""
    company = service_policy_for(ticket.policy_version).document.company
    context = canned_response_context(
        customer=ticket.customer,
        agent=agent,
        company=company,
        ticket_reference=ticket.reference,
    )
    return [
        {
            "id": response.pk,
            "title": response.title,
            "shortcut": response.shortcut,
            "text": render_canned_response(response=response, context=context, as_html=False),
        }
        for response in canned_responses_for(channel=ticket.channel).order_by("title", "pk")
    ]


def customer_panel(ticket: Ticket) -> dict:
    """The customer's past interactions on every channel, their summary, and the references of
    the tickets those interactions were about (one query for all of them)."""
    history = customer_history(customer=ticket.customer, limit=HISTORY_LIMIT)
    ticket_type = ContentType.objects.get_for_model(Ticket)
    ids = {i.case_id for i in history if i.case_type_id == ticket_type.pk and i.case_id}
    numbers = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "number")) if ids else {}

    def number_of(interaction) -> int | None:
        if interaction.case_type_id != ticket_type.pk:
            return None
        return numbers.get(interaction.case_id)

    return {
        "history": [{"interaction": i, "ticket_number": number_of(i)} for i in history],
        "summary": returning_customer_summary(customer=ticket.customer, before=ticket.created_at),
    }


def ticket_context(request, ticket: Ticket, *, bound: dict | None = None) -> dict:
    now = timezone.now()
    searched = " ".join(request.GET.get("kb", "").split())
    forms = blank_forms(ticket)
    forms.update(bound or {})
    return {
        "now": now,
        "ticket": ticket,
        "timeline": ticket_timeline(ticket=ticket),
        "clocks": [DeskClock.of(clock, now=now) for clock in ticket_clocks(ticket=ticket)],
        "canned": canned_texts(ticket, request.user),
        "knowledge_query": searched,
        "knowledge": knowledge_at_hand(ticket=ticket, searched=searched),
        "forms": forms,
        **customer_panel(ticket),
    }


def render_ticket_page(request, ticket: Ticket, *, bound: dict | None = None, status=200):
    context = ticket_context(request, ticket, bound=bound)
    return render(request, "tickets/ticket.html", context, status=status)


@desk_staff_required
def ticket_view(request, number: int):
    ticket = get_ticket(number, user=request.user, action=TicketAction.READ)
    return render_ticket_page(request, ticket)


@desk_staff_required
def timeline_fragment(request, number: int):
    """The timeline alone, as the page asks for it when a message arrives."""
    ticket = get_ticket(number, user=request.user, action=TicketAction.READ)
    context = {"ticket": ticket, "timeline": ticket_timeline(ticket=ticket)}
    return render(request, "tickets/_timeline.html", context)
