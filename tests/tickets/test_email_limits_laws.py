"""The law the caps rest on: the pre-scan (`check_limits`) never counts fewer MIME parts, or a
shallower nesting, than the standard library's parser then builds (it may count more: a line of
a delivery report counts as a part), whatever the structure
(nested multiparts, reused boundaries, digests, delivery reports, nested messages, parts cut
short, lone CR line ends). So an email within the caps is within them for the parser too."""

import email
from email.message import Message
from email.policy import default

from hypothesis import given
from hypothesis import strategies as st

from tickets.email import EmailLimits, EmailOverLimit
from tickets.email.limits import check_limits

BOUNDARIES = st.sampled_from([b"a", b"b", b"sep", b"=_x", b""])


def leaf() -> st.SearchStrategy:
    return st.sampled_from([("text", b"hello"), ("text", b"--a\r\nnot a part"), ("text", b"")])


def node(children: st.SearchStrategy) -> st.SearchStrategy:
    multipart = st.tuples(
        st.just("multipart"),
        st.sampled_from([b"mixed", b"digest", b"alternative"]),
        BOUNDARIES,
        st.lists(children, max_size=4),
        st.booleans(),  # closed with --boundary--
    )
    nested = st.tuples(st.just("message"), children)
    report = st.tuples(st.just("report"), st.integers(0, 4))
    return st.one_of(multipart, nested, report)


TREES = st.recursive(leaf(), node, max_leaves=12)


def render(tree, *, in_digest: bool = False) -> bytes:
    """The entity's bytes: its header block and its body."""
    kind = tree[0]
    if kind == "text":
        head = b"" if in_digest else b"Content-Type: text/plain\r\n"
        return head + b"X-Leaf: 1\r\n\r\n" + tree[1] + b"\r\n"
    if kind == "message":
        return b"Content-Type: message/rfc822\r\n\r\nFrom: x@example.net\r\n" + render(tree[1])
    if kind == "report":
        blocks = b"\r\n".join(b"Status: 5.1.%d\r\n" % i for i in range(tree[1]))
        return b"Content-Type: message/delivery-status\r\n\r\n" + blocks
    _, subtype, boundary, children, closed = tree
    digest = subtype == b"digest"
    body = b"".join(
        b"--" + boundary + b"\r\n" + render(child, in_digest=digest) for child in children
    )
    if closed:
        body += b"--" + boundary + b"--\r\n"
    return (
        b'Content-Type: multipart/%s; boundary="%s"\r\n\r\npreamble\r\n' % (subtype, boundary)
        + body
    )


def parser_counts(msg: Message, depth: int = 0) -> tuple[int, int]:
    """(entities, deepest level) as the standard library built them."""
    parts, deepest = 1, depth
    payload = msg.get_payload()
    if isinstance(payload, list):
        for child in payload:
            if isinstance(child, Message):
                n, d = parser_counts(child, depth + 1)
                parts, deepest = parts + n, max(deepest, d)
    return parts, deepest


@given(tree=TREES, line_end=st.sampled_from([b"\r\n", b"\n", b"\r"]))
def test_the_pre_scan_never_counts_fewer_parts_or_levels_than_the_parser(tree, line_end):
    raw = (b"From: x@example.net\r\nSubject: law\r\n" + render(tree)).replace(b"\r\n", line_end)
    parts, depth = parser_counts(email.message_from_bytes(raw, policy=default))

    if parts > 1:
        try:
            check_limits(raw, EmailLimits(max_parts=parts - 1))
        except EmailOverLimit as refused:
            assert "TICKETS_MAX_MIME_PARTS" in str(refused)
        else:
            raise AssertionError(f"{parts} parts to the parser, fewer to the pre-scan")
    if depth > 0:
        try:
            check_limits(raw, EmailLimits(max_depth=depth - 1))
        except EmailOverLimit as refused:
            assert "TICKETS_MAX_MIME_DEPTH" in str(refused)
        else:
            raise AssertionError(f"{depth} levels to the parser, fewer to the pre-scan")
