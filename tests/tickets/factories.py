"""Factories of the tickets app's models."""

import factory
from django.utils import timezone

from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import CustomerFactory
from tickets.models import Direction, Message, Priority, Status, Ticket, TicketChannel
from tickets.services.tickets import next_ticket_number


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row without clocks; use `open_ticket` when a test needs the clocks too."""

    class Meta:
        model = Ticket

    number = factory.LazyFunction(next_ticket_number)
    channel = TicketChannel.EMAIL
    subject = factory.Sequence(lambda n: f"Request {n}")
    customer = factory.SubFactory(CustomerFactory)
    priority = Priority.NORMAL
    status = Status.NEW
    policy_version = factory.LazyFunction(ensure_policy_in_force)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda t: t.created_at)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    direction = Direction.INBOUND
    from_address = factory.LazyAttribute(lambda m: m.ticket.customer.email)
    subject = factory.LazyAttribute(lambda m: m.ticket.subject)
    text = "Hello, I need help."
    message_id = factory.Sequence(lambda n: f"<message-{n}@mail.example.org>")
    created_at = factory.LazyFunction(timezone.now)
