"""The generated email corpus of bench/ingest.py: new threads and replies from a few hundred
customers, threading by In-Reply-To/References or only by `[#1042]` in the subject, some
multipart/alternative, some with a 20-200 KB attachment, a few sent twice. Deterministic per
seed."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

# Monday 2 March 2026, 08:30 UTC (GMT in London): inside the policy's service hours.
START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
WORDS = [
    "kettle",
    "order",
    "refund",
    "delivery",
    "broken",
    "invoice",
    "account",
    "password",
    "screen",
    "battery",
    "warranty",
    "parcel",
    "colour",
    "size",
    "replacement",
    "engineer",
    "appointment",
    "subscription",
    "charge",
    "receipt",
    "manual",
    "switch",
    "light",
    "noise",
    "leak",
    "filter",
    "cable",
    "charger",
    "login",
    "email",
    "address",
    "update",
    "cancel",
]


# -- the corpus ----------------------------------------------------------------------------


def sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(6, 16)) for _ in range(rng.randint(2, 5)))


class Thread:
    def __init__(self, number: int, customer: tuple[str, str], subject: str) -> None:
        self.number = number
        self.customer = customer
        self.subject = subject
        self.message_ids: list[str] = []
        self.last_text = ""


def build_email(
    rng: random.Random,
    *,
    n: int,
    sent: datetime,
    customer: tuple[str, str],
    subject: str,
    text: str,
    thread: Thread | None,
    by_subject_only: bool,
) -> EmailMessage:
    name, address = customer
    msg = EmailMessage()
    msg["From"] = f"{name} <{address}>"
    msg["To"] = "Example Support <support@helpdesk.example>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<bench-{n}.{rng.getrandbits(32):08x}@mail.example.net>"
    if thread is not None and not by_subject_only:
        msg["In-Reply-To"] = thread.message_ids[-1]
        msg["References"] = " ".join(thread.message_ids[-10:])
    msg.set_content(text)
    if rng.random() < 0.35:  # multipart/alternative, as most mail clients send
        paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n\n") if line)
        msg.add_alternative(
            f'<html><body><div style="font-family: sans-serif">{paragraphs}</div>'
            f"<script>alert(1)</script></body></html>",
            subtype="html",
        )
    if rng.random() < 0.12:  # an attachment: a photo or a PDF of 20 to 200 KB
        kind = rng.choice([("image", "jpeg", "photo.jpg"), ("application", "pdf", "receipt.pdf")])
        size = rng.randint(20_000, 200_000)
        msg.add_attachment(rng.randbytes(size), maintype=kind[0], subtype=kind[1], filename=kind[2])
    return msg


@dataclass(frozen=True)
class Item:
    """One message of the corpus. A reply by subject carries `[#THREAD-n]`, which the worker
    replaces with its thread's real reference once the thread's first message has made it a
    ticket (numbers depend on the order tickets open in, and several workers interleave).
    `same_as`: this is a resend of that earlier item's bytes."""

    raw: bytes
    arrived: datetime
    what: str
    thread: int
    same_as: int | None = None


def make_corpus(count: int, seed: int = 42) -> list[Item]:
    """`count` messages in arrival order, from a fixed seed."""
    rng = random.Random(seed)
    threads: list[Thread] = []
    corpus: list[Item] = []
    customers = [
        (f"Customer {i}", f"customer{i}@mail{i % 97}.example.net") for i in range(count // 3 + 1)
    ]
    for n in range(count):
        arrived = START + timedelta(seconds=n * 2)
        roll = rng.random()
        if corpus and roll < 0.01:  # sent twice (a client's retry, a second poll)
            again = rng.randrange(len(corpus))
            original = corpus[again]
            corpus.append(Item(original.raw, arrived, "again", original.thread, same_as=again))
            continue
        if not threads or roll < 0.35:
            customer = rng.choice(customers)
            subject = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} problem {n}"
            thread = Thread(len(threads), customer, subject)
            threads.append(thread)
            text = "Hello,\n\n" + paragraph(rng) + "\n\n" + paragraph(rng) + f"\n\n{customer[0]}"
            msg = build_email(
                rng, n=n, sent=arrived, customer=customer, subject=subject, text=text,
                thread=None, by_subject_only=False,
            )  # fmt: skip
            if roll < 0.015:
                msg["Auto-Submitted"] = "auto-replied"  # an out-of-office opening a thread
            what = "thread"
        else:
            # Replies favour recent threads, as real conversations do.
            thread = threads[max(0, len(threads) - 1 - int(rng.expovariate(1 / 40)))]
            by_subject_only = rng.random() < 0.25
            subject = f"Re: {thread.subject}"
            if by_subject_only:
                subject += f" [#THREAD-{thread.number}]"
            quoted = "\n".join(f"> {line}" for line in thread.last_text.splitlines()[:20])
            text = paragraph(rng) + f"\n\nOn Mon, 2 Mar 2026, {thread.customer[0]} wrote:\n{quoted}"
            msg = build_email(
                rng, n=n, sent=arrived, customer=thread.customer, subject=subject, text=text,
                thread=thread, by_subject_only=by_subject_only,
            )  # fmt: skip
            what = "reply by subject" if by_subject_only else "reply"
        thread.message_ids.append(msg["Message-ID"])
        thread.last_text = text
        corpus.append(Item(msg.as_bytes(), arrived, what, thread.number))
    return corpus
