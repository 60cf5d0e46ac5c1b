"""Email in: reading raw messages (`parse_email`) and spotting mail no person wrote."""

from .automated import AUTO_REPLY, BOUNCE, BULK
from .limits import EmailLimits, EmailOverLimit
from .parsing import EmailParseError, ParsedAttachment, ParsedEmail, content_hash, parse_email
from .storable import storable

__all__ = [
    "AUTO_REPLY",
    "BOUNCE",
    "BULK",
    "EmailLimits",
    "EmailOverLimit",
    "EmailParseError",
    "ParsedAttachment",
    "ParsedEmail",
    "content_hash",
    "parse_email",
    "storable",
]
