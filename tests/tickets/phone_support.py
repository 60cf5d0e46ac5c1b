"""Helpers of the phone tests: the customer's number, the clock of a ticket's target, and a call
logged as an agent logs one (the `team` and `agent` fixtures are in conftest.py)."""

from tickets.selectors import ticket_clocks
from tickets.services.phone import log_call

from .conftest import MONDAY_10AM

NUMBER = "07700900123"


def clock(ticket, target="phone.first_response"):
    return ticket_clocks(ticket=ticket).get(target=target)


def call(agent, **overrides):
    values = {
        "agent": agent,
        "number": NUMBER,
        "direction": "inbound",
        "started_at": MONDAY_10AM,
        "duration": 150,
        "outcome": "answered",
    }
    return log_call(**{**values, **overrides})
