"""The policy's own review (POLICY.md, "The policy's own review"): `policy.review` is a
target on the version in force, due `review_every_months` after its effective date or its last
recorded review; `policy review --by --note` and the admin record one without changing the
version; an overdue review escalates like any target, and its notifications open the version's
admin page. The project policy: effective 2026-01-01, reviewed every 12 months."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import Clock, Notification, PolicyReview, PolicyVersion, Role
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy import REVIEW_TARGET
from helpdesk.services.policy import ensure_policy_in_force
from helpdesk.services.policy_review import keep_policy_review
from helpdesk.services.sla import latest_clocks, sweep_clocks
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.helpdesk.sla_support import eager_celery, make_staff, publish_variant

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 4, 10, tzinfo=UTC)
A_YEAR_ON = datetime(2027, 1, 1, tzinfo=UTC)  # 00:00 London (GMT)


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


@pytest.fixture
def version(time_machine):
    time_machine.move_to(MARCH, tick=False)
    return ensure_policy_in_force()


def _review_clocks(version):
    return Clock.objects.filter(target=REVIEW_TARGET, case_id=version.pk).order_by("round")


def review(*args):
    out = StringIO()
    call_command("policy", "review", *args, stdout=out)
    return out.getvalue()


def test_the_version_in_force_runs_its_review_from_its_effective_date(version):
    clock = keep_policy_review()

    assert clock.case == version
    assert clock.started_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.due_at == A_YEAR_ON
    assert keep_policy_review() == clock  # safe to repeat
    assert _review_clocks(version).count() == 1


def test_the_command_records_a_review_without_changing_the_version(version, time_machine):
    keep_policy_review()
    document = version.document

    out = review("--by", "Jo Manager", "--note", "Still right for the desk")

    first, second = _review_clocks(version)
    assert (first.state, first.outcome, first.stopped_at) == (
        ClockState.STOPPED,
        ClockOutcome.MET,
        MARCH,
    )
    assert (second.round, second.started_at, second.due_at) == (
        2,
        MARCH,
        datetime(2027, 3, 4, 10, tzinfo=UTC),
    )
    assert out == (
        "recorded the review of policy version 1.0 by Jo Manager; "
        "next review due 2027-03-04T10:00:00+00:00\n"
    )
    recorded = PolicyReview.objects.get()
    assert (recorded.version, recorded.reviewed_by, recorded.note) == (
        version,
        "Jo Manager",
        "Still right for the desk",
    )
    version.refresh_from_db()
    assert version.document == document and PolicyVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", " ", "--note", "x"), "--by: Say who reviewed the policy."),
        (("--by", "Jo", "--note", ""), "--note: Say what the review found."),
        (("--by", "J" * 201, "--note", "x"), "--by: At most 200 characters."),
    ],
)
def test_bad_input_is_one_line(version, args, message):
    with pytest.raises(CommandError) as refused:
        review(*args)

    assert str(refused.value) == message
    assert not PolicyReview.objects.exists()


def test_nothing_to_review_before_any_publication(time_machine):
    time_machine.move_to(MARCH, tick=False)

    with pytest.raises(CommandError, match="no policy version is in force"):
        review("--by", "Jo", "--note", "x")
    assert not PolicyVersion.objects.exists()  # the review never publishes


def test_a_version_replaced_ends_its_review_cancelled(version, time_machine):
    old = keep_policy_review()
    newer = publish_variant(version="1.1", effective="2026-03-01", replace={})

    current = keep_policy_review()

    old.refresh_from_db()
    assert current.case == newer
    assert (old.outcome, old.cancel_reason) == (ClockOutcome.CANCELLED, "superseded by version 1.1")


def test_an_overdue_review_escalates_and_the_notification_opens_the_version(version, time_machine):
    staff = make_staff()
    keep_policy_review()

    # Due 00:00 on 1 January (a holiday): the levels count from the next opening, 2 January.
    sweep_clocks(now=datetime(2027, 1, 2, 9, 0, 1, tzinfo=UTC))

    clock = latest_clocks(case=version)[REVIEW_TARGET]
    assert (clock.outcome, clock.escalation_level) == (ClockOutcome.BREACHED, 2)
    page = f"/admin/helpdesk/policyversion/{version.pk}/change/"
    for who in (staff.supervisor, staff.manager):  # level 1, then the managers
        notice = Notification.objects.get(recipient=who)
        assert notice.url == page and "Review (policy) on Policy version" in notice.message


def test_a_manager_records_a_review_in_the_admin(version, client):
    manager = AgentFactory(role=Role.MANAGER, user=UserFactory(username="mia", is_staff=True))
    client.force_login(manager.user)

    page = client.get(f"/admin/helpdesk/policyversion/{version.pk}/change/")
    response = client.post(
        "/admin/helpdesk/policyversion/review/", {"reviewed_by": "Mia", "note": "Fine"}
    )

    assert "Record a review" in page.content.decode()
    assert response.status_code == 302
    assert PolicyReview.objects.get().recorded_by == manager.user
    assert _review_clocks(version).count() == 2


def test_an_agent_cannot_record_a_review(version, client):
    agent = AgentFactory(role=Role.AGENT, user=UserFactory(username="al", is_staff=True))
    client.force_login(agent.user)

    response = client.post(
        "/admin/helpdesk/policyversion/review/", {"reviewed_by": "Al", "note": "Fine"}
    )

    assert response.status_code == 403
    assert not PolicyReview.objects.exists()
