"""Factories of the core's models."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from helpdesk.models import AgentProfile, Article, CannedResponse, Customer, Interaction, Role, Team
from helpdesk.models.people import Channel
from helpdesk.services.people import set_role


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
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True)
    role = Role.AGENT

    @factory.post_generation
    def role_group(obj, create, extracted, **kwargs):
        """Put the user in their role's group, as `create_staff_member` does."""
        if create:
            set_role(profile=obj, role=obj.role)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")
    phone = factory.Sequence(lambda n: f"+44770090{n:04d}")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.CHAT
    kind = "chat started"
    summary = factory.Faker("sentence")
    occurred_at = factory.LazyFunction(timezone.now)


class CannedResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedResponse

    title = factory.Sequence(lambda n: f"Canned response {n}")
    shortcut = factory.Sequence(lambda n: f"canned-{n}")
    body = "Hi {customer_name}, how can I help?"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body = "<p>How to do something useful.</p>"
    tags = ""
