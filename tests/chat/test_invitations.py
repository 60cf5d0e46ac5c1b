"""Visitors with the widget open and the invitations agents send them: who may invite, how
often, a decline remembered for the visit, and the chat an accepted invitation leads to."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from chat import services
from chat.models import Invitation, InvitationAnswer, Visit
from chat.services.invitations import (
    Declined,
    answer_invitation,
    forget_old_visits,
    invite_visitor,
    start_chat_from_visit,
    sweep_visits,
    visit_token,
    visitor_arrived,
    visitor_heartbeat,
    visitor_left,
    visitors_here,
)
from helpdesk.models import Presence
from tests.chat.conftest import make_agent
from tests.helpdesk.factories import UserFactory


def arrive(channel="socket-1", **kwargs) -> Visit:
    return visitor_arrived(
        token=kwargs.pop("token", ""),
        channel_name=channel,
        page="https://shop.example/shoes",
        title="Shoes",
        **kwargs,
    )


def test_visitors_with_the_widget_open_are_listed_until_they_leave(policy):
    now = timezone.now()
    visit = arrive(now=now)
    assert [v["visit"] for v in visitors_here(now=now)] == [visit.pk]
    assert visitors_here(now=now)[0]["title"] == "Shoes"

    again = arrive(channel="socket-2", token=visit_token(visit), now=now)  # the next page
    assert again.pk == visit.pk and Visit.objects.count() == 1
    visitor_left(visit_id=visit.pk, channel_name="socket-1")  # the old page's socket: no effect
    assert len(visitors_here(now=now)) == 1
    visitor_left(visit_id=visit.pk, channel_name="socket-2")
    assert visitors_here(now=now) == []


def test_a_visitor_whose_widget_fell_silent_has_left(policy):
    now = timezone.now()
    visit = arrive(now=now)
    visitor_heartbeat(visit_id=visit.pk, channel_name="socket-1", now=now + timedelta(seconds=50))
    later = now + timedelta(seconds=100)
    assert len(visitors_here(now=later)) == 1  # beat 50 s ago, within the 60 s timeout
    assert sweep_visits(now=later) == 0
    assert visitors_here(now=now + timedelta(seconds=111)) == []
    assert sweep_visits(now=now + timedelta(seconds=111)) == 1


@override_settings(CHAT_VISITS_PER_ADDRESS=3)
def test_one_address_opens_only_so_many_new_visits_per_window(policy):
    """A script minting visits from one address is refused past the limit; the visits already
    open go on, and another address is not affected."""
    now = timezone.now()
    first = arrive(address="203.0.113.7", now=now)
    arrive(address="203.0.113.7", now=now)
    arrive(address="203.0.113.7", now=now)
    with pytest.raises(services.RateLimited):
        arrive(address="203.0.113.7", now=now)
    assert Visit.objects.count() == 3
    # the next page of an open visit is no new visit; another address is its own
    arrive(channel="socket-2", token=visit_token(first), address="203.0.113.7", now=now)
    arrive(address="198.51.100.2", now=now)
    assert Visit.objects.count() == 4


def test_visits_that_left_long_ago_are_forgotten_with_their_invitations(policy, agent):
    now = timezone.now()
    gone = arrive(now=now - timedelta(days=31))
    invite_visitor(
        visit_id=gone.pk, agent=agent, message="Need a hand?", now=now - timedelta(days=31)
    )
    visitor_left(visit_id=gone.pk, channel_name="socket-1")
    recent = arrive(channel="socket-2", now=now - timedelta(days=29))
    visitor_left(visit_id=recent.pk, channel_name="socket-2")
    here = arrive(channel="socket-3", now=now)

    assert forget_old_visits(now=now) == 1
    assert set(Visit.objects.values_list("pk", flat=True)) == {recent.pk, here.pk}
    assert not Invitation.objects.exists()


def test_a_forged_visit_token_starts_a_new_visit(policy):
    visit = arrive()
    other = arrive(token=visit_token(visit)[:-2] + "xx")
    assert other.pk != visit.pk


def test_an_agent_invites_a_visitor_with_a_message(policy, agent):
    visit = arrive()
    invitation = invite_visitor(visit_id=visit.pk, agent=agent, message="Need a hand?")
    assert (invitation.message, invitation.answer) == ("Need a hand?", InvitationAnswer.PENDING)
    entry = visitors_here()[0]
    assert entry["invitation"]["agent"] == "Alex" and entry["invitation"]["answer"] == "pending"


def test_only_staff_who_take_chats_may_invite(policy):
    visit = arrive()
    customer_user = UserFactory(username="shopper")
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)  # no profile
    for user in (customer_user, superuser):
        with pytest.raises(services.NotAllowed):
            invite_visitor(visit_id=visit.pk, agent=user, message="Hi")
    assert not visit.invitations.exists()


def test_an_invitation_needs_a_message_of_sensible_length(policy, agent):
    visit = arrive()
    for message in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError):
            invite_visitor(visit_id=visit.pk, agent=agent, message=message)


@override_settings(CHAT_INVITE_LIMIT=2, CHAT_INVITE_WINDOW_SECONDS=600)
def test_invitations_to_one_visitor_are_rate_limited(policy, agent, team):
    now = timezone.now()
    visit = arrive(now=now)
    bob = make_agent("bob", team=team)
    invite_visitor(visit_id=visit.pk, agent=agent, message="Hi", now=now)
    invite_visitor(visit_id=visit.pk, agent=bob, message="Hello", now=now + timedelta(seconds=5))
    with pytest.raises(services.RateLimited):
        invite_visitor(
            visit_id=visit.pk, agent=agent, message="Hi?", now=now + timedelta(seconds=9)
        )
    other = arrive(channel="socket-9", now=now)  # another visitor is not affected
    invite_visitor(visit_id=other.pk, agent=agent, message="Hi", now=now + timedelta(seconds=9))
    later = now + timedelta(seconds=601)
    visitor_heartbeat(visit_id=visit.pk, channel_name="socket-1", now=later)
    invite_visitor(visit_id=visit.pk, agent=agent, message="Still here?", now=later)


def test_a_decline_is_remembered_for_the_visit(policy, agent):
    visit = arrive()
    invitation = invite_visitor(visit_id=visit.pk, agent=agent, message="Hi")
    answer_invitation(visit_id=visit.pk, invitation_id=invitation.pk, accept=False)
    invitation.refresh_from_db()
    assert invitation.answer == InvitationAnswer.DECLINED
    with pytest.raises(Declined):
        invite_visitor(visit_id=visit.pk, agent=agent, message="Sure?")
    assert visitors_here()[0]["declined"] is True


def test_declining_the_time_on_page_invitation_also_stops_agents_inviting(policy, agent):
    by_rule = arrive()
    answer_invitation(visit_id=by_rule.pk, accept=False)  # the rule's invitation has no id
    with pytest.raises(Declined):
        invite_visitor(visit_id=by_rule.pk, agent=agent, message="Hi")
    told_on_arrival = arrive(channel="socket-2", declined=True)  # declined on an earlier page
    with pytest.raises(Declined):
        invite_visitor(visit_id=told_on_arrival.pk, agent=agent, message="Hi")


def test_a_visitor_who_left_cannot_be_invited(policy, agent):
    visit = arrive()
    visitor_left(visit_id=visit.pk, channel_name="socket-1")
    with pytest.raises(services.ChatClosed):
        invite_visitor(visit_id=visit.pk, agent=agent, message="Hi")
    with pytest.raises(services.ChatClosed):
        invite_visitor(visit_id=None, agent=agent, message="Hi")


def test_another_visits_invitation_cannot_be_answered(policy, agent):
    mine, theirs = arrive(), arrive(channel="socket-2")
    invitation = invite_visitor(visit_id=theirs.pk, agent=agent, message="Hi")
    with pytest.raises(services.NotAllowed):
        answer_invitation(visit_id=mine.pk, invitation_id=invitation.pk, accept=True)


def test_accepting_leads_to_a_chat_offered_to_the_inviting_agent_first(policy, team):
    busy = make_agent("busy", team=team)
    idle = make_agent("idle", team=team, presence=Presence.OFFLINE)
    services.accept_chat(
        session_id=services.start_chat(name="X", email="x@example.org", team=team).pk, agent=busy
    )
    idle.agent_profile.presence = Presence.ONLINE
    idle.agent_profile.save()
    visit = arrive()
    invitation = invite_visitor(visit_id=visit.pk, agent=busy, message="Can I help?")
    answer_invitation(visit_id=visit.pk, invitation_id=invitation.pk, accept=True)

    chat = start_chat_from_visit(
        visit_token=visit_token(visit), name="Ann", email="ann@example.org", question="Sizes?"
    )

    assert chat.offered_to == busy  # not idle, whom routing alone would pick
    invitation.refresh_from_db()
    visit.refresh_from_db()
    assert (invitation.answer, invitation.session, visit.session) == ("accepted", chat, chat)
    assert visitors_here()[0]["chatting"] is True
    with pytest.raises(services.ChatClosed):
        invite_visitor(visit_id=visit.pk, agent=idle, message="Hi")


def test_a_chat_from_a_visit_without_an_invitation_is_routed_as_usual(policy, agent):
    visit = arrive()
    chat = start_chat_from_visit(visit_token=visit_token(visit), name="Ann", email="a@example.org")
    assert chat.offered_to == agent
    chat = start_chat_from_visit(visit_token="forged", name="Bo", email="b@example.org")
    assert chat.offered_to == agent
