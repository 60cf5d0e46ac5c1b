"""Filters the API's lists share (django-filter)."""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC: an offset the database cannot take (-20:12) or a time that
    leaves the calendar once in UTC (9999-12-31T23:00-05:00) is a field error, never a 500."""

    def clean(self, value):
        found = super().clean(value)
        if found is None:
            return None
        try:
            return found.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("This time is out of range.", code="overflow") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField
