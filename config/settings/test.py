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
