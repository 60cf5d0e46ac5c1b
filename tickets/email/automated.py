"""Mail no person wrote: auto-replies, bulk mail and bounces. The desk never acknowledges them,
so two help desks (or a help desk and an out-of-office reply) can never write to each other in a
loop (RFC 3834)."""

import re
from email.message import EmailMessage

from .headers import has_header, header

AUTO_REPLY = "auto_reply"
BULK = "bulk"
BOUNCE = "bounce"

_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
# The subjects common mail servers give a bounce without a report (Postfix, Exim, Gmail, ...).
_BOUNCE_SUBJECTS = re.compile(
    r"^\s*(undelivered mail returned to sender|undeliverable|undelivered|"
    r"delivery status notification \(failure\)|mail delivery failed|returned mail|"
    r"delivery failure|failure notice)",
    re.IGNORECASE,
)


def classify_automated(msg: EmailMessage, *, from_address: str) -> tuple[str, str]:
    """("", "") for mail a person wrote, else (kind, why): kind is BOUNCE, AUTO_REPLY or BULK."""
    content_type = msg.get_content_type()
    report_type = (msg.get_param("report-type") or "").lower() if content_type else ""
    if content_type == "multipart/report" and report_type == "delivery-status":
        return BOUNCE, "a delivery-status report"
    if _DAEMONS.match(from_address or ""):
        return BOUNCE, f"sent by {from_address}"
    null_sender = header(msg, "Return-Path").strip() == "<>" or not from_address
    if null_sender and _BOUNCE_SUBJECTS.match(header(msg, "Subject")):
        return BOUNCE, "a bounce from a null sender"
    auto_submitted = header(msg, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if has_header(msg, name):
            return AUTO_REPLY, f"{name} header"
    precedence = header(msg, "Precedence").lower()
    if precedence == "auto_reply":
        return AUTO_REPLY, "Precedence: auto_reply"
    if precedence in ("bulk", "junk", "list"):
        return BULK, f"Precedence: {precedence}"
    if content_type == "multipart/report":
        return AUTO_REPLY, f"a {report_type or 'report'} report"
    if has_header(msg, "List-Id"):
        return BULK, "List-Id header"
    if has_header(msg, "List-Unsubscribe"):
        return BULK, "List-Unsubscribe header"
    if header(msg, "Return-Path").strip() == "<>":
        return AUTO_REPLY, "null return path"
    return "", ""
