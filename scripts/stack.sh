#!/usr/bin/env bash
# Start the production stack of deploy/ from Debian packages in a temporary directory, run the
# smoke and restore tests against it (tests/deploy/test_stack.py), stop everything and clean up.
#
#   PostgreSQL (throw-away cluster) · Redis · gunicorn (2 workers, unix socket, deploy/gunicorn.conf.py)
#   · nginx with TLS (deploy/nginx/dutyeval.conf, self-signed certificate) · huey worker (run_huey)
#
# CI has no Docker: this is how deploy/ is exercised there (scripts/test.sh calls it). Extra
# arguments go to pytest. STACK_KEEP=1 leaves the stack running until Enter is pressed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$(date +%s%N)
bash scripts/setup.sh --test
for cmd in nginx redis-server openssl; do
  command -v "$cmd" >/dev/null || { echo "stack: $cmd missing (scripts/setup.sh --test installs it)" >&2; exit 1; }
done

STACK=$(mktemp -d /tmp/dutyeval-stack.XXXXXX)
chmod 755 "$STACK"   # postgres and nginx's workers (other users when we are root) look inside
PIDS=()
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
RUNAS=()
[ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ]; then
    echo "stack: failed (exit $rc); last lines of the logs:" >&2
    for f in "$STACK"/*.log "$STACK"/nginx/error.log "$STACK"/pg/log; do
      [ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
    done
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && echo "stack: pid $pid still running after 5 s: killed ($(ps -o args= -p "$pid"))" >&2
    kill -9 "$pid" 2>/dev/null
  done
  [ -f "$STACK/pg/PG_VERSION" ] && "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$STACK/pg" -m immediate stop >/dev/null 2>&1
  rm -rf "$STACK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND…
  local n=$(( $1 * 10 )) what=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "stack: $what did not come up" >&2; return 1
}
secs() { .venv/bin/python -c 'import sys, time; print(f"{(time.time_ns() - int(sys.argv[1])) / 1e9:.1f}")' "$1"; }
step() { echo "stack: [$(secs "$T0") s] $*"; }
PGPORT=$(free_port); REDISPORT=$(free_port); HTTPPORT=$(free_port); HTTPSPORT=$(free_port)

# --- PostgreSQL: a throw-away cluster, as in scripts/test.sh
mkdir "$STACK/pg"
[ ${#RUNAS[@]} -gt 0 ] && chown postgres "$STACK/pg"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$STACK/pg" -A trust -U dutyeval -E UTF8 >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$STACK/pg" -w -l "$STACK/pg/log" \
  -o "-p $PGPORT -k $STACK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U dutyeval dutyeval

step "PostgreSQL up"
# --- Redis: the task queue
mkdir "$STACK/redis"
redis-server --bind 127.0.0.1 --port "$REDISPORT" --dir "$STACK/redis" --save "" --appendonly no \
  --logfile "$STACK/redis.log" &
PIDS+=($!)

# --- the application's environment (what /etc/dutyeval/dutyeval.env holds in production)
.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STACK/secret_key"
export DJANGO_SETTINGS_MODULE=dutyeval.settings
export DATABASE_URL="postgres://dutyeval@127.0.0.1:${PGPORT}/dutyeval"
export REDIS_URL="redis://127.0.0.1:${REDISPORT}/0"
export SECRET_KEY_FILE="$STACK/secret_key"
export ALLOWED_HOSTS="localhost,127.0.0.1"
export DEBUG=false
export DUTYEVAL_HTTPS=true   # behind nginx with TLS: secure cookies, HSTS, X-Forwarded-Proto trusted
export DUTYEVAL_VAR_DIR="$STACK/var"
export DUTYEVAL_STATIC_MANIFEST=true   # hashed, gzipped static files, as deploy/ runs them
export HUEY_WORKERS=2
unset HUEY_IMMEDIATE DUTYEVAL_DEMO SECRET_KEY
wait_for 10 redis redis-cli -p "$REDISPORT" ping

.venv/bin/dutyeval migrate --noinput -v0
step "migrated"
# a small province (宁夏, 22 counties) keeps the stage short; the code paths are the same
.venv/bin/dutyeval build_demo --province "${STACK_PROVINCE:-64}" --schools-per-city 60 | tee "$STACK/demo.txt"
.venv/bin/dutyeval collectstatic --noinput -v0
step "demo built, static files collected"
chmod -R a+rX "$STACK/var"

# --- gunicorn, 2 workers on a unix socket
GUNICORN_BIND="unix:$STACK/gunicorn.sock" GUNICORN_WORKERS=2 GUNICORN_ACCESS_LOG="$STACK/gunicorn-access.log" \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py --error-logfile "$STACK/gunicorn.log" &
PIDS+=($!)

# --- the worker: a separate process taking jobs from Redis
.venv/bin/dutyeval run_huey >"$STACK/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=($WORKER_PID)

# --- nginx with TLS, from deploy/nginx/dutyeval.conf with the ports and paths of this stack
mkdir -p "$STACK/tls" "$STACK/nginx/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$STACK/tls/dutyeval.key" -out "$STACK/tls/dutyeval.crt" 2>/dev/null
sed -e "s|listen 80;|listen 127.0.0.1:$HTTPPORT;|" -e "s|listen 443 ssl;|listen 127.0.0.1:$HTTPSPORT ssl;|" \
    -e '/listen \[::\]/d' \
    -e "s|/run/dutyeval/gunicorn.sock|$STACK/gunicorn.sock|" -e "s|/var/lib/dutyeval/|$STACK/var/|" \
    -e "s|/etc/dutyeval/tls/|$STACK/tls/|" deploy/nginx/dutyeval.conf >"$STACK/nginx/dutyeval.conf"
if grep -nE '/run/dutyeval|/var/lib/dutyeval|/etc/dutyeval|listen (80|443)' "$STACK/nginx/dutyeval.conf"; then
  echo "stack: deploy/nginx/dutyeval.conf changed in a way this script does not rewrite" >&2; exit 1
fi
cat >"$STACK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $STACK/nginx/nginx.pid;
error_log $STACK/nginx/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $STACK/nginx/access.log;
    client_body_temp_path $STACK/nginx/tmp/body;
    proxy_temp_path $STACK/nginx/tmp/proxy;
    fastcgi_temp_path $STACK/nginx/tmp/fastcgi;
    uwsgi_temp_path $STACK/nginx/tmp/uwsgi;
    scgi_temp_path $STACK/nginx/tmp/scgi;
    include $STACK/nginx/dutyeval.conf;
}
EOF
nginx -e "$STACK/nginx/error.log" -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" -t -q
nginx -e "$STACK/nginx/error.log" -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)

URL="https://localhost:$HTTPSPORT"
healthy() { .venv/bin/python -c 'import ssl, sys, urllib.request as u
ctx = ssl.create_default_context(cafile=sys.argv[2])
sys.exit(0 if u.urlopen(sys.argv[1] + "/healthz", context=ctx, timeout=2).status == 200 else 1)' "$URL" "$STACK/tls/dutyeval.crt"; }
wait_for 30 "the stack (nginx → gunicorn → PostgreSQL, Redis)" healthy
grep -q "Huey consumer started" "$STACK/worker.log" || wait_for 20 "the worker" grep -q "consumer started" "$STACK/worker.log"
printf 'stack: up at %s in %s s (PostgreSQL :%s, Redis :%s, gunicorn ×2, worker pid %s, nginx :%s/:%s)\n' \
  "$URL" "$(secs "$T0")" "$PGPORT" "$REDISPORT" "$WORKER_PID" "$HTTPPORT" "$HTTPSPORT"

if [ "${STACK_KEEP:-0}" = 1 ]; then
  echo "stack: running; logs in $STACK. Press Enter to stop."; read -r _ || true
fi

T1=$(date +%s%N)
# the county login printed by build_demo (its password may change: read, never hard-coded)
read -r STACK_USER STACK_PASSWORD _ < <(grep -E '^ +c[0-9]{6} ' "$STACK/demo.txt" | head -n1)
[ -n "${STACK_PASSWORD:-}" ] || { echo "stack: no county login in build_demo's output" >&2; exit 1; }
DUTYEVAL_STACK_URL="$URL" DUTYEVAL_STACK_HTTP_URL="http://127.0.0.1:$HTTPPORT" \
DUTYEVAL_STACK_CAFILE="$STACK/tls/dutyeval.crt" DUTYEVAL_STACK_USER="$STACK_USER" \
DUTYEVAL_STACK_PASSWORD="$STACK_PASSWORD" DUTYEVAL_STACK_WORKER_PID="$WORKER_PID" \
DUTYEVAL_STACK_WORKER_LOG="$STACK/worker.log" DUTYEVAL_STACK_STATIC_ROOT="$STACK/var/static" \
DUTYEVAL_STACK_PGBIN="$PGBIN" DUTYEVAL_STACK_TMP="$STACK" \
  .venv/bin/pytest -p no:django -W "ignore:Unknown config option" -m stack tests/deploy/test_stack.py -v -s --durations=0 "$@"
echo "stack: tests took $(secs "$T1") s; $(secs "$T0") s in all"
