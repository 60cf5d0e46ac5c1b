"""Filters the API's lists share (django-filter)."""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import ValidationError


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


# The largest id a 64-bit column holds that the id converter also accepts (18 digits).
MAX_ID = 10**18 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 (an unknown id matches nothing: an empty page)."""

    field_class = IdField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        documented(self, {"type": "integer", "minimum": 1, "maximum": MAX_ID})


def whole_number_filter(*, minimum: int, maximum: int, **kwargs) -> django_filters.NumberFilter:
    """A whole number between `minimum` and `maximum` (a score, ...), documented as such."""

    found = django_filters.NumberFilter(min_value=minimum, max_value=maximum, **kwargs)
    found.field_class = forms.IntegerField
    return documented(found, {"type": "integer", "minimum": minimum, "maximum": maximum})


def documented(found: django_filters.Filter, schema: dict) -> django_filters.Filter:
    """The filter documented with `schema` and its own help text (drf-spectacular takes an
    overriding schema's description only from the schema itself)."""
    help_text = found.extra.get("help_text")
    set_override(found, "field", {**schema, **({"description": help_text} if help_text else {})})
    return found


class TextFilter(django_filters.CharFilter):
    """Text to look for, documented as text without NUL characters: Django's form field refuses
    one (400 "Null characters are not allowed"), so the schema says so too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        documented(self, {"type": "string", "pattern": "^[^\\x00]*$"})


BOOLEANS = ("true", "false")


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter, except that a parameter sent empty (`?updated_since=`) is an error
    unless it is text, and a boolean is `true` or `false`: an empty time, id, choice or
    boolean is no value the schema allows, and ignoring it silently would answer a question
    the client did not ask."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        wrong: dict[str, list[str]] = {}
        for name, found in filterset.filters.items():
            if name not in request.query_params:
                continue
            value = request.query_params.get(name)
            if value == "" and not isinstance(found, django_filters.CharFilter):
                wrong[name] = ["Give a value, or leave the parameter out."]
            elif isinstance(found, django_filters.BooleanFilter) and value not in BOOLEANS:
                # django-filter reads anything else (`null`, `yes`) as "no filter".
                wrong[name] = ["true or false."]
        if wrong:
            raise ValidationError(wrong)
        return super().filter_queryset(request, queryset, view)
