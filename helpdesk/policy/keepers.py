"""Who keeps each key of the policy format: the service function that makes the promise come
true, and one line on how (README, "How every policy key is kept").

Plain data: dotted paths as strings, no import of the code they name, so that the pure engine
stays pure. `helpdesk.policy.document.accepted_keys()` lists every key the reader accepts, in
the same notation (`*` a name the document chooses, `[]` an entry of an array of tables);
tests/policy/test_keepers.py fails when a key has no row here or a row names nothing callable.

A row whose keeper is "" is a key of the format that no service keeps yet: the reader refuses
it wherever it appears ("no service keeps this key yet"), so a policy never promises what no
code keeps (POLICY.md: "A key that no channel keeps is an error in policy check").
"""

from typing import NamedTuple


class Keeper(NamedTuple):
    keeper: str  # the dotted path of the service function; "" when nothing keeps the key yet
    how: str  # how the promise is kept, in one line for the README


_PUBLISH = "helpdesk.services.policy.publish_policy_version"
_NEW_CLOCK = "helpdesk.services.sla.clocks.new_clock"
_BREACH = "helpdesk.services.sla.breach.advance_clocks"
_CHAT_START = "chat.services.sessions.start_chat"
_OPEN_TICKET = "tickets.services.tickets.open_ticket"
_PHONE_CASE = "tickets.services.phone.cases.record_voicemail"
_ACKNOWLEDGE_WHEN_DUE = "tickets.services.acknowledgement.acknowledge_when_due"
_INVITE = "surveys.services.invitations.invite_to_survey"
_RETENTION = "helpdesk.privacy.retention.apply_retention"

_RECORD = "recorded with the published version; shown by `policy show`, the admin and the API"
_CALENDAR = "every clock's due time is counted on it ({what})"

