"""The live OpenAPI schema for tests that check filled answers against it (schemathesis, in
process through Django's WSGI handler)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import response_schema_conformance


@pytest.fixture(name="live_schema")
def live_schema_fixture(db):
    """Django's handler closes the database connection after each request; the test's
    transaction needs it open, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call_and_check(schema, label: str, *, headers: dict, path=None, query=None, body=None):
    """Call the operation `label` ("GET /api/v1/...") and check its answer against the schema;
    returns the response."""
    operation = schema.find_operation_by_label(label)
    extra = {} if body is None else {"body": body, "media_type": "application/json"}
    case = operation.Case(path_parameters=path or {}, query=query or {}, **extra)
    return case.call_and_validate(headers=headers, checks=[response_schema_conformance])
