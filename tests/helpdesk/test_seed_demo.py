"""`manage.py seed_demo`: demo data loaded once, logins that work, clocks in every state."""

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from helpdesk.management.commands.seed_demo import AGENT, LOGINS, MANAGER, SUPERVISOR
from helpdesk.models import (
    AgentProfile,
    Article,
    CannedResponse,
    Clock,
    Customer,
    Interaction,
    PolicyVersion,
    Role,
)
from helpdesk.models.people import Channel
from helpdesk.selectors.people import returning_customer_summary

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [AgentProfile, Article, CannedResponse, Clock, Customer, Interaction, PolicyVersion]
    return {model.__name__: model.objects.count() for model in models} | {
        "users": get_user_model().objects.count()
    }


def test_seed_loads_once_and_a_second_run_changes_nothing():
    first = seed()
    assert "Demo data loaded" in first
    for login in LOGINS:
        assert login.username in first and login.password in first
    loaded = counts()
    assert loaded["Customer"] >= 5 and loaded["PolicyVersion"] == 1
    assert loaded["CannedResponse"] >= 3 and loaded["Article"] >= 2

    second = seed()
    assert "Demo data already loaded" in second
    assert counts() == loaded


def test_demo_staff_can_log_in_and_hold_their_roles(client):
    seed()
    users = get_user_model().objects
    for login, group in [(AGENT, "Agents"), (SUPERVISOR, "Supervisors"), (MANAGER, "Managers")]:
        assert client.login(username=login.username, password=login.password), login.username
        user = users.get(username=login.username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.is_staff and user.agent_profile.role == login.role
    agent = users.get(username="agent").agent_profile
    assert agent.supervisor.username == "supervisor" and agent.team.name == "Front line"
    manager = users.get(username="manager")
    assert manager.is_superuser and manager.has_perm("helpdesk.add_policyversion")
    assert not users.get(username="agent").has_perm("helpdesk.add_policyversion")
    assert AgentProfile.objects.get(user__username="manager").role == Role.MANAGER


def test_every_channel_has_interactions_and_a_returning_customer():
    seed()
    channels = set(Interaction.objects.values_list("channel", flat=True))
    assert {Channel.CHAT, Channel.EMAIL, Channel.PHONE, Channel.WEB, Channel.COMPLAINT} <= channels
    ann = Customer.objects.get(email="ann.lee@example.org")
    assert len(returning_customer_summary(customer=ann).by_channel) >= 4
    greeting = CannedResponse.objects.get(shortcut="greeting")
    assert "{customer_name}" in greeting.body
    assert CannedResponse.objects.filter(shortcut="secure-form").exists()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 25, 14, 0, tzinfo=UTC),  # a Wednesday afternoon, service open
        datetime(2026, 11, 29, 3, 0, tzinfo=UTC),  # a Sunday night, service closed
    ],
)
def test_the_desk_shows_a_clock_running_one_in_warning_and_one_breached(now):
    with time_machine.travel(now, tick=False):
        seed()
    clocks = {clock.target: clock for clock in Clock.objects.select_related("assignee")}
    assert {"email.first_response", "phone.first_response", "chat.first_response"} <= set(clocks)
    assert {clock.assignee.username for clock in clocks.values()} == {"agent"}

    email = clocks["email.first_response"]
    assert email.warn_at <= now < email.due_at  # in its warning
    assert clocks["phone.first_response"].due_at < now  # breached
    chat = clocks["chat.first_response"]
    assert chat.started_at == now and chat.due_at > now and (chat.warn_at or now) >= now
    case = Interaction.objects.get(pk=email.case_id)
    assert case.channel == Channel.EMAIL and email.case == case
