"""Helpers of the desk tests: staff with roles, logged-in clients, tickets with their clocks."""

from django.test import Client

from helpdesk.models import Role
from tests.helpdesk.factories import AgentFactory, CustomerFactory, UserFactory
from tickets.services import open_ticket


def staff(username: str, *, role: str = Role.AGENT, team=None, supervisor=None, **user):
    """A member of staff with an agent profile in `role`; returns the user."""
    profile = AgentFactory(
        user__username=username,
        role=role,
        team=team,
        supervisor=supervisor,
        **{f"user__{key}": value for key, value in user.items()},
    )
    return profile.user


def logged_in(user, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    return client


def customer_user(username: str = "carla"):
    """A customer who has a login: not staff, no agent profile."""
    user = UserFactory(username=username)
    CustomerFactory(user=user, email=f"{username}@example.org")
    return user


def ticket(subject: str = "Broken lid", *, customer=None, channel: str = "email", **options):
    """A ticket opened as the desk opens one (number, clocks, history); by default without the
    acknowledge clock, whose "at once" target would be due the moment it opens."""
    options.setdefault("acknowledge", False)
    return open_ticket(
        customer=customer or CustomerFactory(), subject=subject, channel=channel, **options
    )
