"""Removing what the policy's `[retention]` no longer keeps, once per case, with a record.

Rule (POLICY.md, Privacy): each `[retention]` duration counts from a case's closing; past it the
named data of that case is deleted (chat transcripts, raw emails, secure details) or the case
anonymised (closed_cases). Each removal happens once per kind and case and leaves a
`RetentionRecord` saying what kind, which case, when and how many items, never the value. A key
the policy in force leaves out keeps that data.

The core knows no channel: each app registers, per key, how to find its cases closed before a
time and how to remove that data from one (`register_retention`, from its AppConfig.ready()).
A customer is anonymised only when nothing else of theirs is kept (`release_customer`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from helpdesk.models import Customer, Interaction, RetentionKind, RetentionRecord
from helpdesk.selectors.policy import policy_version_in_force
from helpdesk.services.policy import service_policy_for

ANONYMOUS_ID = "helpdesk:anonymised"
ANONYMOUS_NAME = "Anonymised customer"


@dataclass(frozen=True)
class RetentionKeeper:
    """How one app keeps one `[retention]` key for one kind of case."""

    key: str  # a RetentionKind
    model: type[models.Model]  # the case
    closed_before: Callable[[datetime], models.QuerySet]  # its cases closed at or before then
    remove: Callable[[models.Model, datetime], int]  # removes the data; how many items


_KEEPERS: list[RetentionKeeper] = []


def register_retention(
    *,
    key: str,
    model: type[models.Model],
    closed_before: Callable[[datetime], models.QuerySet],
    remove: Callable[[models.Model, datetime], int],
) -> None:
    """Keep `[retention] key` for the cases of `model` (registering the same twice is harmless)."""
    if key not in RetentionKind.values:
        raise ValueError(f"{key!r} is not a [retention] key ({', '.join(RetentionKind.values)})")
    keeper = RetentionKeeper(key=key, model=model, closed_before=closed_before, remove=remove)
    if not any(k.key == key and k.model is model for k in _KEEPERS):
        _KEEPERS.append(keeper)


def retention_keepers() -> tuple[RetentionKeeper, ...]:
    return tuple(_KEEPERS)


def apply_retention(
    *, now: datetime | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Remove what the policy in force no longer keeps, at most `batch_size` cases per key and
    kind of case; returns how many cases each key removed data from (0 when all is done).

    Safe to repeat and to run twice at once: a case already recorded for a key is skipped, and
    the record is written in the same transaction as the removal.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    version = policy_version_in_force(now=now)
    if version is None:
        return {}
    retention = service_policy_for(version).retention
    done: dict[str, int] = {}
    for keeper in _KEEPERS:
        duration = getattr(retention, keeper.key)
        if duration is None:
            continue
        cutoff = now - timedelta(seconds=duration.amount)
        case_type = ContentType.objects.get_for_model(keeper.model)
        recorded = RetentionRecord.objects.filter(kind=keeper.key, case_type=case_type)
        due = (
            keeper.closed_before(cutoff)
            .exclude(pk__in=recorded.values("case_id"))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        removed = sum(_remove_once(keeper, case_type, pk, cutoff, now) for pk in list(due))
        done[keeper.key] = done.get(keeper.key, 0) + removed
    return done


def _remove_once(keeper: RetentionKeeper, case_type, pk: int, cutoff: datetime, now) -> bool:
    with transaction.atomic():
        case = keeper.model._base_manager.select_for_update().filter(pk=pk).first()
        # Checked again under the lock: a case reopened since it was found keeps its data.
        if case is None or not keeper.closed_before(cutoff).filter(pk=pk).exists():
            return False
        record, created = RetentionRecord.objects.get_or_create(
            kind=keeper.key, case_type=case_type, case_id=pk, defaults={"removed_at": now}
        )
        if not created:
            return False
        record.items = keeper.remove(case, now)
        record.save(update_fields=["items"])
        return True


def anonymous_customer() -> Customer:
    """The one customer record anonymised cases belong to."""
    customer, _ = Customer.objects.get_or_create(
        external_id=ANONYMOUS_ID, defaults={"name": ANONYMOUS_NAME}
    )
    return customer


def release_customer(*, case: models.Model, field: str = "customer") -> int:
    """Detach an anonymised case from its customer: the case and its history entries move to
    the anonymous customer (the entries' summaries emptied). The customer's own record (name,
    email, phone, external id, sign-in) is anonymised only when no other case, open or closed,
    still belongs to them. Returns how many items were removed (the history entries, plus one
    for the customer's record)."""
    customer = getattr(case, field)
    anonymous = anonymous_customer()
    if customer.pk == anonymous.pk:
        return 0
    case_type = ContentType.objects.get_for_model(type(case))
    type(case)._base_manager.filter(pk=case.pk).update(**{field: anonymous})
    entries = Interaction.objects.filter(case_type=case_type, case_id=case.pk).update(
        customer=anonymous, summary=""
    )
    _move_linked_records(customer, anonymous, case_type, case.pk)
    if _still_theirs(customer):
        return entries
    Interaction.objects.filter(customer=customer).update(customer=anonymous, summary="")
    Customer.objects.filter(pk=customer.pk).update(
        name="", email="", phone="", external_id="", user=None
    )
    return entries + 1


def _move_linked_records(customer, anonymous, case_type, case_id) -> None:
    """Records of any app that name the customer and point at the case generically (a survey
    invitation's conversation) move with the case."""
    for relation in Customer._meta.related_objects:
        model = relation.related_model
        if model is Interaction or not relation.one_to_many:
            continue
        for link in model._meta.private_fields:
            if isinstance(link, GenericForeignKey):
                model._base_manager.filter(
                    **{
                        relation.field.name: customer,
                        link.ct_field: case_type,
                        link.fk_field: case_id,
                    }
                ).update(**{relation.field.name: anonymous})


def _still_theirs(customer: Customer) -> bool:
    """Whether any record besides their history still names the customer (another case)."""
    for relation in Customer._meta.related_objects:
        if relation.related_model is Interaction or not (
            relation.one_to_many or relation.one_to_one
        ):
            continue
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: customer}).exists():
            return True
    return False
