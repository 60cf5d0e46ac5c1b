"""Helpers that make survey data through the services, as the app would."""

from surveys.services import invite_to_survey, submit_survey_response, survey_path


def token_of(invitation) -> str:
    return survey_path(invitation).split("/")[2]


def answered_survey(make_ticket, *, agent, channel="email", answered=True, score=None, comment=""):
    """A ticket on `channel` for `agent`, its invitation and (with a score) its response."""
    ticket = make_ticket(channel=channel, assignee=agent)
    invitation = invite_to_survey(
        conversation=ticket,
        customer=ticket.customer,
        channel=channel,
        policy_section="phone" if channel == "phone" else "email",
        agent=agent,
    )
    if score is not None:
        submit_survey_response(
            token=token_of(invitation), answered=answered, score=score, comment=comment
        )
    return invitation
