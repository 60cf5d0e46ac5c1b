"""Email in: reading raw messages (`parse_email`) and spotting mail no person wrote."""

from .automated import AUTO_REPLY, BOUNCE, BULK
from .parsing import EmailParseError, ParsedAttachment, ParsedEmail, content_hash, parse_email

__all__ = [
    "AUTO_REPLY",
    "BOUNCE",
    "BULK",
    "EmailParseError",
    "ParsedAttachment",
    "ParsedEmail",
    "content_hash",
    "parse_email",
]
