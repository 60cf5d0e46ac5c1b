# The desk: merged tickets, and the indexes its search and queues read (see tickets/queues.py).

import django.db.models.deletion
from django.db import migrations, models

# Full-text search (PostgreSQL only: SQLite searches with LIKE and needs none). Each expression
# is exactly what tickets.queues compiles SearchVector(...) to, so the planner uses the index.
# The customer index lives on the core's table but serves only the desk's search.
SEARCH_INDEXES = {
    "ticket_subject_search": (
        "tickets_ticket",
        "to_tsvector('english'::regconfig, COALESCE(subject, ''))",
    ),
    "message_text_search": (
        "tickets_message",
        "to_tsvector('english'::regconfig, COALESCE(text, ''))",
    ),
    "desk_customer_search": (
        "helpdesk_customer",
        "to_tsvector('simple'::regconfig, COALESCE(name, '') || ' ' || COALESCE(email, ''))",
    ),
}
# The queues sort by each ticket's earliest running clock (tickets.queues.with_next_due): one
# small ordered read per ticket from the first, of running clocks only. "Breaching soon" and
# "breached" read the clocks whose warning (or due time) has come from the second, and those
# the sweep recorded as breached from the third: small partial indexes, read as ranges.
CLOCK_INDEXES = {
    "desk_clock_running_case": (
        "(case_type_id, case_id, due_at) INCLUDE (warn_at, target) WHERE state = 'running'"
    ),
    "desk_clock_running_alerted": (
        "((COALESCE(warn_at, due_at))) INCLUDE (case_type_id, case_id, due_at) "
        "WHERE state = 'running' AND outcome = 'pending'"
    ),
    "desk_clock_breached_open": (
        "(case_type_id, case_id) WHERE outcome = 'breached' AND state IN ('running', 'paused')"
    ),
}


def create_desk_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in SEARCH_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")
    for name, definition in CLOCK_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON helpdesk_clock {definition}")


def drop_desk_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*SEARCH_INDEXES, *CLOCK_INDEXES]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('helpdesk', '0001_initial'),
        ('tickets', '0003_phone'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='merged_into',
            field=models.ForeignKey(blank=True, help_text='The ticket this duplicate was merged into (its messages went there).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_from', to='tickets.ticket'),
        ),
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('status', 'Status'), ('assignee', 'Assignee'), ('priority', 'Priority'), ('escalation', 'Escalation'), ('note', 'Note'), ('merge', 'Merge')], max_length=20),
        ),
        migrations.RunPython(create_desk_indexes, drop_desk_indexes, elidable=False),
    ]
