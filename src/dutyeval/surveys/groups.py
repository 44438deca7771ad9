"""The respondent groups of a satisfaction survey and the data elements their means are written to.

Zhejiang surveys five groups (seed 002: 学生、教师、家长、社会群众、人大政协). Principals (校长) are
surveyed elsewhere but no scheme we ship scores them, so they have no element: their results are
imported, checked against their quota and shown, never written to the cycle's figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    element: str | None  # data element the region's mean is written to; None = shown only
    aliases: tuple[str, ...]


GROUPS = (
    Group("students", "学生", "satisfaction_students", ("学生", "students", "student")),
    Group("teachers", "教师", "satisfaction_teachers", ("教师", "teachers", "teacher")),
    Group("parents", "家长", "satisfaction_parents", ("家长", "parents", "parent")),
    Group("public", "社会群众", "satisfaction_public", ("社会群众", "社会公众", "群众", "public")),
    Group("npc_cppcc", "人大政协", "satisfaction_npc_cppcc",
          ("人大政协", "人大政协代表", "人大代表和政协委员", "人大代表政协委员", "npc_cppcc")),
    Group("principals", "校长", None, ("校长", "principals", "principal")),
)
BY_CODE = {g.code: g for g in GROUPS}
_ALIASES = {alias.lower(): g for g in GROUPS for alias in g.aliases}


def find_group(text: str) -> Group | None:
    return _ALIASES.get(str(text).strip().lower())


def label(code: str) -> str:
    return BY_CODE[code].label if code in BY_CODE else code
