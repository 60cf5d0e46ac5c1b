"""The API's text and boolean fields: a value's JSON type is the client's.

DRF turns a JSON number into text (`"text": -214` is saved as "-214") and 0/1 or "yes" into
booleans; the schema says text or boolean, so any other JSON type is a 400 like every wrong type.
The API reads JSON only (`parsers`), so the type a field receives is the one the client sent.
Every serializer of the API declares its text and booleans with these.
"""

from rest_framework import serializers


class JsonText(serializers.CharField):
    """Text, refused when the JSON value is a number, a boolean, a list or an object."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonBoolean(serializers.BooleanField):
    """true or false, refused for 0/1, "yes" and every other value."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)
