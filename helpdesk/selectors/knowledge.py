"""Finding knowledge: canned responses and published articles, in one list of hits.

On PostgreSQL the search is full-text (English stemming, `websearch` syntax: quoted phrases,
`or`, `-word`), ranked with titles and shortcuts weighing more than bodies. Elsewhere (SQLite in
development) every word of the query must appear somewhere, case-insensitively. A query starting
with `/` looks for canned responses by shortcut, as agents type them.
"""

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import strip_tags
from django.utils.text import Truncator

from helpdesk.models import Article, CannedResponse

SEARCH_CONFIG = "english"
CANNED = "canned"
ARTICLE = "article"


@dataclass(frozen=True)
class KnowledgeHit:
    kind: str  # CANNED or ARTICLE
    item: CannedResponse | Article
    rank: float

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def excerpt(self) -> str:
        return Truncator(" ".join(strip_tags(self.item.body).split())).chars(160)


def canned_responses_for(*, channel: str | None = None) -> QuerySet[CannedResponse]:
    """Active canned responses usable on `channel` (those for every channel included)."""
    responses = CannedResponse.objects.filter(is_active=True)
    if channel:
        responses = responses.filter(Q(channel="") | Q(channel=channel))
    return responses


def search_knowledge(
    *, query: str, channel: str | None = None, limit: int = 20
) -> list[KnowledgeHit]:
    """Canned responses (usable on `channel`) and published articles matching `query`, best
    first, at most `limit` of them. An empty query finds nothing."""
    query = " ".join((query or "").split())
    if not query:
        return []
    responses = canned_responses_for(channel=channel)
    if query.startswith("/"):
        shortcut = query[1:].strip()
        found = responses.filter(shortcut__istartswith=shortcut).order_by("shortcut")[:limit]
        return [KnowledgeHit(kind=CANNED, item=response, rank=1.0) for response in found]
    articles = Article.objects.filter(is_published=True)
    if connection.vendor == "postgresql":
        hits = _full_text(responses, query, ("title", "shortcut"), "body", CANNED, limit)
        hits += _full_text(articles, query, ("title", "tags"), "body", ARTICLE, limit)
    else:
        hits = _contains(responses, query, ("title", "shortcut"), "body", CANNED, limit)
        hits += _contains(articles, query, ("title", "tags"), "body", ARTICLE, limit)
    hits.sort(key=lambda hit: (-hit.rank, hit.title.lower(), hit.kind, hit.item.pk))
    return hits[:limit]


def _full_text(
    items: QuerySet, query: str, heavy: tuple[str, ...], light: str, kind: str, limit: int
) -> list[KnowledgeHit]:
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    vector = reduce(
        lambda a, b: a + b,
        [SearchVector(name, weight="A", config=SEARCH_CONFIG) for name in heavy]
        + [SearchVector(light, weight="B", config=SEARCH_CONFIG)],
    )
    found = (
        items.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .order_by("-rank", "pk")[:limit]
    )
    return [KnowledgeHit(kind=kind, item=item, rank=float(item.rank)) for item in found]


def _contains(
    items: QuerySet, query: str, heavy: tuple[str, ...], light: str, kind: str, limit: int
) -> list[KnowledgeHit]:
    words = query.lower().split()
    fields = (*heavy, light)
    each_word = [
        reduce(or_, [Q(**{f"{name}__icontains": word}) for name in fields]) for word in words
    ]
    found = items.filter(reduce(and_, each_word)).order_by("pk")
    hits = []
    for item in found:
        heading = " ".join(str(getattr(item, name)) for name in heavy).lower()
        # Words in the title (or shortcut, tags) weigh more, as the full-text ranking does.
        rank = sum(1.0 if word in heading else 0.1 for word in words) / len(words)
        hits.append(KnowledgeHit(kind=kind, item=item, rank=rank))
    hits.sort(key=lambda hit: -hit.rank)
    return hits[:limit]
