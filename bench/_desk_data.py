"""The data of bench/desk.py: a million tickets as a desk that has run for years holds them,
loaded with COPY (see bench/desk.py for what it is)."""

import itertools
import random
from datetime import datetime, timedelta

FIRST_NUMBER = 1000  # tickets.services.tickets.FIRST_NUMBER
# The corpus: the help desk's words first, then made-up ones, drawn by Zipf's law (the n-th
# most common word n times rarer than the first), as words are in real text.
_words = (
    "kettle order refund delivery broken invoice account password screen battery warranty "
    "parcel colour size replacement engineer appointment subscription charge receipt manual "
    "switch light noise leak filter cable charger login email address update cancel lid "
    "toaster heating descaling thermostat courier missing damaged exchange voucher"
)
_syllables = ("ka", "lo", "mi", "ter", "an", "sol", "vex", "ru", "pen", "dor")
_syllables += ("is", "el", "ba", "tu", "ris", "gon", "fe", "ma", "ni", "cor")
WORDS = _words.split() + sorted(
    {a + b + c for a in _syllables for b in _syllables for c in ("", *_syllables[:10])}
)
_first_names = (
    "Ann Ben Carla Dev Ella Farid Grace Hugo Ines Jon Kira Liam Mona Nikhil Olga Priya Quinn "
    "Ravi Sara Tom Uma Vera Wes Xena Yusuf Zoe"
)
FIRST_NAMES = _first_names.split()
_last_names = (
    "Lee Patel Smith Jones Brown Khan Garcia Novak Rossi Müller Okafor Silva Chen Walsh Evans "
    "Haddad Ito Kowalski Larsen Moreau"
)
LAST_NAMES = _last_names.split()
AGENTS = 100
TEAMS = 10
CLOSED_SHARE = 0.94
SAMPLE_WITH_MESSAGES = 0.1


def make_staff() -> tuple[list[int], list[int]]:
    """AGENTS agents in TEAMS teams, each team with a supervisor; returns (agent ids, team ids)."""
    from django.contrib.auth import get_user_model

    from helpdesk.models import AgentProfile, Role, Team
    from helpdesk.services.people import set_role

    users = get_user_model().objects
    agents, teams = [], []
    per_team = AGENTS // TEAMS
    for t in range(TEAMS):
        team = Team.objects.create(name=f"Team {t}")
        teams.append(team.pk)
        boss = users.create(username=f"supervisor{t}", email=f"supervisor{t}@example.com")
        set_role(
            profile=AgentProfile.objects.create(user=boss, role=Role.SUPERVISOR, team=team),
            role=Role.SUPERVISOR,
        )
        for a in range(t * per_team, (t + 1) * per_team):
            user = users.create(username=f"agent{a}", email=f"agent{a}@example.com", is_staff=True)
            profile = AgentProfile.objects.create(user=user, team=team, supervisor=boss)
            set_role(profile=profile, role=Role.AGENT)
            agents.append(user.pk)
    return agents, teams


def copy_model(cursor, model, rows) -> int:
    """COPY `rows` (dicts by field attname) into `model`'s table. A field a row leaves out gets
    NULL when nullable, else its default, else "" (Django sets no database defaults); the id
    comes from its sequence unless the rows give it."""
    from itertools import chain

    from django.db.models import NOT_PROVIDED

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    pk = model._meta.pk.attname
    fields = [f for f in model._meta.concrete_fields if f.attname != pk or pk in first]
    missing = {}
    for f in fields:
        if f.null:
            missing[f.attname] = None
        elif f.default is not NOT_PROVIDED and not callable(f.default):
            missing[f.attname] = f.default
        else:
            missing[f.attname] = ""
    columns = ", ".join(f'"{f.column}"' for f in fields)
    n = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in chain([first], rows):
            copy.write_row([row.get(f.attname, missing[f.attname]) for f in fields])
            n += 1
    return n


