"""Schemathesis against the live schema: every operation, a bounded number of generated
requests each (authenticated as a key with every scope): no server error, and every response
matches the schema. Runs in process through Django's WSGI handler."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from helpdesk.models import Scope, WebhookSubscription
from tests.helpdesk.factories import CustomerFactory
from tickets.services import open_ticket

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_connection():
    """Django's handler closes the database connection after each request; the test's
    transaction needs it open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, policy, staff, settings, keep_connection):
    settings.API_THROTTLE_RATE = "100000/min"
    # Something for the generated ids to find.
    customer = CustomerFactory(email="ann@example.org")
    open_ticket(customer=customer, subject="Kettle", channel="email")
    WebhookSubscription.objects.create(url="https://crm.example.com/h", events=["*"], secret="s")
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def test_api_conforms_to_its_schema(api_schema, make_key):
    headers = {"Authorization": f"Token {make_key(*Scope.values)}"}
    failures: dict[str, str] = {}
    succeeded: set[str] = set()  # operations that answered 2xx at least once
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            if 200 <= response.status_code < 300:
                succeeded.add(case.operation.label)

        try:
            run()
        except Exception as error:  # every operation runs; the failures are listed at the end
            failures[operation.label] = str(error)[:2000]
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())
    # Generated requests get past validation too, not only 400s and 404s: every list at least
    # (random ids and bodies rarely hit real rows or valid input).
    lists = {
        f"GET /api/v1/{name}/"
        for name in ("tickets", "customers", "policy", "policy/versions", "reports/sla", "webhooks")
    }
    assert lists <= succeeded, sorted(lists - succeeded)
