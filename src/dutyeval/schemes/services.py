"""Loading scheme files into the database, with the freeze rule: a scheme used by a cycle
never changes; a changed file becomes a new version."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dutyeval.audit.services import log_action
from dutyeval.core import schemefile

from .models import Indicator, Scheme


@transaction.atomic
def import_scheme_file(path: str | Path, *, actor=None) -> tuple[Scheme, str]:
    """Load one YAML file. Returns (scheme, outcome) with outcome created / unchanged / updated / new_version."""
    core = schemefile.load_scheme(path)  # raises SchemeFileError naming file and path
    data = schemefile.scheme_to_dict(core)
    fingerprint = schemefile.fingerprint(core)
    latest = Scheme.objects.filter(code=core.code).order_by("-version").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return latest, "unchanged"
    if latest is not None and not latest.is_frozen:
        latest.indicators.all().delete()
        _fill(latest, core, data, fingerprint)
        latest.save()
        _create_indicators(latest, core)
        log_action("schemes.scheme.update", actor=actor, obj=latest, data={"file": str(path)})
        return latest, "updated"
    version = max(core.version, (latest.version + 1) if latest else 1)
    scheme = Scheme(code=core.code, version=version)
    _fill(scheme, core, data, fingerprint)
    scheme.save()
    _create_indicators(scheme, core)
    outcome = "created" if latest is None else "new_version"
    log_action(f"schemes.scheme.{outcome}", actor=actor, obj=scheme, data={"file": str(path), "version": version})
    return scheme, outcome


def _fill(scheme: Scheme, core, data: dict, fingerprint: str) -> None:
    scheme.title = core.title
    scheme.issuer = core.issuer
    scheme.doc_number = core.doc_number
    scheme.year = core.year
    scheme.level = core.level
    scheme.total_points = core.total_points
    scheme.grade_bands = [{"name": b.name, "min_score": str(b.min_score)} for b in core.grade_bands]
    scheme.source = core.source
    scheme.notes = core.notes
    data = dict(data, version=scheme.version)
    scheme.definition = data
    scheme.fingerprint = fingerprint


def _create_indicators(scheme: Scheme, core) -> None:
    order = 0

    def add(node, parent, depth):
        nonlocal order
        order += 1
        rule = {k: v for k, v in asdict(node.rule).items() if v not in (None, {}, "")}
        row = Indicator.objects.create(
            scheme=scheme,
            parent=parent,
            code=node.code,
            depth=depth,
            order=order,
            title=node.title,
            points=node.points,
            kind=node.kind,
            rule_kind=node.rule.kind,
            rule=rule,
            evidence=list(node.evidence),
            department=node.department,
            assumed=node.assumed,
            note=node.note,
        )
        for child in node.children:
            add(child, row, depth + 1)

    for top in core.indicators:
        add(top, None, 1)


def freeze(scheme: Scheme, *, actor=None) -> Scheme:
    if scheme.frozen_at is None:
        scheme.frozen_at = timezone.now()
        scheme.save(update_fields=["frozen_at"])
        log_action("schemes.scheme.freeze", actor=actor, obj=scheme)
    return scheme


def latest_version(code: str) -> Scheme | None:
    v = Scheme.objects.filter(code=code).aggregate(m=Max("version"))["m"]
    return Scheme.objects.filter(code=code, version=v).first() if v else None
