"""Each step of the complaint workflow: what it changes, who may take it, and that a refused
step changes nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import (
    ACKNOWLEDGE_TARGET,
    RESOLUTION_TARGET,
    Complaint,
    ComplaintEvent,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Remedy,
    RootCause,
    SentVia,
    Status,
)
from complaints.services import (
    acknowledge_complaint,
    close_complaint,
    log_complaint,
    reopen_complaint,
    resolve_complaint,
    send_holding_letter,
    start_investigation,
    withdraw_complaint,
)
from helpdesk.models import Clock, Interaction, Notification
from helpdesk.models.sla import ClockOutcome, ClockState
from tests.helpdesk.factories import CustomerFactory, UserFactory

from .factories import make_complaint

pytestmark = pytest.mark.django_db


def clock(complaint, target):
    return Clock.objects.get(case_id=complaint.pk, target=target, case_type__model="complaint")


def snapshot(complaint):
    """Everything a step may change, to compare before and after a refused step."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    fields = {f.attname: getattr(fresh, f.attname) for f in Complaint._meta.concrete_fields}
    fields.pop("updated_at")
    return (
        fields,
        list(fresh.events.values_list("kind", flat=True)),
        list(fresh.letters.values_list("kind", "status")),
        list(Clock.objects.filter(case_id=fresh.pk).values_list("target", "state", "outcome")),
    )


@pytest.fixture
def complaint(policy, manager, agent):
    return make_complaint(owner=manager, received_by=agent)


def test_log_starts_both_clocks_with_working_day_deadlines(complaint, manager, policy):
    assert complaint.reference == "C-2026-00001"
    assert complaint.status == Status.LOGGED
    assert complaint.policy_version == policy
    # Received Fri 20 Nov 17:00: 2wd → end of Tue 24; 10wd → end of Fri 4 Dec (London = UTC).
    assert complaint.acknowledge_due_at == datetime(2026, 11, 25, tzinfo=UTC)
    assert complaint.resolution_due_at == datetime(2026, 12, 5, tzinfo=UTC)
    assert complaint.respond_by == complaint.resolution_due_at
    for target in (ACKNOWLEDGE_TARGET, RESOLUTION_TARGET):
        assert clock(complaint, target).assignee == manager
        assert clock(complaint, target).policy_version == policy
    assert list(complaint.events.values_list("kind", flat=True)) == [EventKind.LOGGED]


def test_log_notifies_the_owner_and_records_the_interaction(complaint, manager, agent):
    note = Notification.objects.get(recipient=manager, kind="complaint.logged")
    assert complaint.reference in note.message
    assert note.url.endswith(f"/complaints/complaint/{complaint.pk}/change/")
    interaction = Interaction.objects.get(customer=complaint.customer)
    assert (interaction.channel, interaction.kind, interaction.agent) == (
        "complaint", "complaint logged", agent)  # fmt: skip
    assert interaction.case == complaint


def test_references_count_per_year(policy, manager, agent, time_machine):
    first = make_complaint(owner=manager, received_by=agent)
    second = make_complaint(owner=manager, received_by=agent)
    time_machine.move_to(datetime(2027, 1, 4, 10, tzinfo=UTC), tick=False)
    next_year = make_complaint(owner=manager, received_by=agent)
    assert [first.reference, second.reference, next_year.reference] == [
        "C-2026-00001", "C-2026-00002", "C-2027-00001"]  # fmt: skip


def test_log_links_the_source_case(policy, manager, agent):
    source = CustomerFactory()  # any saved model stands in for a ticket or a chat
    complaint = make_complaint(owner=manager, received_by=agent, source=source)
    assert complaint.source == source


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"description": "  "}, ValidationError),
        ({"channel": "pigeon"}, ValidationError),
        ({"category": "nonsense"}, ValidationError),
        ({"received_at": datetime(2026, 11, 21, tzinfo=UTC)}, ValidationError),  # the future
    ],
)
def test_log_refuses_bad_input_and_saves_nothing(policy, manager, agent, change, error):
    with pytest.raises(error):
        make_complaint(owner=manager, received_by=agent, **change)
    assert not Complaint.objects.exists()
    assert not Clock.objects.exists()


def test_owner_must_be_a_manager(policy, agent, supervisor):
    with pytest.raises(ValidationError, match="manager"):
        make_complaint(owner=supervisor, received_by=agent)
    assert not Complaint.objects.exists()


def test_only_staff_may_log(policy, manager):
    outsider = UserFactory(username="visitor")
    with pytest.raises(PermissionDenied):
        make_complaint(owner=manager, received_by=outsider)
    assert not Complaint.objects.exists()


