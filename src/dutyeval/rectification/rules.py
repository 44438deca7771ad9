"""What the rest of the rectification app leans on and that leans on nothing of it: the refusal type,
who decides, the data catalogue and a task's target in words. models.py, documents.py and services.py
all import this module, and it imports none of them, so the app has no import circle."""

from __future__ import annotations

from functools import cache

from dutyeval.accounts import scoping
from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.documents.model import fmt_number
from dutyeval.core.rectification import OPS
from dutyeval.evaluation.rules import WorkflowError


@cache
def catalogue():
    return default_catalogue()


class RectificationError(WorkflowError):
    """A refused rectification step; the message is for users. `errors` maps a field to its message."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


def is_office(user, cycle) -> bool:
    """The office running the cycle decides: findings, plans, closure, 督办."""
    return scoping.runs_cycle(user, cycle)


def is_coordinator(user, region) -> bool:
    return scoping.can_edit_region_data(user, region)


def target_text(t) -> str:
    """A task's data target as users write it: 大班额班级数（56—65人） ≤ 0个（2022-08-31前); "" without one."""
    if not t.target_element:
        return ""
    el = catalogue().by_code.get(t.target_element)
    name, unit = (el.name, el.unit) if el else (t.target_element, "")
    return f"{name} {OPS.get(t.target_op, t.target_op)} {fmt_number(t.target_value, unit)}{unit}（{t.target_by:%Y-%m-%d}前）"
