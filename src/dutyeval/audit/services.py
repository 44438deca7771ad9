from __future__ import annotations

from decimal import Decimal

from django.db import models

from .models import AuditLog


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def log_action(action: str, *, actor=None, obj: models.Model | None = None, region=None, data=None) -> AuditLog:
    """Record `action` (dotted code, e.g. collection.value.change) with old/new values in `data`."""
    return AuditLog.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        region=region,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=_jsonable(data or {}),
    )
