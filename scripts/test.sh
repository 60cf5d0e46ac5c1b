#!/usr/bin/env bash
# make test: lint, migrations check, and the whole pytest suite against a throwaway PostgreSQL
# and redis-server that this script starts and stops. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
. scripts/lib.sh

need_debian_packages redis-server:redis-server "$(pg_bindir)/initdb:postgresql" \
  /usr/bin/chromium:chromium dovecot:dovecot-imapd

if ! $PYTHON -c "import playwright" 2>/dev/null; then
  echo "error: playwright is missing from the venv (make test installs .[dev])" >&2; exit 1
fi

TMP=$(mktemp -d /tmp/helpdesk-test.XXXXXX)
chmod 755 "$TMP"
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
cleanup() {
  stop_redis "$TMP/redis"
  stop_postgres "$TMP/pg"
  sleep 0.5
  rm -rf "$TMP"
}
trap cleanup EXIT

start_postgres "$PG_PORT" "$TMP/pg"
start_redis "$REDIS_PORT" "$TMP/redis"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/helpdesk"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DJANGO_SETTINGS_MODULE=config.settings.test
export MEDIA_ROOT="$TMP/media"

echo "== ruff"
.venv/bin/ruff check .
echo "== import contracts"
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
echo "== migrations"
$PYTHON manage.py makemigrations --check --dry-run >/dev/null || {
  echo "error: models changed without a migration (run: python manage.py makemigrations)" >&2; exit 1; }
echo "== OpenAPI schema"
$PYTHON manage.py spectacular --validate --fail-on-warn --file "$TMP/schema.yaml" >/dev/null || {
  echo "error: the OpenAPI schema has warnings or errors (manage.py spectacular --validate)" >&2
  exit 1; }
echo "== pytest (PostgreSQL :$PG_PORT, Redis :$REDIS_PORT)"
$PYTHON -m pytest "$@"
