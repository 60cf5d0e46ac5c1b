"""The permission matrix: every endpoint against anonymous, a customer, each staff role and
each token scope. Allowed gets the endpoint's success code, everyone else 401 or 403."""

import pytest

from chat.services import start_chat
from helpdesk.models import Scope, WebhookSubscription
from surveys.services import invite_to_survey, submit_survey_response
from tests.surveys.factories import token_of

from .conftest import ROLES

STAFF = set(ROLES)
SUPERVISORS = {"supervisor", "manager"}
MANAGERS = {"manager"}
START = "2026-11-20T17:00:00%2B00:00"

# (name, method, path (formatted with ids), body, scope, roles, success status)
ENDPOINTS = [
    ("tickets-list", "get", "/api/v1/tickets/", None, Scope.TICKETS_READ, STAFF, 200),
    (
        "tickets-create",
        "post",
        "/api/v1/tickets/",
        {"subject": "Call logged", "channel": "phone", "customer": {"phone": "+447700900999"}},
        Scope.TICKETS_WRITE,
        STAFF,
        201,
    ),
    ("ticket-read", "get", "/api/v1/tickets/{ticket}/", None, Scope.TICKETS_READ, STAFF, 200),
    (
        "ticket-update",
        "patch",
        "/api/v1/tickets/{ticket}/",
        {"priority": "high"},
        Scope.TICKETS_WRITE,
        STAFF,
        200,
    ),
    (
        "ticket-reply",
        "post",
        "/api/v1/tickets/{ticket}/reply/",
        {"text": "We are on it."},
        Scope.TICKETS_WRITE,
        STAFF,
        201,
    ),
    (
        "ticket-note",
        "post",
        "/api/v1/tickets/{ticket}/notes/",
        {"text": "Checked the order."},
        Scope.TICKETS_WRITE,
        STAFF,
        201,
    ),
    (
        "ticket-assign",
        "post",
        "/api/v1/tickets/{ticket}/assign/",
        {"assignee_id": "{agent}"},
        Scope.TICKETS_WRITE,
        STAFF,
        200,
    ),
    (
        "ticket-escalate",
        "post",
        "/api/v1/tickets/{ticket}/escalate/",
        {"notes": "Refund above my limit."},
        Scope.TICKETS_WRITE,
        STAFF,
        201,
    ),
    (
        "ticket-resolve",
        "post",
        "/api/v1/tickets/{ticket}/resolve/",
        {"summary": "Refunded."},
        Scope.TICKETS_WRITE,
        STAFF,
        200,
    ),
    (
        "ticket-timeline",
        "get",
        "/api/v1/tickets/{ticket}/timeline/",
        None,
        Scope.TICKETS_READ,
        STAFF,
        200,
    ),
    ("customers-find", "get", "/api/v1/customers/", None, Scope.CUSTOMERS_READ, STAFF, 200),
    (
        "customers-create",
        "post",
        "/api/v1/customers/",
        {"name": "Bea", "email": "bea@example.org"},
        Scope.CUSTOMERS_WRITE,
        STAFF,
        201,
    ),
    (
        "customer-read",
        "get",
        "/api/v1/customers/{customer}/",
        None,
        Scope.CUSTOMERS_READ,
        STAFF,
        200,
    ),
    (
        "customer-update",
        "patch",
        "/api/v1/customers/{customer}/",
        {"name": "Ann Smith"},
        Scope.CUSTOMERS_WRITE,
        STAFF,
        200,
    ),
    (
        "customer-history",
        "get",
        "/api/v1/customers/{customer}/history/",
        None,
        Scope.CUSTOMERS_READ,
        STAFF,
        200,
    ),
    ("policy", "get", "/api/v1/policy/", None, Scope.POLICY_READ, STAFF, 200),
    ("policy-versions", "get", "/api/v1/policy/versions/", None, Scope.POLICY_READ, STAFF, 200),
    (
        "policy-deadline",
        "get",
        f"/api/v1/policy/deadline/?target=email.first_response&start={START}",
        None,
        Scope.POLICY_READ,
        STAFF,
        200,
    ),
    ("reports-sla", "get", "/api/v1/reports/sla/", None, Scope.REPORTS_READ, SUPERVISORS, 200),
    ("webhooks-list", "get", "/api/v1/webhooks/", None, Scope.WEBHOOKS_MANAGE, MANAGERS, 200),
    (
        "webhooks-create",
        "post",
        "/api/v1/webhooks/",
        {"url": "https://crm.example.com/hooks", "events": ["ticket.created"]},
        Scope.WEBHOOKS_MANAGE,
        MANAGERS,
        201,
    ),
    (
        "webhook-read",
        "get",
        "/api/v1/webhooks/{subscription}/",
        None,
        Scope.WEBHOOKS_MANAGE,
        MANAGERS,
        200,
    ),
    (
        "webhook-update",
        "patch",
        "/api/v1/webhooks/{subscription}/",
        {"is_active": False},
        Scope.WEBHOOKS_MANAGE,
        MANAGERS,
        200,
    ),
    (
        "webhook-delete",
        "delete",
        "/api/v1/webhooks/{subscription}/",
        None,
        Scope.WEBHOOKS_MANAGE,
        MANAGERS,
        204,
    ),
    (
        "webhook-deliveries",
        "get",
        "/api/v1/webhooks/{subscription}/deliveries/",
        None,
        Scope.WEBHOOKS_MANAGE,
        MANAGERS,
        200,
    ),
]
PRINCIPALS = ["anonymous", "customer", *ROLES, *(f"token:{scope}" for scope in Scope.values)]


