#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite, then again on PostgreSQL (started here,
# in a throw-away cluster under var/, so nothing on the machine is touched).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export DJANGO_SETTINGS_MODULE=dutyeval.settings
.venv/bin/ruff check src tests bench

echo "== tests on SQLite"
.venv/bin/pytest "$@"

echo "== tests on PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PGDATA=$(mktemp -d /tmp/dutyeval-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGDATA"
  RUNAS=(runuser -u postgres --)
fi
"${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U dutyeval -E UTF8 >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" -w -l "$PGDATA/log" start >/dev/null
trap '"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDATA"' EXIT
DATABASE_URL="postgres://dutyeval@127.0.0.1:${PGPORT}/postgres" .venv/bin/pytest -m "not e2e" "$@"

# the whole suite (no pytest arguments, as in CI) ends with the production stack of deploy/
if [ $# -eq 0 ] || [ "${STACK:-0}" = 1 ]; then
  echo "== production stack (deploy/): nginx, gunicorn, PostgreSQL, Redis, worker; smoke and restore tests"
  bash scripts/stack.sh
fi
