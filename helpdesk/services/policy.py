"""Publishing versions of the service policy and finding the one in force.

A published version is immutable: its document text is kept exactly as approved, so a clock that
recorded the version it started under can always recompute its deadline the same way.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import PolicyVersion
from helpdesk.policy import PolicyError, ServicePolicy, load_policy_file, parse_policy
from helpdesk.selectors.policy import (
    PolicyInForce,
    not_yet_in_force,
    policy_in_force,
    policy_version_exists,
    policy_version_in_force,
    service_policy_for,
)
from helpdesk.services.teams import teams_using_missing_calendars

# Reads live in the selectors; imported here too, where the channels have always found them.
__all__ = [
    "PolicyInForce",
    "check_policy_publication",
    "ensure_policy_in_force",
    "policy_for_new_case",
    "policy_in_force",
    "publish_policy_version",
    "service_policy_for",
]

INITIAL_NOTE = "Initial version from config/service_policy.toml"

_MAX_VERSION = PolicyVersion._meta.get_field("version").max_length
_MAX_APPROVED_BY = PolicyVersion._meta.get_field("approved_by").max_length


def check_policy_publication(*, document: str, approved_by: str) -> ServicePolicy:
    """Validate a document for publication without saving anything.

    The document must be a valid policy (every problem is reported at once) that sets no key
    no service keeps yet (helpdesk/policy/keepers.py), its `document.version` must not have
    been published before, and the publication must name who approved it. Raises
    `PolicyError` listing every problem as `key: message`; returns the parsed policy when
    there is none.
    """
    problems: list[str] = []
    if not approved_by.strip():
        problems.append("approved_by: the approval of this publication is required")
    elif len(approved_by.strip()) > _MAX_APPROVED_BY:
        problems.append(f"approved_by: at most {_MAX_APPROVED_BY} characters")
    try:
        # A new version promises only what some service keeps (helpdesk/policy/keepers.py).
        policy = parse_policy(document, kept_only=True)
    except PolicyError as error:
        raise PolicyError(error.problems, problems) from error
    # A team's calendar must stay: its cases would lose the hours they are promised in.
    for calendar, teams in teams_using_missing_calendars(policy).items():
        problems.append(
            f"calendars: the calendar {calendar} is worked to by the team(s) "
            f"{', '.join(sorted(teams))}; keep [calendars.{calendar}] or move the team(s) first"
        )
    version = policy.document.version
    if len(version) > _MAX_VERSION:
        problems.append(f"document.version: at most {_MAX_VERSION} characters")
    elif policy_version_exists(version=version):
        problems.append(f"document.version: version {version} is already published")
    if problems:
        raise PolicyError(problems)
    return policy


@transaction.atomic
def publish_policy_version(
    *,
    document: str,
    approved_by: str,
    change_note: str,
    published_by: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> PolicyVersion:
    """Record a new version of the service policy.

    Rule: only a valid document is published, each version number once, and each publication
    names who approved it (`approved_by`, the record of this approval; the document's own
    `document.approved_by` stays in `parsed`). The version takes effect on the document's
    `document.effective` date; cases opened before keep the version they started under. On any
    problem `PolicyError` lists them all and nothing is saved.
    """
    policy = check_policy_publication(document=document, approved_by=approved_by)
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(
                version=policy.document.version,
                effective=policy.document.effective,
                document=document,
                parsed=policy.to_dict(),
                approved_by=approved_by.strip(),
                change_note=change_note.strip(),
                published_at=now or timezone.now(),
                published_by=published_by,
            )
    except IntegrityError as error:  # published concurrently since the check above
        if policy_version_exists(version=policy.document.version):
            raise PolicyError(
                f"document.version: version {policy.document.version} is already published"
            ) from error
        raise


def ensure_policy_in_force(*, now: datetime | None = None) -> PolicyVersion:
    """The version in force at `now`: what a clock records as the version it starts under.
    A write path's read: only what starts a case (a clock), seeds data or publishes calls it;
    a page or API that only shows the policy reads `policy_in_force` instead.

    Rule: when no version has been published at all, the project's policy file
    (`settings.SERVICE_POLICY_FILE`) is published as the first version, approved by the
    document's own `approved_by`. When versions exist but none has yet taken effect, there is no
    policy to apply and `PolicyError` says when the first one will.
    """
    version = policy_version_in_force(now=now)
    if version is not None:
        return version
    if not PolicyVersion.objects.exists():
        _publish_initial_version(now=now)
        version = policy_version_in_force(now=now)
        if version is not None:
            return version
    raise not_yet_in_force(now=now)


def policy_for_new_case(*, now: datetime | None = None) -> PolicyInForce:
    """The version a case opened at `now` records, and its policy (`ensure_policy_in_force`:
    publishes the project's policy file when nothing is published yet). For write paths."""
    version = ensure_policy_in_force(now=now)
    return PolicyInForce(version, service_policy_for(version))


def _publish_initial_version(*, now: datetime | None) -> None:
    path = settings.SERVICE_POLICY_FILE
    try:
        with open(path, encoding="utf-8") as file:
            document = file.read()
    except (OSError, UnicodeError):
        load_policy_file(path)  # raises PolicyError saying why the file cannot be read
        raise
    try:
        publish_policy_version(
            document=document,
            approved_by=parse_policy(document).document.approved_by,
            change_note=INITIAL_NOTE,
            now=now,
        )
    except PolicyError:
        if not PolicyVersion.objects.exists():
            raise
        # Another process published a first version meanwhile: that one stands.
