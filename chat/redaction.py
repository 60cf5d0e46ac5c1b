"""Masking in chat is the core's rule (`helpdesk.privacy`), kept here under the names chat's
callers and tests have always used."""

from helpdesk.privacy.masking import MASKS, Masked, Redacted, luhn_ok, mask, redact

__all__ = ["MASKS", "Masked", "Redacted", "luhn_ok", "mask", "redact"]
