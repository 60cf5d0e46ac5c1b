"""Masking by the policy in force, for every text any channel stores.

Rule (POLICY.md, Privacy): the kinds of number named by `[privacy] mask` in the policy version
in force are masked before text is stored or shown, on every channel. Each app names the text
fields it stores (`register_masked_fields`, called from its AppConfig.ready()); a field so named
is masked on every save of its model, whoever saves it (a view, the admin, the API, a command,
ingest), and by the core's set-based writes (`helpdesk.services.bulk`). Paths that write rows
past `Model.save()` (chat's one-statement line, `bulk_create`) call `mask_text` or
`mask_instances` themselves.

The kinds in force are read once per policy version and remembered for a short while, so a hot
path (a chat line) does not query for them: a version published in this process applies at
once, in another process within `PRIVACY_RECHECK_SECONDS`, and a new day looks again.
"""

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from helpdesk.models import PolicyVersion
from helpdesk.policy.privacy import MASK_KINDS
from helpdesk.privacy.masking import Masked, mask
from helpdesk.selectors.policy import policy_version_in_force
from helpdesk.services.policy import service_policy_for


@dataclass
class _Remembered:
    day: date | None = None
    kinds: tuple[str, ...] = MASK_KINDS
    until: float = 0.0
    changes: int = 0  # counts the versions saved or deleted: the test suite's reset uses it


_remembered = _Remembered()
_DIGIT = re.compile(r"\d")
_MASKED: dict[type[models.Model], tuple[str, ...]] = {}


def mask_kinds_in_force(*, now: datetime | None = None) -> tuple[str, ...]:
    """The kinds `[privacy] mask` names in the version in force at `now`; every kind when no
    version is in force yet (nothing is ever shown unmasked for want of a policy)."""
    day = timezone.localdate(now or timezone.now())
    if _remembered.day == day and time.monotonic() < _remembered.until:
        return _remembered.kinds
    version = policy_version_in_force(now=now)
    kinds = MASK_KINDS if version is None else service_policy_for(version).privacy.mask
    _remembered.day, _remembered.kinds = day, kinds
    _remembered.until = time.monotonic() + settings.PRIVACY_RECHECK_SECONDS
    return kinds


def forget_mask_kinds() -> None:
    """Read the kinds in force again on the next call (a version was published or removed)."""
    _remembered.day, _remembered.until = None, 0.0


def policy_changes() -> int:
    return _remembered.changes


def mask_text(text: str, *, now: datetime | None = None) -> Masked:
    """`text` with the numbers the policy in force masks replaced, and the kinds found."""
    if not text or not _DIGIT.search(text):  # every kind of number has digits
        return Masked(text=text or "", kinds=())
    return mask(text, mask_kinds_in_force(now=now))


def register_masked_fields(model: type[models.Model], fields: Sequence[str]) -> None:
    """Mask `fields` of `model` (free text a customer or agent may write) on every save.

    Called by each app from its AppConfig.ready(); registering a field twice is harmless.
    """
    for name in fields:
        model._meta.get_field(name)  # a typo fails at start-up, not silently
    _MASKED[model] = tuple(dict.fromkeys((*_MASKED.get(model, ()), *fields)))
    pre_save.connect(_mask_before_save, sender=model, dispatch_uid=f"privacy.{model._meta.label}")


def masked_fields() -> dict[type[models.Model], tuple[str, ...]]:
    """Every registered model and its masked fields."""
    return dict(_MASKED)


def mask_instances(instances: Iterable[models.Model]) -> None:
    """Mask the registered fields of unsaved or changed instances in place (for `bulk_create`
    and `bulk_update`, which send no pre_save)."""
    for instance in instances:
        _mask_fields(instance, _MASKED.get(type(instance), ()))


def mask_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]):
    """`rows` (tuples in the order of `fields`) with the registered fields masked."""
    masked = set(_MASKED.get(model, ()))
    positions = [i for i, name in enumerate(fields) if name in masked]
    if not positions:
        return rows
    result = []
    for row in rows:
        values = list(row)
        for i in positions:
            if isinstance(values[i], str) and values[i]:
                values[i] = mask_text(values[i]).text
        result.append(tuple(values))
    return result


def mask_stored_text(*, batch_size: int = 500) -> dict[str, int]:
    """Mask the registered fields of rows stored before masking covered them (or under a
    policy that masked fewer kinds); returns how many rows of each model changed.

    Safe to repeat: masked text masks to itself, so a second run changes nothing. Rows are
    read in primary-key batches and only those whose text changes are written.
    """
    changed: dict[str, int] = {}
    for model, fields in _MASKED.items():
        count, last = 0, 0
        while True:
            rows = list(
                model._base_manager.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", *fields)[:batch_size]
            )
            if not rows:
                break
            last = rows[-1][0]
            for pk, *values in rows:
                masked = {}
                for name, value in zip(fields, values, strict=True):
                    if isinstance(value, str) and value and (new := mask_text(value).text) != value:
                        masked[name] = new
                if masked:
                    model._base_manager.filter(pk=pk).update(**masked)
                    count += 1
        changed[model._meta.label] = count
    return changed


def _mask_fields(instance: models.Model, fields: Sequence[str]) -> None:
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, str) and value:
            setattr(instance, name, mask_text(value).text)


def _mask_before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loading fixtures: stored as they were dumped
        return
    _mask_fields(instance, _MASKED.get(sender, ()))


def _policy_changed(sender, raw=False, **kwargs) -> None:
    _remembered.changes += 1
    forget_mask_kinds()
    if not raw:
        # Read at once, so the publishing process's next masking (a sweep's notifications, a
        # chat line) does not pay the query.
        mask_kinds_in_force()


post_save.connect(_policy_changed, sender=PolicyVersion, dispatch_uid="privacy.policy_saved")
post_delete.connect(_policy_changed, sender=PolicyVersion, dispatch_uid="privacy.policy_deleted")
