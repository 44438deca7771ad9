"""gunicorn settings for DutyEval, shared by the systemd unit, the Docker image and scripts/stack.sh.

Each value can be overridden from the environment (the names below), so the same file serves
one small office server and a larger app server.
"""

import multiprocessing
import os

wsgi_app = "dutyeval.wsgi:application"

# nginx talks to gunicorn over a unix socket (deploy/nginx/dutyeval.conf); several addresses are
# separated by spaces, e.g. "unix:/run/dutyeval/gunicorn.sock 0.0.0.0:8000" for a second app server.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/dutyeval/gunicorn.sock").split()
# Requests are short except Excel imports and report uploads; 2-4 workers per core is plenty.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# An 11 MB workbook takes seconds, not minutes; anything longer is stuck and gets restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow for months.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine may say "this came over HTTPS" (X-Forwarded-Proto). Peers on a
# unix socket are always trusted; add the nginx host's address when gunicorn listens on TCP.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# client, request line, status, size, milliseconds, referer (no cookies, no bodies)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s"'
proc_name = "dutyeval-web"
# gunicorn ≥ 24 opens a control socket in the home directory; nothing here uses it
control_socket_disable = True
