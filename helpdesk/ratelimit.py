"""The one rate limiter of the help desk: the public side (chat start, messages left, transcript
emails, typing frames, the survey page, the secure form, sign-in) and the API throttle count here.

Counts live in the cache alias `ratelimit` (CACHES; Redis in every deployment), so a limit holds
across every server process and every thread: N allowed means N, whichever process answers.

The rule: a *rate* is "<count>/<period>" (`"20/10min"`, `"600/min"`, `"3/day"`; periods s, min,
hour, day, with an optional multiplier). The first hit on a key starts its window; each hit adds
one with Redis's atomic INCR (the window's expiry is set by the same Lua script, so no hit is lost
or counted twice, and no key outlives its window); a hit past `count` in the window is refused
with how many seconds remain (`retry_after`, from the key's own TTL, so every process agrees).
Refused hits count too: hammering does not open the door sooner. When the cache cannot be
reached (Redis down) the hit is allowed and a warning logged: a limit is a brake, and a customer
must still be able to start a chat or leave a message while Redis restarts.

`RATELIMIT_NAMESPACE` (env) separates deployments (or tests) that share one Redis.
"""

import logging
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import JsonResponse
from redis.exceptions import RedisError

ALIAS = "ratelimit"

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
_PERIODS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")

# INCR, and start the window's expiry on the first hit, in one atomic step; the count and the
# milliseconds left of the window come back together.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count} every {_human(self.seconds)}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # hits in the window so far, this one included
    retry_after: int  # seconds until the window ends (0 when allowed)


class RateLimitExceeded(Exception):
    """A hit past its rate: `detail` for the person, `retry_after` in seconds."""

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


def parse_rate(rate: str | Rate) -> Rate:
    """`"20/10min"` -> Rate(20, 600). Raises ValueError naming a malformed rate."""
    if isinstance(rate, Rate):
        return rate
    match = _RATE.match(str(rate or "").lower())
    unit = match and (_PERIODS.get(match.group(3)) or _PERIODS.get(match.group(3) + "s"))
    if not match or not unit:
        raise ValueError(f"'{rate}' is not a rate: write e.g. 20/10min, 600/min or 3/day.")
    seconds = int(match.group(2) or 1) * unit
    if seconds <= 0:
        raise ValueError(f"'{rate}' has no period.")
    return Rate(int(match.group(1)), seconds)


def _human(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}s" if n > 1 else unit
    return f"{seconds} seconds" if seconds != 1 else "second"


def _key(scope: str, ident: str) -> str:
    # Idents come from outsiders (an email address, a header): keep them short and safe for
    # every cache backend (memcached refuses spaces and control characters).
    ident = re.sub(r"[^A-Za-z0-9@._:+-]", "_", str(ident))[:200]
    return f"rl:{settings.RATELIMIT_NAMESPACE}:{scope}:{ident}"


def hit(scope: str, ident: str, *, rate: str | Rate) -> Verdict:
    """Count one hit of `ident` (an address, a chat, a key) on `scope` and say whether it is
    within `rate`."""
    rate = parse_rate(rate)
    try:
        count, left = _count(scope, ident, rate)
    except (RedisError, OSError) as error:
        logger.warning("rate limit not counted (%s %s): %s", scope, rate, error)
        return Verdict(allowed=True, count=0, retry_after=0)
    allowed = count <= rate.count
    return Verdict(allowed=allowed, count=count, retry_after=0 if allowed else left)


def _count(scope: str, ident: str, rate: Rate) -> tuple[int, int]:
    """One more hit on the key; its count in the window and the seconds the window has left."""
    cache = caches[ALIAS]
    key = _key(scope, ident)
    if isinstance(cache, RedisCache):
        # Django's RedisCache has no atomic "increment with expiry"; its client's own Redis
        # connection runs the script (cache.make_and_validate_key adds KEY_PREFIX and version).
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        count, ttl_ms = client.eval(_HIT, 1, full_key, rate.seconds * 1000)
        count, left = int(count), max(1, math.ceil(int(ttl_ms) / 1000))
    else:  # a one-process cache (LocMemCache): add + incr under its own lock
        cache.add(key, 0, timeout=rate.seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.seconds)
            count = 1
        left = rate.seconds
    return count, left


def check(scope: str, ident: str, *, rate: str | Rate, detail: str) -> None:
    """`hit`, raising RateLimitExceeded (with `detail` and when to try again) past the rate."""
    verdict = hit(scope, ident, rate=rate)
    if not verdict.allowed:
        raise RateLimitExceeded(
            f"{detail} Please try again in {_wait(verdict.retry_after)}.",
            retry_after=verdict.retry_after,
        )


def _wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


RATE_SETTINGS = (
    "API_THROTTLE_RATE",
    "CHAT_START_RATE",
    "CHAT_LEAVE_MESSAGE_RATE",
    "CHAT_SECURE_FORM_RATE",
    "CHAT_TYPING_RATE",
    "CHAT_TRANSCRIPT_RATE_PER_ADDRESS",
    "LOGIN_RATE",
)


@checks.register(checks.Tags.security)
def check_rate_settings(app_configs=None, **kwargs) -> list[checks.Error]:
    """A malformed rate in the environment is named at start-up, not a 500 on the first hit."""
    errors = []
    for name in RATE_SETTINGS:
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            errors.append(checks.Error(f"{name}: {error}", id="helpdesk.E100"))
    return errors


def client_address(request) -> str:
    """The address a request came from (behind a proxy, run the ASGI server with its
    proxy-headers option so this is the visitor's)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def too_many_requests(error: RateLimitExceeded) -> JsonResponse:
    """The JSON 429 of a public endpoint, with Retry-After."""
    response = JsonResponse(
        {"error": "rate_limited", "detail": error.detail, "retry_after": error.retry_after},
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response
