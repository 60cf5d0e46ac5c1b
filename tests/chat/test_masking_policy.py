"""Chat masks by the policy's rule (helpdesk.privacy), like every channel: escalation notes and
the supervisor's notification, lines, and the kinds the policy in force names."""

import pytest

from chat import services
from chat.models import ChatMessage
from helpdesk.models import Notification
from helpdesk.services.policy import publish_policy_version

from .conftest import make_agent, policy_text

pytestmark = pytest.mark.django_db

LICENCE = "MORGA753116SM9IJ"


@pytest.fixture
def agent(policy, team):
    supervisor = make_agent("sam", team=team, role="supervisor")
    agent = make_agent("ann", team=team)
    agent.agent_profile.supervisor = supervisor
    agent.agent_profile.save()
    return agent


def test_escalation_notes_and_the_notification_are_masked(agent, team):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.escalate_chat(session_id=chat.pk, by=agent, notes=f"Licence {LICENCE} forged?")
    chat.refresh_from_db()
    assert chat.escalation_notes == "Licence [driving licence removed] forged?"
    messages = Notification.objects.filter(kind="chat.escalation").values_list("message")
    assert messages and not [m for (m,) in messages if LICENCE in m]


def test_a_line_is_masked_by_the_kinds_the_policy_names(agent, team):
    publish_policy_version(
        document=policy_text(**{'version = "chat-24x7"': 'version = "no-cards"'})
        + '\n[privacy]\nmask = ["driving_licence"]\n',
        approved_by="T",
        change_note="Cards allowed",
    )
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.customer_says(session_id=chat.pk, text=f"Card 4111111111111111, licence {LICENCE}")
    lines = list(ChatMessage.objects.filter(session=chat).values_list("text", flat=True))
    assert "Card 4111111111111111, licence [driving licence removed]" in lines
