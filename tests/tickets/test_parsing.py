"""Reading real emails: what an agent would see of each (no database needed)."""

import pytest

from tickets.email import AUTO_REPLY, BOUNCE, BULK, EmailParseError, parse_email
from tickets.email.quoting import split_quoted

from .conftest import eml

LIMIT = 10 * 1024 * 1024


def parse(name: str, limit: int = LIMIT, **values):
    return parse_email(eml(name, **values), max_attachment_bytes=limit)


def test_plain_email_gives_sender_subject_and_text():
    parsed = parse("plain.eml")

    assert parsed.from_name == "Ann Lee"
    assert parsed.from_address == "ann.lee@example.org"
    assert parsed.subject == "My kettle stopped working"
    assert parsed.message_id == "<CAF1234.kettle@mail.example.org>"
    assert "no longer switches on" in parsed.display_text
    assert parsed.date.isoformat() == "2026-03-02T09:15:00+00:00"
    assert parsed.automated == ""
    assert parsed.attachments == ()


def test_latin1_text_is_kept_and_utf8_html_is_sanitised():
    parsed = parse("alternative_latin1.eml")

    assert parsed.from_name == "José Martínez"
    assert "Buenos días" in parsed.text
    assert "45,00 €" in parsed.text  # ISO-8859-1 has no euro sign: =80 is read as Windows-1252
    assert "Buenos días" in parsed.html
    assert "<b>incorrecto</b>" in parsed.html
    for dangerous in ("<script", "alert(", "onclick", "javascript:", "<style", "tracker.example"):
        assert dangerous not in parsed.html


def test_utf8_8bit_headers_and_body():
    parsed = parse("alternative_utf8.eml")

    assert parsed.from_name == "Zoë Brontë"
    assert parsed.subject == "Café order — missing crème brûlée"
    assert parsed.display_text.startswith("Hi — my order arrived without the crème brûlée. 🍮")
    assert "<i>crème brûlée</i>" in parsed.html


def test_rfc2047_subject_and_sender_name_are_decoded():
    parsed = parse("rfc2047_subject.eml")

    assert parsed.subject == "Fråga om min beställning – brådskande"
    assert parsed.from_name == "Åsa Nyberg"
    assert parsed.text == "Hej, jag undrar när min beställning kommer."


def test_rfc2231_filename_is_decoded():
    parsed = parse("rfc2231_filename.eml")

    (attachment,) = parsed.attachments
    assert attachment.filename == "facture décembre.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.content.startswith(b"%PDF-1.4")
    assert not attachment.inline
    assert parsed.display_text == "Voici la facture en pièce jointe."


def test_forwarded_message_is_kept_as_eml_and_its_text_shown():
    parsed = parse("forwarded.eml")

    assert "the courier says my parcel is delayed" in parsed.text
    assert "---------- Forwarded message ----------" in parsed.text
    assert "From: Courier <noreply@courier.example>" in parsed.text
    assert "Parcel CX-1234 will arrive on 9 March." in parsed.text
    (attachment,) = parsed.attachments
    assert attachment.filename == "Your delivery is delayed.eml"
    assert attachment.content_type == "message/rfc822"
    assert b"Message-ID: <courier-42@courier.example>" in attachment.content


def test_inline_image_is_kept_inline_with_its_content_id():
    parsed = parse("inline_image.eml")

    (image,) = parsed.attachments
    assert image.inline
    assert image.content_id == "lid-photo@mail.example.org"
    assert image.filename == "lid.png"
    assert image.content.startswith(b"\x89PNG")
    assert 'src="cid:lid-photo@mail.example.org"' in parsed.html
    assert parsed.text == "Here is the lid: [image: lid.png]"


def test_oversized_attachment_is_dropped_with_a_note_and_the_rest_kept():
    parsed = parse("oversized.eml", limit=1024)

    assert [a.filename for a in parsed.attachments] == ["note.txt"]
    (note,) = parsed.notes
    assert "'kettle.log' (3 KB) was not kept" in note
    assert "1 KB limit" in note
    assert "The app's log" in parsed.text


