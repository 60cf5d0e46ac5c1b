"""What a bounce says happened to each address: the per-recipient fields of a delivery report
(RFC 3464 `message/delivery-status`), or, for a mail server's plain-text bounce, the SMTP reply
quoted in its text."""

import re
from dataclasses import dataclass
from email.message import EmailMessage

from .headers import header
from .storable import storable

FAILED = "failed"
_SMTP_REPLY = re.compile(r"^\s*([45]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b.*)$", re.MULTILINE)
_MAX = {"recipient": 320, "action": 20, "status": 20, "diagnostic": 2000}


@dataclass(frozen=True)
class RecipientStatus:
    """One address of a delivery report: `action` is "failed", "delayed", "delivered",
    "relayed" or "expanded" (RFC 3464 2.3.3), `status` the enhanced code ("5.1.1"),
    `diagnostic` the receiving server's own words ("smtp; 550 5.1.1 User unknown")."""

    recipient: str
    action: str
    status: str
    diagnostic: str

    @property
    def failed(self) -> bool:
        return self.action == FAILED or (not self.action and self.status.startswith("5"))


def _bounded(**values: str) -> RecipientStatus:
    return RecipientStatus(**{k: storable(v)[: _MAX[k]] for k, v in values.items()})


def _address(value: str) -> str:
    """ "rfc822; ann@example.org" is "ann@example.org"."""
    return value.split(";", 1)[-1].strip().strip("<>") if value else ""


def recipient_statuses(part: EmailMessage) -> list[RecipientStatus]:
    """The recipients' fields of a `message/delivery-status` part (its first block is the
    reporting server's, each further block one recipient's)."""
    found = []
    blocks = part.get_payload() if part.is_multipart() else []
    for block in blocks:
        if not isinstance(block, EmailMessage):
            continue
        recipient = header(block, "Final-Recipient") or header(block, "Original-Recipient")
        if not recipient:
            continue  # the per-message block
        found.append(
            _bounded(
                recipient=_address(recipient),
                action=header(block, "Action").lower().split(" ")[0],
                status=header(block, "Status").split(" ")[0],
                diagnostic=header(block, "Diagnostic-Code"),
            )
        )
    return found


def plain_bounce_status(text: str) -> RecipientStatus:
    """A failure read from a bounce without a report: the first SMTP reply with an enhanced
    status code quoted in its text ("550 5.2.2 Mailbox full"); the address is left to the
    caller (the bounced email's own recipient)."""
    match = _SMTP_REPLY.search(text or "")
    if match is None:
        return _bounded(recipient="", action=FAILED, status="", diagnostic="")
    return _bounded(
        recipient="", action=FAILED, status=match.group(2), diagnostic=match.group(1).strip()
    )
