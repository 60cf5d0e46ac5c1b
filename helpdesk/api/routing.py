"""URL pieces of the API: an id converter that only matches ids a database can hold, and a
JSON 404 for every other path under /api/ (so a client never gets an HTML page)."""

from django.http import JsonResponse
from django.urls import register_converter
from django.views.decorators.csrf import csrf_exempt

from .errors import error_body


class IdConverter:
    """A positive id of at most 18 digits (fits a 64-bit column); anything else is a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


@csrf_exempt  # a 404 for any method: a POST without a CSRF token must not become an HTML 403
def api_not_found(request, *args, **kwargs):
    return JsonResponse(
        error_body(code="not_found", message=f"No endpoint or object at {request.path}."),
        status=404,
    )
