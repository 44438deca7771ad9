#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite and, at the same time, on PostgreSQL (started
# here, in a throw-away cluster under /tmp, so nothing on the machine is touched).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export DJANGO_SETTINGS_MODULE=dutyeval.settings
.venv/bin/ruff check src tests bench

# The two suites run side by side (each is one process; CI has 2 cores): PostgreSQL in the
# background with its own var/ and log, SQLite in the foreground; the PostgreSQL log is shown after.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PGDATA=$(mktemp -d /tmp/dutyeval-pg.XXXXXX)
PGVAR=$(mktemp -d /tmp/dutyeval-pgvar.XXXXXX)
PGPORT=${PGPORT:-55432}
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGDATA"
  RUNAS=(runuser -u postgres --)
fi
"${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U dutyeval -E UTF8 >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" -w -l "$PGDATA/log" start >/dev/null
trap '"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDATA" "$PGVAR"' EXIT

echo "== tests on PostgreSQL: started in the background (log: $PGVAR/pytest.log)"
(DUTYEVAL_VAR_DIR="$PGVAR" DATABASE_URL="postgres://dutyeval@127.0.0.1:${PGPORT}/postgres" \
  .venv/bin/pytest -m "not e2e" "$@" >"$PGVAR/pytest.log" 2>&1; echo $? >"$PGVAR/rc") &
PGJOB=$!

echo "== tests on SQLite"
set +e
.venv/bin/pytest "$@"
SQLITE_RC=$?
wait "$PGJOB"
set -e
PG_RC=$(cat "$PGVAR/rc" 2>/dev/null || echo 1)
echo "== tests on PostgreSQL (log)"
cat "$PGVAR/pytest.log"
echo "== SQLite exit $SQLITE_RC, PostgreSQL exit $PG_RC"
if [ "$SQLITE_RC" != 0 ] || [ "$PG_RC" != 0 ]; then exit 1; fi

# the whole suite (no pytest arguments, as in CI) ends with the production stack of deploy/
if [ $# -eq 0 ] || [ "${STACK:-0}" = 1 ]; then
  echo "== production stack (deploy/): nginx, gunicorn, PostgreSQL, Redis, worker; smoke and restore tests"
  bash scripts/stack.sh
fi
