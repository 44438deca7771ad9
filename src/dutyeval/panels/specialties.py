"""The specialties vocabulary (specialties.yaml) and which of them cover a scheme's areas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FILE = Path(__file__).with_name("specialties.yaml")


@dataclass(frozen=True)
class Specialty:
    code: str
    label: str
    words: tuple[str, ...]
    example: str


@cache
def specialties() -> tuple[Specialty, ...]:
    entries = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    out = tuple(Specialty(e["code"], e["label"], tuple(e["words"]), e["example"]) for e in entries)
    codes = [s.code for s in out]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{FILE}: duplicate specialty codes")
    return out


def labels() -> dict[str, str]:
    return {s.code: s.label for s in specialties()}


def covering(title: str) -> frozenset[str]:
    """The specialties whose words appear in an area's title."""
    return frozenset(s.code for s in specialties() if any(w in title for w in s.words))


def scheme_areas(scheme) -> dict[str, tuple[str, frozenset[str]]]:
    """Area code → (title, covering specialties) for the scheme's areas (一级指标) that reviewers score
    and some specialty covers. Areas no specialty names (the veto list) need no particular expert."""
    from dutyeval.schemes.models import Indicator

    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("order"))
    parents = {i.parent_id for i in indicators}
    scored = [i for i in indicators if i.pk not in parents and i.rule_kind in ("manual", "veto")]
    out = {}
    for area in (i for i in indicators if i.depth == 1):
        if not any(leaf.code == area.code or leaf.code.startswith(area.code + ".") for leaf in scored):
            continue
        specs = covering(area.title)
        if specs:
            out[area.code] = (area.title, specs)
    return out
