"""A corpus of hostile emails, each what an attacker (or a broken mailer) can send to the desk,
and an ordinary email to follow each one."""

import random

HEAD = (
    b"From: Mallory <mallory@example.net>\r\n"
    b"To: support@helpdesk.example\r\n"
    b"Date: Mon, 02 Mar 2026 09:15:00 +0000\r\n"
)

# The issue's email: 16,000 RFC 2047 encoded words in one Subject (272 KB), which took 2.3 GB.
ENCODED_WORD = b"=?utf-8?b?w6k=?= "  # 17 bytes, "é"
ISSUE_SUBJECT_WORDS = 16_000


def message(n: int, headers: bytes, body: bytes = b"Hello.\r\n", *, head: bytes = HEAD) -> bytes:
    return head + b"Message-ID: <hostile-%d@example.net>\r\n" % n + headers + b"\r\n" + body


def ordinary(n: int) -> bytes:
    """A plain email a customer could send, with its own Message-ID."""
    return (
        b"From: Ann Lee <ann.lee@example.org>\r\n"
        b"To: support@helpdesk.example\r\n"
        b"Subject: Order %d has not arrived\r\n"
        b"Message-ID: <ordinary-%d@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Where is my order?\r\n" % (n, n)
    )


def _nested_multipart(levels: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\ninnermost\r\n"
    for level in range(levels):
        b = b"b%d" % level
        body = (
            b"Content-Type: multipart/mixed; boundary=" + b + b"\r\n\r\n"
            b"--" + b + b"\r\n" + body + b"\r\n--" + b + b"--\r\n"
        )
    return body


def _nested_messages(levels: int) -> bytes:
    body = b"From: x@example.net\r\nSubject: innermost\r\n\r\nhi\r\n"
    for _ in range(levels):
        body = b"From: x@example.net\r\nContent-Type: message/rfc822\r\n\r\n" + body
    return body


def corpus() -> list[tuple[str, bytes]]:
    """(name, raw bytes) of each hostile email, each with its own Message-ID where it has one."""
    rng = random.Random(11)  # the same garbage every run
    garbage = bytes(rng.randrange(128, 256) for _ in range(4000))
    many_parts = b"".join(
        b"--p\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(5000)
    )
    items = [
        (
            "16,000 encoded words in the Subject (272 KB)",
            message(1, b"Subject: " + ENCODED_WORD * ISSUE_SUBJECT_WORDS + b"\r\n"),
        ),
        (
            "1,500 encoded words folded over many short lines",
            message(2, b"Subject: " + (ENCODED_WORD + b"\r\n ") * 1_500 + b"end\r\n"),
        ),
        (
            "2,000 encoded words in an attachment's file name",
            message(
                3,
                b"Subject: a file\r\nContent-Type: multipart/mixed; boundary=f\r\n",
                b'--f\r\nContent-Disposition: attachment; filename="'
                + ENCODED_WORD * 2_000
                + b'"\r\n\r\nx\r\n--f--\r\n',
            ),
        ),
        ("NUL in the Subject", message(4, b"Subject: my kettle\x00 is broken\r\n")),
        (
            "NUL in From",
            message(5, b"Subject: hello\r\n", head=HEAD.replace(b"Mallory", b"Mal\x00lory")),
        ),
        (
            "NUL in the address",
            message(6, b"Subject: hello\r\n", head=HEAD.replace(b"mallory@", b"mal\x00lory@")),
        ),
        ("NUL in the body", message(7, b"Subject: hello\r\n", b"line one\x00\r\nline two\r\n")),
        (
            "NUL in the Message-ID",
            HEAD + b"Message-ID: <hostile\x00-8@example.net>\r\nSubject: x\r\n\r\nhi\r\n",
        ),
        (
            "a lone surrogate from UTF-7 in the Subject",
            message(9, b"Subject: =?utf-7?q?+2D8-?= broken\r\n"),
        ),
        (
            "a UTF-7 body with a lone surrogate",
            message(10, b"Subject: x\r\nContent-Type: text/plain; charset=utf-7\r\n", b"+2D8-\r\n"),
        ),
        ("8-bit garbage in the headers", message(11, b"Subject: " + garbage[:500] + b"\r\n")),
        ("8-bit garbage everywhere", message(12, b"X-Junk: " + garbage[:900] + b"\r\n", garbage)),
        ("no headers at all", garbage),
        (
            "deep MIME nesting (300 levels)",
            message(14, b"Subject: deep\r\n" + _nested_multipart(300)),
        ),
        (
            "deep message/rfc822 nesting (200 levels)",
            message(
                15, b"Subject: deep\r\nContent-Type: message/rfc822\r\n", _nested_messages(200)
            ),
        ),
        (
            "5,000 parts",
            message(
                16, b"Subject: parts\r\nContent-Type: multipart/mixed; boundary=p\r\n", many_parts
            ),
        ),
        (
            "a 300 KB header line",
            message(17, b"Subject: big\r\nX-Big: " + b"a" * 300_000 + b"\r\n"),
        ),
        ("200,000 header lines", message(18, b"Subject: many\r\n" + b"X-A: b\r\n" * 200_000)),
        (
            "a 100 KB To of 3,000 addresses",
            message(
                19,
                b"Subject: to\r\nCc: "
                + b", ".join(b'"n%d" <u%d@example.org>' % (i, i) for i in range(3000))
                + b"\r\n",
            ),
        ),
        (
            "5,000 nested comments in From",
            message(20, b"Subject: x\r\n", head=b"From: " + b"(" * 5000 + b"a@example.net\r\n"),
        ),
        (
            "a boundary that never comes",
            message(
                21, b"Subject: b\r\nContent-Type: multipart/mixed; boundary=never\r\n", b"text\r\n"
            ),
        ),
        (
            "a closing boundary before any part, then garbage",
            message(
                22,
                b"Subject: b\r\nContent-Type: multipart/mixed; boundary=z\r\n",
                b"--z--\r\n--z\r\n\r\n--z\r\n" + garbage[:300] + b"\r\n",
            ),
        ),
        (
            "an empty boundary",
            message(
                23,
                b'Subject: b\r\nContent-Type: multipart/mixed; boundary=""\r\n',
                b"--\r\nx\r\n--\r\n",
            ),
        ),
        (
            "an RFC 2231 boundary",
            message(
                24,
                b"Subject: b\r\nContent-Type: multipart/mixed; boundary*0=ab; boundary*1=cd\r\n",
                b"--abcd\r\n\r\nx\r\n--abcd--\r\n",
            ),
        ),
        (
            "lone CR line ends hiding 3,000 parts",
            message(
                25,
                b"Subject: cr\r\nContent-Type: multipart/mixed; boundary=q\r\n",
                b"".join(b"\r--q\rContent-Type: text/plain\r\rx %d" % i for i in range(3000)),
            ),
        ),
        (
            "a delivery report of 5,000 empty blocks",
            message(
                26,
                b"Subject: report\r\nContent-Type: multipart/report; report-type=delivery-status;"
                b" boundary=r\r\n",
                b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
                + b"\r\n" * 5000
                + b"--r--\r\n",
            ),
        ),
        ("only a NUL", b"\x00"),
    ]
    return items
