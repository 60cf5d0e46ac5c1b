"""Settings of the channel apps (tickets' email, complaints, chat, surveys), each from the
environment, and the beat entries that keep their timers (CHANNEL_BEAT_SCHEDULE, merged into
CELERY_BEAT_SCHEDULE by base.py). The core's settings are in base.py."""

import environ
from celery.schedules import crontab

env = environ.Env()
CHANNEL_BEAT_SCHEDULE: dict[str, dict] = {}

# Tickets: email in and out.
TICKETS_MAX_ATTACHMENT_BYTES = env.int("TICKETS_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
TICKETS_MAX_EMAIL_BYTES = env.int("TICKETS_MAX_EMAIL_BYTES", default=50 * 1024 * 1024)
# Caps an email must keep within before it is parsed; over one, it is kept raw and failed.
TICKETS_MAX_HEADER_BYTES = env.int("TICKETS_MAX_HEADER_BYTES", default=64 * 1024)  # one field
TICKETS_MAX_HEADERS_BYTES = env.int("TICKETS_MAX_HEADERS_BYTES", default=256 * 1024)  # in all
TICKETS_MAX_ENCODED_WORDS = env.int("TICKETS_MAX_ENCODED_WORDS", default=1000)  # RFC 2047
TICKETS_MAX_MIME_PARTS = env.int("TICKETS_MAX_MIME_PARTS", default=1000)
TICKETS_MAX_MIME_DEPTH = env.int("TICKETS_MAX_MIME_DEPTH", default=20)
TICKETS_MAX_RECORDING_BYTES = env.int("TICKETS_MAX_RECORDING_BYTES", default=20 * 1024 * 1024)
TICKETS_REPLY_TO_CLOSED = env("TICKETS_REPLY_TO_CLOSED", default="reopen")  # or "new"
TICKETS_FROM_EMAIL = env("TICKETS_FROM_EMAIL", default="")  # empty: DEFAULT_FROM_EMAIL
TICKETS_MESSAGE_ID_DOMAIN = env("TICKETS_MESSAGE_ID_DOMAIN", default="")  # empty: From's domain
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Email in: IMAP mailboxes (set in the admin) polled by beat every IMAP_POLL_SECONDS; their
# passwords encrypted with MAILBOX_ENCRYPTION_KEY (comma-separated to rotate; empty: derived from
# SECRET_KEY); POST /inbound/email/ signed with INBOUND_EMAIL_SECRET (empty: the endpoint is off).
IMAP_POLL_SECONDS = env.float("IMAP_POLL_SECONDS", default=60.0)
MAILBOX_ENCRYPTION_KEY = env("MAILBOX_ENCRYPTION_KEY", default="")
INBOUND_EMAIL_SECRET = env("INBOUND_EMAIL_SECRET", default="")
CHANNEL_BEAT_SCHEDULE["imap-poll"] = {
    "task": "tickets.tasks.poll_mailboxes",
    "schedule": IMAP_POLL_SECONDS,
}
# Email out: beat queues again the ticket emails whose send never reached Celery (the broker was
# down) once they are TICKETS_SEND_GRACE_SECONDS old, or whose task was lost (handed over longer
# ago than its retries last); each is still sent once.
TICKETS_SEND_SWEEP_SECONDS = env.float("TICKETS_SEND_SWEEP_SECONDS", default=60.0)
TICKETS_SEND_GRACE_SECONDS = env.float("TICKETS_SEND_GRACE_SECONDS", default=60.0)
TICKETS_SEND_REQUEUE_AFTER_SECONDS = env.float(
    "TICKETS_SEND_REQUEUE_AFTER_SECONDS", default=3 * 3600.0
)
CHANNEL_BEAT_SCHEDULE["tickets-send-sweep"] = {
    "task": "tickets.tasks.requeue_unsent_messages",
    "schedule": TICKETS_SEND_SWEEP_SECONDS,
}

# Complaints: reminders to owners and the periodic review (both idempotent, so beat may run
# them often); a holding letter drafted by the system proposes this much more time.
COMPLAINTS_REMIND_SECONDS = env.int("COMPLAINTS_REMIND_SECONDS", default=900)
COMPLAINTS_REVIEW_CHECK_SECONDS = env.int("COMPLAINTS_REVIEW_CHECK_SECONDS", default=3600)
COMPLAINTS_HOLDING_EXTENSION = env("COMPLAINTS_HOLDING_EXTENSION", default="5wd")
CHANNEL_BEAT_SCHEDULE["complaints-remind-owners"] = {
    "task": "complaints.tasks.remind_complaint_owners",
    "schedule": COMPLAINTS_REMIND_SECONDS,
}
CHANNEL_BEAT_SCHEDULE["complaints-review"] = {
    "task": "complaints.tasks.send_complaint_review",
    "schedule": COMPLAINTS_REVIEW_CHECK_SECONDS,
}

# Chat: message size and rate per session (docs/chat-protocol.md).
CHAT_MAX_MESSAGE_CHARS = env.int("CHAT_MAX_MESSAGE_CHARS", default=2000)
CHAT_MAX_FRAME_BYTES = env.int("CHAT_MAX_FRAME_BYTES", default=16384)
CHAT_RATE_LIMIT = env.int("CHAT_RATE_LIMIT", default=10)
CHAT_RATE_WINDOW_SECONDS = env.int("CHAT_RATE_WINDOW_SECONDS", default=10)
# Threads per server process that store chat messages (chat/threads.py); one chat, one thread.
CHAT_MESSAGE_THREADS = env.int("CHAT_MESSAGE_THREADS", default=4)
# Chat presence: consoles send a heartbeat every CHAT_HEARTBEAT_SECONDS; an agent silent past
# CHAT_HEARTBEAT_TIMEOUT_SECONDS is marked offline by the sweep. Sites (full origins, e.g.
# https://shop.example) whose pages may embed the widget; agent invitations per visitor and window.
CHAT_HEARTBEAT_SECONDS = env.int("CHAT_HEARTBEAT_SECONDS", default=20)
CHAT_HEARTBEAT_TIMEOUT_SECONDS = env.int("CHAT_HEARTBEAT_TIMEOUT_SECONDS", default=60)
# A waiting chat whose customer's widget has not been heard from for this long (no socket, no
# heartbeat: the page was closed) ends as missed, abandoned, at the presence sweep. Keep it
# well above CHAT_HEARTBEAT_SECONDS so a reload or a short network drop does not end a chat.
CHAT_ABANDON_AFTER_SECONDS = env.int("CHAT_ABANDON_AFTER_SECONDS", default=90)
CHAT_WIDGET_ORIGINS = env.list("CHAT_WIDGET_ORIGINS", default=[])
CHAT_INVITE_LIMIT = env.int("CHAT_INVITE_LIMIT", default=2)
CHAT_INVITE_WINDOW_SECONDS = env.int("CHAT_INVITE_WINDOW_SECONDS", default=600)
# New visits one address may open per window (a visit is a row the desk lists; behind a proxy run
# the ASGI server with its proxy-headers option so the address is the visitor's), and how long a
# visit that has left is kept before the presence sweep deletes it with its invitations.
CHAT_VISITS_PER_ADDRESS = env.int("CHAT_VISITS_PER_ADDRESS", default=300)
CHAT_VISITS_WINDOW_SECONDS = env.int("CHAT_VISITS_WINDOW_SECONDS", default=600)
CHAT_VISIT_RETENTION_DAYS = env.int("CHAT_VISIT_RETENTION_DAYS", default=30)
CHANNEL_BEAT_SCHEDULE["chat-presence"] = {
    "task": "chat.tasks.sweep_presence",
    "schedule": float(CHAT_HEARTBEAT_SECONDS),
}

# Surveys: links in emails start with SURVEYS_BASE_URL; the public form is rate-limited per IP
# (the shared Redis cache, CACHES) and size-limited; a poor answer's
# follow-up runs the policy's surveys.follow_up clock, or, if the policy sets no
# `[surveys] follow_up`, is due SURVEYS_FOLLOW_UP_WITHIN (a policy duration) after it opens; beat
# emails the weekly digest on Monday at 08:00 (CELERY_TIMEZONE).
SURVEYS_BASE_URL = env("SURVEYS_BASE_URL", default="http://127.0.0.1:8000")
SURVEYS_RATE_LIMIT = env.int("SURVEYS_RATE_LIMIT", default=30)
SURVEYS_RATE_WINDOW_SECONDS = env.int("SURVEYS_RATE_WINDOW_SECONDS", default=600)
SURVEYS_MAX_REQUEST_BYTES = env.int("SURVEYS_MAX_REQUEST_BYTES", default=16 * 1024)
SURVEYS_FOLLOW_UP_WITHIN = env("SURVEYS_FOLLOW_UP_WITHIN", default="2wd")
CHANNEL_BEAT_SCHEDULE["surveys-weekly-digest"] = {
    "task": "surveys.tasks.send_weekly_survey_digest",
    "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
}
# Chat's secure form: encryption keys (comma-separated to rotate; empty: from SECRET_KEY) and
# how long details are kept.
CHAT_SECURE_FORM_KEY = env("CHAT_SECURE_FORM_KEY", default="")
CHAT_SECURE_RETENTION_DAYS = env.int("CHAT_SECURE_RETENTION_DAYS", default=30)
CHANNEL_BEAT_SCHEDULE["chat-secure-purge"] = {
    "task": "chat.tasks.purge_secure_details",
    "schedule": 3600.0,
}
