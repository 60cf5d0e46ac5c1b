"""People: customers (found again on any channel, with one history) and staff (roles, presence).

Customers are matched on these rules, in this order:

1. **Email**, case-insensitively (`Ann@Example.org` is `ann@example.org`).
2. **External id** (an integrator's own id for the person), exactly.
3. **Phone**, after `normalise_phone`: spaces, dashes, dots and brackets go, a leading `+` stays,
   and a national number keeps its leading 0 as written (`07700 900123` stays `07700900123`: we
   do not guess a country, so it does not match `+447700900123`). The one exception is the
   `+44 (0)20 ...` style, where the bracketed trunk 0 after a country code is dropped.
   Phone numbers are not unique (a household shares one), so the earliest customer wins.

The first rule that finds someone decides. When the email finds one customer and the phone
another, the email's customer is returned and the other is left alone: two records are never
merged silently (a person can merge them knowingly). Details missing on the found record are
filled in; what is on record is never overwritten.
"""

import re
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from helpdesk.models import AgentProfile, Customer, Interaction, Presence, Role, Team
from helpdesk.models.people import Channel
from helpdesk.roles import OVERSEEING_ROLES, ROLE_GROUPS, ensure_role_groups

_TRUNK_ZERO = re.compile(r"^\s*(\+\d{1,3})[\s.-]*\(0\)")
_PHONE_SEPARATORS = re.compile(r"[\s.()\[\]\-\u2010-\u2015]")
_PHONE_SHAPE = re.compile(r"\+?\d{3,20}")


def normalise_phone(raw: str) -> str:
    """The phone number as stored and matched: see the module's docstring for the rule.

    Raises ValidationError if anything but digits, separators and a leading + is left.
    """
    value = (raw or "").strip()
    if not value:
        return ""
    value = _PHONE_SEPARATORS.sub("", _TRUNK_ZERO.sub(r"\1", value))
    if not _PHONE_SHAPE.fullmatch(value):
        raise ValidationError(
            {
                "phone": f"'{raw}' is not a phone number: use digits, optionally with a "
                "leading + and spaces, dashes or brackets."
            }
        )
    return value


