"""What a missed target does to a ticket: an escalation event on its timeline, so the ticket
shows when and which promise was missed (the core notifies the people, per the policy). And
who keeps the acknowledgement promised within D (`email.acknowledge`, `phone.acknowledge`):
the automatic acknowledgement at D (`acknowledge_when_due`)."""

from django.contrib.contenttypes.models import ContentType

from helpdesk import sla_registry
from helpdesk.models import Clock

from .models import Ticket
from .services.acknowledgement import acknowledge_when_due
from .services.escalation import record_breach

SECTIONS = ("email", "phone")


def on_ticket_breach(clock: Clock) -> None:
    if clock.case_type_id == ContentType.objects.get_for_model(Ticket).pk:
        record_breach(ticket_id=clock.case_id, target=clock.target, due_at=clock.due_at)


def register() -> None:
    """Called from the app's ready(); registering twice is harmless."""
    for section in SECTIONS:
        sla_registry.register_breach_handler(section, on_ticket_breach)
        sla_registry.register_due_handler(f"{section}.acknowledge", acknowledge_when_due)
