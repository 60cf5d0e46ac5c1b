"""Settings for the test suite. `make test` points DATABASE_URL at a throwaway PostgreSQL and
REDIS_URL at a throwaway redis-server."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="test-only-secret-key-not-for-production-use-0123456789")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "test-asgi"  # noqa: F405
# Tests call tasks through the real worker (tests/integration) or call services directly.
CELERY_BEAT_SCHEDULE = {}
# Static files straight from the apps (no collectstatic before a test run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A test that starts a real Celery worker may point the worker's email at a real SMTP server
# it runs (tests/surveys/test_digest_worker.py); unset, email stays in memory.
if env("TEST_EMAIL_URL", default=""):
    vars().update(env.email_url("TEST_EMAIL_URL"))
# A server process a test starts (Daphne) sends its tasks under that test's broker key prefix
# (tests/integration/conftest.py `broker`), so they reach the worker the test runs and no other.
if env("TEST_BROKER_KEYPREFIX", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": env("TEST_BROKER_KEYPREFIX"),
    }
# The tests' webhook receiver listens on http://127.0.0.1 (tests/api/receiver.py).
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
WEBHOOK_ALLOW_HTTP = True
# Each test process keeps its own cache, so one test's rate-limit counts never reach another.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The rate limiter counts in the real Redis, as in production, so tests see it hold across
    # processes; the root conftest gives each test its own RATELIMIT_NAMESPACE.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,  # noqa: F405
        "KEY_PREFIX": "test-helpdesk",
    },
}
