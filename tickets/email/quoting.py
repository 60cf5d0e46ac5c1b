"""Quoted history: what a reply repeats of earlier messages, trimmed for display but kept.

Recognised, in the plain text:
- an attribution line, "On Tue, 3 Mar 2026 at 10:00, Ann <ann@example.org> wrote:" (also when a
  client wraps it over two lines, and its common translations), and everything after it;
- Outlook's "-----Original Message-----" line, or its "From: ... / Sent: ..." header block (often
  after a line of underscores), and everything after it;
- a block of lines starting with ">" at the end of the message.

Lines starting with ">" between the writer's own lines (an answer written inline) stay: the
answers would make no sense without them.
"""

import re

_ATTRIBUTION = re.compile(
    r"^(On|Le|Am|El|Il|Op|Em)\s.+(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu)"
    r"\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(On|Le|Am|El|Il|Op|Em)\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(
    r"(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu)\s*:\s*$", re.IGNORECASE
)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*_{10,}\s*$")
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To):\*?\s", re.IGNORECASE)


def _cut_index(lines: list[str]) -> int | None:
    """The index of the first line of the quoted history, if any."""
    for i, line in enumerate(lines):
        if _ATTRIBUTION.match(line) or _ORIGINAL.match(line):
            return i
        if (
            _ATTRIBUTION_START.match(line)
            and i + 1 < len(lines)
            and _ATTRIBUTION_END.search(lines[i + 1])
            and not _ATTRIBUTION_END.search(line)
        ):
            return i
        if _SEPARATOR.match(line) and i + 1 < len(lines) and _OUTLOOK_FROM.match(lines[i + 1]):
            return i
        if (
            i > 0
            and _OUTLOOK_FROM.match(line)
            and i + 1 < len(lines)
            and _OUTLOOK_NEXT.match(lines[i + 1])
        ):
            return i
    return None


def split_quoted(text: str) -> tuple[str, str]:
    """(what the writer wrote, the quoted history): their concatenation keeps every line.

    When everything would be quoted (a bare forward), nothing is trimmed.
    """
    lines = text.splitlines()
    cut = _cut_index(lines)
    end = len(lines) if cut is None else cut
    # A trailing block of "> " lines (and blank lines around it) is quoted history too.
    start_of_quote = end
    while start_of_quote > 0 and (
        lines[start_of_quote - 1].startswith(">") or not lines[start_of_quote - 1].strip()
    ):
        start_of_quote -= 1
    if start_of_quote < end and not any(line.startswith(">") for line in lines[start_of_quote:end]):
        start_of_quote = end  # only blank lines: nothing quoted there
    display = "\n".join(lines[:start_of_quote]).rstrip()
    quoted = "\n".join(lines[start_of_quote:]).strip("\n")
    if not display.strip():
        return text.strip("\n"), ""
    return display, quoted
