"""The chat access rule (chat/access.py) as the services and the admin apply it; the socket
matrix is in test_access_matrix.py, the API's in tests/api/test_chats_api.py."""

import pytest
from django.contrib.auth.models import Permission

from chat import services
from chat.access import ChatAction, may, readable_chats
from chat.models import ChatStatus
from helpdesk.access import AccessDenied, CaseHolders, Relation, relations, staff_member
from helpdesk.models import Role
from tests.chat.conftest import make_agent
from tests.helpdesk.factories import TeamFactory, UserFactory


@pytest.fixture
def desk(policy, team):
    billing = TeamFactory(name="Billing")
    sam = make_agent("sam", team=team, role=Role.SUPERVISOR)
    return {
        "ann": make_agent("ann", team=team, supervisor=sam),
        "olga": make_agent("olga", team=team),
        "bob": make_agent("bob", team=billing),
        "sam": sam,
        "mia": make_agent("mia", role=Role.MANAGER),
        "billing": billing,
    }


def test_relations_are_facts_not_ranks(desk, team):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=desk["sam"])  # a supervisor takes a chat
    chat.refresh_from_db()
    case = CaseHolders(handler_id=chat.agent_id, team_id=chat.team_id)
    assert relations(staff_member(desk["sam"]), case) == {
        Relation.SUPERVISOR,
        Relation.HANDLER,
        Relation.TEAM,
    }
    assert relations(staff_member(desk["bob"]), case) == {Relation.OTHER_TEAM}
    assert relations(staff_member(UserFactory()), case) == set()  # not staff: nothing


def test_only_agents_of_the_chat_s_team_supervisors_and_managers_take_it(desk, team):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    with pytest.raises(AccessDenied, match="another team"):
        services.accept_chat(session_id=chat.pk, agent=desk["bob"])
    services.accept_chat(session_id=chat.pk, agent=desk["olga"])
    teamless = services.start_chat(name="D", email="d@example.org")
    services.accept_chat(session_id=teamless.pk, agent=desk["bob"])  # no team: any agent


@pytest.mark.parametrize(
    ("action", "who_may"),
    [
        (ChatAction.READ, {"ann", "sam", "mia"}),
        (ChatAction.WRITE, {"ann"}),
        (ChatAction.CLOSE, {"ann"}),
        (ChatAction.ESCALATE, {"ann"}),
        (ChatAction.CONVERT, {"ann"}),
        (ChatAction.TRANSFER, {"ann", "sam", "mia"}),
        (ChatAction.REVEAL, {"ann", "sam"}),  # sam is ann's own supervisor
    ],
)
def test_the_rule_for_an_active_chat(desk, team, action, who_may):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=desk["ann"])
    chat.refresh_from_db()
    people = ("ann", "olga", "bob", "sam", "mia")
    allowed = {who for who in people if may(user=desk[who], session=chat, action=action)}
    assert allowed == who_may


def test_services_refuse_another_agent(desk, team):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=desk["ann"])
    olga = desk["olga"]
    refused = [
        lambda: services.transfer_chat(session_id=chat.pk, by=olga, to_agent=olga),
        lambda: services.transfer_chat(session_id=chat.pk, by=olga, to_team=desk["billing"]),
        lambda: services.close_chat(session_id=chat.pk, by=olga, summary="Done"),
        lambda: services.ask_to_confirm(session_id=chat.pk, by=olga, summary="Done"),
        lambda: services.escalate_chat(session_id=chat.pk, by=olga, notes="Mine now"),
        lambda: services.convert_to_ticket(session_id=chat.pk, by=olga),
    ]
    for attempt in refused:
        with pytest.raises(AccessDenied):
            attempt()
    chat.refresh_from_db()
    assert (chat.status, chat.agent, chat.ticket_id, chat.escalated_to) == (
        ChatStatus.ACTIVE,
        desk["ann"],
        None,
        None,
    )


def test_a_transfer_goes_only_to_an_active_agent(desk, team):
    chat = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=chat.pk, agent=desk["ann"])
    gone = make_agent("gone", team=team)
    gone.is_active = False
    gone.save()
    with pytest.raises(services.AtLimit, match="Only agents"):
        services.transfer_chat(session_id=chat.pk, by=desk["ann"], to_agent=gone)


def test_readable_chats_is_the_read_rule_as_a_filter(desk, team):
    mine = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=mine.pk, agent=desk["ann"])
    waiting = services.start_chat(name="D", email="d@example.org", team=team)
    elsewhere = services.start_chat(name="E", email="e@example.org", team=desk["billing"])
    mine.refresh_from_db()
    for who in ("ann", "olga", "bob", "sam", "mia"):
        listed = set(readable_chats(desk[who]).values_list("pk", flat=True))
        one_by_one = {
            chat.pk
            for chat in (mine, waiting, elsewhere)
            if may(user=desk[who], session=chat, action=ChatAction.READ)
        }
        assert listed == one_by_one, who
    assert not readable_chats(UserFactory()).exists()


def test_the_admin_shows_only_the_chats_the_user_may_read(client, desk, team):
    mine = services.start_chat(name="C", email="c@example.org", team=team)
    services.accept_chat(session_id=mine.pk, agent=desk["ann"])
    elsewhere = services.start_chat(name="E", email="e@example.org", team=desk["billing"])
    olga = desk["olga"]
    olga.is_staff = True
    olga.save()
    olga.user_permissions.add(Permission.objects.get(codename="view_chatsession"))
    client.force_login(olga)
    listing = client.get("/admin/chat/chatsession/")
    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == []
    assert client.get(f"/admin/chat/chatsession/{mine.pk}/change/").status_code in (302, 403)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))  # a manager
    listing = client.get("/admin/chat/chatsession/")
    assert {row.pk for row in listing.context["cl"].result_list} == {mine.pk, elsewhere.pk}
