"""Telling people what concerns them: in-app messages and e-mail (Django's mail settings; console by default)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def notify(users: Iterable, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = "") -> int:
    """Create one message per user (skipping users who already have `dedupe_key`) and e-mail it after
    the transaction commits. Returns the number of messages created."""
    users = [u for u in users if u is not None and u.is_active]
    if dedupe_key:
        seen = set(Notification.objects.filter(user__in=users, dedupe_key=dedupe_key).values_list("user_id", flat=True))
        users = [u for u in users if u.pk not in seen]
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title[:200], body=body, url=url[:200], dedupe_key=dedupe_key)
         for u in users],
        ignore_conflicts=True,
    )
    mails = [(f"【履职评价】{title}", f"{body}\n\n{_absolute(url)}".strip(), None, [u.email]) for u in users if u.email]
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return len(users)


def _absolute(url: str) -> str:
    return f"{settings.DUTYEVAL_SITE_URL.rstrip('/')}{url}" if url and settings.DUTYEVAL_SITE_URL else url


def _send(mails) -> None:
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:  # a mail server that is down must not undo the state change that caused the mail
        log.exception("sending %d notification e-mails failed", len(mails))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
