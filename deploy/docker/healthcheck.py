"""Docker health check of the web container: GET /healthz through gunicorn's unix socket."""

import os
import socket
import sys

host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".") or "localhost"
sock = socket.socket(socket.AF_UNIX)
sock.settimeout(5)
try:
    sock.connect(os.environ.get("HEALTHCHECK_SOCKET", "/run/dutyeval/gunicorn.sock"))
    # as nginx forwards it: over HTTPS, so a redirect to HTTPS does not count as a failure
    sock.sendall(f"GET /healthz HTTP/1.0\r\nHost: {host}\r\nX-Forwarded-Proto: https\r\n\r\n".encode())
    status = sock.recv(64).split(b" ", 2)[1]
except (OSError, IndexError):
    sys.exit(1)
sys.exit(0 if status == b"200" else 1)
