"""The abandonment sweep run by a real Celery worker, as beat runs it: whatever worker runs it
(a restarted one too: what it reads is the chat's `customer_seen_at`, in the database), a
waiting chat whose customer's widget fell silent long ago ends as missed, abandoned, and one
whose customer is still here keeps waiting."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from chat import services
from chat.models import ChatSession, ChatStatus, EndReason
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.support.servers import wait_for

pytestmark = pytest.mark.integration


def test_the_beat_task_ends_a_chat_whose_customer_is_gone(celery_worker):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    gone = services.start_chat(name="Ann", email="ann@example.org")
    ChatSession.objects.filter(pk=gone.pk).update(
        customer_seen_at=timezone.now() - timedelta(minutes=10)
    )
    here = services.start_chat(name="Bo", email="bo@example.org")

    current_app.signature("chat.tasks.sweep_presence").apply_async()

    wait_for(
        lambda: ChatSession.objects.get(pk=gone.pk).status == ChatStatus.MISSED,
        timeout=20,
        what=f"the sweep\n{celery_worker.output()[-2000:]}",
    )
    assert ChatSession.objects.get(pk=gone.pk).end_reason == EndReason.ABANDONED
    assert ChatSession.objects.get(pk=here.pk).status == ChatStatus.WAITING
