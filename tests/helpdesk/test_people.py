"""People: customers found again across channels, their history, staff roles and presence, and
the admin pages of people."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from helpdesk.models import AgentProfile, Customer, Presence, Role
from helpdesk.models.people import Channel
from helpdesk.roles import (
    AGENT_PERMISSIONS,
    GROUP_PERMISSIONS,
    MANAGER_PERMISSIONS,
    ROLE_GROUPS,
    ensure_role_groups,
    has_role,
    user_role,
)
from helpdesk.selectors.people import agents_online, customer_history, returning_customer_summary
from helpdesk.services import people as people_services
from helpdesk.services.people import (
    chat_limit_for,
    create_staff_member,
    find_or_create_customer,
    normalise_phone,
    record_interaction,
    set_presence,
    set_role,
)
from tests.helpdesk.factories import (
    AgentFactory,
    CustomerFactory,
    InteractionFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "plenty-long-and-uncommon-2026"


# Customers


def test_the_same_email_finds_the_same_customer_whatever_its_case():
    first = find_or_create_customer(name="Ann Lee", email="Ann.Lee@Example.org")
    again = find_or_create_customer(email="  ann.lee@example.ORG ")
    assert again == first
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700-900-123", "+447700900123"),
        ("(020) 7946 0000", "02079460000"),
        ("07700.900.123", "07700900123"),
        ("  +1 (555) 010-0199 ", "+15550100199"),
    ],
)
def test_phone_numbers_are_normalised_and_a_national_zero_is_kept(raw, stored):
    assert normalise_phone(raw) == stored


def test_a_phone_number_finds_the_customer_however_it_is_typed():
    phoned = find_or_create_customer(phone="+44 7700 900123")
    chatted = find_or_create_customer(name="Bo", phone="+44-(0)7700-900-123")
    assert chatted == phoned
    # We do not guess the country of a national number: 07700... is another number.
    assert find_or_create_customer(phone="07700 900123") != phoned


def test_a_customer_is_found_across_channels_and_missing_details_are_filled_in():
    by_phone = find_or_create_customer(phone="+447700900555")
    found = find_or_create_customer(name="Cy Dee", email="cy@example.org", phone="+447700900555")
    assert found == by_phone
    found.refresh_from_db()
    assert (found.name, found.email, found.phone) == ("Cy Dee", "cy@example.org", "+447700900555")
    by_external = find_or_create_customer(external_id="crm-42", email="cy@example.org")
    assert by_external == found
    assert Customer.objects.get().external_id == "crm-42"


def test_details_on_record_are_never_overwritten():
    customer = CustomerFactory(name="Dee Original", phone="+447700900111")
    found = find_or_create_customer(name="Someone Else", email=customer.email, phone="+4411")
    found.refresh_from_db()
    assert (found.name, found.phone) == ("Dee Original", "+447700900111")


def test_email_wins_over_phone_and_the_other_customer_is_left_alone():
    by_email = CustomerFactory(email="eve@example.org", phone="")
    by_phone = CustomerFactory(email="other@example.org", phone="+447700900222")
    found = find_or_create_customer(email="EVE@example.org", phone="+44 7700 900222")
    assert found == by_email
    by_phone.refresh_from_db()
    assert by_phone.email == "other@example.org"
    assert Customer.objects.count() == 2


def test_an_external_id_held_by_someone_else_is_not_copied():
    CustomerFactory(external_id="crm-1")
    customer = CustomerFactory(external_id="")
    found = find_or_create_customer(email=customer.email, external_id="crm-1")
    assert found == customer
    found.refresh_from_db()
    assert found.external_id == ""


def test_a_customer_created_meanwhile_by_another_request_is_used(monkeypatch):
    theirs = CustomerFactory(email="race@example.org")
    real_find = people_services._find_customer
    calls = []

    def missed_first_time(**details):
        calls.append(details)
        return None if len(calls) == 1 else real_find(**details)

    monkeypatch.setattr(people_services, "_find_customer", missed_first_time)
    assert find_or_create_customer(name="Race", email="RACE@example.org") == theirs
    assert Customer.objects.count() == 1


def test_without_any_identifier_each_contact_is_a_new_customer():
    assert find_or_create_customer(name="Anon") != find_or_create_customer(name="Anon")


@pytest.mark.parametrize(
    ("details", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "not a valid email"),
        ({"phone": "call me maybe"}, "phone", "not a phone number"),
        ({"name": "x" * 300, "email": "long@example.org"}, "name", "at most 200"),
    ],
)
def test_bad_details_are_refused_with_a_clear_message(details, field, words):
    with pytest.raises(ValidationError) as raised:
        find_or_create_customer(**details)
    assert words in " ".join(raised.value.message_dict[field])
    assert not Customer.objects.exists()


def test_record_interaction_puts_an_entry_on_the_history_with_its_case():
    customer = CustomerFactory()
    agent = UserFactory()
    case = CustomerFactory()  # any saved model can be the case
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    interaction = record_interaction(
        customer=customer,
        channel=Channel.PHONE,
        kind="call logged",
        summary="Asked about a refund",
        case=case,
        agent=agent,
        occurred_at=at,
    )
    interaction.refresh_from_db()
    assert interaction.case == case
    assert (interaction.agent, interaction.occurred_at) == (agent, at)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"kind": "  "}, "kind"),
        ({"occurred_at": datetime(2026, 3, 2, 10, 0)}, "occurred_at"),  # noqa: DTZ001
    ],
)
def test_record_interaction_refuses_what_it_cannot_file(changes, field):
    arguments = {"customer": CustomerFactory(), "channel": Channel.CHAT, "kind": "chat"}
    with pytest.raises(ValidationError) as raised:
        record_interaction(**(arguments | changes))
    assert field in raised.value.message_dict


def test_history_is_newest_first_across_channels_and_loads_in_one_query(
    django_assert_num_queries,
):
    customer = CustomerFactory()
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for hours, channel in enumerate([Channel.EMAIL, Channel.CHAT, Channel.PHONE, Channel.WEB]):
        InteractionFactory(
            customer=customer,
            channel=channel,
            agent=UserFactory(),
            occurred_at=start + timedelta(hours=hours),
        )
    InteractionFactory()  # someone else's
    with django_assert_num_queries(1):
        history = customer_history(customer=customer)
        names = [(i.channel, i.agent.username) for i in history]
    assert [channel for channel, _ in names] == ["web", "phone", "chat", "email"]
    assert len(customer_history(customer=customer, limit=2)) == 2


def test_returning_customer_summary_counts_by_channel_and_knows_the_last_contact():
    customer = CustomerFactory()
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for hours, channel in enumerate([Channel.EMAIL, Channel.CHAT, Channel.EMAIL, Channel.PHONE]):
        InteractionFactory(
            customer=customer, channel=channel, occurred_at=start + timedelta(hours=hours)
        )
    summary = returning_customer_summary(customer=customer)
    assert summary.by_channel == {"email": 2, "chat": 1, "phone": 1}
    assert summary.total == 4 and summary.is_returning
    assert (summary.last_channel, summary.last_contact_at) == ("phone", start + timedelta(hours=3))
    earlier = returning_customer_summary(customer=customer, before=start + timedelta(hours=1))
    assert earlier.by_channel == {"email": 1}
    assert not returning_customer_summary(customer=CustomerFactory()).is_returning


# Staff, roles and groups


def test_the_migration_made_the_groups_with_exactly_the_listed_permissions():
    for group_name, permissions in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(permissions), group_name
    assert ensure_role_groups() == []  # every listed permission exists


def test_create_staff_member_makes_a_staff_user_in_their_role_group():
    team = TeamFactory(name="Front line")
    boss = create_staff_member(
        username="sue", email="sue@example.com", password=PASSWORD, role=Role.SUPERVISOR
    )
    profile = create_staff_member(
        username="al",
        email="al@example.com",
        password=PASSWORD,
        role=Role.AGENT,
        team=team,
        supervisor=boss.user,
        first_name="Al",
    )
    user = profile.user
    assert user.is_staff and not user.is_superuser and user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Agents"]
    assert (profile.team, profile.supervisor) == (team, boss.user)
    assert user.has_perm("helpdesk.add_interaction")
    assert not user.has_perm("helpdesk.add_policyversion")
    assert not user.has_perm("helpdesk.change_agentprofile")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"role": "boss"}, "role"),
        ({"email": "nope"}, "email"),
        ({"username": "TAKEN"}, "username"),
    ],
)
def test_create_staff_member_refuses_bad_details(changes, field):
    UserFactory(username="taken")
    arguments = {"username": "new", "email": "", "password": PASSWORD, "role": Role.AGENT}
    with pytest.raises(ValidationError) as raised:
        create_staff_member(**(arguments | changes))
    assert field in raised.value.message_dict
    assert not AgentProfile.objects.exists()


def test_only_a_supervisor_or_manager_can_supervise():
    agent = AgentFactory()
    with pytest.raises(ValidationError, match="cannot supervise"):
        create_staff_member(
            username="x", email="", password=PASSWORD, role=Role.AGENT, supervisor=agent.user
        )


def test_set_role_moves_the_user_between_groups_and_so_their_permissions():
    profile = AgentFactory(role=Role.AGENT)
    set_role(profile=profile, role=Role.MANAGER)
    user = type(profile.user).objects.get(pk=profile.user.pk)  # fresh permission cache
    assert list(user.groups.values_list("name", flat=True)) == ["Managers"]
    assert user.has_perm("helpdesk.add_policyversion")
    assert user.has_perm("helpdesk.change_customer")
    set_role(profile=profile, role=Role.SUPERVISOR)
    user = type(user).objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["Supervisors"]
    assert user.has_perm("helpdesk.change_cannedresponse")
    assert not user.has_perm("helpdesk.add_policyversion")


def test_role_groups_are_recreated_when_missing():
    Group.objects.filter(name__in=ROLE_GROUPS.values()).delete()
    profile = AgentFactory(role=Role.AGENT)
    assert set(profile.user.groups.get().permissions.values_list("codename", flat=True)) == {
        name.split(".")[1] for name in AGENT_PERMISSIONS
    }
    assert Group.objects.get(name="Managers").permissions.count() == len(MANAGER_PERMISSIONS)


def test_user_role_and_has_role():
    agent = AgentFactory(role=Role.AGENT).user
    manager = AgentFactory(role=Role.MANAGER).user
    root = UserFactory(is_superuser=True, is_staff=True)
    customer = UserFactory()
    assert user_role(agent) == Role.AGENT and user_role(manager) == Role.MANAGER
    assert user_role(root) == Role.MANAGER  # a superuser without a profile
    assert user_role(customer) is None
    assert has_role(manager, Role.SUPERVISOR, Role.MANAGER)
    assert not has_role(agent, Role.SUPERVISOR, Role.MANAGER)
    agent.is_active = False
    assert user_role(agent) is None


def test_presence_records_when_it_changed_and_not_when_it_did_not():
    profile = AgentFactory()
    at = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
    set_presence(profile=profile, presence=Presence.ONLINE, now=at)
    set_presence(profile=profile, presence=Presence.ONLINE, now=at + timedelta(hours=1))
    profile.refresh_from_db()
    assert (profile.presence, profile.presence_changed_at) == (Presence.ONLINE, at)
    assert list(agents_online()) == [profile]
    set_presence(profile=profile, presence=Presence.AWAY, now=at + timedelta(hours=2))
    assert list(agents_online()) == []
    with pytest.raises(ValidationError):
        set_presence(profile=profile, presence="asleep")


def test_chat_limit_is_the_agents_own_or_the_policys():
    profile = AgentFactory.build(max_concurrent_chats=None)
    assert chat_limit_for(profile=profile, policy_limit=3) == 3
    profile.max_concurrent_chats = 1  # a supervisor turned simultaneous chats off
    assert chat_limit_for(profile=profile, policy_limit=3) == 1
    profile.max_concurrent_chats = 0
    assert chat_limit_for(profile=profile, policy_limit=3) == 0
