"""The ticket or chat a complaint is logged from, named `app_label.model:id` (e.g.
`?source=tickets.ticket:12`), resolved through content types: this app never imports the
tickets or chat apps; it only reads a source's `customer` and `channel` attributes."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from .models import ComplaintChannel

SOURCE_APPS = ("tickets", "chat")  # a complaint may link the ticket or chat it came from
PREFILL_FIELDS = (
    "customer",
    "customer_name",
    "customer_email",
    "customer_phone",
    "channel",
    "category",
    "severity",
    "description",
    "desired_outcome",
    "owner",
)


def source_label(source: models.Model) -> str:
    return f"{source._meta.label_lower}:{source.pk}"


def resolve_source(value: str) -> models.Model | None:
    """The ticket or chat named `app_label.model:id`, or None (any other model is ignored:
    a complaint comes from a case)."""
    label, _, pk = (value or "").partition(":")
    app_label, _, model = label.partition(".")
    if app_label not in SOURCE_APPS or not pk.isdigit() or len(pk) > 18:
        return None
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        return content_type.get_object_for_this_type(pk=int(pk))
    except (ObjectDoesNotExist, AttributeError):  # no such row, or a model no longer there
        return None


def source_prefill(source: models.Model | None) -> dict:
    """What a complaint logged from a ticket or chat starts with: its customer, its channel
    (when complaints know it) and the link back to it."""
    if source is None:
        return {}
    initial = {"source": source_label(source)}
    if customer_id := getattr(source, "customer_id", None):
        initial["customer"] = customer_id
    channel = str(getattr(source, "channel", "") or source._meta.app_label)  # a chat: "chat"
    if channel in ComplaintChannel.values:
        initial["channel"] = channel
    return initial


def query_prefill(query) -> dict:
    """Initial values given in the query string (`?customer=3&channel=chat&description=...`),
    as the surveys' follow-up page links them; empty values are left out."""
    return {name: query[name] for name in PREFILL_FIELDS if query.get(name)}
