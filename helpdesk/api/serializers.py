"""Serializers the API of every app shares."""

from rest_framework import serializers

from helpdesk.api.fields import JsonText
from helpdesk.models import Customer, Team
from helpdesk.services.people import find_or_create_customer


class CustomerDetailsInput(serializers.Serializer):
    """A customer given by their details: found by email, then phone (then external id), and
    created if nobody matches (helpdesk.services.people.find_or_create_customer)."""

    name = JsonText(required=False, allow_blank=True, max_length=200, help_text="Their name.")
    email = JsonText(
        required=False, allow_blank=True, max_length=254, help_text="Their email address."
    )
    phone = JsonText(
        required=False, allow_blank=True, max_length=40, help_text="Their phone number."
    )
    external_id = JsonText(
        required=False, allow_blank=True, max_length=100, help_text="Your own id for them."
    )


def check_customer_given(attrs: dict) -> dict:
    """A create names its customer: `customer_id`, or details to find or create them by."""
    details = attrs.get("customer") or {}
    if not attrs.get("customer_id") and not any(details.values()):
        raise serializers.ValidationError(
            {"customer": "Give customer_id, or the customer's name, email, phone or external id."}
        )
    return attrs


def customer_from(values: dict):
    """The customer validated input names: the existing one by id, or the one its details find
    (or create) through find_or_create_customer."""
    return values.get("customer_id") or find_or_create_customer(**values.get("customer", {}))


class CustomerRef(serializers.ModelSerializer):
    """A customer as every app's output names them."""

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone"]
        extra_kwargs = {
            "id": {"help_text": "The customer's id."},
            "name": {"help_text": "Their name."},
            "email": {"help_text": "Their email address."},
            "phone": {"help_text": "Their phone number."},
        }


class TeamRef(serializers.ModelSerializer):
    """A team as every app's output names it."""

    class Meta:
        model = Team
        fields = ["id", "name"]
        extra_kwargs = {
            "id": {"help_text": "The team's id."},
            "name": {"help_text": "The team's name."},
        }


class UserRef(serializers.Serializer):
    """A member of staff as every app's output names them."""

    id = serializers.IntegerField(help_text="The user's id.")
    username = JsonText(help_text="Their username.")