def load(count: int, now: datetime) -> dict:
    """COPY the customers, tickets, clocks and messages in; returns how many of each."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from helpdesk.models import Clock, Customer
    from helpdesk.services.policy import ensure_policy_in_force
    from tickets.models import Message, Ticket

    rng = random.Random(2026)
    ranks = list(itertools.accumulate(1 / (n + 1) for n in range(len(WORDS))))

    def words(k: int) -> str:
        return " ".join(rng.choices(WORDS, cum_weights=ranks, k=k))

    version = ensure_policy_in_force(now=now)
    agents, teams = make_staff()
    agent_team = {a: teams[i // (AGENTS // TEAMS)] for i, a in enumerate(agents)}
    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    customers = max(1, count // 3)
    newest_open = int(count * (1 - CLOSED_SHARE))  # the newest tickets are the open ones
    open_tickets: list[tuple[int, str, int | None]] = []
    closed_with_clocks: list[tuple[int, datetime]] = []

    def customer_rows():
        for pk in range(1, customers + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            yield {
                "id": pk,
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{pk}@example.org",
                "created_at": now - timedelta(days=900),
            }

    def ticket_rows():
        for pk in range(1, count + 1):
            created = now - timedelta(days=900 * (count - pk) / count, minutes=rng.randint(0, 600))
            if count - pk < newest_open:
                status = rng.choices(
                    ["new", "open", "pending_customer", "on_hold"], [25, 50, 17, 8]
                )[0]
                assignee = rng.choice(agents) if rng.random() < 0.85 else None
                team = agent_team[assignee] if assignee else rng.choice([None, *teams])
                open_tickets.append((pk, status, assignee))
            else:
                status = rng.choice(["resolved", "closed"])
                assignee = rng.choice(agents)
                team = agent_team[assignee]
                if rng.random() < 0.2:
                    closed_with_clocks.append((pk, created))
            yield {
                "id": pk,
                "number": FIRST_NUMBER + pk - 1,
                "channel": rng.choices(
                    ["email", "phone", "web", "chat", "api"], [60, 20, 10, 5, 5]
                )[0],
                "subject": words(rng.randint(3, 6)).capitalize(),
                "customer_id": rng.randint(1, customers),
                "team_id": team,
                "assignee_id": assignee,
                "priority": rng.choices(["low", "normal", "high", "urgent"], [10, 70, 15, 5])[0],
                "status": status,
                "policy_version_id": version.pk,
                "created_at": created,
                "updated_at": created + timedelta(hours=rng.randint(0, 48)),
            }

    def clock_rows():
        base = {"case_type_id": ticket_type, "policy_version_id": version.pk, "updated_at": now}
        for pk, status, assignee in open_tickets:
            # Due from two days ago to five days ahead: some breached, some past their warning
            # (the last fifth of the target), most with time left.
            due = now + timedelta(minutes=rng.randint(-2 * 24 * 60, 5 * 24 * 60))
            first = {**base, "case_id": pk, "assignee_id": assignee}
            yield clock(first, "email.first_response", due, now, stopped=status != "new")
            yield clock(
                first, "email.resolution", due + timedelta(days=4), now,
                paused=status == "pending_customer",
            )  # fmt: skip
        for pk, created in closed_with_clocks:
            for target in ("email.first_response", "email.resolution"):
                due = created + timedelta(hours=8)
                yield clock({**base, "case_id": pk}, target, due, due, stopped=True)

    def message_rows():
        pk = 0
        for ticket_id in range(1, count + 1):
            if rng.random() >= SAMPLE_WITH_MESSAGES:
                continue
            for n in range(rng.randint(1, 3)):
                pk += 1
                yield {
                    "id": pk,
                    "ticket_id": ticket_id,
                    "direction": "inbound" if n % 2 == 0 else "outbound",
                    "text": words(rng.randint(10, 40)).capitalize() + ".",
                    "message_id": f"<bench-{pk}@mail.example.org>",
                    "created_at": now - timedelta(days=1),
                }

    loaded = {}
    raw = connection.cursor().connection  # psycopg 3
    with raw.cursor() as cursor:
        loaded["customers"] = copy_model(cursor, Customer, customer_rows())
        loaded["tickets"] = copy_model(cursor, Ticket, ticket_rows())
        loaded["open"] = len(open_tickets)
        loaded["clocks"] = copy_model(cursor, Clock, clock_rows())
        loaded["messages"] = copy_model(cursor, Message, message_rows())
        for model in (Customer, Ticket, Message, Clock):
            table = model._meta.db_table
            last = f"(SELECT coalesce(max(id), 1) FROM {table})"  # noqa: S608 - our tables
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")
    raw.commit()
    with raw.cursor() as cursor:
        for model in (Customer, Ticket, Message, Clock):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return loaded


def clock(row: dict, target: str, due: datetime, now: datetime, *, stopped=False, paused=False):
    """A clock row as the SLA services leave it: 8 working hours' target, warned at 80%."""
    started, warn = due - timedelta(hours=8), due - timedelta(hours=1, minutes=36)
    row = {**row, "target": target, "started_at": started, "due_at": due, "warn_at": warn}
    if stopped:
        return {**row, "state": "stopped", "outcome": "met", "stopped_at": min(now, due)}
    if paused:
        left = max(0.0, (due - now).total_seconds())
        return {**row, "state": "paused", "outcome": "pending", "paused_at": now,
                "remaining_at_pause": left}  # fmt: skip
    if due <= now:
        return {**row, "state": "running", "outcome": "breached", "breached_at": due,
                "warned_at": warn, "escalation_level": 1, "next_check_at": None}  # fmt: skip
    warned = warn if warn <= now else None
    return {**row, "state": "running", "outcome": "pending", "warned_at": warned,
            "next_check_at": due if warned else warn}  # fmt: skip
