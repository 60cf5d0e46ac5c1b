"""The detectors of sensitive numbers (helpdesk/privacy/masking.py): every valid number of each
kind is masked, whatever its grouping; ordinary numbers and words are left alone."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.privacy.masking import MASKS, luhn_ok, mask

LETTERS = string.ascii_uppercase


def luhn_complete(body: str) -> str:
    """`body` with the check digit that makes it pass Luhn."""
    return next(body + d for d in string.digits if luhn_ok(body + d))


@st.composite
def card_numbers(draw) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.text(string.digits, min_size=length - 1, max_size=length - 1))
    digits = luhn_complete(draw(st.sampled_from("3456")) + body[1:])
    separator = draw(st.sampled_from(["", " ", "-"]))
    if not separator:
        return digits
    groups, i = [], 0
    while i < len(digits):
        size = draw(st.integers(2, 6))
        groups.append(digits[i : i + size])
        i += size
    return separator.join(groups)


@st.composite
def ssns(draw) -> str:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))
    group, serial = draw(st.integers(1, 99)), draw(st.integers(1, 9999))
    separator = draw(st.sampled_from(["-", " "]))
    return f"{area:03d}{separator}{group:02d}{separator}{serial:04d}"


NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NEVER_ISSUED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


@st.composite
def ninos(draw) -> str:
    prefix = draw(
        st.tuples(st.sampled_from(NINO_FIRST), st.sampled_from(NINO_SECOND))
        .map("".join)
        .filter(lambda p: p not in NEVER_ISSUED)
    )
    pairs = [f"{draw(st.integers(0, 99)):02d}" for _ in range(3)]
    suffix = draw(st.sampled_from("ABCD"))
    spaced = draw(st.booleans())
    text = " ".join([prefix, *pairs, suffix]) if spaced else prefix + "".join(pairs) + suffix
    return text.lower() if draw(st.booleans()) else text


@st.composite
def driving_licences(draw) -> str:
    """DVLA: surname (5, padded with 9s), decade, month (+50 for women), day, year digit,
    initials (9 for no middle initial), a digit, two check letters; sometimes an issue number."""
    surname = draw(st.text(LETTERS, min_size=1, max_size=5)).ljust(5, "9")
    month = draw(st.integers(1, 12)) + draw(st.sampled_from([0, 50]))
    born = f"{draw(st.integers(0, 9))}{month:02d}{draw(st.integers(1, 31)):02d}"
    born += str(draw(st.integers(0, 9)))
    initials = draw(st.sampled_from(LETTERS)) + draw(st.sampled_from(LETTERS + "9"))
    tail = str(draw(st.integers(0, 9))) + draw(st.text(LETTERS, min_size=2, max_size=2))
    parts = [surname, born, initials + tail]
    text = (" " if draw(st.booleans()) else "").join(parts)
    if draw(st.booleans()):
        text += f" {draw(st.integers(0, 99)):02d}"
    return text.lower() if draw(st.booleans()) else text


KINDS = {
    "card": card_numbers(),
    "ssn": ssns(),
    "nino": ninos(),
    "driving_licence": driving_licences(),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_valid_number_of_each_kind_is_masked(kind):
    @given(number=KINDS[kind])
    def check(number):
        result = mask(f"Hello, my number is {number}, thanks.")
        assert result.text == f"Hello, my number is {MASKS[kind]}, thanks."
        assert result.kinds == (kind,)

    check()


def test_the_example_driving_licence_is_masked():
    for written in ("MORGA753116SM9IJ", "MORGA 753116 SM9IJ 35", "morga753116sm9ij"):
        assert mask(f"licence {written} ok").text == "licence [driving licence removed] ok"


@given(number=st.one_of(*KINDS.values()))
def test_only_the_kinds_named_are_masked(number):
    assert mask(f"no. {number}", kinds=()).text == f"no. {number}"


@given(
    day=st.dates(),
    order=st.integers(0, 10**12 - 1),
    amount=st.decimals(0, 100_000, places=2),
    words=st.text(string.ascii_letters + " ,.", max_size=40),
)
def test_ordinary_text_is_left_alone(day, order, amount, words):
    text = (
        f"Order #{order} of {day.isoformat()} ({day:%d/%m/%Y}), £{amount}, "
        f"ref ORD-{order:012d}. {words} Call +44 20 7946 0000 at 09:30."
    )
    assert mask(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "MORGAN753116SM9IJ",  # six letters of surname
        "MORGA 713116 SM9IJ",  # month 13
        "MORGA763116SM9IJ",  # month 63
        "MORG9A753116SM9IJ",  # padding before a letter
        "MORGA753006SM9IJ",  # day 00
        "invoice ABCDE-12345-FGHIJ",
    ],
)
def test_driving_licence_look_alikes_are_left_alone(text):
    assert mask(text).text == text
