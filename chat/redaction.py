"""Masking sensitive numbers in chat text, before it is stored, broadcast or logged.

Pure Python. Three kinds are masked:

- **card**: 13 to 19 digits, optionally grouped with single spaces or dashes, that pass the Luhn
  check (a 16-digit order number that fails Luhn is left alone);
- **ssn**: a US social security number written `AAA-GG-SSSS` or `AAA GG SSSS` (area not 000, 666
  or 9xx; group not 00; serial not 0000), or as 9 bare digits only after the words SSN or
  "social security";
- **nino**: a UK national insurance number, two letters, six digits and a suffix A-D, with or
  without spaces (`QQ 12 34 56 C`); the prefixes that are never issued are left alone.

A masked number becomes `[card removed]`, `[SSN removed]` or `[NI number removed]`; the caller
records which kinds were found, never the value.
"""

import re
from dataclasses import dataclass

MASKS = {"card": "[card removed]", "ssn": "[SSN removed]", "nino": "[NI number removed]"}

# Digits in groups split by one space or dash; 13-19 digits in all is checked after matching.
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
_SSN_BARE = re.compile(
    r"(?i)\b(ssn|social\s+security(?:\s+(?:number|no\.?|#))?)(\s*(?:is\s+)?[:#]?\s*)"
    r"(?!000|666|9\d\d)(\d{3})(?!00)(\d{2})(?!0000)(\d{4})\b"
)
# HMRC: first letter not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; and the prefixes
# BG, GB, KN, NK, NT, TN, ZZ are never issued.
_NINO = re.compile(
    r"(?i)\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"
)


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]  # one entry per masked number, in the order found

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"[ -]", "", candidate)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def redact(text: str) -> Redacted:
    """The text with every card number, SSN and NI number masked, and the kinds masked."""
    found: list[tuple[int, str]] = []

    def card(match: re.Match) -> str:
        if not _is_card(match.group()):
            return match.group()
        found.append((match.start(), "card"))
        return MASKS["card"]

    def ssn(match: re.Match) -> str:
        found.append((match.start(), "ssn"))
        return MASKS["ssn"]

    def ssn_bare(match: re.Match) -> str:
        found.append((match.start(), "ssn"))
        return f"{match.group(1)}{match.group(2)}{MASKS['ssn']}"

    def nino(match: re.Match) -> str:
        found.append((match.start(), "nino"))
        return MASKS["nino"]

    text = _CARD.sub(card, text or "")
    text = _SSN.sub(ssn, text)
    text = _SSN_BARE.sub(ssn_bare, text)
    text = _NINO.sub(nino, text)
    return Redacted(text=text, kinds=tuple(kind for _, kind in sorted(found)))