def expected(principal: str, scope: str, roles: set[str], success: int) -> int:
    if principal == "anonymous":
        return 401
    if principal.startswith("token:"):
        return success if principal == f"token:{scope}" else 403
    return success if principal in roles else 403


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def check_access(client, principal, method, path, body, ids, scope, roles, success) -> None:
    """The endpoint answers `principal` as the matrix says: `success`, or a refusal with the
    one error body (a code and a message)."""
    response = getattr(client, method)(_fill(path, ids), data=_fill(body, ids), format="json")
    assert response.status_code == expected(principal, scope, roles, success), response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] in {"not_authenticated", "permission_denied"}
        assert error["message"]


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("method", "path", "body", "scope", "roles", "success"),
    [pytest.param(*endpoint[1:], id=endpoint[0]) for endpoint in ENDPOINTS],
)
def test_permission_matrix(
    api, ticket, staff, principal, method, path, body, scope, roles, success
):
    subscription = WebhookSubscription.objects.create(
        url="https://crm.example.com/hooks", events=["*"], secret="s" * 32
    )
    ids = {
        "ticket": ticket.pk,
        "customer": ticket.customer_id,
        "subscription": subscription.pk,
        "agent": staff["agent"].pk,
    }
    check_access(api(principal), principal, method, path, body, ids, scope, roles, success)


