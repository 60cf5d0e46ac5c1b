"""The chat channel's webhook events (see `helpdesk.webhooks`): what their `data` holds.
Called by the chat services; sent after commit.

Only the chat's ids, status, times and the agent's (redacted) summary go out: never the
transcript, the pre-chat question, or anything given through the secure form."""

from helpdesk.webhooks import emit_event

from .models import ChatSession


def chat_payload(session: ChatSession) -> dict:
    return {
        "id": session.pk,
        "status": session.status,
        "customer_id": session.customer_id,
        "team_id": session.team_id,
        "agent_id": session.agent_id,
        "started_at": session.started_at,
        "accepted_at": session.accepted_at,
        "first_response_at": session.first_response_at,
        "closed_at": session.closed_at,
        "ticket_id": session.ticket_id,
    }


def emit_chat_started(session: ChatSession) -> None:
    emit_event(name="chat.started", payload=chat_payload(session), occurred_at=session.started_at)


def emit_chat_closed(session: ChatSession) -> None:
    """A chat ended: closed (with the agent's summary and whether the customer confirmed the
    resolution) or missed, nobody having answered: `end_reason` says why (`abandoned`: the
    customer left; `left_message`: `ticket_id` is that message's ticket)."""
    payload = chat_payload(session)
    payload["end_reason"] = session.end_reason
    payload["summary"] = session.summary
    payload["customer_confirmed_resolved"] = session.customer_confirmed_resolved
    payload["escalated"] = session.escalated_to_id is not None
    emit_event(name="chat.closed", payload=payload, occurred_at=session.closed_at)
