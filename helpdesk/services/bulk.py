"""Set-based writes for the hot paths (the SLA sweep): one statement for any number of rows.

On PostgreSQL the rows travel as one array per column, bound in binary by the server (not
rendered into the SQL text), and are joined with `unnest`, so the cost grows with the rows
alone; Django's bulk_update builds a CASE per column (rows times rows) and both bulk methods
build a model instance per row. The statements go through Django's cursor wrappers, so they are
logged and counted like any other query. Elsewhere (SQLite in quick test runs) they fall back to
Django's bulk_create and bulk_update.
"""

from collections.abc import Sequence
from contextlib import contextmanager

import psycopg
from django.db import connection, models

from helpdesk.privacy.services import mask_rows


@contextmanager
def _binding_cursor():
    """A cursor that sends parameters apart from the SQL (psycopg 3's server-side binding),
    wrapped as Django wraps its own (query logging, execute wrappers)."""
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        yield cursor


def _column_arrays(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]):
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    names = [connection.ops.quote_name(f.column) for f in columns]
    arrays = ", ".join(f"%b::{f.db_type(connection)}[]" for f in columns)
    # A choice (a str subclass) goes as its plain value; aware datetimes and ints as they are.
    values = [
        [str(v) if isinstance(v, str) else v for v in column] for column in zip(*rows, strict=True)
    ]
    return names, arrays, values


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    """Insert `rows` (tuples in the order of `fields`, attribute names such as `clock_id`) in
    one statement; returns their primary keys in order."""
    if not rows:
        return []
    rows = mask_rows(model, fields, rows)  # the fields apps register for masking (privacy)
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create(
            model(**dict(zip(fields, row, strict=True))) for row in rows
        )
        return [obj.pk for obj in created]
    names, arrays, values = _column_arrays(model, fields, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # Only identifiers from the model go into the text; every value is a bound parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}) RETURNING {pk}"
    )
    with _binding_cursor() as cursor:
        cursor.execute(sql, values)
        return [row[0] for row in cursor.fetchall()]


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Update each row found by its primary key (the first item of each tuple) with the values
    that follow, in the order of `fields`, in one statement."""
    if not rows:
        return
    rows = mask_rows(model, [model._meta.pk.name, *fields], rows)  # each row starts with its pk
    if connection.vendor != "postgresql":
        objs = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objs, list(fields))
        return
    pk_name = model._meta.pk.name
    names, arrays, values = _column_arrays(model, [pk_name, *fields], rows)
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    sql = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}"
    )
    with _binding_cursor() as cursor:
        cursor.execute(sql, values)
