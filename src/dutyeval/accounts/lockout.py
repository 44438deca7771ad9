"""Which address a login attempt comes from, for django-axes' lockout (AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind our nginx the address nginx saw.

    Behind a proxy every request comes from the proxy, so lockouts would be per user for the whole
    province. nginx appends the peer address to X-Forwarded-For (`$proxy_add_x_forwarded_for`):
    only that last entry is trustworthy; anything before it was written by the client.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
