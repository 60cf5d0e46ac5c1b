"""Email that cannot hurt the desk: every hostile email of the corpus (tests/tickets/hostile.py),
through `manage.py ingest_email` (files, a maildir, an mbox) and `POST /inbound/email/` on
PostgreSQL, is kept (read, or failed with its reason) and the ordinary email after it is still
taken in. An email over a cap is failed before the parser ever sees it."""

import email
import hashlib
import io
import mailbox
import subprocess
import sys
import tracemalloc

import pytest
from django.core.management import call_command

from tests.support.servers import ROOT
from tickets.models import InboundEmail, InboundStatus, Message, Ticket
from tickets.services import ingest_email

from .hostile import ENCODED_WORD, ISSUE_SUBJECT_WORDS, corpus, message, ordinary
from .test_inbound_http import SECRET, URL, signed_headers

pytestmark = pytest.mark.django_db

CORPUS = corpus()
KEPT = (InboundStatus.PROCESSED, InboundStatus.IGNORED, InboundStatus.FAILED)


@pytest.fixture
def parsed(monkeypatch):
    """Every raw email handed to the standard library's parser (a spy: the parser still runs)."""
    seen: list[bytes] = []
    real = email.message_from_bytes

    def spy(raw, *args, **kwargs):
        seen.append(raw)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(email, "message_from_bytes", spy)
    return seen


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def assert_kept(raw: bytes, parsed: list[bytes]) -> InboundEmail:
    """The email is stored with its bytes, read or failed with a reason; over a cap, unparsed."""
    inbound = InboundEmail.objects.get(content_hash=digest(raw))
    assert inbound.status in KEPT
    assert inbound.raw.read() == raw
    if inbound.status == InboundStatus.FAILED:
        assert inbound.error and "\x00" not in inbound.error
    if "TICKETS_MAX_" in inbound.error:
        assert raw not in parsed, "the parser was handed an email over a cap"
    return inbound


def assert_taken_in(n: int) -> None:
    message = Message.objects.get(message_id=f"<ordinary-{n}@example.org>")
    assert message.ticket.subject == f"Order {n} has not arrived"


# One email -------------------------------------------------------------------------------


