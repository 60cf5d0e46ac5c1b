"""The desk's phone pages: log a call (the customer found by number), the callbacks due in order
with their countdowns, and marking one done; staff only, CSRF-protected, bad input refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.models import Customer, Role
from helpdesk.models.sla import ClockOutcome, ClockState
from tests.helpdesk.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory
from tickets.models import Call, CallbackRequest, Status, Ticket
from tickets.selectors import ticket_clocks
from tickets.services import open_ticket
from tickets.services.phone import record_voicemail, request_callback
from tickets.views.phone import parse_duration

pytestmark = pytest.mark.django_db

LOG = reverse("tickets:phone-log-call")
CALLBACKS = reverse("tickets:phone-callbacks")


def done_url(kind: str, pk: int) -> str:
    return reverse("tickets:phone-callback-done", kwargs={"kind": kind, "pk": pk})


@pytest.fixture
def agent():
    return AgentFactory(role=Role.AGENT, user=UserFactory(username="maya")).user


@pytest.fixture
def desk(client, agent, policy):
    client.force_login(agent)
    return client


def first_response(ticket):
    return ticket_clocks(ticket=ticket).get(target="phone.first_response")


# -- who may come in ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOG, CALLBACKS])
def test_the_pages_need_a_login(client, policy, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("method", "url"), [("get", LOG), ("get", CALLBACKS), ("post", LOG)])
def test_someone_who_is_not_staff_is_forbidden(client, policy, method, url):
    client.force_login(UserFactory(username="customer"))

    response = getattr(client, method)(url, {"number": "07700900123", "outcome": "answered"})

    assert response.status_code == 403
    assert not Call.objects.exists()


def test_marking_done_is_forbidden_to_someone_who_is_not_staff(client, policy):
    callback = request_callback(number="07700900123")
    client.force_login(UserFactory(username="customer"))

    response = client.post(done_url("callback", callback.pk), {"callback-1-outcome": "answered"})

    assert response.status_code == 403
    callback.refresh_from_db()
    assert callback.done_at is None


def test_a_post_without_its_csrf_token_is_refused(agent, policy):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(LOG, {"number": "07700900123", "direction": "inbound"})

    assert response.status_code == 403
    assert not Call.objects.exists()


# -- log a call -----------------------------------------------------------------------------------


def test_typing_a_number_finds_the_customer_and_their_open_tickets(desk):
    ann = CustomerFactory(name="Ann Lee", phone="07700900123")
    ticket = open_ticket(customer=ann, subject="Broken kettle lid", channel="email")

    page = desk.get(LOG, {"number": "07700 900-123"}).content.decode()

    assert "Ann Lee" in page
    assert f"{ticket.reference} Broken kettle lid" in page
    assert f'<option value="{ticket.reference}">' in page
    assert "csrfmiddlewaretoken" in page


def test_an_unknown_number_says_a_customer_will_be_created(desk):
    page = desk.get(LOG, {"number": "07700900999"}).content.decode()

    assert "No customer has this number yet" in page


def test_logging_a_call_opens_a_phone_ticket_and_goes_to_it(desk, agent, now):
    response = desk.post(
        LOG,
        {
            "number": "07700 900123",
            "direction": "inbound",
            "outcome": "answered",
            "duration": "4:30",
            "customer_name": "Ann Lee",
            "notes": "Wants a refund",
        },
    )

    call = Call.objects.select_related("ticket", "customer").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ticket", kwargs={"number": call.ticket.number})
    assert (call.number, call.duration, call.agent, call.customer.name) == (
        "07700900123", 270, agent, "Ann Lee"
    )  # fmt: skip
    assert call.started_at == now - timedelta(seconds=270)  # the call just ended
    assert (call.ticket.channel, call.ticket.status) == ("phone", Status.OPEN)


def test_logging_a_call_on_an_existing_ticket_by_its_reference(desk, agent):
    ticket = open_ticket(customer=CustomerFactory(phone=""), subject="Refund", channel="email")

    response = desk.post(
        LOG,
        {
            "number": "07700900123",
            "direction": "outbound",
            "outcome": "no_answer",
            "duration": "1",
            "ticket": ticket.reference,
        },
    )

    assert response.status_code == 302
    assert Call.objects.get().ticket == ticket
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"number": "call me maybe"}, "number", "is not a phone number"),
        ({"number": ""}, "number", "This field is required"),
        ({"duration": "4:75"}, "duration", "Type minutes and seconds"),
        ({"duration": "30:00:00"}, "duration", "between 0 and 24 hours"),
        ({"ticket": "#999999"}, "ticket", "There is no ticket #999999"),
        ({"outcome": "maybe"}, "outcome", "Select a valid choice"),
        ({"started_at": "2026-03-02T11:30"}, "started_at", "in the future"),
    ],
)
def test_bad_input_shows_the_form_again_with_its_error_and_saves_nothing(
    desk, data, field, message
):
    customers = Customer.objects.count()
    valid = {"number": "07700900123", "direction": "inbound", "outcome": "answered"}

    response = desk.post(LOG, {**valid, **data})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'class="errorlist' in response.content.decode()
    assert (Call.objects.count(), Ticket.objects.count()) == (0, 0)
    assert Customer.objects.count() == customers


@pytest.mark.parametrize(
    ("typed", "seconds"), [("", 0), ("4", 240), ("4:30", 270), ("0:05", 5), ("1:02:03", 3723)]
)
def test_durations_are_typed_as_agents_say_them(typed, seconds):
    assert parse_duration(typed) == seconds


# -- the callbacks due ----------------------------------------------------------------------------


def test_the_callbacks_due_are_listed_soonest_first_with_countdowns(desk, time_machine, now):
    time_machine.move_to(now - timedelta(minutes=40), tick=False)
    first = request_callback(number="07700900001", name="First Caller")
    time_machine.move_to(now - timedelta(minutes=20), tick=False)
    record_voicemail(number="07700900002", received_at=now - timedelta(minutes=20), duration=7)
    time_machine.move_to(now, tick=False)
    request_callback(
        number="07700900003", name="Last Caller", preferred_time=now + timedelta(hours=4)
    )

    page = desk.get(CALLBACKS).content.decode()

    assert page.index("First Caller") < page.index("07700900002") < page.index("Last Caller")
    assert "1:20:00" in page and "2:00:00" in page  # time left to each due time
    assert "after the due time" in page  # the preferred 14:00 is later than the 12:00 promise
    assert f'action="{done_url("callback", first.pk)}"' in page


def test_the_callbacks_page_costs_the_same_queries_however_many_are_due(
    desk, django_assert_num_queries, now
):
    team = TeamFactory(name="Phones")

    def load() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(CALLBACKS).status_code == 200
        return len(captured)

    request_callback(number="07700900100", team=team)
    record_voicemail(number="07700900200", received_at=now, duration=1)
    few = load()
    for n in range(12):
        request_callback(number=f"0770090{n:04d}", team=team)
        record_voicemail(number=f"0780090{n:04d}", received_at=now, duration=1)

    with django_assert_num_queries(few):
        assert desk.get(CALLBACKS).status_code == 200


def test_marking_a_callback_done_in_time_meets_the_target(desk, agent, time_machine, now):
    callback = request_callback(number="07700900123")
    time_machine.shift(timedelta(minutes=30))
    prefix = f"callback-{callback.pk}"

    response = desk.post(
        done_url("callback", callback.pk),
        {f"{prefix}-outcome": "answered", f"{prefix}-duration": "2:00", f"{prefix}-notes": "Done"},
        follow=True,
    )

    callback.refresh_from_db()
    assert (callback.done_by, callback.call.duration) == (agent, 120)
    clock = first_response(callback.ticket)
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert "the first response target was met" in response.content.decode()
    assert "No voicemails or callbacks are waiting" in response.content.decode()


def test_returning_a_voicemail_late_is_a_breach(desk, time_machine, now):
    voicemail = record_voicemail(number="07700900123", received_at=now, duration=9)
    time_machine.shift(timedelta(hours=2, minutes=1))
    prefix = f"voicemail-{voicemail.pk}"

    response = desk.post(done_url("voicemail", voicemail.pk), {f"{prefix}-outcome": "answered"})

    assert response.status_code == 302
    assert first_response(voicemail.ticket).outcome == ClockOutcome.BREACHED


def test_an_unanswered_call_back_leaves_the_callback_due(desk, now):
    callback = request_callback(number="07700900123")
    prefix = f"callback-{callback.pk}"

    response = desk.post(
        done_url("callback", callback.pk), {f"{prefix}-outcome": "busy"}, follow=True
    )

    assert "still due" in response.content.decode()
    callback.refresh_from_db()
    assert callback.done_at is None
    assert callback.ticket.calls.get().outcome == "busy"


@pytest.mark.parametrize(
    ("data", "message"),
    [({"outcome": "maybe"}, "Select a valid choice"), ({"duration": "soon"}, "Type minutes")],
)
def test_a_bad_mark_done_form_shows_its_error_and_saves_nothing(desk, data, message):
    callback = request_callback(number="07700900123")
    prefix = f"callback-{callback.pk}"

    response = desk.post(
        done_url("callback", callback.pk),
        {f"{prefix}-{key}": value for key, value in {"outcome": "answered", **data}.items()},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Call.objects.exists()
    assert CallbackRequest.objects.get().done_at is None


def test_marking_done_twice_says_it_was_already_done(desk, agent):
    callback = request_callback(number="07700900123")
    prefix = f"callback-{callback.pk}"
    desk.post(done_url("callback", callback.pk), {f"{prefix}-outcome": "answered"})

    response = desk.post(done_url("callback", callback.pk), {f"{prefix}-outcome": "answered"})

    assert response.status_code == 400
    assert "already done" in response.content.decode()
    assert Call.objects.count() == 1


def test_an_unknown_callback_is_not_found(desk):
    assert (
        desk.post(done_url("callback", 999), {"callback-999-outcome": "answered"}).status_code
        == 404
    )
    assert desk.post(done_url("parcel", 1), {}).status_code == 404


def test_the_ticket_page_shows_calls_voicemails_and_callbacks_on_its_timeline(desk, agent, now):
    voicemail = record_voicemail(
        number="07700900123", received_at=now, duration=9, transcript="Ring me re order 55"
    )
    request_callback(number="07700900123", note="After 3pm please")
    prefix = f"voicemail-{voicemail.pk}"
    desk.post(done_url("voicemail", voicemail.pk), {f"{prefix}-outcome": "answered"})

    page = desk.get(reverse("tickets:ticket", kwargs={"number": voicemail.ticket.number}))

    html = page.content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert (
        timeline.index("Ring me re order 55")
        < timeline.index("After 3pm please")
        < timeline.index(f'id="call-{voicemail.ticket.calls.get().pk}"')
    )
    assert "returned" in timeline and "not returned yet" not in timeline


def test_a_ticket_reference_fills_in_its_customer_s_number(desk):
    ticket = open_ticket(
        customer=CustomerFactory(name="Ann Lee", phone="07700900123"),
        subject="Lid",
        channel="email",
    )

    form = desk.get(LOG, {"ticket": ticket.reference}).context["form"]

    assert (form.initial["number"], form.initial["ticket"]) == ("07700900123", ticket.reference)


@pytest.mark.parametrize("model", ["call", "voicemail", "callbackrequest"])
def test_the_admin_shows_the_phone_channel_read_only(client, policy, agent, model):
    callback = request_callback(number="07700900123")
    prefix = f"callback-{callback.pk}"
    client.force_login(agent)
    client.post(done_url("callback", callback.pk), {f"{prefix}-outcome": "answered"})
    record_voicemail(number="07700900999", received_at=callback.requested_at, duration=3)

    listing = client.get(reverse(f"admin:tickets_{model}_changelist"))

    assert listing.status_code == 200
    assert "07700900" in listing.content.decode()
    assert client.get(reverse(f"admin:tickets_{model}_add")).status_code == 403
    ticket_page = client.get(reverse("admin:tickets_ticket_change", args=[callback.ticket.pk]))
    assert ticket_page.status_code == 200
    assert "Callback requests" in ticket_page.content.decode()
