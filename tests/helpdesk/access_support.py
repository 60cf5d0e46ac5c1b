"""The people of the access matrices (tests/*/test_access.py): one of each role and relation a
case can have, and how each surface's answer reads as yes or no."""

from django.test import Client

from helpdesk.models import Role
from tests.helpdesk.factories import CustomerFactory, TeamFactory, UserFactory
from tests.tickets.desk_support import staff

# Everyone the matrices ask about. "handler" handles (is assigned) the case of team "team".
PEOPLE = (
    "handler",  # the handling / assigned agent, of the case's team
    "teammate",  # another agent of the case's team
    "other_team",  # an agent of another team
    "supervisor",  # of the case's team (and the handler's supervisor)
    "manager",
    "no_role",  # staff flag, no staff role
    "customer",  # a customer with a login
    "anonymous",
)


def people() -> dict:
    """The users of `PEOPLE` (None for anonymous), and the teams under "_team"/"_other"."""
    team, other = TeamFactory(name="Orders"), TeamFactory(name="Billing")
    supervisor = staff("sam", role=Role.SUPERVISOR, team=team, is_staff=True)
    customer = UserFactory(username="carla")
    CustomerFactory(user=customer, email="carla@example.org")
    return {
        "handler": staff("ann", team=team, supervisor=supervisor, is_staff=True),
        "teammate": staff("olga", team=team, is_staff=True),
        "other_team": staff("bob", team=other, is_staff=True),
        "supervisor": supervisor,
        "manager": staff("mia", role=Role.MANAGER, is_staff=True),
        "no_role": UserFactory(username="nora", is_staff=True),
        "customer": customer,
        "anonymous": None,
        "_team": team,
        "_other": other,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def allowed(response) -> bool:
    """A page or an endpoint said yes: 2xx, or a redirect back into the desk after a change
    (a refused desk page is a 403, or a redirect to the login page for anonymous)."""
    if response.status_code in (301, 302):
        return "/login/" not in response["Location"]
    return 200 <= response.status_code < 300
