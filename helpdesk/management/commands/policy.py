"""`manage.py policy check|show|publish|deadline|review`: the service policy from the command line
(POLICY.md, "Commands"). Bad input ends in one line on stderr and a non-zero exit."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from helpdesk.policy import (
    PRIORITIES,
    REVIEW_TARGET,
    SEVERITIES,
    TARGETS,
    PolicyError,
    ServicePolicy,
    UnknownLevel,
    load_policy_file,
)
from helpdesk.policy.limits import MAX_DOCUMENT_BYTES
from helpdesk.policy.model import CHANNELS
from helpdesk.services.policy import policy_in_force, publish_policy_version
from helpdesk.services.policy_review import record_policy_review
from helpdesk.services.sla import latest_clocks

EXAMPLE_START = "2026-11-20T17:00:00+00:00"


class Command(BaseCommand):
    help = "Check, show and publish the service policy, and compute a target's due time."
    # A policy command needs neither the models' nor the admin's checks; it must stay fast.
    requires_system_checks = []

    def add_arguments(self, parser):
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{check,show,publish,deadline,review}"
        )
        check = commands.add_parser(
            "check", help="Validate a policy file: every problem with its key; exit 1 on any."
        )
        check.add_argument("file", help="a policy document (TOML)")

        commands.add_parser("show", help="The policy in force, its version and effective date.")

        publish = commands.add_parser(
            "publish", help="Record a new version; cases opened before keep theirs."
        )
        publish.add_argument("file", help="a policy document (TOML)")
        publish.add_argument("--approved-by", required=True, help="who approved this version")
        publish.add_argument("--note", required=True, help="what changed, for the history")

        deadline = commands.add_parser(
            "deadline", help="The due time (UTC) of TARGET for a clock started at START."
        )
        deadline.add_argument("target", help="SECTION.TARGET, e.g. complaints.acknowledge")
        deadline.add_argument("start", help=f"ISO 8601 with an offset, e.g. {EXAMPLE_START}")
        deadline.add_argument(
            "--policy", metavar="FILE", help="use this file instead of the version in force"
        )
        deadline.add_argument(
            "--priority",
            metavar="P",
            help=f"a case of this priority ({', '.join(PRIORITIES)}): a channel target's override",
        )
        deadline.add_argument(
            "--severity",
            metavar="S",
            help=f"a complaint of this severity ({', '.join(SEVERITIES)}): its override",
        )
        deadline.add_argument(
            "--calendar", metavar="NAME", help="a named [calendars.NAME] instead of [calendar]"
        )

        review = commands.add_parser(
            "review", help="Record a review of the version in force, without changing it."
        )
        review.add_argument("--by", required=True, help="who reviewed it")
        review.add_argument("--note", required=True, help="what the review found")

    def handle(self, *args, subcommand, **options):
        try:
            getattr(self, f"handle_{subcommand}")(**options)
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(f"database error: {first_line or type(error).__name__}") from error

    def handle_check(self, *, file, **options):
        try:
            # A new version may promise only what some service keeps (helpdesk/policy/keepers.py).
            policy = load_policy_file(file, kept_only=True)
        except PolicyError as error:
            for problem in error.shown():
                self.stdout.write(problem)
            raise CommandError(
                f"{file}: not valid ({_count(error.problems)})", returncode=1
            ) from None
        self.stdout.write(f"{file}: valid ({_version_line(policy)})")

    def handle_show(self, **options):
        try:
            version, policy = policy_in_force()
        except PolicyError as error:
            raise CommandError(_one_line(error)) from None
        document = policy.document
        number = f" ({document.number})" if document.number else ""
        self.stdout.write(f"{document.title}{number}, {document.company}")
        if version is None:  # shown, never published by a read: the file as it stands
            self.stdout.write(_version_line(policy))
            self.stdout.write(f"approved by {document.approved_by}")
            self.stdout.write(
                f"not published: {settings.SERVICE_POLICY_FILE} is published when the first "
                "case opens, or publish a version with `policy publish`"
            )
        else:
            self._show_published(version)
        targets = _target_lines(policy)
        self.stdout.write("targets:" if targets else "targets: none")
        width = max((len(name) for name, _ in targets), default=0)
        for name, duration in targets:
            self.stdout.write(f"  {name:<{width}}  {duration}")
        if policy.calendar_names():
            named = (f"{n} ({policy.calendar_named(n).timezone})" for n in policy.calendar_names())
            self.stdout.write(f"calendars: {', '.join(named)}")

    def _show_published(self, version):
        published_by = version.published_by.get_username() if version.published_by else "-"
        self.stdout.write(f"version {version.version}, effective {version.effective:%Y-%m-%d}")
        self.stdout.write(f"approved by {version.approved_by}")
        self.stdout.write(
            f"published {version.published_at.astimezone(UTC).isoformat(timespec='seconds')}"
            f" by {published_by}"
        )
        if version.change_note:
            self.stdout.write(f"note: {version.change_note}")

    def handle_publish(self, *, file, approved_by, note, **options):
        document = _read(file)
        try:
            version = publish_policy_version(
                document=document, approved_by=approved_by, change_note=note
            )
        except PolicyError as error:
            for problem in error.shown():
                self.stderr.write(problem)
            raise CommandError(f"{file}: nothing published, {_count(error.problems)}") from None
        self.stdout.write(
            f"published policy version {version.version}, effective {version.effective:%Y-%m-%d}"
        )

    def handle_review(self, *, by, note, **options):
        try:
            review = record_policy_review(reviewed_by=by, note=note)
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            flag = {"reviewed_by": "--by", "note": "--note"}.get(field, field)
            raise CommandError(f"{flag}: {messages[0]}") from None
        except PolicyError as error:
            raise CommandError(_one_line(error)) from None
        version = review.version
        self.stdout.write(
            f"recorded the review of policy version {version.version} by {review.reviewed_by}; "
            f"next review due {_next_review(version)}"
        )

    def handle_deadline(
        self, *, target, start, policy=None, priority=None, severity=None, calendar=None, **options
    ):
        _check_levels(target, priority, severity)
        started = _parse_start(start)
        try:
            service_policy = load_policy_file(policy) if policy else policy_in_force()[1]
        except PolicyError as error:
            message = _one_line(error)
            if policy and not message.startswith(f"{policy}:"):
                message = f"{policy}: {message}"
            raise CommandError(message) from None
        try:
            due = service_policy.deadline(
                target, started, priority=priority, severity=severity, calendar=calendar
            )
        except (PolicyError, ValueError, OverflowError) as error:
            message = _one_line(error) if isinstance(error, PolicyError) else str(error)
            raise CommandError(message) from None
        self.stdout.write(due.astimezone(UTC).isoformat())


def _check_levels(target: str, priority: str | None, severity: str | None) -> None:
    """A priority or severity the format does not know, or one given for a target it cannot
    change (a complaint has a severity, a channel's case a priority), is refused, not ignored."""
    if priority is not None and priority not in PRIORITIES:
        raise CommandError(str(UnknownLevel("priority", priority, PRIORITIES)))
    if severity is not None and severity not in SEVERITIES:
        raise CommandError(str(UnknownLevel("severity", severity, SEVERITIES)))
    section = target.partition(".")[0]
    if priority is not None and section not in CHANNELS:
        hint = "; a complaint has --severity" if section == "complaints" else ""
        raise CommandError(
            f"--priority applies to the channels' targets ({', '.join(CHANNELS)}), "
            f'not to "{target}"{hint}'
        )
    if severity is not None and section != "complaints":
        raise CommandError(f'--severity applies to the complaints\' targets, not to "{target}"')


def _target_lines(policy: ServicePolicy) -> list[tuple[str, str]]:
    """Each target with its duration, then the priorities' (a complaint's: the severities')
    own in brackets: `email.first_response  8h (urgent: 1h, low: 16h)`; `-` where only an
    override sets the target."""
    own = policy.targets()
    by_priority = [(p, policy.targets(priority=p)) for p in PRIORITIES]
    by_severity = [(s, policy.targets(severity=s)) for s in SEVERITIES]
    lines = []
    for name in TARGETS:
        levels = by_severity if name.startswith("complaints.") else by_priority
        overrides = [
            f"{level}: {found[name]}"
            for level, found in levels
            if name in found and found[name] != own.get(name)
        ]
        if name in own or overrides:
            shown = str(own[name]) if name in own else "-"
            lines.append((name, f"{shown} ({', '.join(overrides)})" if overrides else shown))
    return lines


def _next_review(version) -> str:
    clock = latest_clocks(case=version, targets=[REVIEW_TARGET])[REVIEW_TARGET]
    return clock.due_at.astimezone(UTC).isoformat()


def _parse_start(text: str) -> datetime:
    try:
        started = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f'START "{text}" is not an ISO 8601 time; write it like {EXAMPLE_START}'
        ) from None
    if started.utcoffset() is None:
        raise CommandError(f'START "{text}" has no UTC offset; write it like {EXAMPLE_START}')
    return started


def _read(path: str) -> str:
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_DOCUMENT_BYTES + 1)  # never more than a document may hold
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise CommandError(
                f"{path}: too large; a policy document is at most {MAX_DOCUMENT_BYTES // 1024} KB"
            )
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror or error})") from None


def _version_line(policy: ServicePolicy) -> str:
    return f"version {policy.document.version}, effective {policy.document.effective:%Y-%m-%d}"


def _count(problems: tuple[str, ...]) -> str:
    return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"


def _one_line(error: PolicyError) -> str:
    problems = error.problems or (str(error),)
    more = len(problems) - 1
    return problems[0] if not more else f"{problems[0]} (and {more} more)"
