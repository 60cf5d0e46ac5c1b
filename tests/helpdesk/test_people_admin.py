"""The admin of people: customers with their history, staff profiles and roles."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from helpdesk.models import Presence, Role
from helpdesk.models.people import Channel
from tests.helpdesk.factories import AgentFactory, CustomerFactory, InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(AgentFactory(role=Role.MANAGER).user)
    return client


def test_customer_change_page_shows_the_history_inline(manager_client):
    customer = CustomerFactory(name="Hal History")
    InteractionFactory(customer=customer, channel=Channel.EMAIL, kind="email received")
    InteractionFactory(customer=customer, channel=Channel.PHONE, kind="call logged")
    response = manager_client.get(reverse("admin:helpdesk_customer_change", args=[customer.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "email received" in page and "call logged" in page


def test_the_history_names_and_links_each_case(manager_client):
    from tests.tickets.desk_support import ticket

    case = ticket("Lid cracked")  # its "ticket opened" interaction points at it
    response = manager_client.get(
        reverse("admin:helpdesk_customer_change", args=[case.customer_id])
    )
    page = response.content.decode()
    assert f'<a href="/desk/tickets/{case.number}/">Ticket #{case.number}</a>' in page
    assert f"ticket #{case.pk}" not in page


@pytest.mark.parametrize(
    "name",
    [
        "admin:helpdesk_customer_changelist",
        "admin:helpdesk_interaction_changelist",
        "admin:helpdesk_agentprofile_changelist",
        "admin:helpdesk_team_changelist",
        "admin:helpdesk_customer_add",
        "admin:helpdesk_agentprofile_add",
    ],
)
def test_people_admin_pages_load_for_a_manager(manager_client, name):
    CustomerFactory()
    InteractionFactory()
    assert manager_client.get(reverse(name)).status_code == 200


def test_customer_search_finds_a_phone_number_typed_any_way(manager_client):
    CustomerFactory(name="Ivy Phone", phone="+447700900333")
    url = reverse("admin:helpdesk_customer_changelist")
    assert "Ivy Phone" in manager_client.get(url, {"q": "+44 7700 900 333"}).content.decode()


def test_admin_is_closed_to_a_user_who_is_not_staff(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:helpdesk_customer_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_agent_may_view_customers_but_not_change_them(client):
    client.force_login(AgentFactory(role=Role.AGENT).user)
    customer = CustomerFactory()
    assert client.get(reverse("admin:helpdesk_customer_changelist")).status_code == 200
    page = client.get(reverse("admin:helpdesk_customer_change", args=[customer.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:helpdesk_team_changelist")).status_code == 403


def test_user_admin_has_the_profile_inline_for_a_superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    profile = AgentFactory(role=Role.AGENT)
    page = client.get(reverse("admin:auth_user_change", args=[profile.user.pk]))
    assert page.status_code == 200 and "agent_profile-0-role" in page.content.decode()
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Agent" in listing
    assert client.get(reverse("admin:auth_user_add")).status_code == 200


def test_a_role_change_in_the_admin_moves_groups(manager_client):
    profile = AgentFactory(role=Role.AGENT)

    response = manager_client.post(
        reverse("admin:helpdesk_agentprofile_change", args=[profile.pk]),
        {
            "role": Role.SUPERVISOR,
            "team": "",
            "supervisor": "",
            "presence": Presence.ONLINE,
            "max_concurrent_chats": "2",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.role, profile.presence, profile.max_concurrent_chats) == (
        Role.SUPERVISOR,
        Presence.ONLINE,
        2,
    )
    assert list(profile.user.groups.values_list("name", flat=True)) == ["Supervisors"]


def test_a_supervisor_cannot_give_roles_in_the_admin(client):
    supervisor = AgentFactory(role=Role.SUPERVISOR)
    client.force_login(supervisor.user)
    profile = AgentFactory(role=Role.AGENT)
    client.post(
        reverse("admin:helpdesk_agentprofile_change", args=[profile.pk]),
        {"role": Role.MANAGER, "presence": Presence.OFFLINE, "max_concurrent_chats": "1"},
    )
    profile.refresh_from_db()
    assert profile.role == Role.AGENT
    assert profile.max_concurrent_chats == 1  # what a supervisor may change, changed
    assert not Permission.objects.filter(group__user=profile.user, codename="add_policyversion")


def test_adding_a_user_with_a_staff_profile_in_the_admin_makes_them_staff_in_their_group(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "plenty-long-and-uncommon-2026",
            "password2": "plenty-long-and-uncommon-2026",
            "usable_password": "true",
            "agent_profile-TOTAL_FORMS": "1",
            "agent_profile-INITIAL_FORMS": "0",
            "agent_profile-MIN_NUM_FORMS": "0",
            "agent_profile-MAX_NUM_FORMS": "1",
            "agent_profile-0-role": Role.SUPERVISOR,
            "agent_profile-0-presence": Presence.OFFLINE,
            "agent_profile-0-max_concurrent_chats": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = get_user_model().objects.get(username="newbie")
    assert newbie.is_staff and newbie.agent_profile.role == Role.SUPERVISOR
    assert list(newbie.groups.values_list("name", flat=True)) == ["Supervisors"]
