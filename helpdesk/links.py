"""Links that leave the site: an email's link must work from a mail client, so it starts with
SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` ("/desk/tickets/1000/") under SITE_URL; a link that is absolute already stays."""
    if "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
