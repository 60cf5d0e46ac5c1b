"""The base of every API endpoint: authentication, permission by scope or role, throttling
per key, the error body, and every time rendered in UTC (ISO 8601, `Z`)."""

from datetime import UTC

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from .authentication import ApiKeyAuthentication
from .filters import ApiFilterBackend
from .idempotency import idempotent_create
from .pagination import ApiCursorPagination
from .parsers import BoundedJSONParser
from .permissions import ScopeOrRole
from .throttling import ApiKeyRateThrottle


class ApiView(APIView):
    """Subclasses set `read_scope`/`write_scope` and `read_roles`/`write_roles` (see
    `helpdesk.api.permissions`), and call services: no rule lives here."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [ScopeOrRole]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [BoundedJSONParser]

    def check_permissions(self, request):
        # A method the endpoint does not take is a 405, not a 403 for the lack of a scope
        # that does not exist.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(UTC):
            return super().dispatch(request, *args, **kwargs)

    def create_once(self, request, create):
        """Run a create honouring `Idempotency-Key` (see `helpdesk.api.idempotency`)."""
        return idempotent_create(request, create)

    def paginate(self, request, queryset, serializer_class, *, ordering=None):
        """One cursor page of `queryset`, serialized, as the paginated response."""
        paginator = ApiCursorPagination()
        if ordering is not None:
            paginator.ordering = ordering
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = serializer_class(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ApiListView(ApiView, ListAPIView):
    """A cursor-paginated, filterable list (django-filter's `filterset_class`)."""

    pagination_class = ApiCursorPagination
    filter_backends = [ApiFilterBackend]
