"""Calls: logging one, and calling back a voicemail or a callback request (the rules are in
the package's docstring)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.models import AgentProfile, Customer, Team
from helpdesk.models.people import Channel
from helpdesk.services.people import find_or_create_customer, normalise_phone, record_interaction
from helpdesk.services.sla import stop_clocks_for

from ...models import (
    Call,
    CallbackRequest,
    CallDirection,
    CallOutcome,
    Status,
    Ticket,
    TicketChannel,
    Voicemail,
)
from ..tickets import change_status, lock_ticket, open_ticket, target_name

MAX_DURATION = 24 * 3600  # seconds: no call, voicemail or recording is longer
FUTURE_TOLERANCE = timedelta(minutes=1)  # clocks of phones and servers differ a little


def check_number(raw: str, *, required: bool = True) -> str:
    """The number normalised as customers' phones are; a ValidationError on `number`."""
    try:
        number = normalise_phone(raw)
    except ValidationError as exc:
        raise ValidationError({"number": exc.message_dict["phone"]}) from None
    if required and not number:
        raise ValidationError({"number": "Give the phone number."})
    return number


def check_moment(field: str, at: datetime, *, now: datetime) -> datetime:
    if at is None or timezone.is_naive(at):
        raise ValidationError({field: "The time must be given, with its time zone."})
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({field: "The time is in the future."})
    return at


def check_duration(field: str, duration: int) -> int:
    if not isinstance(duration, int) or isinstance(duration, bool):
        raise ValidationError({field: "The duration is a whole number of seconds."})
    if not 0 <= duration <= MAX_DURATION:
        raise ValidationError({field: "The duration must be between 0 and 24 hours."})
    return duration


def say_duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _fill_in(customer: Customer, *, name: str, number: str) -> None:
    """Details the customer lacks, never overwriting what is on record."""
    changed = []
    if name and not customer.name:
        customer.name = name[: Customer._meta.get_field("name").max_length]
        changed.append("name")
    if number and not customer.phone:
        customer.phone = number
        changed.append("phone")
    if changed:
        customer.save(update_fields=changed)


def _agent_team(agent) -> Team | None:
    if agent is None:
        return None
    profile = AgentProfile.objects.filter(user=agent).select_related("team").first()
    return profile.team if profile is not None else None


@transaction.atomic
def log_call(
    *,
    agent,
    number: str,
    direction: str,
    started_at: datetime,
    duration: int,
    outcome: str,
    notes: str = "",
    ticket: Ticket | None = None,
    customer_name: str = "",
    subject: str = "",
) -> Call:
    """Log a call an agent made or took, on `ticket` or on a new phone ticket.

    Rules (module docstring): without `ticket`, the customer is found (or created) by number
    and a phone ticket opens at `started_at`, assigned to `agent` in their team; with one, the
    call is with its customer (a call started before the ticket was opened, say while the
    agent opened it, takes effect at the opening). An answered call on a phone ticket meets
    `phone.first_response` and returns its open voicemails and callback requests; any other
    outcome is an attempt. The call lands on the customer's history.
    `started_at` must be aware and not in the future; `duration` is in seconds.
    """
    now = timezone.now()
    if direction not in CallDirection.values:
        raise ValidationError({"direction": f"'{direction}' is not a call direction."})
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": f"'{outcome}' is not a call outcome."})
    number = check_number(number, required=ticket is None)
    started_at = check_moment("started_at", started_at, now=now)
    duration = check_duration("duration", duration)
    notes = (notes or "").strip()
    customer_name = (customer_name or "").strip()
    if ticket is None:
        customer = find_or_create_customer(name=customer_name, phone=number)
        default_subject = f"Call {'from' if direction == CallDirection.INBOUND else 'to'} {number}"
        ticket = open_ticket(
            customer=customer,
            subject=(subject or "").strip() or default_subject,
            channel=TicketChannel.PHONE,
            opened_at=started_at,
            team=_agent_team(agent),
            assignee=agent,
            actor=agent,
            acknowledge=False,  # the customer is on the phone with us: nothing to acknowledge
        )
    else:
        ticket = lock_ticket(ticket)
        customer = ticket.customer
        _fill_in(customer, name=customer_name, number=number)
    call = Call.objects.create(
        ticket=ticket,
        customer=customer,
        direction=direction,
        number=number,
        started_at=started_at,
        duration=duration,
        outcome=outcome,
        notes=notes,
        agent=agent,
    )
    call.ticket = ticket = _after_call(ticket, call, actor=agent)
    summary = f"{call.get_outcome_display()}, {say_duration(duration)}"
    record_interaction(
        customer=customer,
        channel=Channel.PHONE,
        kind=f"{direction} call",
        summary=f"{summary}: {notes}" if notes else summary,
        case=ticket,
        agent=agent,
        occurred_at=started_at,
    )
    return call


