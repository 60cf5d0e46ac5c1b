"""The API reads JSON only, and only JSON that cannot hurt it: a body over
`DATA_UPLOAD_MAX_MEMORY_SIZE` is a 413, nesting deeper than `bounded_json.MAX_JSON_DEPTH` a 400
(the standard library's parser recurses once per level: a few thousand `[` would be a 500), and
`NaN`/`Infinity` a 400 (PostgreSQL's jsonb refuses them)."""

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from helpdesk.bounded_json import MAX_JSON_DEPTH, json_depth


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is too large: at most {limit} bytes.")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(f"The body is not valid {encoding}.") from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused."
            )
        try:
            return json.loads(text, parse_constant=strict_constant)
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