def test_acknowledgement_letter_encloses_the_procedure_and_meets_the_clock(complaint, manager):
    letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at == datetime(2026, 11, 20, 17, tzinfo=UTC)
    assert (letter.kind, letter.status, letter.sent_via) == (
        LetterKind.ACKNOWLEDGEMENT, LetterStatus.SENT, SentVia.POST)  # fmt: skip
    assert "Dear Ada Lovelace" in letter.body
    assert complaint.reference in letter.body
    assert "4 December 2026" in letter.body  # the full response, from the policy
    assert letter.enclosure.name.endswith(".pdf")
    with letter.enclosure.open("rb") as file:
        assert file.read(5) == b"%PDF-"
    ack = clock(complaint, ACKNOWLEDGE_TARGET)
    assert (ack.state, ack.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert clock(complaint, RESOLUTION_TARGET).state == ClockState.RUNNING
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds == [EventKind.LOGGED, EventKind.LETTER_SENT, EventKind.ACKNOWLEDGED]


def test_late_acknowledgement_breaches_the_clock(complaint, manager, time_machine):
    time_machine.move_to(datetime(2026, 11, 25, 9, tzinfo=UTC), tick=False)
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    assert clock(complaint, ACKNOWLEDGE_TARGET).outcome == ClockOutcome.BREACHED


def test_an_edited_letter_body_is_kept(complaint, manager):
    letter = acknowledge_complaint(
        complaint=complaint, by=manager, sent_via=SentVia.POST, body="Dear Ada, sorry."
    )
    assert letter.body == "Dear Ada, sorry."


def test_a_manager_edited_template_is_used(complaint, manager):
    LetterTemplate.objects.create(
        kind=LetterKind.ACKNOWLEDGEMENT,
        subject="Got it: {{ reference }}",
        body="Hello {{ customer_name }} & co, reply by {{ respond_by|date:'Y-m-d' }}.",
    )
    letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    assert letter.subject == f"Got it: {complaint.reference}"
    assert letter.body == "Hello Ada Lovelace & co, reply by 2026-12-04.\n"


@pytest.mark.parametrize("user", ["agent", "supervisor"])
def test_only_managers_acknowledge(complaint, request, user):
    before = snapshot(complaint)
    with pytest.raises(PermissionDenied, match="manager"):
        acknowledge_complaint(
            complaint=complaint, by=request.getfixturevalue(user), sent_via=SentVia.POST
        )
    assert snapshot(complaint) == before
    assert not Letter.objects.exists()


def test_acknowledging_twice_is_refused_and_changes_nothing(complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    before = snapshot(complaint)
    with pytest.raises(ValidationError, match="acknowledged: it cannot be acknowledged"):
        acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    assert snapshot(complaint) == before


def test_email_needs_an_address(policy, manager, agent):
    complaint = make_complaint(owner=manager, received_by=agent, customer=CustomerFactory(email=""))
    before = snapshot(complaint)
    with pytest.raises(ValidationError, match="no email address"):
        acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.EMAIL)
    assert snapshot(complaint) == before


def test_investigation_follows_the_acknowledgement(complaint, manager):
    with pytest.raises(ValidationError, match="logged: it cannot be investigated"):
        start_investigation(complaint=complaint, by=manager)
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    complaint = start_investigation(complaint=complaint, by=manager, note="Asked the courier.")
    assert complaint.status == Status.INVESTIGATING
    assert complaint.events.last().note == "Asked the courier."


@pytest.fixture
def acknowledged(complaint, manager):
    acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    return start_investigation(complaint=complaint, by=manager)


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        (None, "expected"),
        (date(2026, 11, 20), "later than today"),
        (date(2026, 11, 1), "later than today"),
    ],  # fmt: skip
)
def test_holding_letter_needs_a_later_expected_date(acknowledged, manager, expected, message):
    before = snapshot(acknowledged)
    with pytest.raises(ValidationError, match=message):
        send_holding_letter(
            complaint=acknowledged, by=manager, expected_date=expected, sent_via=SentVia.POST
        )
    assert snapshot(acknowledged) == before


def test_holding_letter_moves_the_promised_date(acknowledged, manager):
    letter = send_holding_letter(
        complaint=acknowledged, by=manager, expected_date=date(2026, 12, 18), sent_via="post"
    )
    acknowledged.refresh_from_db()
    assert letter.kind == LetterKind.HOLDING and letter.status == LetterStatus.SENT
    assert "18 December 2026" in letter.body
    assert letter.enclosure
    assert acknowledged.expected_response_date == date(2026, 12, 18)
    assert acknowledged.respond_by == datetime(2026, 12, 19, tzinfo=UTC)
    assert acknowledged.next_deadline() == acknowledged.respond_by


def test_agents_cannot_send_letters(acknowledged, agent):
    with pytest.raises(PermissionDenied):
        send_holding_letter(
            complaint=acknowledged, by=agent, expected_date=date(2026, 12, 18), sent_via="post"
        )