def _after_call(ticket: Ticket, call: Call, *, actor) -> Ticket:
    """The call's effect on the ticket: response, returned cases, status (module docstring).
    Returns the ticket as it is now."""
    at = max(call.started_at, ticket.created_at)
    if call.is_answered and ticket.channel == TicketChannel.PHONE:
        # The call is the response, and the customer has heard from us: both promises are kept.
        stop_clocks_for(
            case=ticket,
            targets=[target_name(ticket, "first_response"), target_name(ticket, "acknowledge")],
            at=at,
        )
        Voicemail.objects.filter(ticket=ticket, returned_at__isnull=True).update(
            returned_at=at, returned_by=actor, return_call=call
        )
        CallbackRequest.objects.filter(ticket=ticket, done_at__isnull=True).update(
            done_at=at, done_by=actor, call=call
        )
    if call.is_answered and ticket.status == Status.NEW:
        return change_status(ticket=ticket, status=Status.OPEN, actor=actor, at=at)
    if call.direction == CallDirection.INBOUND and ticket.status == Status.PENDING_CUSTOMER:
        return change_status(ticket=ticket, status=Status.OPEN, at=at, note="The customer called.")
    Ticket.objects.filter(pk=ticket.pk, updated_at__lt=at).update(updated_at=at)
    return ticket


@transaction.atomic
def complete_callback(
    *,
    callback: CallbackRequest,
    agent,
    outcome: str,
    notes: str = "",
    duration: int = 0,
    started_at: datetime | None = None,
) -> CallbackRequest:
    """Call the customer back: the outbound call is logged on the callback's ticket (started at
    `started_at`, default: now less `duration`).

    Rules (module docstring): an answered call marks the callback done (by `agent`, at the
    call) and stops `phone.first_response` (met by its due time, breached after), together
    with every other open voicemail and callback of the ticket. Any other outcome is an
    attempt: logged, and the callback stays due. A callback already done cannot be done again.
    Returns the callback as it is now.
    """
    lock_ticket(callback.ticket)  # the ticket first, then its phone rows, as log_call does
    callback = CallbackRequest.objects.select_for_update(of=("self",)).get(pk=callback.pk)
    if callback.done_at is not None:
        raise ValidationError({"callback": "This callback was already done."})
    _call_back(
        ticket=callback.ticket,
        number=callback.number,
        agent=agent,
        outcome=outcome,
        notes=notes,
        duration=duration,
        started_at=started_at,
    )
    callback.refresh_from_db()
    return callback


@transaction.atomic
def return_voicemail(
    *,
    voicemail: Voicemail,
    agent,
    outcome: str,
    notes: str = "",
    duration: int = 0,
    started_at: datetime | None = None,
) -> Voicemail:
    """Call back the customer who left a voicemail: the same rules as `complete_callback`
    (answered: returned, and `phone.first_response` stops; otherwise an attempt). A voicemail
    from a withheld number can only be returned on a number the customer has on record."""
    lock_ticket(voicemail.ticket)  # the ticket first, then its phone rows, as log_call does
    voicemail = Voicemail.objects.select_for_update(of=("self",)).get(pk=voicemail.pk)
    if voicemail.returned_at is not None:
        raise ValidationError({"voicemail": "This voicemail was already returned."})
    number = voicemail.number or voicemail.ticket.customer.phone
    if not number:
        raise ValidationError({"voicemail": "There is no number to call back."})
    _call_back(
        ticket=voicemail.ticket,
        number=number,
        agent=agent,
        outcome=outcome,
        notes=notes,
        duration=duration,
        started_at=started_at,
    )
    voicemail.refresh_from_db()
    return voicemail


def _call_back(*, ticket, number, agent, outcome, notes, duration, started_at) -> Call:
    duration = check_duration("duration", duration)
    if started_at is None:
        started_at = timezone.now() - timedelta(seconds=duration)
    return log_call(
        agent=agent,
        number=number,
        direction=CallDirection.OUTBOUND,
        started_at=started_at,
        duration=duration,
        outcome=outcome,
        notes=notes,
        ticket=ticket,
    )
