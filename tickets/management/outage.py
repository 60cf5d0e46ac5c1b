"""A command that goes on when Redis is not there (`ingest_email` run outside `make run`): what
needs Redis during ingestion is the desk's live updates (the channel layer) and the hand-over
of emails and notifications to Celery (the broker). Live updates only serve open pages, and
emails to customers wait for the send sweep (`tickets.tasks.requeue_unsent_messages`), so the
command says it once, on one line, instead of a traceback for every message. (Staff
notifications are kept on the desk; their email copy is not sent: nothing sweeps those.)
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import redis
from celery import current_app
from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnreachable

WARNING = (
    "warning: Redis is unreachable ({where}): the desk's live updates are not sent; emails to "
    "customers are sent later, by the send sweep once Redis is back"
)
# Said by the services when Redis is not there; each says the work is done later.
_DEFERRED_LOGGERS = ("helpdesk.realtime", "tickets.services.outbound", "helpdesk.webhooks")
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, BrokerUnreachable)


def _redis_urls() -> list[str]:
    urls = [settings.REDIS_URL, getattr(settings, "CELERY_BROKER_URL", "")]
    return list(dict.fromkeys(u for u in urls if u and urlsplit(u).scheme.startswith("redis")))


def unreachable_redis() -> str:
    """The first Redis the desk uses (channel layer, broker) that does not answer a PING
    within a second, shown without its password; '' when all answer."""
    for url in _redis_urls():
        try:
            redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return _shown(url)
    return ""


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def _caused_by_redis(record: logging.LogRecord) -> bool:
    error = record.exc_info[1] if record.exc_info else None
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, _UNREACHABLE):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class _RedisOutageFilter(logging.Filter):
    """Drops the records Redis being away causes, saying the one warning at the first."""

    def __init__(self, warn: Callable[[str], None], where: str) -> None:
        super().__init__()
        self.warn, self.where, self.warned = warn, where, False

    def filter(self, record: logging.LogRecord) -> bool:
        deferred = record.name.startswith(_DEFERRED_LOGGERS) and record.levelno <= logging.WARNING
        if not (_caused_by_redis(record) or (self.where and deferred)):
            return True
        self.say()
        return False

    def say(self) -> None:
        if not self.warned:
            self.warned = True
            self.warn(WARNING.format(where=self.where or _shown(settings.REDIS_URL)))


def _handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    found: list[logging.Handler] = []
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            if handler not in found:
                found.append(handler)
    return found


@contextmanager
def without_redis_tracebacks(warn: Callable[[str], None]) -> Iterator[bool]:
    """Inside: whatever Redis being unreachable makes the services log is said once, through
    `warn` (at the first such record: nothing is said when nothing needed Redis), and nothing
    else of it is printed. Yields whether Redis was unreachable at the start (it may also go
    away on the way)."""
    where = unreachable_redis()
    outage = _RedisOutageFilter(warn, where)
    conf = current_app.conf
    retry_policy = conf.task_publish_retry_policy
    if where:
        # Hand a task over once, not with the retries that wait for a broker coming back
        # (most of a second an email): the sweep hands the emails over later.
        conf.task_publish_retry_policy = {**retry_policy, "max_retries": 0}
    handlers = _handlers()
    for handler in handlers:
        handler.addFilter(outage)
    try:
        yield bool(where)
    finally:
        for handler in handlers:
            handler.removeFilter(outage)
        conf.task_publish_retry_policy = retry_policy