# The complaints endpoints: any member of staff logs and reads, only managers take the steps
# (a key acts as its owner, the manager). Each runs against a complaint in a state that allows
# the step: (name, method, path, body, scope, roles, success, state).
COMPLAINT_ENDPOINTS = [
    ("complaints-list", "get", "/api/v1/complaints/", None, Scope.COMPLAINTS_READ, STAFF, 200,
     "logged"),
    (
        "complaints-log",
        "post",
        "/api/v1/complaints/",
        {"customer_id": "{customer}", "channel": "phone", "category": "service",
         "description": "Kept on hold.", "owner_id": "{manager}"},
        Scope.COMPLAINTS_WRITE, STAFF, 201, "logged",
    ),
    ("complaint-read", "get", "/api/v1/complaints/{complaint}/", None, Scope.COMPLAINTS_READ,
     STAFF, 200, "logged"),
    ("complaint-acknowledge", "post", "/api/v1/complaints/{complaint}/acknowledge/",
     {"sent_via": "post"}, Scope.COMPLAINTS_WRITE, MANAGERS, 200, "logged"),
    ("complaint-investigate", "post", "/api/v1/complaints/{complaint}/investigate/",
     {"note": "Asked the courier."}, Scope.COMPLAINTS_WRITE, MANAGERS, 200, "acknowledged"),
    ("complaint-holding-letter", "post", "/api/v1/complaints/{complaint}/holding-letter/",
     {"sent_via": "post", "expected_date": "2026-04-30"}, Scope.COMPLAINTS_WRITE, MANAGERS, 200,
     "acknowledged"),
    ("complaint-resolve", "post", "/api/v1/complaints/{complaint}/resolve/",
     {"sent_via": "post", "outcome": "Refunded.", "root_cause": "product", "remedy": "refund"},
     Scope.COMPLAINTS_WRITE, MANAGERS, 200, "logged"),
    ("complaint-close", "post", "/api/v1/complaints/{complaint}/close/",
     {"customer_satisfied": True}, Scope.COMPLAINTS_WRITE, MANAGERS, 200, "resolved"),
    ("complaint-reopen", "post", "/api/v1/complaints/{complaint}/reopen/",
     {"reason": "They wrote again."}, Scope.COMPLAINTS_WRITE, MANAGERS, 200, "resolved"),
    ("complaint-withdraw", "post", "/api/v1/complaints/{complaint}/withdraw/",
     {"reason": "Sorted by phone."}, Scope.COMPLAINTS_WRITE, MANAGERS, 200, "logged"),
]  # fmt: skip


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("method", "path", "body", "scope", "roles", "success", "state"),
    [pytest.param(*endpoint[1:], id=endpoint[0]) for endpoint in COMPLAINT_ENDPOINTS],
)
def test_complaints_permission_matrix(
    api, make_complaint, staff, principal, method, path, body, scope, roles, success, state
):
    complaint = make_complaint(state)
    ids = {
        "complaint": complaint.pk,
        "customer": complaint.customer_id,
        "manager": staff["manager"].pk,
    }
    check_access(api(principal), principal, method, path, body, ids, scope, roles, success)


# The chats and surveys endpoints: staff read chats and leave offline messages; survey
# responses and figures are for supervisors and managers, as on the desk's survey page.
# (name, method, path, body, scope, roles, success)
CHAT_SURVEY_ENDPOINTS = [
    ("chats-list", "get", "/api/v1/chats/", None, Scope.CHATS_READ, STAFF, 200),
    ("chat-read", "get", "/api/v1/chats/{chat}/", None, Scope.CHATS_READ, STAFF, 200),
    ("chats-offline-message", "post", "/api/v1/chats/offline-messages/",
     {"name": "Ann", "email": "ann@example.org", "text": "Please call me back."},
     Scope.CHATS_WRITE, STAFF, 201),
    ("survey-responses", "get", "/api/v1/surveys/responses/", None, Scope.SURVEYS_READ,
     SUPERVISORS, 200),
    ("survey-response", "get", "/api/v1/surveys/responses/{response}/", None,
     Scope.SURVEYS_READ, SUPERVISORS, 200),
    ("survey-aggregates", "get", "/api/v1/surveys/aggregates/?group_by=channel", None,
     Scope.SURVEYS_READ, SUPERVISORS, 200),
    ("reports-chat", "get", "/api/v1/reports/chat/", None, Scope.REPORTS_READ, SUPERVISORS, 200),
]  # fmt: skip


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("method", "path", "body", "scope", "roles", "success"),
    [pytest.param(*endpoint[1:], id=endpoint[0]) for endpoint in CHAT_SURVEY_ENDPOINTS],
)
def test_chats_and_surveys_permission_matrix(
    api, ticket, staff, principal, method, path, body, scope, roles, success
):
    chat = start_chat(name="Ann", email="ann@example.org", question="Where is my order?")
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=staff["agent"]
    )
    response = submit_survey_response(token=token_of(invitation), answered=True, score=4)
    ids = {"chat": chat.pk, "response": response.pk}
    check_access(api(principal), principal, method, path, body, ids, scope, roles, success)
