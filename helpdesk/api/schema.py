"""What every endpoint's documentation shares: the error body and its responses."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from helpdesk.api.fields import JsonText


class ErrorDetailSerializer(serializers.Serializer):
    code = JsonText(
        help_text="Machine-readable: invalid, not_found, not_authenticated, "
        "authentication_failed, permission_denied, throttled, idempotency_key_reused, ..."
    )
    message = JsonText(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=JsonText()),
        help_text="For a 400: each bad field (nested ones as `customer.email`) with its messages.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer(help_text="The error.")


ERROR_DESCRIPTIONS = {
    400: "The request is not valid; `error.fields` names each bad field.",
    401: "No credentials, or an invalid or revoked API key.",
    403: "The key lacks the scope, or its owner (or the signed-in user) the role, this "
    "endpoint needs.",
    404: "No such object.",
    405: "The path does not take this method; `Allow` lists those it takes.",
    409: "The request conflicts with the object's state.",
    413: "The request body is larger than the server accepts (`DATA_UPLOAD_MAX_MEMORY_SIZE`).",
    415: "The body is not `application/json`, the only type the API reads.",
    422: "The Idempotency-Key was used before with a different request.",
    429: "Too many requests for this key; retry after `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for `extend_schema(responses=...)`: 401, 403 and 429 always, plus
    `codes`."""
    wanted = sorted({401, 403, 429, *codes})
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in wanted
    }


def responses(ok: dict, *codes: int) -> dict:
    """`ok` ({200: Serializer} or similar) with the error responses."""
    return {**ok, **errors(*codes)}


DETAIL_OK = inline_serializer("Detail", {"detail": JsonText(help_text="What was done.")})


def paginated(serializer_class, name: str):
    """The cursor-paginated list of `serializer_class`, for APIViews that page by hand."""
    return inline_serializer(
        name,
        {
            "next": serializers.URLField(
                allow_null=True, help_text="The next page's URL; null on the last page."
            ),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page's URL; null on the first page."
            ),
            "results": serializer_class(many=True, help_text="This page's items."),
        },
    )
