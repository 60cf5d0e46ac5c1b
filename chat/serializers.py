"""The API's input and output shapes for chats (`chat.apis`). Shapes only: every rule is in
`chat.services`. Secure-form details (`chat.services.secure`) are never part of any shape."""

from rest_framework import serializers

from helpdesk.api.fields import JsonText
from helpdesk.api.serializers import CustomerRef, TeamRef, UserRef

from .models import ChatMessage, ChatSession, Redaction, Sender
from .services.events import author_name

# -- output ---------------------------------------------------------------------------------


class ChatUserRef(UserRef):
    name = serializers.SerializerMethodField(help_text="The name the customer saw.")

    def get_name(self, user) -> str:
        return author_name(user)


class ChatOutput(serializers.ModelSerializer):
    customer = CustomerRef(help_text="Who the chat is with.")
    team = TeamRef(allow_null=True, help_text="The team whose queue it is in, if any.")
    agent = ChatUserRef(allow_null=True, help_text="The agent who took it, if any.")
    policy_version = JsonText(
        source="policy_version.version", help_text="The policy version it started under."
    )
    message_count = serializers.IntegerField(
        source="last_seq", help_text="Lines in its transcript (the last line's `seq`)."
    )
    last_message_at = serializers.DateTimeField(
        allow_null=True, help_text="When its latest line was written (UTC); null if none."
    )
    updated_at = serializers.DateTimeField(
        help_text="Its latest change (UTC): started, taken, closed or a new line."
    )
    ticket = serializers.IntegerField(
        source="ticket_id",
        allow_null=True,
        help_text="The follow-up ticket it became (its id), if any.",
    )
    escalated_to = ChatUserRef(allow_null=True, help_text="The supervisor it was escalated to.")

    class Meta:
        model = ChatSession
        fields = [
            "id",
            "status",
            "customer",
            "team",
            "agent",
            "question",
            "policy_version",
            "started_at",
            "accepted_at",
            "first_response_at",
            "closed_at",
            "customer_confirmed_resolved",
            "end_reason",
            "message_count",
            "last_message_at",
            "updated_at",
            "ticket",
            "escalated_to",
        ]
        extra_kwargs = {
            "id": {"help_text": "The chat's id (used in the URLs)."},
            "status": {
                "help_text": "waiting, active, closed, or missed (nobody answered: see end_reason)."
            },
            "end_reason": {
                "help_text": "Why a missed chat ended: abandoned (the customer left before an "
                "answer) or left_message; empty otherwise."
            },
            "question": {"help_text": "The customer's question before the chat (redacted)."},
            "started_at": {"help_text": "When the customer asked for the chat (UTC)."},
            "accepted_at": {"help_text": "When an agent took it (UTC)."},
            "first_response_at": {"help_text": "When the agent first wrote (UTC)."},
            "closed_at": {"help_text": "When it ended (UTC)."},
            "customer_confirmed_resolved": {
                "help_text": "Whether the customer confirmed their issue was resolved; null if "
                "they were not asked or did not answer."
            },
        }


class TranscriptLineOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(
        help_text="Who wrote it: the customer's name, the agent's name, or 'System'."
    )
    author_id = serializers.IntegerField(
        allow_null=True, help_text="The staff user who wrote it (agent lines only)."
    )

    class Meta:
        model = ChatMessage
        fields = ["seq", "sender", "author", "author_id", "text", "created_at"]
        extra_kwargs = {
            "seq": {"help_text": "Its place in the transcript, from 1 with no gap."},
            "sender": {"help_text": "customer, agent or system."},
            "text": {
                "help_text": "As stored: card and identity numbers already masked "
                "(never the original)."
            },
            "created_at": {"help_text": "When it was written (UTC)."},
        }

    def get_author(self, message) -> str:
        if message.sender == Sender.CUSTOMER:
            return message.session.name_given or "Customer"  # as given in the chat
        if message.sender == Sender.SYSTEM:
            return "System"
        return author_name(message.author) or "Agent"


class RedactionOutput(serializers.ModelSerializer):
    seq = serializers.IntegerField(
        source="message.seq", allow_null=True, help_text="The line it was masked in, if any."
    )

    class Meta:
        model = Redaction
        fields = ["kind", "seq", "at"]
        extra_kwargs = {
            "kind": {
                "help_text": "What was masked (never the value): card, ssn, nino, driving_licence."
            },
            "at": {"help_text": "When (UTC)."},
        }


class ChatDetailOutput(ChatOutput):
    summary = JsonText(help_text="The agent's closing summary ('' until closed).")
    escalation_notes = JsonText(help_text="Why it was escalated (redacted); '' if it was not.")
    transcript = TranscriptLineOutput(
        source="transcript_lines", many=True, help_text="Every line, in `seq` order."
    )
    redactions = RedactionOutput(
        source="redaction_list",
        many=True,
        help_text="Each sensitive number masked in it: kind and line, never the value.",
    )

    class Meta(ChatOutput.Meta):
        fields = [
            *ChatOutput.Meta.fields,
            "summary",
            "escalation_notes",
            "transcript",
            "redactions",
        ]


class OfflineMessageOutput(serializers.Serializer):
    ticket_id = serializers.IntegerField(help_text="The ticket's id (GET /api/v1/tickets/{id}/).")
    number = serializers.IntegerField(help_text="The ticket number.")
    reference = JsonText(help_text="What the customer sees, e.g. '#1042'.")
    customer_id = serializers.IntegerField(help_text="The customer it was filed for.")


class QueueFiguresOutput(serializers.Serializer):
    waited = serializers.IntegerField(help_text="Chats started (every chat waits first).")
    answered = serializers.IntegerField(help_text="Of those, taken by an agent.")
    abandoned = serializers.IntegerField(
        help_text="Of those, ended because the customer left before an answer."
    )
    left_message = serializers.IntegerField(help_text="Of those, left as a message.")
    abandonment_rate = serializers.FloatField(
        allow_null=True, help_text="abandoned / waited, as a percentage; null if none waited."
    )


class DayFiguresOutput(QueueFiguresOutput):
    day = serializers.DateField(help_text="The day the chats started (the desk's time zone).")


class ChatQueueReportOutput(serializers.Serializer):
    start = serializers.DateTimeField(help_text="The period's start (UTC).")
    end = serializers.DateTimeField(help_text="The period's end (UTC).")
    total = QueueFiguresOutput(help_text="Over the period.")
    days = DayFiguresOutput(many=True, help_text="Per day with chats, oldest first.")


# -- input ----------------------------------------------------------------------------------


class OfflineMessageInput(serializers.Serializer):
    name = JsonText(
        required=False, allow_blank=True, max_length=200, help_text="The customer's name."
    )
    email = JsonText(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Their email address, to reply to (required unless `phone` is given).",
    )
    phone = JsonText(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A number to call back on: the ticket becomes a callback request.",
    )
    text = JsonText(
        help_text="The message (at most CHAT_MAX_MESSAGE_CHARS, 2000 by default); card and "
        "identity numbers are masked before it is stored."
    )
