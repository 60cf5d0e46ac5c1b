"""Serializers the API of every app shares."""

from rest_framework import serializers


class CustomerDetailsInput(serializers.Serializer):
    """A customer given by their details: found by email, then phone (then external id), and
    created if nobody matches (helpdesk.services.people.find_or_create_customer)."""

    name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Their name."
    )
    email = serializers.CharField(
        required=False, allow_blank=True, max_length=254, help_text="Their email address."
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Their phone number."
    )
    external_id = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Your own id for them."
    )
