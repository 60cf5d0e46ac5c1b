"""Desk pages of the phone channel (staff only): log a call in a few clicks, with the customer
found by number; and the voicemails and callbacks due, soonest first, each with its countdown
and a form to mark it done. Thin: the forms parse, `tickets.services.phone` decides."""

import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.access import desk_staff_required
from helpdesk.forms import apply_service_errors, field_checked
from helpdesk.models import Team
from helpdesk.models.sla import ClockOutcome

from ..access import TicketAction, check_ticket_access
from ..models import CallbackRequest, CallDirection, CallOutcome, Ticket, Voicemail
from ..selectors import callbacks_due, customer_by_number, open_tickets_of, ticket_clocks
from ..services.phone import check_number, complete_callback, log_call, return_voicemail

_MINUTES = re.compile(r"(\d{1,4})")
_MINUTES_SECONDS = re.compile(r"(\d{1,4}):([0-5]\d)")
_HOURS_MINUTES_SECONDS = re.compile(r"(\d{1,2}):([0-5]\d):([0-5]\d)")
_REFERENCE = re.compile(r"^#?\s*(\d{1,18})$")


def parse_duration(text: str) -> int:
    """Seconds from what an agent types: "4:30" (minutes and seconds), "1:02:05" (hours too)
    or "4" (minutes); empty is 0."""
    text = (text or "").strip()
    if not text:
        return 0
    if match := _MINUTES.fullmatch(text):
        return int(match[1]) * 60
    if match := _MINUTES_SECONDS.fullmatch(text):
        return int(match[1]) * 60 + int(match[2])
    if match := _HOURS_MINUTES_SECONDS.fullmatch(text):
        return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    raise ValidationError("Type minutes and seconds (4:30), or minutes (4).")


class DurationInput(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "4:30, or 4 for four minutes.")
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 6, "placeholder": "m:ss"}))
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_duration(super().clean(value))


class LogCallForm(forms.Form):
    number = forms.CharField(
        max_length=40, widget=forms.TextInput(attrs={"type": "tel", "autofocus": True})
    )
    direction = forms.ChoiceField(
        choices=CallDirection.choices, initial=CallDirection.INBOUND, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(choices=CallOutcome.choices, initial=CallOutcome.ANSWERED)
    duration = DurationInput()
    started_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: the call just ended.",
    )
    ticket = forms.CharField(
        required=False,
        max_length=20,
        label="Ticket",
        widget=forms.TextInput(attrs={"list": "open-tickets", "placeholder": "#1042"}),
        help_text="Empty: a new phone ticket.",
    )
    customer_name = forms.CharField(required=False, max_length=200, label="Customer's name")
    subject = forms.CharField(required=False, max_length=300)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_number(self):
        return field_checked("number", check_number, self.cleaned_data["number"])

    def clean_ticket(self):
        text = self.cleaned_data["ticket"].strip()
        if not text:
            return None
        match = _REFERENCE.fullmatch(text)
        ticket = None
        if match:
            ticket = Ticket.objects.select_related("customer").filter(number=match[1]).first()
        if ticket is None:
            raise ValidationError(f"There is no ticket {text}.")
        return ticket


class CallBackForm(forms.Form):
    outcome = forms.ChoiceField(choices=CallOutcome.choices, initial=CallOutcome.ANSWERED)
    duration = DurationInput()
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


