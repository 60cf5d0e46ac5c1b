"""Knowledge shared by every channel: canned responses (rendered safely) and articles (HTML
sanitised on the way in and on the way out)."""

import re

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from helpdesk.models import Article, CannedResponse, Customer
from helpdesk.models.people import Channel

# A placeholder is a lower-case name in braces. Nothing else is interpreted: `{customer.name}`,
# `{0}` or `{__class__}` are plain text, so a canned response can never reach into an object.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = {
    "customer_name": "The customer's name ('there' when we don't know it: 'Hi there').",
    "agent_name": "The agent's first name (or username).",
    "company": "The company's name from the service policy.",
    "ticket_reference": "The reference of the ticket, chat or complaint.",
}


def canned_response_context(
    *, customer: Customer | None = None, agent=None, company: str = "", ticket_reference: str = ""
) -> dict[str, str]:
    """The values of the standard placeholders for a conversation (add more keys as needed)."""
    agent_name = ""
    if agent is not None:
        agent_name = agent.first_name or agent.get_username()
    return {
        "customer_name": (customer.name if customer is not None else "") or "there",
        "agent_name": agent_name,
        "company": company,
        "ticket_reference": ticket_reference,
    }


def render_canned_response(*, response: CannedResponse, context: dict, as_html: bool = True) -> str:
    """The response's text with its placeholders filled in from `context`.

    A placeholder missing from `context` stays as written. With `as_html` (the default) the
    result is safe to put in a page: the text and every value are escaped (values marked safe
    by the caller are kept) and a SafeString is returned. `as_html=False` gives plain text for
    plain-text channels (an email's text part, a chat message shown with textContent).
    """

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in context:
            return escape(match.group(0)) if as_html else match.group(0)
        filled = "" if context[name] is None else context[name]
        return conditional_escape(filled) if as_html else str(filled)

    body = response.body
    if not as_html:
        return PLACEHOLDER.sub(value, body)
    parts, position = [], 0
    for match in PLACEHOLDER.finditer(body):
        parts.append(escape(body[position : match.start()]))
        parts.append(value(match))
        position = match.end()
    parts.append(escape(body[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@transaction.atomic
def save_canned_response(
    *,
    title: str,
    shortcut: str,
    body: str,
    channel: str = "",
    is_active: bool = True,
    created_by=None,
    response: CannedResponse | None = None,
) -> CannedResponse:
    """Create a canned response, or update `response` (saved or not) with these values.

    The shortcut is what agents type after a slash, so it is stored as a slug without the slash
    and must be unique; an empty channel means every channel.
    """
    response = response if response is not None else CannedResponse()
    shortcut = slugify((shortcut or "").strip().lstrip("/"))
    if not shortcut:
        raise ValidationError({"shortcut": "A canned response needs a shortcut, e.g. 'greeting'."})
    if channel and channel not in Channel.values:
        raise ValidationError({"channel": f"'{channel}' is not a channel."})
    taken = CannedResponse.objects.filter(shortcut=shortcut).exclude(pk=response.pk)
    if taken.exists():
        raise ValidationError({"shortcut": f"The shortcut '/{shortcut}' is taken."})
    if not (body or "").strip():
        raise ValidationError({"body": "A canned response needs some text."})
    response.title = (title or "").strip() or shortcut
    response.shortcut = shortcut
    response.body = body.strip()
    response.channel = channel
    response.is_active = is_active
    if response.pk is None and created_by is not None:
        response.created_by = created_by
    response.updated_at = timezone.now()
    response.full_clean(validate_unique=False)
    response.save()
    return response


def sanitise_html(html: str) -> str:
    """HTML reduced to harmless markup: no scripts, event handlers, styles or javascript: links
    (nh3's defaults), and links get rel="noopener noreferrer"."""
    return nh3.clean(html or "")


def article_html(article: Article) -> SafeString:
    """The article's body ready for a page. Sanitised again on the way out, so a body that
    reached the database another way (a fixture, raw SQL) is harmless too."""
    return mark_safe(sanitise_html(article.body))  # noqa: S308 - sanitised by nh3


def _normalise_tags(tags: str) -> str:
    seen: list[str] = []
    for tag in (tags or "").split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


def _unique_slug(base: str, *, exclude_pk: int | None) -> str:
    base = base[:190] or "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def save_article(
    *,
    title: str,
    body: str,
    tags: str = "",
    slug: str = "",
    is_published: bool = True,
    article: Article | None = None,
) -> Article:
    """Create an article, or update `article` (saved or not) with these values.

    The body's HTML is sanitised before it is stored; tags are stored lower-case, comma
    separated, without repeats; an empty slug is made from the title (and made unique), a given
    slug must be free.
    """
    article = article if article is not None else Article()
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "An article needs a title."})
    if slug:
        slug = slugify(slug)
        if Article.objects.filter(slug=slug).exclude(pk=article.pk).exists():
            raise ValidationError({"slug": f"The slug '{slug}' is taken."})
    else:
        slug = _unique_slug(slugify(title), exclude_pk=article.pk)
    article.title = title
    article.slug = slug
    article.body = sanitise_html(body)
    article.tags = _normalise_tags(tags)
    article.is_published = is_published
    article.updated_at = timezone.now()
    article.full_clean(validate_unique=False)
    article.save()
    return article