@pytest.mark.parametrize(
    "missing", [{"outcome": " "}, {"root_cause": ""}, {"remedy": ""}, {"remedy": "cake"}]
)
def test_resolution_needs_outcome_root_cause_and_remedy(acknowledged, manager, missing):
    values = {"outcome": "Replaced.", "root_cause": RootCause.THIRD_PARTY,
              "remedy": Remedy.REPLACEMENT, "sent_via": SentVia.POST} | missing  # fmt: skip
    before = snapshot(acknowledged)
    with pytest.raises(ValidationError):
        resolve_complaint(complaint=acknowledged, by=manager, **values)
    assert snapshot(acknowledged) == before


def resolve(complaint, manager, **extra):
    values = {"outcome": "We sent a new kettle and apologised.",
              "root_cause": RootCause.THIRD_PARTY, "remedy": Remedy.REPLACEMENT,
              "sent_via": SentVia.POST} | extra  # fmt: skip
    return resolve_complaint(complaint=complaint, by=manager, **values)


def test_resolution_sends_the_final_letter_and_stops_the_clocks(acknowledged, manager):
    letter = resolve(acknowledged, manager)
    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.RESOLVED
    assert (acknowledged.root_cause, acknowledged.remedy) == ("third_party", "replacement")
    assert letter.kind == LetterKind.FINAL
    assert "We sent a new kettle" in letter.body and "Replacement" in letter.body
    res = clock(acknowledged, RESOLUTION_TARGET)
    assert (res.state, res.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert acknowledged.next_deadline() is None


def test_agents_cannot_resolve(acknowledged, agent):
    with pytest.raises(PermissionDenied):
        resolve(acknowledged, agent)
    assert Complaint.objects.get(pk=acknowledged.pk).status == Status.INVESTIGATING


def test_close_then_reopen(acknowledged, manager, time_machine):
    with pytest.raises(ValidationError, match="cannot be closed"):
        close_complaint(complaint=acknowledged, by=manager, customer_satisfied=True)
    resolve(acknowledged, manager)
    closed = close_complaint(complaint=acknowledged, by=manager, customer_satisfied=True)
    assert closed.status == Status.CLOSED and closed.customer_satisfied is True
    with pytest.raises(ValidationError, match="reason"):
        reopen_complaint(complaint=closed, by=manager, reason="")
    time_machine.move_to(datetime(2026, 11, 30, 9, tzinfo=UTC), tick=False)
    reopened = reopen_complaint(complaint=closed, by=manager, reason="Kettle broken again.")
    assert reopened.status == Status.REOPENED
    assert reopened.customer_satisfied is None and reopened.closed_at is None
    # 10 working days from Mon 30 Nov (that day never counts): end of Mon 14 Dec.
    assert reopened.respond_by == datetime(2026, 12, 15, tzinfo=UTC)
    # The resolution clock runs again, a second round due then; the first stays met.
    rounds = Clock.objects.filter(
        case_id=closed.pk, target=RESOLUTION_TARGET, case_type__model="complaint"
    ).order_by("round")
    assert [(c.round, c.state, c.outcome) for c in rounds] == [
        (1, ClockState.STOPPED, ClockOutcome.MET),
        (2, ClockState.RUNNING, ClockOutcome.PENDING),
    ]
    assert rounds[1].due_at == reopened.respond_by
    assert start_investigation(complaint=reopened, by=manager).status == Status.INVESTIGATING


def test_withdraw_stops_the_clocks_and_keeps_everything(complaint, manager):
    with pytest.raises(ValidationError, match="reason"):
        withdraw_complaint(complaint=complaint, by=manager, reason=" ")
    withdrawn = withdraw_complaint(complaint=complaint, by=manager, reason="Customer called.")
    assert withdrawn.status == Status.WITHDRAWN
    assert not Clock.objects.filter(case_id=complaint.pk).exclude(state=ClockState.STOPPED)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 2
    with pytest.raises(ValidationError, match="withdrawn: it cannot be acknowledged"):
        acknowledge_complaint(complaint=withdrawn, by=manager, sent_via=SentVia.POST)


def test_resolving_before_acknowledging_counts_as_the_written_acknowledgement(complaint, manager):
    resolve(complaint, manager)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at == complaint.resolved_at
    assert clock(complaint, ACKNOWLEDGE_TARGET).outcome == ClockOutcome.MET


def test_log_by_the_service_with_an_explicit_receipt(policy, manager, agent):
    received = datetime(2026, 11, 20, 9, tzinfo=UTC) - timedelta(days=1)
    complaint = log_complaint(
        customer=CustomerFactory(),
        channel="phone",
        category="billing",
        description="Charged twice.",
        owner=manager,
        received_by=agent,
        received_at=received,
    )
    # Received Thu 19 Nov: 2wd → end of Mon 23 Nov.
    assert complaint.acknowledge_due_at == datetime(2026, 11, 24, tzinfo=UTC)


def test_no_policy_in_force_at_receipt_is_a_clear_error(policy, manager, agent):
    with pytest.raises(ValidationError, match="no policy version is in force on 2025-12-31"):
        make_complaint(
            owner=manager, received_by=agent, received_at=datetime(2025, 12, 31, 9, tzinfo=UTC)
        )
    assert not Complaint.objects.exists()
