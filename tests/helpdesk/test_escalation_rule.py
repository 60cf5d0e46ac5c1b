"""The one escalation rule every channel uses (`helpdesk.selectors.escalation`): who an escalation
by a member of staff reaches. Their own supervisor, else their team's supervisors, else every
supervisor, else the managers; never the person escalating; within a level, those online first."""

import pytest
from django.contrib.auth import get_user_model

from helpdesk.models import Presence, Role
from helpdesk.selectors.escalation import escalation_reaches
from tests.helpdesk.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def staff(username, *, role=Role.AGENT, team=None, supervisor=None, presence=Presence.OFFLINE):
    return AgentFactory(
        user__username=username, role=role, team=team, supervisor=supervisor, presence=presence
    ).user


def names(ids):
    by_id = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return [by_id[pk] for pk in ids]


def test_the_agent_s_own_supervisor_even_when_away():
    kettles = TeamFactory(name="Kettles")
    own = staff("sam", role=Role.SUPERVISOR)
    staff("kate", role=Role.SUPERVISOR, team=kettles, presence=Presence.ONLINE)
    agent = staff("omar", team=kettles, supervisor=own)

    assert names(escalation_reaches(escalated_by=agent)) == ["sam"]


def test_else_the_team_s_supervisors_online_first():
    kettles = TeamFactory(name="Kettles")
    staff("kate", role=Role.SUPERVISOR, team=kettles)
    staff("kim", role=Role.SUPERVISOR, team=kettles, presence=Presence.ONLINE)
    staff("tom", role=Role.SUPERVISOR, team=TeamFactory(name="Toasters"))
    agent = staff("omar", team=kettles)

    assert names(escalation_reaches(escalated_by=agent)) == ["kim", "kate"]


def test_else_every_supervisor_else_the_managers():
    staff("tom", role=Role.SUPERVISOR, team=TeamFactory(name="Toasters"))
    lone = staff("lone")
    assert names(escalation_reaches(escalated_by=lone)) == ["tom"]


def test_with_no_supervisor_at_all_the_managers():
    staff("mia", role=Role.MANAGER)
    staff("max", role=Role.MANAGER, presence=Presence.ONLINE)
    lone = staff("lone")
    assert names(escalation_reaches(escalated_by=lone)) == ["max", "mia"]


def test_never_the_person_escalating():
    sam = staff("sam", role=Role.SUPERVISOR, presence=Presence.ONLINE)
    staff("mia", role=Role.MANAGER)
    assert names(escalation_reaches(escalated_by=sam)) == ["mia"]
    mia = staff("mia2", role=Role.MANAGER)
    assert "mia2" not in names(escalation_reaches(escalated_by=mia))


def test_an_inactive_supervisor_is_passed_over():
    gone = staff("gone", role=Role.SUPERVISOR)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    staff("tom", role=Role.SUPERVISOR)
    agent = staff("omar", supervisor=gone)
    assert names(escalation_reaches(escalated_by=agent)) == ["tom"]


def test_nobody_to_reach():
    assert escalation_reaches(escalated_by=staff("lone")) == []


def test_a_fixed_number_of_queries(django_assert_max_num_queries):
    kettles = TeamFactory(name="Kettles")
    for n in range(5):
        staff(f"sup{n}", role=Role.SUPERVISOR, team=kettles)
    agent = staff("omar", team=kettles)
    with django_assert_max_num_queries(3):
        assert len(escalation_reaches(escalated_by=agent)) == 5
