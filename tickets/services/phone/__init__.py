"""The phone channel: calls agents log, voicemails customers leave, callbacks they ask for.

Rules (the policy's `[channels.phone]`, "voicemails and callback requests are returned within
first_response"):

- **Who.** The customer is found by number with `find_or_create_customer(phone=...)`, so
  `07700 900123`, `07700-900-123` and `(07700) 900123` are one person (the matching rules are
  in `helpdesk.services.people`). A call logged on an existing ticket is with that ticket's
  customer; the number is recorded as dialled and fills in a customer who had none.
- **The case.** A voicemail or a callback request is a phone case: it opens a phone ticket,
  whose `phone.first_response` clock (the call back is due by it) and `phone.resolution` clock
  start when the voicemail arrived or the callback was asked for. If the customer already has
  an open phone ticket with a voicemail or callback not yet returned, the new one joins that
  ticket instead: the promise already runs, and is neither restarted nor doubled.
- **A preferred time** on a callback request does not move the clock: the policy promises the
  call back within `first_response` of the request, so the clock starts at the request. The
  desk shows the preferred time beside the due time, so an agent can call when it suits the
  customer inside the promise (and sees when the preferred time is later than it).
- **The response.** An answered call on a phone ticket, in either direction, is the response
  the phone channel promises: it stops `phone.first_response` at the call's start (met by
  then, breached after) and returns every open voicemail and callback request of the ticket.
  An outbound call is the call back; an inbound one that an agent answers reached the customer
  just as well (a call logged as answered that opens a new ticket meets the target at once).
  A call not answered (no answer, busy, voicemail left, wrong number, failed) is an attempt:
  on the timeline and the customer's history, but nothing is returned and the clock runs on.
  On a ticket of another channel (an email ticket) a call is logged and meets no target: that
  channel's promise is its written answer.
- **Status.** An answered call makes a new ticket open; an inbound call on a ticket pending the
  customer puts it back to open (the ball is with us again, and the clocks resume).
- **Record.** Every call, voicemail and callback request lands on the customer's history
  (`record_interaction`, channel phone) and on the ticket's timeline (`ticket_timeline`).
"""

from .calls import check_number, complete_callback, log_call, return_voicemail
from .cases import record_voicemail, request_callback

__all__ = [
    "check_number",
    "complete_callback",
    "log_call",
    "record_voicemail",
    "request_callback",
    "return_voicemail",
]
