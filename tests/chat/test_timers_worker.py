"""The waiting customer's timers kept by a real Celery worker: the tasks scheduled at start run
at their due time and tell the customer once (PostgreSQL and Redis, as `make test` runs)."""

import pytest

from chat import services
from chat.models import Sender
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.support.servers import wait_for

pytestmark = pytest.mark.integration


def test_wait_notice_and_offer_arrive_from_the_worker_once(celery_worker):
    publish_policy_version(
        document=policy_text(
            **{
                'wait_notice_after = "20s"': 'wait_notice_after = "1s"',
                'offer_message_after = "3m"': 'offer_message_after = "3s"',
            }
        ),
        approved_by="Tests",
        change_note="fast timers",
    )
    chat = services.start_chat(name="Ann", email="ann@example.org", question="Hello?")
    system = chat.messages.filter(sender=Sender.SYSTEM)

    wait_for(
        lambda: system.filter(text__contains="An agent will be with you").exists(),
        timeout=20,
        what=f"the wait notice\n{celery_worker.output()[-2000:]}",
    )
    wait_for(
        lambda: system.filter(text__contains="leave us a message").exists(),
        timeout=20,
        what=f"the offer to leave a message\n{celery_worker.output()[-2000:]}",
    )
    chat.refresh_from_db()
    assert chat.wait_notice_sent_at and chat.offer_sent_at
    assert system.count() == 2  # each once, however often a task ran
