#!/usr/bin/env bash
# make run: Redis, migrations, demo data, then the ASGI server, a Celery worker and Celery beat
# together on http://127.0.0.1:8000 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
BIN=.venv/bin
. scripts/lib.sh

need_debian_packages redis-server:redis-server

mkdir -p var/redis var/log var/mail
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
RUN_REDIS_PORT=${RUN_REDIS_PORT:-6380}
PORT=${PORT:-8000}
started_redis=""
if [ -z "${REDIS_URL:-}" ]; then
  export REDIS_URL="redis://127.0.0.1:$RUN_REDIS_PORT/0"
  if ! redis-cli -p "$RUN_REDIS_PORT" ping >/dev/null 2>&1; then
    start_redis "$RUN_REDIS_PORT" var/redis
    started_redis=yes
  fi
fi

$PYTHON manage.py migrate --noinput
$PYTHON manage.py collectstatic --noinput >/dev/null
$PYTHON manage.py seed_demo

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$started_redis" ] && stop_redis var/redis
  exit 0
}
trap stop_all INT TERM EXIT

# Logs are appended, never truncated: an earlier run's crash stays readable after a restart.
for log in web worker beat; do
  echo "==== make run started $(date -u +%Y-%m-%dT%H:%M:%SZ) ====" >>"var/log/$log.log"
done
$BIN/daphne -b 127.0.0.1 -p "$PORT" config.asgi:application >>var/log/web.log 2>&1 &
pids+=($!)
$BIN/celery -A config worker --pool=solo --loglevel=INFO >>var/log/worker.log 2>&1 &
pids+=($!)
$BIN/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule >>var/log/beat.log 2>&1 &
pids+=($!)

cat <<MSG

Help desk running (logs in var/log/, Ctrl-C stops everything):
  Desk:        http://127.0.0.1:$PORT/desk/
  Admin:       http://127.0.0.1:$PORT/admin/
  API docs:    http://127.0.0.1:$PORT/api/docs/
  Chat widget: http://127.0.0.1:$PORT/chat/
  Health:      http://127.0.0.1:$PORT/health/
MSG
wait -n "${pids[@]}" || true
echo "A server stopped; see var/log/." >&2
