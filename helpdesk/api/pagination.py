"""Cursor pagination: stable pages over lists that change while a client walks them, and no
COUNT(*) over a million rows. `?page_size=` from 1 to 200 (default 50; anything else is a 400);
a cursor that is not one of ours is a 404 ("Invalid cursor")."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-pk")
    page_size_query_description = "Results per page (1 to 200, default 50)."
    cursor_query_description = "The `next` or `previous` link's cursor (opaque)."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_paginated_response_schema(self, schema):
        found = super().get_paginated_response_schema(schema)
        properties = found["properties"]
        properties["next"]["description"] = "The next page's URL; null on the last page."
        properties["previous"]["description"] = "The previous page's URL; null on the first."
        properties["results"]["description"] = "This page's items."
        return found

    def get_ordering(self, request, queryset, view):
        """A view's own `ordering` (e.g. `("-pk",)`), else the class's."""
        return tuple(getattr(view, "ordering", None) or self.ordering)