@desk_staff_required
@require_http_methods(["GET", "POST"])
def log_call_view(request):
    """GET: the form, pre-filled from `?number=` (the customer found by it, and their open
    tickets to choose from) or `?ticket=` (a ticket's customer). POST: log the call and go to
    its ticket; bad input shows the form again with its errors, and saves nothing."""
    if request.method == "POST":
        form = LogCallForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            started_at = data["started_at"] or timezone.now() - timedelta(seconds=data["duration"])
            try:
                call = log_call(
                    agent=request.user,
                    number=data["number"],
                    direction=data["direction"],
                    started_at=started_at,
                    duration=data["duration"],
                    outcome=data["outcome"],
                    notes=data["notes"],
                    ticket=data["ticket"],
                    customer_name=data["customer_name"],
                    subject=data["subject"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Call logged on {call.ticket.reference} with {call.customer}."
                )
                return redirect(reverse("tickets:ticket", kwargs={"number": call.ticket.number}))
        number = request.POST.get("number", "")
    else:
        initial = {k: request.GET[k] for k in ("number", "ticket") if request.GET.get(k)}
        if not initial.get("number") and initial.get("ticket"):
            ticket = _ticket_from_reference(initial["ticket"])
            if ticket is not None and ticket.customer.phone:
                initial["number"] = ticket.customer.phone
        form = LogCallForm(initial=initial)
        number = initial.get("number", "")
    customer = customer_by_number(number=number) if number else None
    context = {
        "form": form,
        "number": number,
        "customer": customer,
        "open_tickets": open_tickets_of(customer=customer) if customer else [],
    }
    return render(request, "tickets/phone/log_call.html", context, status=_status(form))


def _ticket_from_reference(text: str) -> Ticket | None:
    match = _REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    return Ticket.objects.select_related("customer").filter(number=match[1]).first()


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _team_filter(request) -> Team | None:
    team_id = request.GET.get("team", "")
    if not team_id.isdigit():
        return None
    return Team.objects.filter(pk=team_id).first()


def _callbacks_page(request, *, failed: tuple[str, int, CallBackForm] | None = None):
    team = _team_filter(request)
    entries = callbacks_due(team=team)
    rows, unshown = [], failed
    for entry in entries:
        form = CallBackForm(prefix=f"{entry.kind}-{entry.item.pk}")
        if failed is not None and failed[:2] == (entry.kind, entry.item.pk):
            form, unshown = failed[2], None
        rows.append((entry, form))
    context = {
        "rows": rows,
        "team": team,
        "teams": list(Team.objects.order_by("name")),
        # The errors of a form whose row is no longer listed (done meanwhile): shown on top.
        "unshown_errors": unshown[2].errors if unshown is not None else None,
    }
    return render(request, "tickets/phone/callbacks.html", context, status=400 if failed else 200)


@desk_staff_required
@require_http_methods(["GET"])
def callbacks_view(request):
    """The voicemails and callbacks waiting for a call back, soonest due first (of one team
    with `?team=`), each with its countdown and a form to log the call back."""
    return _callbacks_page(request)


@desk_staff_required
@require_POST
def callback_done_view(request, kind: str, pk: int):
    """Log the call back of one voicemail or callback request: answered, it is done and the
    ticket's `phone.first_response` stops; otherwise the attempt is logged and it stays due."""
    model = {"callback": CallbackRequest, "voicemail": Voicemail}.get(kind)
    item = model.objects.select_related("ticket").filter(pk=pk).first() if model else None
    if item is None:
        raise Http404("No such voicemail or callback.")
    check_ticket_access(user=request.user, ticket=item.ticket, action=TicketAction.ACT)
    form = CallBackForm(request.POST, prefix=f"{kind}-{pk}")
    if form.is_valid():
        data = form.cleaned_data
        service = complete_callback if kind == "callback" else return_voicemail
        try:
            item = service(
                agent=request.user,
                outcome=data["outcome"],
                notes=data["notes"],
                duration=data["duration"],
                **{kind: item},
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _done_message(kind, item))
            return redirect(reverse("tickets:phone-callbacks") + _query(request))
    return _callbacks_page(request, failed=(kind, pk, form))


def _query(request) -> str:
    team = request.GET.get("team", "")
    return f"?team={team}" if team.isdigit() else ""


def _done_message(kind: str, item: CallbackRequest | Voicemail) -> str:
    what = "Callback" if kind == "callback" else "Voicemail"
    ticket = item.ticket
    if item.is_open:
        return f"Attempt logged on {ticket.reference}: the {what.lower()} is still due."
    clock = ticket_clocks(ticket=ticket).filter(target="phone.first_response").last()
    if clock is None:
        return f"{what} on {ticket.reference} done."
    verdict = "breached" if clock.outcome == ClockOutcome.BREACHED else "met"
    return f"{what} on {ticket.reference} done: the first response target was {verdict}."
