"""Customers as an integration manages them: create one (refused if the email or external id
is someone's already), and correct their details. Matching a contact to a customer is
`helpdesk.services.people.find_or_create_customer`'s job."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from helpdesk.models import Customer
from helpdesk.services.people import normalise_email, normalise_phone

FIELDS = ("name", "email", "phone", "external_id")


def _clean(values: dict) -> dict:
    cleaned = {}
    for field, value in values.items():
        if field not in FIELDS:
            raise ValidationError({field: "Not a customer detail that can be set."})
        value = (value or "").strip()
        if field == "email":
            value = normalise_email(value)
        elif field == "phone":
            value = normalise_phone(value)
        cleaned[field] = value
    return cleaned


def _check_unique(customer: Customer) -> None:
    others = Customer.objects.exclude(pk=customer.pk)
    if customer.email and (other := others.filter(email__iexact=customer.email).first()):
        raise ValidationError({"email": f"Customer {other.pk} has this email address."})
    if customer.external_id and (other := others.filter(external_id=customer.external_id).first()):
        raise ValidationError({"external_id": f"Customer {other.pk} has this external id."})


def _save(customer: Customer, fields: list[str] | None = None) -> Customer:
    customer.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique(customer)
    try:
        with transaction.atomic():
            customer.save(update_fields=fields)
    except IntegrityError:  # the same email created concurrently
        _check_unique(customer)
        raise
    return customer


@transaction.atomic
def customer_create(
    *, name: str = "", email: str = "", phone: str = "", external_id: str = ""
) -> Customer:
    """A new customer. Needs an email, a phone or an external id (someone to find again)."""
    values = _clean({"name": name, "email": email, "phone": phone, "external_id": external_id})
    if not (values["email"] or values["phone"] or values["external_id"]):
        raise ValidationError({"email": "Give an email, a phone number or an external id."})
    return _save(Customer(**values))


@transaction.atomic
def customer_update(*, customer: Customer, **changes: str) -> Customer:
    """Set the given details (name, email, phone, external_id); the rest stay as they are."""
    values = _clean(changes)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    for field, value in values.items():
        setattr(customer, field, value)
    if not (customer.email or customer.phone or customer.external_id):
        raise ValidationError({"email": "A customer keeps an email, a phone or an external id."})
    return _save(customer, fields=list(values) or None) if values else customer
