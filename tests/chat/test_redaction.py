"""Card numbers, US SSNs and UK NI numbers are masked; look-alikes are left alone."""

import pytest

from chat.redaction import MASKS, luhn_ok, redact

CARD, SSN, NINO = MASKS["card"], MASKS["ssn"], MASKS["nino"]


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",  # Visa, 16
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5555555555554444",  # Mastercard
        "378282246310005",  # Amex, 15
        "3782 822463 10005",  # Amex grouping
        "4222222222222",  # 13 digits
        "6011111111111117",  # Discover
        "3530111333300000",  # JCB
        "6759649826438453",  # Maestro, 16
        "6799990100000000019",  # 19 digits
    ],
)
def test_card_numbers_that_pass_luhn_are_masked(number):
    result = redact(f"my card is {number} thanks")
    assert result.text == f"my card is {CARD} thanks"
    assert result.kinds == ("card",)
    assert number not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "order 4111111111111112",  # fails Luhn
        "ref 123456789012",  # 12 digits
        "ref 41111111111111111111",  # 20 digits
        "call 0207 946 0000 now",  # a phone number, too short and fails Luhn
        "tracking AB4111111111111111",  # inside a word
        "4111111111111111x",  # glued to a letter
        "4111  1111 1111 1111",  # double space breaks the group
    ],
)
def test_look_alikes_of_cards_stay(text):
    assert redact(text).text == text
    assert redact(text).kinds == ()


def test_luhn():
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert luhn_ok("0")


@pytest.mark.parametrize("ssn", ["123-45-6789", "123 45 6789", "078-05-1120"])
def test_us_ssns_are_masked(ssn):
    result = redact(f"SSN {ssn}.")
    assert result.text == f"SSN {SSN}."
    assert result.kinds == ("ssn",)


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "123-00-4567",
        "123-45-0000",
        "123-45 6789",  # mixed separators
        "call 555-123-4567",  # a phone number: 3-3-4
        "123456789",  # nine bare digits without the words
    ],
)
def test_invalid_or_unlabelled_ssns_stay(text):
    assert redact(text).text == text


@pytest.mark.parametrize(
    "text", ["my ssn is 123456789", "Social Security Number: 123456789", "SSN#123456789"]
)
def test_bare_ssn_after_its_name_is_masked(text):
    result = redact(text)
    assert "123456789" not in result.text
    assert SSN in result.text
    assert result.kinds == ("ssn",)


@pytest.mark.parametrize("nino", ["AB123456C", "AB 12 34 56 C", "ab123456d", "JG 103759 A"])
def test_uk_ni_numbers_are_masked(nino):
    result = redact(f"NI: {nino} ok")
    assert result.text == f"NI: {NINO} ok"
    assert result.kinds == ("nino",)


@pytest.mark.parametrize(
    "text",
    [
        "QQ123456C",  # Q is never a first letter (the specimen number)
        "DA123456A",  # D is never a first letter
        "AO123456A",  # O never second
        "GB123456A",  # never issued
        "ZZ123456A",
        "AB123456E",  # suffix past D
        "AB12345C",  # five digits
        "XAB123456C",  # inside a word
    ],
)
def test_look_alikes_of_ni_numbers_stay(text):
    assert redact(text).text == text


def test_several_kinds_in_one_message_in_order():
    text = "card 4111 1111 1111 1111, NI AB123456C and SSN 123-45-6789"
    result = redact(text)
    assert result.text == f"card {CARD}, NI {NINO} and SSN {SSN}"
    assert result.kinds == ("card", "nino", "ssn")
    assert result.changed


def test_two_cards_and_plain_text():
    result = redact("4111111111111111 and 5555-5555-5555-4444")
    assert result.text == f"{CARD} and {CARD}"
    assert result.kinds == ("card", "card")
    assert not redact("hello there").changed
    assert redact("").text == ""


def test_every_luhn_valid_length_13_to_19_is_masked():
    for length in range(13, 20):
        body = "4" + "0" * (length - 2)
        check = next(d for d in "0123456789" if luhn_ok(body + d))
        assert redact(body + check).kinds == ("card",), length
