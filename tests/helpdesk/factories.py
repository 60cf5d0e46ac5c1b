"""Factories of the core's models."""

import factory
from django.contrib.auth import get_user_model

from helpdesk.models import AgentProfile, Customer, Role, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    """An AgentProfile with its user; `role=` picks agent, supervisor or manager."""

    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory, is_staff=True)
    role = Role.AGENT


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")
    phone = factory.Sequence(lambda n: f"+44770090{n:04d}")
