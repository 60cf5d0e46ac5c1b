"""An email's HTML made harmless for the desk, and its plain text for when it has no text part."""

import re
from html.parser import HTMLParser

import nh3


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Remote images are dropped: loading them would tell the sender (or a tracker) that an agent
    # opened the email. Images sent with the email (`cid:`) are kept.
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


_CLEANER = nh3.Cleaner(
    url_schemes=nh3.ALLOWED_URL_SCHEMES | {"cid"},
    clean_content_tags=nh3.CLEAN_CONTENT_TAGS | {"title", "head"},
    attribute_filter=_attribute_filter,
)


def sanitise_email_html(html: str) -> str:
    """The HTML with nothing that runs or tracks: no scripts, styles, event handlers,
    javascript: links or remote images (nh3, with `cid:` images of the email itself allowed)."""
    if not html.strip():
        return ""
    return _CLEANER.clean(html).strip()


_BLOCKS = {
    "address", "article", "blockquote", "div", "dl", "dt", "dd", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_SKIP = {"head", "script", "style", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS and tag != "li":  # the next item starts its own line
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: paragraphs and line breaks kept, markup dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
