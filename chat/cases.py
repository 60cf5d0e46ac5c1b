"""How a chat is named wherever a deadline or notification points at it: "Chat with Tom
Baker", opening it in the console (the agent's own panel, or watched: the console decides)."""

from django.urls import reverse

from helpdesk import sla_registry

from .models import ChatSession


def describe_chats(ids: list[int]) -> dict[int, sla_registry.CaseLink]:
    chats = ChatSession.objects.filter(pk__in=ids).values_list(
        "pk", "customer__name", "customer__email"
    )
    return {
        pk: sla_registry.CaseLink(
            f"Chat with {name or email or 'a visitor'}",
            f"{reverse('chat:console')}?session={pk}",
        )
        for pk, name, email in chats
    }


def register() -> None:
    sla_registry.register_case("chat.chatsession", describe_chats)
