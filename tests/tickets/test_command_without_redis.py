"""`manage.py ingest_email` run where no Redis answers (outside `make run`): every email is
still taken in, the command says once that live updates and sends are delayed, prints no
traceback, exits 0, and the acknowledgements go out later through the send sweep. The command
runs for real, in its own process, against the test database; Redis is a closed port."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from helpdesk.services.policy import ensure_policy_in_force
from tests.support.servers import ROOT, free_port, subprocess_env
from tickets.models import AutoMessage, Direction, Message, Ticket
from tickets.services import ingest_email
from tickets.services.outbound import requeue_unsent_messages

from .conftest import eml
from .desk_support import staff
from .factories import MessageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_without_redis(*files: str) -> subprocess.CompletedProcess:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    env = subprocess_env(
        REDIS_URL=nowhere, CELERY_BROKER_URL=nowhere, CACHE_URL=nowhere, LOG_LEVEL="INFO"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "ingest_email", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def batch(tmp_path, celery_eager):
    """Twelve emails from customers and a bounce of an agent's reply sent before."""
    ensure_policy_in_force()
    earlier = ingest_email(raw=eml("plain.eml")).ticket
    MessageFactory(
        ticket=earlier,
        direction=Direction.OUTBOUND,
        author=staff("maya"),
        to="ann.lee@example.org",
        message_id="<reply-0001@helpdesk.example>",
        sent_at=timezone.now(),
    )
    mail.outbox.clear()
    files = []
    for n in range(12):
        raw = eml("plain.eml").replace(b"CAF1234.kettle", f"CAF{n}.batch".encode())
        (tmp_path / f"{n:02}.eml").write_bytes(raw)
        files.append(str(tmp_path / f"{n:02}.eml"))
    (tmp_path / "bounce.eml").write_bytes(eml("bounce.eml"))
    return [*files, str(tmp_path / "bounce.eml")]


def test_without_redis_the_mail_is_taken_in_with_one_warning_and_no_traceback(batch):
    done = run_without_redis(*batch)

    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == (
        "13 messages: 12 new tickets, 0 replies, 0 automatic, 1 bounces, 0 set aside, "
        "0 duplicates, 0 failed\n"
    )
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[-3000:]
    assert "Redis" in lines[0] and "later" in lines[0]
    assert Ticket.objects.count() == 13
    bounced = Message.objects.get(message_id="<reply-0001@helpdesk.example>")
    assert bounced.bounced_at is not None


def test_the_acknowledgements_go_out_later_through_the_send_sweep(batch, settings):
    run_without_redis(*batch)
    waiting = Message.objects.filter(automatic=AutoMessage.ACKNOWLEDGEMENT, sent_at=None)
    assert waiting.count() == 12
    assert not waiting.exclude(queued_at=None).exists()  # marked for the sweep, not lost
    later = timezone.now() + timedelta(seconds=settings.TICKETS_SEND_GRACE_SECONDS + 1)

    assert requeue_unsent_messages(now=later) == 12

    assert not waiting.exists()
    assert [m.to for m in mail.outbox] == [["ann.lee@example.org"]] * 12
