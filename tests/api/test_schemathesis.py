"""Schemathesis against the live schema, as an integrator would run it: the command line's
`run --checks all` (every phase: the schema's examples, coverage of each parameter's edges,
fuzzing, and stateful sequences that follow one answer's ids into the next request) against a
real HTTP server on this test's database, authenticated as a key with every scope. Zero failures:
no server error, every answer as documented (status, content type, headers, body), schema-valid
requests accepted and schema-invalid ones refused, methods the schema does not list refused.

Reproducible: a fixed seed, and `--generation-deterministic`. Per-operation exceptions (requests
the schema allows but the database or a rule across fields refuses) are in `schemathesis.toml`
beside this file, each with its reason."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.models import Role, Scope, WebhookSubscription
from helpdesk.services.api_keys import api_key_create
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, CustomerFactory
from tickets.services import open_ticket

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261203
MAX_EXAMPLES = 10
COMMAND = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db(transaction=True)
def test_the_api_passes_every_schemathesis_check(live_server, settings, tmp_path):
    settings.API_THROTTLE_RATE = "1000000/min"
    ensure_policy_in_force()
    manager = AgentFactory(user__username="schemathesis", role=Role.MANAGER).user
    # Something for the generated requests to find.
    customer = CustomerFactory(email="ann@example.org")
    open_ticket(customer=customer, subject="Kettle", channel="email")
    WebhookSubscription.objects.create(url="https://crm.example.com/h", events=["*"], secret="s")
    key = api_key_create(name="Schemathesis", owner=manager, scopes=Scope.values).key

    result = subprocess.run(  # noqa: S603 (our own command line, no shell)
        [
            str(COMMAND),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/schema/",
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--header",
            f"Authorization: Token {key}",
            "--workers",
            "2",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    assert "Tested: " in output