def test_the_issues_subject_of_16000_encoded_words_is_failed_unparsed_in_little_memory(
    policy, parsed
):
    raw = message(1, b"Subject: " + ENCODED_WORD * ISSUE_SUBJECT_WORDS + b"\r\n")
    assert len(raw) > 270_000

    tracemalloc.start()
    try:
        result = ingest_email(raw=raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.kind == "failed"
    assert "TICKETS_MAX_HEADER_BYTES" in result.error
    assert parsed == []
    assert peak < 10 * 1024 * 1024  # it took 2.3 GB in the parser
    assert_kept(raw, parsed)


def test_more_encoded_words_than_the_cap_fail_before_parsing(policy, parsed, settings):
    settings.TICKETS_MAX_ENCODED_WORDS = 1000
    raw = message(2, b"Subject: " + (ENCODED_WORD + b"\r\n ") * 1500 + b"end\r\n")

    result = ingest_email(raw=raw)

    assert result.kind == "failed"
    assert result.error == (
        "the email's headers have more than 1000 RFC 2047 encoded words "
        "(TICKETS_MAX_ENCODED_WORDS): it was not read"
    )
    assert parsed == []


def test_an_ordinary_encoded_subject_is_still_read(policy):
    raw = message(3, b"Subject: " + ENCODED_WORD * 20 + b"\r\n")

    result = ingest_email(raw=raw)

    assert result.kind == "new" and result.ticket.subject == "é" * 20


def test_nul_in_the_subject_is_removed_and_the_email_taken_in(policy):
    raw = message(4, b"Subject: my kettle\x00 is broken\r\n")

    result = ingest_email(raw=raw)

    assert result.kind == "new"
    assert result.ticket.subject == "my kettle is broken"
    assert InboundEmail.objects.get().subject == "my kettle is broken"


def test_nul_in_from_and_in_the_body_is_removed(policy):
    head = b"From: Mal\x00lory <mallory@example.net>\r\nTo: support@helpdesk.example\r\n"
    raw = message(5, b"Subject: hello\r\n", b"line one\x00\r\nline two\r\n", head=head)

    result = ingest_email(raw=raw)

    assert result.kind == "new"
    assert result.ticket.customer.name == "Mallory"
    assert result.ticket.messages.get(direction="inbound").text == "line one\nline two"


def test_a_lone_surrogate_is_replaced(policy):
    raw = message(9, b"Subject: =?utf-7?q?+2D8-?= broken\r\n")

    result = ingest_email(raw=raw)

    assert result.kind == "new" and result.ticket.subject == "\ufffd broken"


def test_an_attachment_named_with_200_accented_letters_is_kept(policy):
    """200 "é" are 400 bytes: more than a file system allows in a name."""
    name = "%C3%A9" * 200
    raw = message(
        6,
        b"Subject: a file\r\nContent-Type: multipart/mixed; boundary=f\r\n",
        b"--f\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n"
        b"--f\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''" + name.encode() + b".pdf\r\n\r\n"
        b"%PDF-1.4\r\n--f--\r\n",
    )

    result = ingest_email(raw=raw)

    assert result.kind == "new", result.error
    attachment = result.ticket.messages.get(direction="inbound").attachments.get()
    assert attachment.filename == "é" * 200 + ".pdf"
    assert attachment.file.read() == b"%PDF-1.4"


# The whole corpus ------------------------------------------------------------------------


def interleaved() -> list[tuple[str, bytes]]:
    """Each hostile email, then an ordinary one."""
    items = []
    for n, (name, raw) in enumerate(CORPUS):
        items += [(name, raw), (f"ordinary {n}", ordinary(n))]
    return items


def test_every_hostile_file_is_kept_and_the_email_after_it_taken_in(policy, tmp_path, parsed):
    files = []
    for i, (_, raw) in enumerate(interleaved()):
        path = tmp_path / f"{i:03}.eml"
        path.write_bytes(raw)
        files.append(str(path))
    out, err = io.StringIO(), io.StringIO()

    call_command("ingest_email", *files, stdout=out, stderr=err)  # raises nothing: exit 0

    failed = InboundEmail.objects.filter(status=InboundStatus.FAILED).count()
    assert out.getvalue().splitlines() == [
        f"{len(files)} messages: {Ticket.objects.count()} new tickets, 0 replies, "
        f"0 automatic, 0 bounces, 0 set aside, 0 duplicates, {failed} failed"
    ]
    assert err.getvalue() == ""
    for n, (name, raw) in enumerate(CORPUS):
        inbound = assert_kept(raw, parsed)
        assert inbound.status == InboundStatus.FAILED or name.startswith(
            ("NUL", "a lone", "a UTF-7", "8-bit", "a boundary", "a closing", "an empty")
        ), name
        assert_taken_in(n)


def test_every_hostile_email_over_http_is_answered_2xx_and_kept(
    policy, settings, client, parsed, django_capture_on_commit_callbacks
):
    settings.INBOUND_EMAIL_SECRET = SECRET

    for n, (name, raw) in enumerate(CORPUS):
        for body in (raw, ordinary(n)):
            with django_capture_on_commit_callbacks(execute=False):
                response = client.post(
                    URL, data=body, content_type="message/rfc822", headers=signed_headers(body)
                )
            assert response.status_code == 202, (name, response.content)
        assert_kept(raw, parsed)
        assert_taken_in(n)
        kind = response.json()["kind"]
        assert kind == "new", (name, kind)


def test_a_maildir_and_an_mbox_of_hostile_email_end_with_the_summary(policy, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    mbox = mailbox.mbox(tmp_path / "hostile.mbox", create=True)
    items = interleaved()
    for _, raw in items[: len(items) // 2]:
        box.add(raw)
    for _, raw in items[len(items) // 2 :]:
        mbox.add(raw)
    mbox.flush()
    out = io.StringIO()

    call_command(
        "ingest_email", "--maildir", box._path, "--mbox", str(tmp_path / "hostile.mbox"), stdout=out
    )

    assert out.getvalue().splitlines()[-1].startswith(f"{len(items)} messages: ")
    assert InboundEmail.objects.count() == len(items)
    assert Ticket.objects.filter(subject__endswith="has not arrived").count() == len(CORPUS)


def test_of_an_email_over_the_size_limit_only_the_first_bytes_are_read_and_kept(
    policy, tmp_path, settings
):
    settings.TICKETS_MAX_EMAIL_BYTES = 2000
    big = message(30, b"Subject: big\r\n", b"x" * 5000 + b"\r\n")
    (tmp_path / "big.eml").write_bytes(big)
    mbox = mailbox.mbox(tmp_path / "in.mbox", create=True)
    mbox.add(big.replace(b"hostile-30", b"hostile-31"))
    mbox.add(ordinary(1))
    mbox.flush()
    out = io.StringIO()

    call_command(
        "ingest_email", str(tmp_path / "big.eml"), "--mbox", str(tmp_path / "in.mbox"), stdout=out
    )

    assert out.getvalue() == (
        "3 messages: 1 new tickets, 0 replies, 0 automatic, 0 bounces, 0 set aside, "
        "0 duplicates, 2 failed\n"
    )
    kept = InboundEmail.objects.get(content_hash=digest(big[:2000]))
    assert kept.raw.read() == big[:2000] and kept.size == len(big)
    assert f"it is {len(big)} bytes, of which only the first 2000 were read" in kept.error
    assert InboundEmail.objects.filter(status=InboundStatus.FAILED).count() == 2
    assert_taken_in(1)


def test_only_a_database_that_is_gone_stops_the_command_with_one_line(tmp_path):
    (tmp_path / "one.eml").write_bytes(ordinary(1))
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/gone",  # nothing listens on port 1
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "ingest_email", str(tmp_path / "one.eml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("CommandError: the database is unavailable: ")
    assert done.stderr.count("\n") == 1


# The signature --------------------------------------------------------------------------


def test_a_5000_digit_timestamp_is_refused_with_a_message(policy, settings, client):
    settings.INBOUND_EMAIL_SECRET = SECRET
    body = ordinary(1)
    headers = {**signed_headers(body), "X-Timestamp": "9" * 5000}

    response = client.post(URL, data=body, content_type="message/rfc822", headers=headers)

    assert response.status_code == 403
    assert response.json() == {"error": "X-Timestamp must be a Unix time in seconds"}
    assert InboundEmail.objects.count() == 0
