"""The one rate limiter (helpdesk/ratelimit.py) against the real Redis: rates as people write
them, exactly `count` hits allowed per window, the wait until the window ends, and counts kept
apart by scope, ident and namespace."""

import pytest

from helpdesk import ratelimit
from helpdesk.ratelimit import Rate, parse_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("600/min", Rate(600, 60)),
        ("20/10min", Rate(20, 600)),
        ("3/day", Rate(3, 86400)),
        ("10/10s", Rate(10, 10)),
        ("5 / 2 hours", Rate(5, 7200)),
    ],
)
def test_rates_are_read_as_written(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "600", "x/min", "5/fortnight", "5/0min"])
def test_a_malformed_rate_is_named(text):
    with pytest.raises(ValueError, match="rate|period"):
        parse_rate(text)


def test_exactly_the_count_is_allowed_then_the_wait_is_told():
    verdicts = [ratelimit.hit("test", "10.0.0.1", rate="3/hour") for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    assert verdicts[0].retry_after == 0 and 3500 < verdicts[-1].retry_after <= 3600
    with pytest.raises(ratelimit.RateLimitExceeded, match="Slow down. Please try again in"):
        ratelimit.check("test", "10.0.0.1", rate="3/hour", detail="Slow down.")


def test_counts_are_kept_apart_by_scope_ident_and_namespace(settings):
    assert ratelimit.hit("test", "a", rate="1/hour").allowed
    assert not ratelimit.hit("test", "a", rate="1/hour").allowed
    assert ratelimit.hit("other", "a", rate="1/hour").allowed
    assert ratelimit.hit("test", "b", rate="1/hour").allowed
    settings.RATELIMIT_NAMESPACE += "-another-deployment"
    assert ratelimit.hit("test", "a", rate="1/hour").allowed


def test_a_malformed_rate_setting_is_named_by_the_system_check(settings):
    settings.CHAT_START_RATE = "lots"
    (error,) = ratelimit.check_rate_settings()
    assert error.id == "helpdesk.E100" and "CHAT_START_RATE" in error.msg


def test_with_redis_gone_every_hit_is_allowed_and_a_warning_logged(settings, caplog):
    """A limiter that cannot count must not turn away customers with a 500: it lets the hit
    through (a limit is a brake, not a door) and says so in the log."""
    gone = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": gone,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    with caplog.at_level("WARNING", logger="helpdesk.ratelimit"):
        verdicts = [ratelimit.hit("test", "10.0.0.9", rate="1/hour") for _ in range(3)]
        ratelimit.check("test", "10.0.0.9", rate="1/hour", detail="Slow down.")
    assert all(v.allowed for v in verdicts)
    assert "rate limit not counted" in caplog.text
