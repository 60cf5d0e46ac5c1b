"""The acknowledgement promised within D, kept by a real Celery worker: the task scheduled at
the clock's due time writes the automatic acknowledgement and the clock is met, once."""

from pathlib import Path

import pytest

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome
from helpdesk.services.policy import publish_policy_version
from tests.support.servers import wait_for
from tests.tickets.conftest import eml
from tickets.models import AutoMessage, Message
from tickets.services import ingest_email

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEADLINE = 30  # seconds to wait for the worker, far beyond what it needs


@pytest.fixture
def acknowledge_in_two_seconds(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "ack-2s"')
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    text = text.replace('"08:00-22:00"', '"00:00-24:00"')
    text = text.replace('acknowledge = "0s"  ', 'acknowledge = "2s"  ')
    return publish_policy_version(document=text, approved_by="Tests", change_note="ack 2s")


def test_the_worker_acknowledges_when_the_time_has_passed(
    celery_worker, acknowledge_in_two_seconds
):
    ticket = ingest_email(raw=eml("plain.eml")).ticket
    clock = Clock.objects.get(case_id=ticket.pk, target="email.acknowledge")
    acknowledgements = Message.objects.filter(ticket=ticket, automatic=AutoMessage.ACKNOWLEDGEMENT)
    assert not acknowledgements.exists()  # not at once: within 2 s

    wait_for(
        lambda: Clock.objects.filter(pk=clock.pk, outcome=ClockOutcome.MET).exists(),
        timeout=DEADLINE,
        what="the acknowledgement",
        interval=0.1,
    )

    (ack,) = acknowledgements
    assert ack.to == "ann.lee@example.org" and ack.created_at >= clock.due_at
    assert "helpdesk.tasks.check_clock" in celery_worker.output()
