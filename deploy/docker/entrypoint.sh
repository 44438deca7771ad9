#!/bin/sh
# web: migrate, collect static files for nginx, run gunicorn on /run/dutyeval/gunicorn.sock
# worker: run the huey consumer (jobs from Redis)
# anything else: a dutyeval management command, e.g. `createsuperuser`, `build_demo`
set -eu
case "${1:-web}" in
  web)
    dutyeval migrate --noinput
    dutyeval collectstatic --noinput -v0
    exec gunicorn -c /opt/dutyeval/deploy/gunicorn.conf.py ;;
  worker)
    exec dutyeval run_huey ;;
  *)
    exec dutyeval "$@" ;;
esac
