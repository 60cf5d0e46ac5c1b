"""The presence sweep run by a real Celery worker, as beat runs it: an agent whose console fell
silent long ago goes offline, and the chat offered to them is offered to an agent still here."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from chat import services
from chat.models import ChatSession
from chat.services.presence import console_opened
from helpdesk.models import AgentProfile, Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.support.servers import wait_for

pytestmark = pytest.mark.integration


def test_the_beat_task_marks_a_silent_agent_offline(celery_worker):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    long_ago = timezone.now() - timedelta(minutes=10)
    gone = make_agent("gone", presence_changed_at=long_ago)
    console_opened(agent=gone, channel_name="laptop-closed", now=long_ago)
    chat = services.start_chat(name="Ann", email="ann@example.org")
    assert chat.offered_to == gone
    here = make_agent("here")
    console_opened(agent=here, channel_name="open-console")

    current_app.signature("chat.tasks.sweep_presence").apply_async()

    wait_for(
        lambda: AgentProfile.objects.get(user=gone).presence == Presence.OFFLINE,
        timeout=20,
        what=f"the sweep\n{celery_worker.output()[-2000:]}",
    )
    assert AgentProfile.objects.get(user=here).presence == Presence.ONLINE
    assert ChatSession.objects.get(pk=chat.pk).offered_to == here
