#!/usr/bin/env bash
# Set up and start DutyEval on its embedded default (SQLite), with the demo province loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=dutyeval.settings
export DUTYEVAL_DEMO=true  # the demo may run without a SECRET_KEY (it gets a random one in var/)
PORT=${PORT:-8000}
.venv/bin/dutyeval migrate --noinput -v0
.venv/bin/dutyeval build_demo
echo
echo "DutyEval is running at http://127.0.0.1:${PORT}/  (Ctrl-C to stop)"
echo "Log in with one of the accounts above, e.g. sxadmin / Demo@2021pass (province) or c140525 / Demo@2021pass (泽州县)."
exec .venv/bin/dutyeval runserver "127.0.0.1:${PORT}" --insecure
