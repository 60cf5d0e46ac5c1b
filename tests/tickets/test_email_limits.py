"""The caps an email is measured against before any parsing (`tickets.email.limits`): each one
refuses what goes over it and names its setting; ordinary email, however it is built, passes."""

from email.message import EmailMessage

import pytest

from tickets.email import EmailLimits, EmailOverLimit, parse_email
from tickets.email.limits import check_limits

from .conftest import EMAILS
from .hostile import ENCODED_WORD, message

LIMITS = EmailLimits()


def over(raw: bytes, **caps) -> str:
    with pytest.raises(EmailOverLimit) as refused:
        check_limits(raw, EmailLimits(**caps))
    return str(refused.value)


def multipart(parts: int, *, boundary: bytes = b"sep") -> bytes:
    body = b"".join(
        b"--%s\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % (boundary, i) for i in range(parts)
    )
    return message(
        1,
        b'Subject: parts\r\nContent-Type: multipart/mixed; boundary="%s"\r\n' % boundary,
        b"preamble\r\n" + body + b"--%s--\r\nepilogue\r\n" % boundary,
    )


def nested(levels: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\ninner\r\n"
    for level in range(levels):
        b = b"b%d" % level
        body = b"Content-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\n%s\r\n--%s--\r\n" % (
            b,
            b,
            body,
            b,
        )
    return message(1, b"Subject: nested\r\n" + body)


@pytest.mark.parametrize("path", sorted(EMAILS.glob("*.eml")), ids=lambda p: p.name)
def test_every_fixture_email_is_within_the_caps(path):
    check_limits(path.read_bytes(), LIMITS)


def test_an_email_built_by_the_standard_library_with_attachments_is_within_the_caps():
    built = EmailMessage()
    built["From"] = "Åsa Öberg <asa@example.se>"
    built["To"] = ", ".join(f"Agent Nummer {i} <a{i}@example.org>" for i in range(300))
    built["Subject"] = "Fråga om beställningen " * 20
    built.set_content("Hej!\n" * 1000)
    built.add_alternative("<p>Hej!</p>" * 1000, subtype="html")
    for i in range(50):
        built.add_attachment(
            b"\x00\xff" * 5000,
            maintype="application",
            subtype="octet-stream",
            filename=f"fil-{i}-å.bin",
        )
    forwarded = EmailMessage()
    forwarded["From"] = "x@example.org"
    forwarded["Subject"] = "Vidarebefordrat"
    forwarded.set_content("inner")
    built.add_attachment(forwarded)

    check_limits(built.as_bytes(), LIMITS)


def test_the_size_cap():
    assert over(b"x" * 101, max_bytes=100) == (
        "the email is larger than the 100 bytes limit (TICKETS_MAX_EMAIL_BYTES): it was not read"
    )


def test_one_header_field_folded_over_many_lines_counts_whole():
    folded = b"Subject: " + b"word\r\n " * 3000 + b"end\r\n"

    assert "(TICKETS_MAX_HEADER_BYTES)" in over(message(1, folded), max_header_bytes=16_000)
    check_limits(message(1, folded), EmailLimits(max_header_bytes=32_000))


def test_a_long_header_in_a_part_counts():
    raw = multipart(2).replace(
        b"Content-Type: text/plain\r\n", b"X-Part: " + b"a" * 5000 + b"\r\n", 1
    )

    assert "(TICKETS_MAX_HEADER_BYTES)" in over(raw, max_header_bytes=4000)


def test_all_header_blocks_together():
    raw = multipart(50).replace(
        b"Content-Type: text/plain\r\n", b"Content-Type: text/plain\r\n" + b"X-A: b\r\n" * 20
    )

    assert "(TICKETS_MAX_HEADERS_BYTES)" in over(raw, max_headers_bytes=5000)


def test_encoded_words_are_counted_in_every_header_block_and_not_in_bodies():
    in_part = multipart(2).replace(
        b"Content-Type: text/plain\r\n", b"Subject: " + ENCODED_WORD * 30 + b"\r\n", 1
    )
    in_body = message(1, b"Subject: x\r\n", ENCODED_WORD * 1000)

    assert over(in_part, max_encoded_words=20) == (
        "the email's headers have more than 20 RFC 2047 encoded words "
        "(TICKETS_MAX_ENCODED_WORDS): it was not read"
    )
    check_limits(in_body, EmailLimits(max_encoded_words=20))


def test_parts_are_counted_as_the_parser_counts_them():
    check_limits(multipart(9), EmailLimits(max_parts=10))  # the message and its 9 parts
    assert "(TICKETS_MAX_MIME_PARTS)" in over(multipart(10), max_parts=10)


def test_lines_that_only_look_like_boundaries_are_not_parts():
    raw = message(
        1,
        b"Subject: x\r\nContent-Type: multipart/mixed; boundary=sep\r\n",
        b"--sep\r\n\r\n" + b"--sepx\r\n-- sep\r\n--other\r\n" * 100 + b"--sep--\r\n",
    )

    check_limits(raw, EmailLimits(max_parts=2))


def test_depth():
    check_limits(nested(5), EmailLimits(max_depth=5))
    assert over(nested(6), max_depth=5) == (
        "the email's parts are nested more than 5 deep (TICKETS_MAX_MIME_DEPTH): it was not read"
    )


def test_nested_messages_count_as_depth():
    body = b"From: x@example.net\r\n\r\nhi\r\n"
    for _ in range(4):
        body = b"From: x@example.net\r\nContent-Type: message/rfc822\r\n\r\n" + body

    assert "(TICKETS_MAX_MIME_DEPTH)" in over(body, max_depth=3)


def test_a_content_type_read_otherwise_by_the_parser_is_refused():
    for value in (
        b"multipart/mixed; boundary*0=ab; boundary*1=cd",
        b"(comment) multipart/mixed; boundary=ab",
        b"multipart/mixed; boundary=ab; boundary=cd",
        b'multipart/mixed; boundary="a\\"b"',
    ):
        raw = message(1, b"Subject: x\r\nContent-Type: " + value + b"\r\n", b"--ab\r\n\r\nx\r\n")
        assert "a form the desk does not read" in over(raw), value


def test_an_odd_content_type_of_a_file_is_no_matter():
    raw = multipart(2).replace(
        b"Content-Type: text/plain\r\n",
        b"Content-Type: application/pdf; name=file(1).pdf; x=C:\\files\\a.pdf\r\n",
        1,
    )

    check_limits(raw, LIMITS)


def test_parse_email_measures_before_parsing():
    raw = message(1, b"Subject: " + ENCODED_WORD * 30 + b"\r\n")

    with pytest.raises(EmailOverLimit, match="TICKETS_MAX_ENCODED_WORDS"):
        parse_email(raw, max_attachment_bytes=1000, limits=EmailLimits(max_encoded_words=10))
    assert parse_email(raw, max_attachment_bytes=1000).subject == "é" * 30
