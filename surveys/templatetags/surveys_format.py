"""Formatting of survey figures in the digest and the desk page."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share 0..1 as "42%"; a dash when there is nothing to measure."""
    return "–" if value is None else f"{value * 100:.0f}%"


@register.filter
def score(value) -> str:
    """An average score as "3.8"; a dash without responses."""
    return "–" if value is None else f"{value:.1f}"
