"""`manage.py seed_demo`: demo data for a first look, loaded once.

Staff with fixed, printed passwords (DEMO ONLY: anyone who reads this file knows them, so never
load this into a real installation), a team, customers with a history on every channel, canned
responses and articles, the service policy in force, and SLA clocks on demo cases so the desk
shows deadlines counting down: one running, one in its warning, one breached. Until the channel
apps have cases of their own, the demo cases are interactions.

A second run finds the demo staff, prints "Demo data already loaded" and changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from helpdesk.models import Presence, Role, Team
from helpdesk.models.people import Channel
from helpdesk.policy import ServicePolicy
from helpdesk.roles import ensure_role_groups
from helpdesk.services.knowledge import save_article, save_canned_response
from helpdesk.services.people import (
    create_staff_member,
    find_or_create_customer,
    record_interaction,
    set_presence,
)
from helpdesk.services.policy import policy_for_new_case
from helpdesk.services.sla import start_clock


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str


AGENT = DemoLogin("agent", "agent-demo-2026", Role.AGENT, "Alex", "Carter")
SUPERVISOR = DemoLogin("supervisor", "supervisor-demo-2026", Role.SUPERVISOR, "Sofia", "Reyes")
MANAGER = DemoLogin("manager", "manager-demo-2026", Role.MANAGER, "Morgan", "Hale")
LOGINS = (AGENT, SUPERVISOR, MANAGER)
TEAM = "Front line"

CANNED_RESPONSES = [
    # (shortcut, title, channel, body): the greeting and closing follow the live chat SOP.
    (
        "greeting",
        "Greeting",
        Channel.CHAT,
        "Hi {customer_name}, hope you're doing well! I'm {agent_name} from {company}. "
        "How can I assist you today?",
    ),
    (
        "closing",
        "Closing summary",
        "",
        "To sum up, {customer_name}: [what we did and what happens next]. Has that answered "
        "everything for you today? Thank you for contacting {company}; you're welcome back any "
        "time.",
    ),
    (
        "secure-form",
        "Secure form for card numbers",
        "",
        "For your security, please don't type card numbers, national insurance or social "
        "security numbers here: conversations are kept on record. Please use our secure form "
        "instead, or we can take the details over the phone.",
    ),
    (
        "escalate",
        "Escalating to a specialist team",
        "",
        "I'll pass this to our specialist team with notes on everything you've told me, so you "
        "won't need to repeat yourself. Can I take your contact details so they can reach you?",
    ),
    (
        "email-received",
        "Email received",
        Channel.EMAIL,
        "Dear {customer_name}, thank you for your email. It has reached us and we will reply "
        "within our published response times. Your reference is {ticket_reference}.",
    ),
]

ARTICLES = [
    (
        "Service hours and response times",
        "policy, hours",
        "<p>Live chat is open <b>8am to 10pm every day</b> and we answer within a minute. "
        "Emails are acknowledged at once and answered within 8 service hours. Voicemails and "
        "callback requests are returned within 2 service hours.</p>",
    ),
    (
        "How to make a complaint",
        "complaints",
        "<p>Tell us on any channel. The customer service manager acknowledges every complaint "
        "in writing within 2 working days, enclosing the complaint procedure, and writes again "
        "with an expected date if it cannot be resolved within 10 working days.</p>",
    ),
    (
        "Paying securely",
        "security, payments",
        '<p>Never send card numbers by chat or email. Use the <a href="/pay/">secure payment '
        "form</a> or call us.</p>",
    ),
    (
        "Resetting your password",
        "account",
        "<ol><li>Open <i>Sign in</i> and choose <i>Forgotten password</i>.</li>"
        "<li>Follow the link we email you within a few minutes.</li></ol>",
    ),
]


class Command(BaseCommand):
    help = "Load demo staff, customers, knowledge and SLA clocks once, and print the logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stderr.write(
                "Warning: DEBUG is off. The demo logins have public passwords: do not load them "
                "into a real installation."
            )
        username = get_user_model().USERNAME_FIELD
        if (
            get_user_model()
            .objects.filter(**{f"{username}__in": [login.username for login in LOGINS]})
            .exists()
        ):
            self.stdout.write("Demo data already loaded.")
        else:
            load_demo_data(now=timezone.now())
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write("Demo logins (demo only: these passwords are public):")
        for login in LOGINS:
            extra = " (superuser)" if login is MANAGER else ""
            role = Role(login.role).label
            self.stdout.write(f"  {login.username:<11} {login.password:<21} {role}{extra}")
        self.stdout.write("Sign in at /accounts/login/ for the desk, /admin/ for the admin.")


@transaction.atomic
def load_demo_data(*, now: datetime) -> None:
    """Everything the demo needs, in one transaction (all of it or nothing)."""
    ensure_role_groups()
    _, policy = policy_for_new_case(now=now)  # publishes the policy file if none is published
    team, _ = Team.objects.get_or_create(name=TEAM)

    staff = {}
    for login in (MANAGER, SUPERVISOR, AGENT):
        staff[login.username] = create_staff_member(
            username=login.username,
            email=f"{login.username}@example.com",
            password=login.password,
            role=login.role,
            team=team if login is not MANAGER else None,
            supervisor=staff["supervisor"].user if login is AGENT else None,
            first_name=login.first_name,
            last_name=login.last_name,
        )
    manager = staff["manager"].user
    manager.is_superuser = True
    manager.save(update_fields=["is_superuser"])
    agent = staff["agent"].user
    set_presence(profile=staff["agent"], presence=Presence.ONLINE, now=now)
    set_presence(profile=staff["supervisor"], presence=Presence.ONLINE, now=now)

    for shortcut, title, channel, body in CANNED_RESPONSES:
        save_canned_response(
            title=title, shortcut=shortcut, body=body, channel=channel, created_by=manager
        )
    for title, tags, body in ARTICLES:
        save_article(title=title, body=body, tags=tags)

    _load_customers(policy=policy, agent=agent, now=now)


def _load_customers(*, policy: ServicePolicy, agent, now: datetime) -> None:
    day = timedelta(days=1)
    ann = find_or_create_customer(
        name="Ann Lee", email="ann.lee@example.org", phone="+44 7700 900123"
    )
    ben = find_or_create_customer(name="Ben Okafor", email="ben.okafor@example.org")
    chloe = find_or_create_customer(name="Chloe Martin", phone="07700 900456")
    dev = find_or_create_customer(name="Dev Patel", email="dev.patel@example.com")
    erin = find_or_create_customer(name="Erin Walsh", email="erin.walsh@example.net")

    # Ann is a returning customer: her history spans every channel.
    for ago, channel, kind, summary in [
        (21, Channel.EMAIL, "email received", "Asked how to change her delivery address."),
        (20, Channel.EMAIL, "email answered", "Sent the steps; she confirmed it worked."),
        (9, Channel.WEB, "web form", "Reported a missing item in order 1042."),
        (8, Channel.PHONE, "call logged", "Replacement item agreed and dispatched."),
        (2, Channel.CHAT, "chat closed", "Tracking number given; she confirmed all was solved."),
        (2, Channel.SURVEY, "survey answered", "Question answered: yes. Satisfaction 5/5."),
    ]:
        record_interaction(
            customer=ann,
            channel=channel,
            kind=kind,
            summary=summary,
            agent=agent,
            occurred_at=now - ago * day,
        )
    record_interaction(
        customer=erin,
        channel=Channel.WEB,
        kind="web form",
        summary="Order arrived damaged; asked for a refund.",
        occurred_at=now - 3 * day,
    )

    # The demo cases: each gets its clock, assigned to the agent.
    cases = [
        (ben, Channel.EMAIL, "email received", "Invoice shows the wrong VAT number.",
         "email.first_response", _started(policy, "email.first_response", now, gone=0.9)),
        (chloe, Channel.PHONE, "voicemail", "Please call back about my cancelled booking.",
         "phone.first_response",
         _started(policy, "phone.first_response", now - timedelta(minutes=90), gone=1.0)),
        (dev, Channel.CHAT, "chat started", "Can't sign in after changing my email address.",
         "chat.first_response", now),
        (erin, Channel.COMPLAINT, "complaint logged", "Unhappy the refund for order 1077 "
         "has taken two weeks.", "complaints.acknowledge",
         _started(policy, "complaints.acknowledge", now, gone=0.3)),
    ]  # fmt: skip
    targets = policy.targets()
    for customer, channel, kind, summary, target, started_at in cases:
        case = record_interaction(
            customer=customer, channel=channel, kind=kind, summary=summary, occurred_at=started_at
        )
        if target in targets:
            start_clock(case=case, target=target, started_at=started_at, assignee=agent)


def _started(policy: ServicePolicy, target: str, at: datetime, *, gone: float) -> datetime:
    """A start time by which `gone` (0..1) of `target` has passed at `at`, counted the way the
    clock counts it (service hours included), so the demo looks the same at any hour."""
    duration = policy.targets().get(target)
    if duration is None:
        return at
    calendar = policy.calendar

    def gone_by_at(start: datetime) -> float:
        due_at = calendar.due(duration, start)
        whole = calendar.remaining(duration, start, due_at) or 1.0
        return 1 - calendar.remaining(duration, at, due_at) / whole

    earliest, latest = at - timedelta(days=60), at
    for _ in range(40):  # to well under a second
        middle = earliest + (latest - earliest) / 2
        if gone_by_at(middle) >= gone:
            earliest = middle
        else:
            latest = middle
    return earliest
