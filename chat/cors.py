"""CORS for the widget's two HTTP endpoints (start a chat, leave a message), so a customer's
site of `CHAT_WIDGET_ORIGINS` may call them from the browser. No cookies cross (no
`Allow-Credentials`): a chat is reached only through the token the start returns, and a request
from any other site is refused with 403, so a foreign page cannot start chats in a visitor's
name."""

from functools import wraps

from django.http import HttpResponse, JsonResponse

from chat.origins import is_widget_origin, same_site

PREFLIGHT_MAX_AGE = "600"


def widget_endpoint(view):
    """Answer the preflight (`OPTIONS`) and refuse a browser's request from a site that is
    neither the help desk nor one of `CHAT_WIDGET_ORIGINS`; allowed sites' answers carry
    `Access-Control-Allow-Origin`. Requests without `Origin` (not from a browser page) pass."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        origin = request.headers.get("Origin", "")
        cross = bool(origin) and not same_site(request, origin)
        if cross and not is_widget_origin(origin):
            return JsonResponse(
                {"error": "forbidden", "detail": "This site may not use the chat widget."},
                status=403,
            )
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            if cross:
                response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
                response["Access-Control-Allow-Headers"] = "Content-Type"
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = view(request, *args, **kwargs)
        if cross:
            response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
        return response

    return wrapper
