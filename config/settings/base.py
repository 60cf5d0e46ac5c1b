"""Settings shared by every environment. Everything that differs between machines comes from
the environment (see docs/configuration.md)."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from 'self', as the CSP requires
    "csp",
    "channels",
    "helpdesk",
    "tickets",
    "chat",
    "complaints",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # JSON for every answer under /api/ (CSRF, unknown paths, 405, 413, 500).
    "helpdesk.api.middleware.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    # PostgreSQL's JIT compiles for tens of milliseconds whenever a plan's estimated cost is
    # high (a desk queue sorted by deadline over thousands of open tickets): more than it
    # saves on short web queries. DATABASE_JIT=true leaves the server's setting alone.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has several writers at once (the web server and its chat threads,
    # the worker, beat). WAL lets readers go on during a write; IMMEDIATE takes the write lock
    # when a transaction begins, so two transactions never both read and then fail to upgrade
    # ("database is locked" at once, whatever the timeout); the timeout waits for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# One cache shared by every process; rate limits and the API throttle count in `ratelimit`.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "helpdesk",
    },
    # The rate limiter's counts (helpdesk/ratelimit.py): Redis, shared by every process.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("RATELIMIT_CACHE_URL", default=env("CACHE_URL", default=REDIS_URL)),
        "KEY_PREFIX": "helpdesk",
    },
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": env(
            "CHANNEL_LAYER_BACKEND", default="channels_redis.pubsub.RedisPubSubChannelLayer"
        ),
        "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNELS_PREFIX", default="asgi")},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Email out: any Django backend through EMAIL_URL (smtp://user:pass@host:587, consolemail://, ...).
# The default writes each message to a file under var/mail so nothing leaves a dev machine.
_email = env.email_url("EMAIL_URL", default="filemail://")
if _email.get("EMAIL_BACKEND") == "django.core.mail.backends.filebased.EmailBackend":
    _email["EMAIL_FILE_PATH"] = str(VAR_DIR / "mail")
vars().update(_email)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Help Desk <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach this desk: the start of every link in an email (a mail client cannot open
# "/desk/tickets/1000/"). `make run` serves http://127.0.0.1:8000.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis is the broker; JSON only, so a task never carries a pickled object.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Crontab entries (the 08:00 digests) run in the service team's local time, not UTC.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The service policy and its clocks.
SERVICE_POLICY_FILE = env(
    "SERVICE_POLICY_FILE", default=str(BASE_DIR / "config" / "service_policy.toml")
)
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=5.0)
SLA_SWEEP_BATCH_SIZE = env.int("SLA_SWEEP_BATCH_SIZE", default=1000)
# A clock due sooner than this gets its own Celery task at due_at as well as the sweep.
SLA_SCHEDULE_TASK_WITHIN_SECONDS = env.int("SLA_SCHEDULE_TASK_WITHIN_SECONDS", default=3600)
# Warn on the desk when this fraction of a target has gone.
SLA_WARNING_FRACTION = env.float("SLA_WARNING_FRACTION", default=0.8)
# The worker counts as alive while its heartbeat is younger than this.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=60)

CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "helpdesk.tasks.sweep_clocks", "schedule": SLA_SWEEP_SECONDS},
    # policy.review: the version in force has its review clock (one that took effect today too).
    "policy-review": {"task": "helpdesk.tasks.keep_policy_review", "schedule": 3600},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Integrations send `Authorization: Token <API key>`; the desk's pages use the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "helpdesk.api.errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["helpdesk.api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.api.throttling.ApiKeyRateThrottle"],
}
# Content-Security-Policy on every page (django-csp): scripts and styles only from the help
# desk's own static files, or inline with the request's nonce (`{{ request.csp_nonce }}`); no
# inline event handlers, style attributes, eval, plugins or framing. connect-src 'self' covers
# the page's own ws:/wss: sockets. CSP_REPORT_URI sends violation reports there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    },
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "TITLE": "Help Desk API",
    "DESCRIPTION": (
        "Tickets, customers, the service policy, reports and webhooks, under one service "
        "policy.\n\n"
        "**Authentication**: an API key from the admin (Help desk core → API keys), sent as "
        "`Authorization: Token hd_…`; each key has scopes and each endpoint names the scope it "
        "needs. Staff signed in to the desk use their session (and role).\n\n"
        "**Conventions**: times are ISO 8601 in UTC; long lists are cursor-paginated (follow "
        "`next`); creates honour `Idempotency-Key`; every error is "
        '`{"error": {"code", "message", "fields"}}`, a 400 naming each bad field.\n\n'
        "**Webhooks**: subscribe at `/api/v1/webhooks/`; deliveries are signed with "
        '`X-Helpdesk-Signature: sha256=HMAC(secret, "<X-Helpdesk-Timestamp>.<body>")`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.api.schema_hooks.describe_path_ids",
        "helpdesk.api.schema_hooks.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Status",
        "TicketChannelEnum": "tickets.models.TicketChannel",
        "InteractionChannelEnum": "helpdesk.models.people.Channel",
        "DeliveryStatusEnum": "helpdesk.models.webhooks.DeliveryStatus",
        "ComplaintStatusEnum": "complaints.models.Status",
        "ComplaintChannelEnum": "complaints.models.ComplaintChannel",
        "ChatStatusEnum": "chat.models.ChatStatus",
    },
}
# The API: requests per key (or user) per period; how long an Idempotency-Key is remembered.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
# Rate limits of the public side, "<count>/<period>" (s, min, hour, day; e.g. 20/10min), counted
# in the `ratelimit` cache so they hold across processes (helpdesk/ratelimit.py). Per address:
# chats started, messages left, secure-form posts, sign-in attempts; per chat: typing frames
# (over the rate they are dropped); per recipient address: transcript emails (one per chat).
RATELIMIT_NAMESPACE = env("RATELIMIT_NAMESPACE", default="")
CHAT_START_RATE = env("CHAT_START_RATE", default="20/10min")
CHAT_LEAVE_MESSAGE_RATE = env("CHAT_LEAVE_MESSAGE_RATE", default="10/10min")
CHAT_SECURE_FORM_RATE = env("CHAT_SECURE_FORM_RATE", default="10/10min")
CHAT_TYPING_RATE = env("CHAT_TYPING_RATE", default="10/10s")
CHAT_TRANSCRIPT_RATE_PER_ADDRESS = env("CHAT_TRANSCRIPT_RATE_PER_ADDRESS", default="3/day")
LOGIN_RATE = env("LOGIN_RATE", default="20/10min")
# Webhooks: request timeout, retries with exponential backoff (base × 2^n, capped), and the
# beat sweep that sends pending deliveries whose own task was lost.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=60.0)
WEBHOOK_SWEEP_GRACE_SECONDS = env.float("WEBHOOK_SWEEP_GRACE_SECONDS", default=60.0)
# Where webhooks may go (helpdesk/webhooks/addresses.py): never to loopback, private,
# link-local, multicast, reserved or unspecified addresses, except the hosts, addresses or
# networks allowed here; denied networks are refused as well, always. https only, unless
# WEBHOOK_ALLOW_HTTP.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_DENIED_NETWORKS = env.list("WEBHOOK_DENIED_NETWORKS", default=[])
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
CELERY_BEAT_SCHEDULE["api-idempotency-purge"] = {
    "task": "helpdesk.api.tasks.purge_idempotency_keys",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["webhooks-retry"] = {
    "task": "helpdesk.webhooks.tasks.retry_webhook_deliveries",
    "schedule": WEBHOOK_SWEEP_SECONDS,
}

# Privacy (helpdesk/privacy): another process sees a newly published [privacy] mask within this
# many seconds; the daily task removes what [retention] no longer keeps, a batch at a time.
PRIVACY_RECHECK_SECONDS = env.float("PRIVACY_RECHECK_SECONDS", default=30.0)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "helpdesk.privacy.tasks.apply_retention",
    "schedule": env.float("RETENTION_EVERY_SECONDS", default=86_400.0),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Serve static files straight from the apps (no collectstatic) when set; on with DEBUG.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# Every channel app's settings and beat entries.
from .channels import *  # noqa: E402, F403

CELERY_BEAT_SCHEDULE.update(CHANNEL_BEAT_SCHEDULE)  # noqa: F405
# The chat's wait timers are swept as often as the clocks.
CELERY_BEAT_SCHEDULE["chat-timers"] = {
    "task": "chat.tasks.sweep_chat_timers",
    "schedule": SLA_SWEEP_SECONDS,
}