def normalise_email(raw: str) -> str:
    """The email address trimmed and checked; raises ValidationError naming the bad address."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({"email": f"'{value}' is not a valid email address."}) from None
    return value


def find_or_create_customer(
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    external_id: str = "",
    update_found: bool = True,
) -> Customer:
    """The customer these details belong to, created if nobody matches.

    Matching is by email, then external id, then phone (rules in the module's docstring); the
    found record gets the details it lacks, and never loses or merges any. With no email, phone
    or external id there is nobody to find, so a new customer is created (an anonymous chat).
    `update_found=False` leaves a found record exactly as it is: for details anyone could type
    (the public chat and message forms), which are a claim, not proof of who is writing.
    """
    details = _clean_details(name=name, email=email, phone=phone, external_id=external_id)
    # Within a caller's transaction, no savepoint: a failure here fails the caller's too.
    with transaction.atomic(savepoint=False):
        customer = _find_customer(**details)
        if customer is None:
            try:
                with transaction.atomic():
                    return Customer.objects.create(**details)
            except IntegrityError:
                # Another request created them between our look-up and insert: use theirs.
                customer = _find_customer(**details)
                if customer is None:
                    raise
        if update_found:
            _fill_in(customer, **details)
        return customer


def _clean_details(*, name: str, email: str, phone: str, external_id: str) -> dict[str, str]:
    details = {
        "name": (name or "").strip(),
        "email": normalise_email(email),
        "phone": normalise_phone(phone),
        "external_id": (external_id or "").strip(),
    }
    # Lengths and the like, as the model declares them (uniqueness is the look-up's business).
    Customer(**details).full_clean(validate_unique=False, validate_constraints=False)
    return details


def _find_customer(*, name: str, email: str, phone: str, external_id: str) -> Customer | None:
    del name  # a name alone identifies nobody
    customers = Customer.objects.select_for_update().order_by("pk")
    if email and (found := customers.filter(email__iexact=email).first()):
        return found
    if external_id and (found := customers.filter(external_id=external_id).first()):
        return found
    if phone and (found := customers.filter(phone=phone).first()):
        return found
    return None


def _fill_in(customer: Customer, *, name: str, email: str, phone: str, external_id: str) -> None:
    others = Customer.objects.exclude(pk=customer.pk)
    changed = []
    if name and not customer.name:
        customer.name = name
        changed.append("name")
    if email and not customer.email and not others.filter(email__iexact=email).exists():
        customer.email = email
        changed.append("email")
    if phone and not customer.phone:
        customer.phone = phone
        changed.append("phone")
    if (
        external_id
        and not customer.external_id
        and not others.filter(external_id=external_id).exists()
    ):
        customer.external_id = external_id
        changed.append("external_id")
    if changed:
        customer.save(update_fields=changed)


def record_interaction(
    *,
    customer: Customer,
    channel: str,
    kind: str,
    summary: str = "",
    case: models.Model | None = None,
    agent=None,
    occurred_at: datetime | None = None,
) -> Interaction:
    """Put one contact on the customer's history. The ONE way every channel records one, so the
    history a returning customer's agent sees is complete.

    `kind` says what happened ("chat started", "call logged", ...); `case` is the ticket, chat or
    complaint it belongs to, if any (saved first); `occurred_at` must be aware (default: now).
    Checked first, then written in one statement: no transaction (or savepoint) of its own.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": f"'{channel}' is not a channel."})
    kind = (kind or "").strip()
    max_kind = Interaction._meta.get_field("kind").max_length
    if not kind or len(kind) > max_kind:
        raise ValidationError({"kind": f"Say what happened in 1 to {max_kind} characters."})
    if occurred_at is None:
        occurred_at = timezone.now()
    elif timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": "The time of an interaction must be aware."})
    case_type = case_id = None
    if case is not None:
        if case.pk is None:
            raise ValueError("Save the case before recording an interaction on it.")
        case_type = ContentType.objects.get_for_model(case)
        case_id = case.pk
    return Interaction.objects.create(
        customer=customer,
        channel=channel,
        kind=kind,
        summary=summary or "",
        case_type=case_type,
        case_id=case_id,
        agent=agent,
        occurred_at=occurred_at,
    )


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError({"role": f"'{role}' is not a role."}) from None


def _check_supervisor(supervisor) -> None:
    if supervisor is None:
        return
    if not AgentProfile.objects.filter(user=supervisor, role__in=OVERSEEING_ROLES).exists():
        raise ValidationError(
            {"supervisor": f"{supervisor} is not a supervisor or manager, so cannot supervise."}
        )


@transaction.atomic
def create_staff_member(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    team: Team | None = None,
    supervisor=None,
    first_name: str = "",
    last_name: str = "",
) -> AgentProfile:
    """A new member of staff: a Django user with is_staff (the admin's door), their agent
    profile, and membership of their role's group (their permissions).

    The password must pass the project's password validators; a username is taken whatever its
    case; the supervisor must hold the supervisor or manager role.
    """
    role = _check_role(role)
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "A member of staff needs a username."})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username '{username}' is taken."})
    user = user_model(
        username=username,
        email=normalise_email(email),
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    _check_supervisor(supervisor)
    user.set_password(password)
    user.save()
    profile = AgentProfile.objects.create(user=user, role=role, team=team, supervisor=supervisor)
    _sync_role_group(user=user, role=role)
    return profile


@transaction.atomic
def set_role(*, profile: AgentProfile, role: str) -> AgentProfile:
    """Give a member of staff a role: the profile says it, the user moves out of every other
    role's group into this one's, and is staff (an agent profile is what makes one). Calling it
    with the current role repairs the groups."""
    role = _check_role(role)
    if profile.role != role:
        profile.role = role
        profile.save(update_fields=["role"])
    user = profile.user
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _sync_role_group(user=user, role=role)
    return profile


def _sync_role_group(*, user, role: Role) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    if len(groups) < len(ROLE_GROUPS):
        ensure_role_groups()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    wanted = groups[ROLE_GROUPS[role]]
    user.groups.remove(*[group for name, group in groups.items() if group != wanted])
    user.groups.add(wanted)


@transaction.atomic
def set_presence(
    *, profile: AgentProfile, presence: str, now: datetime | None = None
) -> AgentProfile:
    """Mark a member of staff online, away or offline. `presence_changed_at` records when it
    last changed; setting the presence they already have changes nothing."""
    try:
        presence = Presence(presence)
    except ValueError:
        raise ValidationError({"presence": f"'{presence}' is not a presence."}) from None
    if profile.presence != presence:
        profile.presence = presence
        profile.presence_changed_at = now or timezone.now()
        profile.save(update_fields=["presence", "presence_changed_at"])
    return profile


def chat_limit_for(*, profile: AgentProfile, policy_limit: int) -> int:
    """How many chats this agent may hold at once: their own limit when a supervisor set one
    (1 turns simultaneous chats off for them, 0 takes them off chat), else the policy's
    `max_concurrent_per_agent`."""
    if profile.max_concurrent_chats is not None:
        return profile.max_concurrent_chats
    return policy_limit
