"""`manage.py ingest_email`: its one summary line, and its exit status."""

import io
import mailbox
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.servers import ROOT
from tickets.models import Direction, InboundEmail, Ticket

from .conftest import eml
from .factories import MessageFactory

pytestmark = pytest.mark.django_db


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    call_command("ingest_email", *args, stdout=out)
    return out.getvalue()


def write(tmp_path, name: str, **values) -> str:
    path = tmp_path / name
    path.write_bytes(eml(name, **values))
    return str(path)


def test_files_end_with_one_summary_line(policy, tmp_path):
    files = [
        write(tmp_path, "plain.eml"),
        write(tmp_path, "reply_references.eml", parent="<CAF1234.kettle@mail.example.org>"),
        write(tmp_path, "no_message_id.eml"),
        write(tmp_path, "plain.eml"),
        write(tmp_path, "garbage.eml"),
    ]

    output = run(*files)

    assert output.splitlines() == [
        "5 messages: 2 new tickets, 1 replies, 0 automatic, 0 bounces, 0 set aside, "
        "1 duplicates, 1 failed"
    ]
    assert Ticket.objects.count() == 2
    assert InboundEmail.objects.filter(status="failed").count() == 1


def write_raw(path, raw: bytes) -> str:
    path.write_bytes(raw)
    return str(path)


SUMMARY = re.compile(
    r"^(?P<read>\d+) messages: (?P<new>\d+) new tickets, (?P<replies>\d+) replies, "
    r"(?P<automatic>\d+) automatic, (?P<bounces>\d+) bounces, (?P<aside>\d+) set aside, "
    r"(?P<duplicates>\d+) duplicates, (?P<failed>\d+) failed$"
)


def test_every_message_read_is_counted_once(ingest, tmp_path):
    ticket = ingest("plain.eml").ticket
    MessageFactory(
        ticket=ticket, direction=Direction.OUTBOUND, message_id="<reply-0001@helpdesk.example>"
    )
    never_ours = eml(
        "dsn_null_sender.eml", tag="1", subject="Re: Invoice", message_id="<x@elsewhere.example>"
    ).replace(b"<CAF1234.kettle@mail.example.org>", b"<y@elsewhere.example>")
    files = [
        write(tmp_path, "alternative_utf8.eml"),  # a new ticket
        write(tmp_path, "reply_references.eml", parent="<CAF1234.kettle@mail.example.org>"),
        write(tmp_path, "auto_reply.eml"),  # an out-of-office: a ticket, never acknowledged
        write(tmp_path, "bounce.eml"),  # bounces the reply <reply-0001@helpdesk.example>
        write_raw(tmp_path / "unknown_dsn.eml", never_ours),  # a bounce set aside
        write(tmp_path, "plain.eml"),  # taken in already: a duplicate
        write(tmp_path, "garbage.eml"),
    ]

    output = run(*files)

    counts = {k: int(v) for k, v in SUMMARY.match(output.strip()).groupdict().items()}
    read = counts.pop("read")
    assert read == len(files) == sum(counts.values())
    assert set(counts.values()) == {1}, output


def test_a_maildir_and_an_mbox(policy, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(eml("plain.eml"))
    box.add(eml("auto_reply.eml"))
    mbox = mailbox.mbox(tmp_path / "inbox.mbox", create=True)
    mbox.add(eml("alternative_utf8.eml"))
    mbox.add(eml("reply_subject_ref.eml", number=1))  # no such ticket: a new one
    mbox.add(eml("plain.eml"))
    mbox.flush()

    output = run("--maildir", box._path, "--mbox", str(tmp_path / "inbox.mbox"))

    assert output == (
        "5 messages: 3 new tickets, 0 replies, 1 automatic, 0 bounces, 0 set aside, "
        "1 duplicates, 0 failed\n"
    )


def test_standard_input(policy, monkeypatch):
    output = run("-", stdin=eml("rfc2047_subject.eml"), monkeypatch=monkeypatch)

    assert output == (
        "1 messages: 1 new tickets, 0 replies, 0 automatic, 0 bounces, 0 set aside, "
        "0 duplicates, 0 failed\n"
    )
    assert Ticket.objects.get().subject == "Fråga om min beställning – brådskande"


def test_an_unreadable_input_stops_before_anything_is_ingested(policy, tmp_path):
    good = write(tmp_path, "plain.eml")

    with pytest.raises(CommandError, match="cannot read missing.eml: no such file"):
        run(good, "missing.eml")

    assert Ticket.objects.count() == 0


def manage(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "ingest_email", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["missing.eml"], "cannot read missing.eml: no such file"),
        (["--maildir", "."], "cannot read .: not a maildir (no cur/ and new/)"),
        (["--mbox", "/"], "cannot read /: it is a directory"),
        ([], "nothing to ingest: give FILE, -, --maildir DIR or --mbox FILE"),
    ],
)
def test_unreadable_input_is_one_line_and_exit_1(args, error, tmp_path):
    done = manage(*args, tmp_path=tmp_path)

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"CommandError: {error}\n"


def test_nothing_to_do_is_exit_0(tmp_path):
    mailbox.Maildir(tmp_path / "Empty", create=True)

    done = manage("--maildir", str(tmp_path / "Empty"), tmp_path=tmp_path)

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "0 messages: 0 new tickets, 0 replies, 0 automatic, 0 bounces, 0 set aside, "
        "0 duplicates, 0 failed\n"
    )