KEEPERS: dict[str, Keeper] = {
    # [document]: the policy's own record.
    "document.title": Keeper(_PUBLISH, _RECORD),
    "document.company": Keeper(
        _PUBLISH, _RECORD + "; the greeting, acknowledgements and letters name it"
    ),
    "document.number": Keeper(_PUBLISH, _RECORD),
    "document.version": Keeper(_PUBLISH, _RECORD + "; each case keeps the version it opened under"),
    "document.effective": Keeper(
        _PUBLISH, "the version comes into force on this date (`policy show`, new cases)"
    ),
    "document.approved_by": Keeper(_PUBLISH, _RECORD),
    "document.purpose": Keeper(_PUBLISH, _RECORD),
    "document.scope": Keeper(_PUBLISH, _RECORD),
    "document.review_every_months": Keeper(
        "helpdesk.services.policy_review.keep_policy_review",
        "`policy.review` falls due N months after the effective date or the last recorded "
        "review (`policy review`), with reminders and escalation to managers",
    ),
    # [calendar] and [calendars.NAME]
    "calendar.timezone": Keeper(_NEW_CLOCK, _CALENDAR.format(what="local time")),
    "calendar.working_days": Keeper(_NEW_CLOCK, _CALENDAR.format(what='"wd" durations')),
    "calendar.holidays": Keeper(_NEW_CLOCK, _CALENDAR.format(what="no service, no working day")),
    "calendar.hours": Keeper(
        _NEW_CLOCK,
        _CALENDAR.format(what="service time") + "; the chat widget says when it is closed",
    ),
    "calendars.*.timezone": Keeper(
        _NEW_CLOCK, "a clock counts on its case's team's calendar when the version names it"
    ),
    "calendars.*.working_days": Keeper(_NEW_CLOCK, "as calendar.working_days, for the team"),
    "calendars.*.holidays": Keeper(_NEW_CLOCK, "as calendar.holidays, for the team"),
    "calendars.*.hours": Keeper(_NEW_CLOCK, "as calendar.hours, for the team"),
    # [channels.chat]
    "channels.chat.acknowledge": Keeper(
        "chat.services.acknowledgement.acknowledge_chat",
        "the widget's automatic line with the queue position, within D of the chat starting",
    ),
    "channels.chat.first_response": Keeper(
        _CHAT_START, "a clock from the chat's start, met by the agent's first line"
    ),
    "channels.chat.resolution": Keeper(_CHAT_START, "a clock from the chat's start, met at close"),
    "channels.chat.survey": Keeper(_INVITE, "a survey link when the chat closes"),
    "channels.chat.wait_notice_after": Keeper(
        "chat.services.timers.send_wait_notice", "a waiting customer is told the expected wait"
    ),
    "channels.chat.offer_message_after": Keeper(
        "chat.services.timers.offer_message",
        "a waiting customer is offered to leave a message or ask for a callback",
    ),
    "channels.chat.max_concurrent_per_agent": Keeper(
        "chat.services.routing.policy_limit", "routing offers an agent no more chats than this"
    ),
    "channels.chat.greeting": Keeper(
        "chat.services.common.greeting_for", "the agent's first line, with the customer's name"
    ),
    # [channels.email]
    "channels.email.acknowledge": Keeper(
        _ACKNOWLEDGE_WHEN_DUE,
        "the automatic acknowledgement email at D, unless an agent's reply went first",
    ),
    "channels.email.first_response": Keeper(
        _OPEN_TICKET, "a clock from the email's arrival, met by the first reply"
    ),
    "channels.email.resolution": Keeper(_OPEN_TICKET, "a clock met when the ticket is resolved"),
    "channels.email.survey": Keeper(_INVITE, "a survey email when the ticket is resolved"),
    # [channels.phone]
    "channels.phone.acknowledge": Keeper(
        _ACKNOWLEDGE_WHEN_DUE,
        "an email to the caller when a voicemail or callback case opens and an address is known",
    ),
    "channels.phone.first_response": Keeper(
        _PHONE_CASE, "voicemails and callback requests are called back within it"
    ),
    "channels.phone.resolution": Keeper(_PHONE_CASE, "a clock met when the case is resolved"),
    "channels.phone.survey": Keeper(_INVITE, "a survey email when the phone case is resolved"),
    "channels.phone.answer": Keeper(
        "", "a call is answered within this elapsed time from when it starts ringing"
    ),
    # [complaints]
    "complaints.acknowledge": Keeper(
        "complaints.services.workflow.log_complaint",
        "a clock from logging, met by the written acknowledgement enclosing the procedure",
    ),
    "complaints.resolution": Keeper(
        "complaints.services.reminders.on_resolution_breach",
        "a clock from logging; past it, the manager is asked for a holding letter",
    ),
    "complaints.review": Keeper(
        "complaints.services.review.send_complaint_review",
        "the review with figures by cause and by deadline kept, on this cadence",
    ),
    "complaints.procedure": Keeper(
        "complaints.services.letters.procedure_pdf", "enclosed with the acknowledgement"
    ),
    # [[escalation]]
    "escalation[].after": Keeper(_BREACH, "each level fires once, this long after the breach"),
    "escalation[].notify": Keeper(
        _BREACH, "who is told: the one escalation rule finds the agent, supervisor or manager"
    ),
    # [surveys]
    "surveys.expires_after": Keeper(_INVITE, "the survey link stops working after this"),
    "surveys.question": Keeper(
        "surveys.services.responses.submit_survey_response", "the survey's yes/no question"
    ),
    "surveys.scale": Keeper(
        "surveys.services.responses.submit_survey_response", "scores from 1 to the scale"
    ),
    "surveys.follow_up_below": Keeper(
        "surveys.services.follow_ups.open_follow_up", "a lower score opens a follow-up"
    ),
    "surveys.follow_up": Keeper(
        "surveys.services.follow_ups.open_follow_up",
        "the follow-up's own clock (surveys.follow_up)",
    ),
    # [privacy] and [retention]
    "privacy.mask": Keeper(
        "helpdesk.privacy.services.mask_text",
        "these kinds of number are masked before any channel stores or shows text",
    ),
    "retention.chat_transcripts": Keeper(_RETENTION, "chat transcripts deleted this long after"),
    "retention.raw_email": Keeper(_RETENTION, "the raw emails deleted this long after closing"),
    "retention.secure_details": Keeper(_RETENTION, "secure-form details deleted after this"),
    "retention.closed_cases": Keeper(_RETENTION, "closed cases anonymised this long after"),
}

# A priority's or severity's targets are kept as the section's own, on the case's terms
# (helpdesk.services.sla.clocks.case_terms reads a ticket's priority, a complaint's severity).
_BY_LEVEL = (
    "a case's clocks run its priority's (a complaint's, its severity's) targets; a change "
    "of priority times the running ones again from their start"
)
for _section, _targets in (
    ("channels.email.priority.*", ("acknowledge", "first_response", "resolution")),
    ("channels.phone.priority.*", ("acknowledge", "first_response", "resolution", "answer")),
    ("complaints.severity.*", ("acknowledge", "resolution")),
):
    for _target in _targets:
        _own = KEEPERS[f"{_section.rsplit('.', 2)[0]}.{_target}"]
        KEEPERS[f"{_section}.{_target}"] = Keeper(_own.keeper and _NEW_CLOCK, _BY_LEVEL)
# A chat has no priority: its priorities' targets would never run.
for _target in ("acknowledge", "first_response", "resolution"):
    KEEPERS[f"channels.chat.priority.*.{_target}"] = Keeper("", "a chat has no priority")

UNKEPT: frozenset[str] = frozenset(key for key, row in KEEPERS.items() if not row.keeper)


def keeper_of(key: str) -> Keeper | None:
    """The row of `key` in the notation of `accepted_keys()`; None when there is none."""
    return KEEPERS.get(key)