def test_unknown_charset_falls_back_instead_of_failing():
    parsed = parse("unknown_charset.eml")

    assert parsed.text == "Grüße aus Berlin: die Lieferung fehlt."
    assert "aus Berlin" in parsed.subject
    assert any("x-made-up-charset" in note for note in parsed.notes)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("auto_reply.eml", AUTO_REPLY),
        ("newsletter.eml", BULK),
        ("bounce.eml", BOUNCE),
        ("plain.eml", ""),
    ],
)
def test_mail_no_person_wrote_is_recognised(name, kind):
    assert parse(name).automated == kind


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Auto-Submitted: auto-generated", AUTO_REPLY),
        ("Auto-Submitted: no", ""),
        ("Precedence: junk", BULK),
        ("Precedence: list", BULK),
        ("Precedence: auto_reply", AUTO_REPLY),
        ("X-Autorespond: yes", AUTO_REPLY),
        ("List-Id: <team.lists.example>", BULK),
        ("Return-Path: <>", AUTO_REPLY),
    ],
)
def test_each_automation_header(header, kind):
    raw = eml("plain.eml").replace(b"Return-Path: <ann.lee@example.org>", header.encode(), 1)
    assert parse_email(raw, max_attachment_bytes=LIMIT).automated == kind


def test_postmaster_is_a_bounce_even_without_a_report():
    raw = eml("plain.eml").replace(b"Ann Lee <ann.lee@example.org>", b"postmaster@x.example")
    assert parse_email(raw, max_attachment_bytes=LIMIT).automated == BOUNCE


def test_bounce_names_the_message_that_bounced():
    parsed = parse("bounce.eml")

    assert parsed.bounced_message_ids == ("<reply-0001@helpdesk.example>",)
    assert parsed.bounced_subject == "Re: My kettle stopped working [#1000]"
    assert "Status: 5.1.1" in parsed.text
    assert "Recipient address rejected" in parsed.text


def test_reply_keeps_its_thread_headers_and_trims_the_quote():
    parsed = parse("reply_references.eml", parent="<ours-1@helpdesk.example>")

    assert parsed.in_reply_to == "<ours-1@helpdesk.example>"
    assert parsed.references == ("<CAF1234.kettle@mail.example.org>", "<ours-1@helpdesk.example>")
    assert parsed.thread_ids[0] == "<ours-1@helpdesk.example>"
    assert parsed.display_text == "Here is the photo you asked for: the switch light stays off."
    assert parsed.quoted_text.startswith("On Mon, 2 Mar 2026 at 11:00, Help Desk")
    assert "> Could you send us a photo of the kettle?" in parsed.quoted_text


def test_outlook_original_message_is_trimmed():
    parsed = parse("reply_subject_ref.eml", number=1000)

    assert parsed.display_text == "It works again after a reset, thanks!"
    assert parsed.quoted_text.startswith("-----Original Message-----")


INLINE_ANSWERS = "> question?\nanswer\n> other?\nsecond answer"
WRAPPED = "On Tue, 3 Mar 2026, Ann Lee <ann@example.org>\nwrote:\n> hi"
OUTLOOK = "________________________________\nFrom: Desk\nSent: today\n\nold"


@pytest.mark.parametrize(
    ("text", "display", "quoted"),
    [
        ("Thanks!\n\n> old line\n> older", "Thanks!", "> old line\n> older"),
        (INLINE_ANSWERS, INLINE_ANSWERS, ""),
        (f"Yes.\n\n{WRAPPED}", "Yes.", WRAPPED),
        (f"Fine.\n{OUTLOOK}", "Fine.", OUTLOOK),
        ("> only a quote", "> only a quote", ""),
    ],
)
def test_split_quoted_keeps_every_line(text, display, quoted):
    assert split_quoted(text) == (display, quoted)


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \n", (b"just some words\nwith no headers\n"), None],
    ids=["empty", "blank", "no-headers", "garbage-file"],
)
def test_what_is_not_an_email_raises_a_one_line_error(raw):
    raw = eml("garbage.eml") if raw is None else raw
    with pytest.raises(EmailParseError) as error:
        parse_email(raw, max_attachment_bytes=LIMIT)
    assert "\n" not in str(error.value)


def test_an_html_only_email_gets_its_text_from_the_html():
    raw = (
        b"From: ann.lee@example.org\nSubject: Hi\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><head><title>T</title><style>p{}</style></head><body><p>First line<br>second"
        b"</p><ul><li>one</li><li>two</li></ul><script>x()</script></body></html>"
    )

    parsed = parse_email(raw, max_attachment_bytes=LIMIT)

    assert parsed.text == "First line\nsecond\n\n- one\n- two"
    assert parsed.html == "<p>First line<br>second</p><ul><li>one</li><li>two</li></ul>"
