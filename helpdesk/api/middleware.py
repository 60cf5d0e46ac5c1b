"""Every answer under /api/ is the API's JSON error body, whoever produced it: Django's CSRF
check, an unknown path, a body too large (413, refused before anything reads it), a method the
URL does not take, or a bug (a JSON 500 with no traceback; Django still logs it). The schema and
its HTML docs (/api/schema/, /api/docs/) are not the API and keep their own formats."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse

from .errors import error_body

API_PREFIX = "/api/"
NOT_API = ("/api/schema/", "/api/docs/")

CODES = {
    400: ("invalid", "The request is not valid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "No endpoint or object here."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("request_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("throttled", "Too many requests."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(NOT_API)


def api_error(status: int, message: str | None = None, *, headers=None) -> JsonResponse:
    code, default = CODES.get(status, ("error" if status < 500 else "server_error", None))
    body = error_body(code=code, message=message or default or "The request failed.")
    return JsonResponse(body, status=status, headers=headers)


def too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api_error(413, f"The request body is too large: at most {limit} bytes.")


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path_info):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit:
            return too_large()
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            return api_error(response.status_code, headers=headers)
        return response

    def process_exception(self, request, exception):
        """Errors Django would answer with an HTML 400 (a body read past the limit, ...)."""
        if not is_api_path(request.path_info):
            return None
        if isinstance(exception, RequestDataTooBig):
            return too_large()
        if isinstance(exception, SuspiciousOperation):
            return api_error(400)
        return None
