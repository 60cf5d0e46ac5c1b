"""Phone cases: a voicemail or a callback request opens a phone ticket, or joins the one
still waiting for a call back (the rules are in the package's docstring)."""

import os
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.models import Customer, Team
from helpdesk.models.people import Channel
from helpdesk.services.people import find_or_create_customer, record_interaction

from ... import conf
from ...models import DONE_STATUSES, CallbackRequest, Status, Ticket, TicketChannel, Voicemail
from ..acknowledgement import acknowledge_new_ticket
from ..tickets import change_status, open_ticket
from .calls import FUTURE_TOLERANCE, check_duration, check_moment, check_number, say_duration


def _phone_case_ticket(
    *, customer: Customer, subject: str, at: datetime, team: Team | None
) -> tuple[Ticket, bool]:
    """The customer's open phone ticket with a voicemail or callback not yet returned (the
    latest, locked), or a new phone ticket opened at `at`; and whether it was opened now. A new
    case is owed an acknowledgement (`phone.acknowledge`), by email when the customer has an
    address: the caller writes it, once the case is recorded, with `acknowledge_new_ticket`."""
    waiting_voicemails = Voicemail.objects.filter(returned_at__isnull=True).values("ticket_id")
    waiting_callbacks = CallbackRequest.objects.filter(done_at__isnull=True).values("ticket_id")
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(customer=customer, channel=TicketChannel.PHONE, created_at__lte=at)
        .exclude(status__in=DONE_STATUSES)
        .filter(Q(pk__in=waiting_voicemails) | Q(pk__in=waiting_callbacks))
        .order_by("-created_at", "-pk")
        .first()
    )
    if ticket is not None:
        if ticket.status == Status.PENDING_CUSTOMER:
            change_status(ticket=ticket, status=Status.OPEN, at=at, note="The customer called.")
        else:
            Ticket.objects.filter(pk=ticket.pk, updated_at__lt=at).update(updated_at=at)
        return ticket, False
    ticket = open_ticket(
        customer=customer,
        subject=subject,
        channel=TicketChannel.PHONE,
        opened_at=at,
        team=team,
        acknowledged=True,  # at once ("0s"): written by the caller, in this transaction
    )
    return ticket, True


def _keep_recording(voicemail: Voicemail, recording: File | None) -> None:
    """Store the recording through Django storage, unless it is over
    TICKETS_MAX_RECORDING_BYTES: then the voicemail is kept without it, and says so."""
    if recording is None:
        return
    size = recording.size or 0
    limit = conf.max_recording_bytes()
    if size > limit:
        voicemail.notes = (
            f"The recording ({size} bytes) was larger than the limit of {limit} bytes "
            "and was not kept."
        )
        return
    name = os.path.basename(getattr(recording, "name", "") or "") or "voicemail"
    voicemail.recording.save(name, recording, save=False)


@transaction.atomic
def record_voicemail(
    *,
    number: str,
    received_at: datetime,
    duration: int,
    transcript: str = "",
    recording: File | None = None,
    team: Team | None = None,
) -> Voicemail:
    """A voicemail a customer left: a phone case to be returned within `phone.first_response`.

    Rules (module docstring): the customer is found by number (an empty number is a withheld
    one: a new customer); the voicemail opens a phone ticket whose clocks start at
    `received_at`, or joins the customer's open phone ticket still waiting for a call back.
    The recording is optional and size-limited (TICKETS_MAX_RECORDING_BYTES); one too large is
    not kept and the voicemail says so. It lands on the customer's history.
    """
    number = check_number(number, required=False)
    received_at = check_moment("received_at", received_at, now=timezone.now())
    duration = check_duration("duration", duration)
    transcript = (transcript or "").strip()
    customer = find_or_create_customer(phone=number)
    ticket, opened = _phone_case_ticket(
        customer=customer,
        subject=f"Voicemail from {number or 'a withheld number'}",
        at=received_at,
        team=team,
    )
    voicemail = Voicemail(
        ticket=ticket,
        number=number,
        received_at=received_at,
        duration=duration,
        transcript=transcript,
    )
    _keep_recording(voicemail, recording)
    voicemail.save()
    if opened:
        acknowledge_new_ticket(ticket=ticket, at=received_at)
    summary = f"{say_duration(duration)} on {ticket.reference}"
    record_interaction(
        customer=customer,
        channel=Channel.PHONE,
        kind="voicemail left",
        summary=f"{summary}: {transcript[:200]}" if transcript else summary,
        case=ticket,
        occurred_at=received_at,
    )
    return voicemail


@transaction.atomic
def request_callback(
    *,
    number: str,
    name: str = "",
    preferred_time: datetime | None = None,
    note: str = "",
    team: Team | None = None,
    customer: Customer | None = None,
    requested_at: datetime | None = None,
) -> CallbackRequest:
    """A customer asks to be called back (from the phone menu, the chat widget, a web form).

    Rules (module docstring): the customer is found by number (and named, if they had no
    name); the request opens a phone ticket whose `phone.first_response` clock starts now, at
    the request, even with a later `preferred_time` (the policy promises the call back within
    first_response; the desk shows the preferred time), or joins the customer's open phone
    ticket still waiting for a call back. `preferred_time` must be aware and not in the past.
    It lands on the customer's history. A new case is acknowledged as `phone.acknowledge` says
    (by email, when the customer has an address).

    `customer`: who asked, already known (the chat's customer, asking from the chat widget):
    they are not looked up by number, and nothing given is written on their record (the
    number is on the request). `requested_at`: when they asked (default: now).
    """
    now = requested_at or timezone.now()
    number = check_number(number)
    if preferred_time is not None:
        if timezone.is_naive(preferred_time):
            raise ValidationError({"preferred_time": "Give the time with its time zone."})
        if preferred_time < now - FUTURE_TOLERANCE:
            raise ValidationError({"preferred_time": "The preferred time has passed."})
    name, note = (name or "").strip(), (note or "").strip()
    if customer is None:
        customer = find_or_create_customer(name=name, phone=number)
    ticket, opened = _phone_case_ticket(
        customer=customer,
        subject=f"Callback request from {name or number}",
        at=now,
        team=team,
    )
    callback = CallbackRequest.objects.create(
        ticket=ticket, number=number, preferred_time=preferred_time, requested_at=now, note=note
    )
    if opened:
        acknowledge_new_ticket(ticket=ticket, at=now)
    summary = f"{number} on {ticket.reference}"
    if preferred_time is not None:
        when = timezone.localtime(preferred_time).strftime("%d %b %Y %H:%M %Z")
        summary += f", preferably at {when}"
    record_interaction(
        customer=customer,
        channel=Channel.PHONE,
        kind="callback requested",
        summary=f"{summary}: {note}" if note else summary,
        case=ticket,
        occurred_at=now,
    )
    return callback
