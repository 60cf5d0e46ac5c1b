"""One sender of real-time events (`helpdesk.realtime.group_send_on_commit`): no app sends to a
Channels group by itself, so every event goes after commit, under its app's own group names,
and a channel layer that is down never breaks a request."""

from pathlib import Path

import pytest
from django.conf import settings

APPS = ("helpdesk", "tickets", "chat", "complaints", "surveys")
# A consumer relaying a typing indicator from its socket: nothing is stored, so there is no
# transaction to wait for, and it runs on the server's event loop already.
ALLOWED = {"helpdesk/realtime.py": "the sender", "chat/consumers.py": "typing relay"}


@pytest.mark.parametrize("app", APPS)
def test_no_module_sends_to_a_group_but_the_core_s_sender(app):
    root = Path(settings.BASE_DIR)
    senders = sorted(
        str(path.relative_to(root))
        for path in (root / app).rglob("*.py")
        if ".group_send(" in path.read_text(encoding="utf-8")
    )
    assert set(senders) <= set(ALLOWED), senders
