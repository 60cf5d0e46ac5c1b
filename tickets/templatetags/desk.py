"""Template filters of the desk: message HTML made safe, and time left as a countdown."""

from datetime import datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

from helpdesk.services.knowledge import sanitise_html

register = template.Library()


@register.filter
def safe_message_html(html: str) -> SafeString:
    """An email's HTML sanitised again on the way out (it was on the way in too), so a body
    that reached the database another way is harmless as well."""
    return mark_safe(sanitise_html(html))  # noqa: S308 - sanitised by nh3


@register.filter
def time_left(due: datetime | None, now: datetime) -> str:
    """ "1:02:03" until `due`, "-0:00:05" past it, "2d 01:00:00" beyond a day; the page's
    script counts it down from there."""
    if due is None:
        return ""
    seconds = (due - now).total_seconds()
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    text = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    if days:
        text = f"{days}d {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"-{text}" if seconds < 0 else text
