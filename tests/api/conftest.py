"""Fixtures of the API tests: staff of each role, a customer with a login, API keys with
chosen scopes, and an API client signed in as any of them."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from helpdesk.models import Role, Scope
from helpdesk.services.api_keys import api_key_create
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, CustomerFactory, UserFactory
from tickets.services import open_ticket

from .receiver import receiver  # noqa: F401 (a fixture: a webhook receiver on loopback)

# Wednesday 4 March 2026, 10:00 UTC = London: inside the policy's service hours.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
ROLES = ("agent", "supervisor", "manager")


@pytest.fixture(autouse=True)
def memory_channel_layer(settings):
    """The desk's live events (sent after commit) stay in memory, not in a Redis."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # throttling counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def policy(db, now):
    return ensure_policy_in_force()


@pytest.fixture
def staff(db):
    """One user of each role, by role name."""
    return {
        role: AgentFactory(user__username=f"{role}-1", role=getattr(Role, role.upper())).user
        for role in ROLES
    }


@pytest.fixture
def customer_user(db):
    """A customer with a login (not staff): the API is not for them."""
    user = UserFactory(username="customer-login")
    CustomerFactory(user=user, email="login@example.org")
    return user


@pytest.fixture
def make_key(staff):
    """make_key(*scopes) -> the whole key, acting as the manager."""

    def make(*scopes: str, owner=None) -> str:
        return api_key_create(
            name="Integration", owner=owner or staff["manager"], scopes=list(scopes)
        ).key

    return make


@pytest.fixture
def api(staff, customer_user, make_key):
    """api(who) -> an APIClient as `who`: "anonymous", "customer", a role, or "token:<scope>"
    (a key with just that scope) or "token:*" (every scope)."""

    def client_for(who: str) -> APIClient:
        client = APIClient()
        if who == "customer":
            client.force_login(customer_user)
        elif who in staff:
            client.force_login(staff[who])
        elif who.startswith("token:"):
            scope = who.removeprefix("token:")
            scopes = Scope.values if scope == "*" else [scope]
            client.credentials(HTTP_AUTHORIZATION=f"Token {make_key(*scopes)}")
        return client

    return client_for


@pytest.fixture
def ticket(policy, staff):
    customer = CustomerFactory(email="ann@example.org", name="Ann")
    return open_ticket(customer=customer, subject="My order", channel="email")


@pytest.fixture
def make_complaint(policy, staff, settings, tmp_path):
    """make_complaint(state="logged") -> a complaint (owned by the manager, logged by the agent)
    taken through the services to "logged", "acknowledged" or "resolved"; letters go by post
    and their enclosures under a temporary media root."""
    from complaints import services as complaint_services

    settings.MEDIA_ROOT = str(tmp_path / "media")

    def make(state: str = "logged", **extra):
        values = {
            "customer": CustomerFactory(name="Ada"),
            "channel": "email",
            "category": "delivery",
            "description": "The parcel arrived broken.",
            **extra,
        }
        complaint = complaint_services.log_complaint(
            owner=staff["manager"], received_by=staff["agent"], **values
        )
        if state in ("acknowledged", "resolved"):
            complaint_services.acknowledge_complaint(
                complaint=complaint, by=staff["manager"], sent_via="post"
            )
        if state == "resolved":
            complaint_services.resolve_complaint(
                complaint=complaint,
                by=staff["manager"],
                outcome="Replaced.",
                root_cause="third_party",
                remedy="replacement",
                sent_via="post",
            )
        complaint.refresh_from_db()
        return complaint

    return make
