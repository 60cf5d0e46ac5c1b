"""One error body for every failure of the API:

    {"error": {"code": "invalid", "message": "...", "fields": {"priority": ["..."]}}}

`fields` names each bad field (empty when the problem is not one field's). Django's
`ValidationError` raised by a service is a 400 like a serializer's; an unknown object a 404.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.policy import PolicyError

from .parsers import RequestTooLarge

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    if isinstance(detail, dict):
        return [f"{key}: {m}" for key, value in detail.items() for m in _messages(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    """Field errors flattened: nested serializers become `customer.email`."""
    found: dict[str, list[str]] = {}
    if not isinstance(detail, dict):
        return found
    for key, value in detail.items():
        if isinstance(value, dict):
            for sub, msgs in _fields(value).items():
                found[f"{key}.{sub}"] = msgs
        else:
            found[str(key)] = _messages(value)
    return found


def from_django_validation(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {
            (NON_FIELD if key == "__all__" else key): messages
            for key, messages in error.message_dict.items()
        }
    else:
        detail = {NON_FIELD: error.messages}
    return exceptions.ValidationError(detail)


def _translate(exc):
    if isinstance(exc, DjangoValidationError):
        return from_django_validation(exc)
    if isinstance(exc, PolicyError):
        return exceptions.ValidationError({NON_FIELD: list(exc.problems) or [str(exc)]})
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound("Not found: no such object, or not yours to see.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    return exc


def api_exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 (and its logging) stays visible
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(detail) if isinstance(detail, dict) else {NON_FIELD: _messages(detail)}
        general = fields.get(NON_FIELD)
        message = general[0] if general and len(fields) == 1 else "The request is not valid."
        if not general and fields:
            first = next(iter(fields))
            message = f"{first}: {fields[first][0]}"
        body = error_body(code="invalid", message=message, fields=fields)
    else:
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = error_body(code=str(code), message=" ".join(_messages(detail)))
    return Response(body, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
