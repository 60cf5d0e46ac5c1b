"""Masking sensitive numbers in text, before it is stored, broadcast or shown.

Pure Python. The kinds a policy may name (`helpdesk.policy.privacy.MASK_KINDS`):

- **card**: 13 to 19 digits, optionally grouped with single spaces or dashes, that pass the Luhn
  check (a 16-digit order number that fails Luhn is left alone);
- **ssn**: a US social security number written `AAA-GG-SSSS` or `AAA GG SSSS` (area not 000, 666
  or 9xx; group not 00; serial not 0000), or as 9 bare digits only after the words SSN or
  "social security";
- **nino**: a UK national insurance number, two letters, six digits and a suffix A-D, with or
  without spaces (`AB 12 34 56 C`); the prefixes that are never issued are left alone;
- **driving_licence**: a UK (DVLA) driving licence number, 16 characters: five of the surname
  (padded with 9s), the birth date as decade digit, month (plus 50 for women), day and year
  digit, two initials (9 for none), a digit and two check letters (`MORGA753116SM9IJ`), upper or
  lower case, optionally spaced into those groups and followed by the two-digit issue number.

A masked number becomes `[card removed]`, `[SSN removed]`, `[NI number removed]` or
`[driving licence removed]`; the caller records which kinds were found, never the value.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from helpdesk.policy.privacy import MASK_KINDS

MASKS = {
    "card": "[card removed]",
    "ssn": "[SSN removed]",
    "nino": "[NI number removed]",
    "driving_licence": "[driving licence removed]",
}

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
# DVLA: surname (a letter, then letters, the rest padded with 9s), decade, month 01-12 or 51-62,
# day 01-31, year digit, initials (the second may be 9), a digit, two check letters; an issue
# number may follow. The 9-padding and the month/day ranges keep words and dates out.
_DRIVING_LICENCE = re.compile(
    r"(?i)(?<![\w-])[A-Z](?:[A-Z]{4}|[A-Z]{3}9|[A-Z]{2}99|[A-Z]999|9999) ?"
    r"\d(?:[05][1-9]|[16][0-2])(?:0[1-9]|[12]\d|3[01])\d ?"
    r"[A-Z][A-Z9] ?\d[A-Z]{2}(?: ?\d{2})?(?![\w-])"
)


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]  # one entry per masked number, in the order found

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


# The name chat has always used.
Redacted = Masked


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


def mask(text: str, kinds: Iterable[str] = MASK_KINDS) -> Masked:
    """The text with every number of the given kinds masked, and the kinds masked.

    Cards go first: a card's digits can look like an SSN's groups, never the other way round.
    """
    kinds = frozenset(kinds)
    text = text or ""
    found: list[tuple[int, str]] = []
    if not kinds or not text:
        return Masked(text=text, kinds=())

    def card(match: re.Match) -> str:
        if not _is_card(match.group()):
            return match.group()
        found.append((match.start(), "card"))
        return MASKS["card"]

    def whole(kind: str):
        def replace(match: re.Match) -> str:
            found.append((match.start(), kind))
            return MASKS[kind]

        return replace

    def ssn_bare(match: re.Match) -> str:
        found.append((match.start(), "ssn"))
        return f"{match.group(1)}{match.group(2)}{MASKS['ssn']}"

    if "card" in kinds:
        text = _CARD.sub(card, text)
    if "ssn" in kinds:
        text = _SSN.sub(whole("ssn"), text)
        text = _SSN_BARE.sub(ssn_bare, text)
    if "nino" in kinds:
        text = _NINO.sub(whole("nino"), text)
    if "driving_licence" in kinds:
        text = _DRIVING_LICENCE.sub(whole("driving_licence"), text)
    return Masked(text=text, kinds=tuple(kind for _, kind in sorted(found)))


def redact(text: str) -> Masked:
    """Every kind masked (what chat did before masking followed the policy)."""
    return mask(text, MASK_KINDS)
